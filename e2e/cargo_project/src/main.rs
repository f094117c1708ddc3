//! Built by cargo with `RUSTC` set to the patched compiler and the module named in
//! `RUSTFLAGS`: `--extern describe=describe.wasm` (option A),
//! `--wasm-proc-macro describe=describe.wasm` (C) or `-Zwasm-proc-macro=describe.wasm` (B,
//! which puts the macros in the prelude without a crate name, hence the cfg).
#[cfg(not(wasm_option_b))]
use describe::Describe;

trait Describe {
    fn describe(&self) -> String;
}

#[derive(Describe)]
struct Point<T: std::fmt::Debug> {
    x: T,
    y: T,
}

fn main() {
    println!("{}", Point { x: 1.5, y: -2.0 }.describe());
}
