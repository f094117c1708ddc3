//@ macros: hostile_bridge
//@ wasm-only
//@ error: WebAssembly proc macro `malformed_request` sent a malformed bridge request: no bridge method has the tag 255 (this compiler has 32)
//@ error-at: 6:1
// A module sending a request no method has: refused at the call site, not an ICE.
malformed_request!();

fn main() {}
