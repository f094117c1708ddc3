//! Macros that speak the bridge themselves, through the relay's host functions, as a
//! hostile or corrupted module can: whatever they send, the compiler must answer or end
//! the expansion with an error at the call site, never panic, abort or hang.
//!
//! Only WebAssembly relays the bridge: natively these macros expand to nothing, and the
//! programs that use them are wasm-only. The method tags below are the order of
//! `with_api!` in library/proc_macro/src/bridge/mod.rs (rustc 1.95); the e2e cases name
//! the method the compiler saw, so a tag that drifts fails them.

use proc_macro::TokenStream;

#[cfg(target_family = "wasm")]
mod fuzz;
#[cfg(target_family = "wasm")]
mod raw;

/// A request of 256 bytes of 0xFF: no method has that tag.
#[proc_macro]
pub fn malformed_request(_input: TokenStream) -> TokenStream {
    #[cfg(target_family = "wasm")]
    raw::dispatch(&[0xFF; 256]);
    TokenStream::new()
}

/// `track_env_var` with 2 bytes where its string's 8-byte length should be.
#[proc_macro]
pub fn truncated_request(_input: TokenStream) -> TokenStream {
    #[cfg(target_family = "wasm")]
    raw::dispatch(&[raw::TRACK_ENV_VAR, 0, 0]);
    TokenStream::new()
}

/// `ts_clone` of the token stream 0xDEAD, which the compiler never issued.
#[proc_macro]
pub fn unissued_handle(_input: TokenStream) -> TokenStream {
    #[cfg(target_family = "wasm")]
    raw::dispatch(&[raw::TS_CLONE, 0xAD, 0xDE, 0, 0]);
    TokenStream::new()
}

/// A reply of 64 bytes of 0xAB: not a `Result`.
#[proc_macro]
pub fn malformed_reply(_input: TokenStream) -> TokenStream {
    #[cfg(target_family = "wasm")]
    raw::reply(&[0xAB; 64]);
    TokenStream::new()
}

/// A valid reply (`Ok(None)`: no tokens), twice.
#[proc_macro]
pub fn double_reply(_input: TokenStream) -> TokenStream {
    #[cfg(target_family = "wasm")]
    for _ in 0..2 {
        raw::reply(&[0, 1]);
    }
    TokenStream::new()
}

/// `fuzz!(seed case messages)`: a realistic session of bridge requests (those of a derive:
/// parsing, walking the input's trees, spans, symbols, literals, building output), then
/// up to `messages` mutations of them (flipped bytes, cut or extended messages, swapped or
/// freed handles, replies sent back as requests, random bytes), then an ending (the
/// harness's reply, or a reply of its own: valid, mutated or doubled). Each message is
/// announced on stdout first, so that a crash names the message that caused it.
#[proc_macro]
pub fn fuzz(input: TokenStream) -> TokenStream {
    let numbers: Vec<u64> = input.to_string().split_whitespace().filter_map(|n| n.parse().ok()).collect();
    let [seed, case, messages] = numbers[..] else {
        panic!("usage: fuzz!(seed case messages)");
    };
    #[cfg(target_family = "wasm")]
    fuzz::run(seed, case, messages as usize);
    #[cfg(not(target_family = "wasm"))]
    let _ = (seed, case, messages);
    TokenStream::new()
}

/// Its input, unchanged, through the `proc_macro` client: a well-behaved macro, expanded
/// after the fuzzed ones to show the compiler still serves macros soundly.
#[proc_macro]
pub fn echo(input: TokenStream) -> TokenStream {
    input
}
