//@ macros: hostile
//@ wasm-only
//@ error: trapped
// A macro that executes `unreachable`: an error at the call site, not a crash.
traps!();

fn main() {}
