//@ macros: hostile
//@ wasm-only
//@ error: trapped
//@ error-at: 6:1
// A macro that executes `unreachable`: an error at the call site, not a crash.
traps!();

fn main() {}
