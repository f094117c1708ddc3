"""LLVM for a WebAssembly host: the pinned source, its porting patches, cmake settings and the smoke test."""
