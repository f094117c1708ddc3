"""`cargo wasm`: an unchanged cargo project built with every proc macro of its graph
compiled to WebAssembly and run in the patched rustc's interpreter.

- graph.py: the project's resolved graph (`cargo metadata`, Cargo.lock) and what follows
  from it: which proc macros run from wasm, which host-only crates need no native build.
- cache.py: the module cache shared by all projects (~/.cache/...), keyed, verified, locked.
- modules.py: compiling one proc-macro crate (and its dependencies) to a module.
- plan.py: what the front hands the wrapper, as a JSON file.
- front.py: `cargo wasm <command>`: plans, fills the cache, runs cargo with the wrapper.
- wrapper.py: the RUSTC_WRAPPER cargo calls for every crate (kept import-light).
"""
