//@ macros: hostile
//@ wasm-only
//@ error: was stopped after 2000000000 instructions
//@ error-at: 6:1
// The same endless macro under the default fuel limit: ends within seconds.
loops!();

fn main() {}
