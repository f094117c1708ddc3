//@ macros: hostile_bridge
//@ wasm-only
//@ error: sent a malformed bridge request: `ts_clone`, argument `stream`: no token stream has the handle 57005 (never issued, or dropped)
//@ error-at: 6:1
// A request naming a token stream the compiler never issued: refused, not an ICE.
unissued_handle!();

fn main() {}
