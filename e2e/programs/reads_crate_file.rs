//@ macros: describe
//@ env: CARGO_MANIFEST_DIR={e2e}/programs
//@ stdout: (true, "hello from a file of the crate\n")
// A macro reads a file of the crate being compiled (as pest's `#[grammar = "..."]` does):
// from WebAssembly too, read-only, through the compiler.
fn main() {
    println!("{:?}", file_text!("data/greeting.txt"));
}
