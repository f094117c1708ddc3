//@ macros: hostile
//@ wasm-only
//@ error: tried to use more than 1024 MiB of memory
//@ error-at: 6:1
// A macro that allocates without bound: stopped by the memory cap.
allocates!();

fn main() {}
