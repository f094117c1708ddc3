// Compiles, but does not link: no library `e2e_nowhere` exists, so the linker (lld's wasm
// port, in-process under rustc.wasm) reports that it cannot find it.
#[link(name = "e2e_nowhere")]
unsafe extern "C" {
    fn e2e_nowhere_defined() -> u32;
}

fn main() {
    println!("{}", unsafe { e2e_nowhere_defined() });
}
