//@ macros: hostile
//@ wasm-only
//@ error: trapped: call stack exhausted
//@ error-at: 6:1
// A macro that recurses without bound: stopped by the engine's stack limit, not a crash.
recurses!();

fn main() {}
