"""rustc for a WebAssembly host: resumable steps, the WASI toolchain, rustc.wasm and wasmtime."""
