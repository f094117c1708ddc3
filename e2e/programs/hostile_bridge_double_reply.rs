//@ macros: hostile_bridge
//@ wasm-only
//@ error: WebAssembly proc macro `double_reply` sent a malformed reply: a second reply
//@ error-at: 6:1
// A second reply after a valid one: refused, not silently replaced.
double_reply!();

fn main() {}
