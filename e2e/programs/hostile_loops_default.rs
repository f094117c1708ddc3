//@ macros: hostile
//@ wasm-only
//@ error: was stopped after
// The same endless macro under the default fuel limit: ends within seconds.
loops!();

fn main() {}
