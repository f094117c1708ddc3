"""Test suites that need a built compiler: e2e, its hostile fixtures, rustc's ui tests,
macro crates compiled to wasm."""
