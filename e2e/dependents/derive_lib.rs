// A library deriving with the `basic` wasm macro; `uses_derive_lib.rs` depends on it.
#[macro_use]
extern crate basic;

#[derive(SimpleTest)]
pub struct Foo;

pub fn answer() -> u32 {
    Foo::test()
}
