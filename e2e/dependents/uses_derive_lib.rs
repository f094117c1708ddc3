// Uses `derive_lib`, which was compiled against the `basic` wasm macro: rustc finds that
// dependency as it finds any (search paths, crate name and hash).
extern crate derive_lib;

fn main() {
    println!("derive_lib::answer() = {}", derive_lib::answer());
}
