"""What the tool does to rustc: the core edits, the relay ABI, the options (options/),
the wasm-host edits, the files they edit."""
