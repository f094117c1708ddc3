// Compiles, but does not link: nothing defines this static (an undefined data symbol is an
// error for wasm-ld even where undefined functions become imports).
unsafe extern "C" {
    static e2e_nowhere_defined: u32;
}

fn main() {
    println!("{}", unsafe { e2e_nowhere_defined });
}
