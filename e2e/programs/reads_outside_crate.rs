//@ macros: describe
//@ env: CARGO_MANIFEST_DIR={e2e}/programs
//@ wasm-only
//@ error: cannot read ../../README.md: no such file among those this program may read
//@ error-at: 8:41
// A macro may not read outside the crate being compiled: natively it would read the
// repository's README; from WebAssembly the file does not exist for it.
const README: (bool, &str) = file_text!("../../README.md");

fn main() {
    println!("{README:?}");
}
