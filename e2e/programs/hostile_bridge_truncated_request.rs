//@ macros: hostile_bridge
//@ wasm-only
//@ error: sent a malformed bridge request: `track_env_var`, argument `var`: the message ends early: 8 bytes expected, 2 left
//@ error-at: 6:1
// A request cut short: refused at the call site, not an ICE.
truncated_request!();

fn main() {}
