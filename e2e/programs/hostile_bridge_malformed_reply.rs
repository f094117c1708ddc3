//@ macros: hostile_bridge
//@ wasm-only
//@ error: WebAssembly proc macro `malformed_reply` sent a malformed reply: no Result has the tag 171
//@ error-at: 6:1
// A reply that does not decode: refused at the call site, not taken for tokens.
malformed_reply!();

fn main() {}
