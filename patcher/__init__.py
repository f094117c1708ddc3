"""rustc source-patch generator and build orchestrator for WebAssembly proc macros."""
