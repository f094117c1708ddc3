//@ macros: hostile_wasi
//@ wasm-only
//@ error: imports `wasi_snapshot_preview1::path_open`
//@ error-at: load
// A module importing a WASI filesystem call is refused when it is loaded.
reads_files!();

fn main() {}
