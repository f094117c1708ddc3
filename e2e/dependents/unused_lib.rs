// A library compiled with the `basic` wasm macro on its command line (as cargo's
// RUSTFLAGS give every crate) that does not use it; its own derives are std's.
#[derive(Debug, Clone, PartialEq)]
pub struct Twice(pub u32);

pub fn double(x: u32) -> u32 {
    Twice(2 * x).0
}
