//! Misbehaving macros. Run inside the compiler's interpreter, each must end in an error
//! at its call site: rustc exits with 1, without an ICE, a hang or a crash.

use proc_macro::TokenStream;
use std::hint::black_box;

/// Panics with a message the user must see.
#[proc_macro]
pub fn panics(_input: TokenStream) -> TokenStream {
    panic!("hostile macro gave up: {}", black_box("the input was not to its liking"))
}

/// Executes an `unreachable` instruction (on native hosts: aborts the process).
#[proc_macro]
pub fn traps(_input: TokenStream) -> TokenStream {
    #[cfg(target_family = "wasm")]
    core::arch::wasm32::unreachable();
    #[cfg(not(target_family = "wasm"))]
    std::process::abort();
}

/// Never returns: only a fuel limit or a deadline ends it.
#[proc_macro]
pub fn loops(_input: TokenStream) -> TokenStream {
    let mut n: u64 = 0;
    loop {
        n = black_box(n.wrapping_add(1));
    }
}

/// Allocates until something stops it: only a memory cap ends it early.
#[proc_macro]
pub fn allocates(_input: TokenStream) -> TokenStream {
    let mut hoard: Vec<Vec<u8>> = Vec::new();
    loop {
        hoard.push(black_box(vec![1u8; 1 << 20]));
        black_box(&hoard);
    }
}

/// Recurses without bound: only the engine's stack limit ends it (natively: a crash).
#[proc_macro]
pub fn recurses(input: TokenStream) -> TokenStream {
    // no local lives in linear memory: the recursion exhausts the engine's call stack,
    // not the module's shadow stack; `* 3 ^ n` keeps LLVM from turning it into a loop
    fn deeper(n: u64) -> u64 {
        if n == 0 { 0 } else { deeper(n - 1).wrapping_mul(3) ^ n }
    }
    if deeper(u64::MAX - input.to_string().len() as u64) == 42 {
        panic!("unreachable: the recursion never returns");
    }
    input
}
