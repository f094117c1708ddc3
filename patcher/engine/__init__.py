"""The patch engine: edit kinds, tree-sitter syntax helpers (Rust, C++), templates,
plans and atomic writes to a checkout."""
