// A library compiled with the `basic` wasm macro on its command line (as cargo's
// RUSTFLAGS give every crate) that does not use it.
pub fn double(x: u32) -> u32 {
    2 * x
}
