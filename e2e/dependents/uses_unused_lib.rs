// Uses `unused_lib`, compiled with a wasm macro it does not use.
extern crate unused_lib;

fn main() {
    println!("unused_lib::double(21) = {}", unused_lib::double(21));
}
