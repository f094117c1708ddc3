//@ macros: hostile
//@ wasm-only
//@ env: RUSTC_WASM_PROC_MACRO_FUEL=200000000
//@ error: was stopped after 200000000 instructions
//@ error-at: 7:1
// A macro that never returns: stopped by the fuel limit (lowered here to keep the test quick).
loops!();

fn main() {}
