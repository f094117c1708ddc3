//! The relay's host functions, called directly (the `proc_macro` client calls them for
//! every other macro).

#[link(wasm_import_module = "env")]
unsafe extern "C" {
    fn __rustc_wasm_proc_macro_dispatch(ptr: *const u8, len: usize) -> usize;
    fn __rustc_wasm_proc_macro_receive(ptr: *mut u8);
    fn __rustc_wasm_proc_macro_reply(ptr: *const u8, len: usize);
}

// method tags: the order of `with_api!` (library/proc_macro/src/bridge/mod.rs)
pub const TRACK_ENV_VAR: u8 = 1;
pub const LITERAL_FROM_STR: u8 = 3;
pub const TS_DROP: u8 = 5;
pub const TS_CLONE: u8 = 6;
pub const TS_IS_EMPTY: u8 = 7;
pub const TS_FROM_STR: u8 = 9;
pub const TS_TO_STRING: u8 = 10;
pub const TS_FROM_TOKEN_TREE: u8 = 11;
pub const TS_CONCAT_TREES: u8 = 12;
pub const TS_CONCAT_STREAMS: u8 = 13;
pub const TS_INTO_TREES: u8 = 14;
pub const SPAN_DEBUG: u8 = 15;
pub const SPAN_LINE: u8 = 21;
pub const SPAN_JOIN: u8 = 25;
pub const SPAN_SUBSPAN: u8 = 26;
pub const SPAN_RESOLVED_AT: u8 = 27;
pub const SPAN_SOURCE_TEXT: u8 = 28;
pub const SYMBOL_NORMALIZE_AND_VALIDATE_IDENT: u8 = 31;

/// Send `request`; the server's reply.
pub fn dispatch(request: &[u8]) -> Vec<u8> {
    // SAFETY: the host reads `request`, then writes exactly `len` bytes to `reply`.
    unsafe {
        let len = __rustc_wasm_proc_macro_dispatch(request.as_ptr(), request.len());
        let mut reply = Vec::with_capacity(len);
        __rustc_wasm_proc_macro_receive(reply.as_mut_ptr());
        reply.set_len(len);
        reply
    }
}

/// Reply `bytes` as the expansion's result.
pub fn reply(bytes: &[u8]) {
    // SAFETY: the host only reads `bytes`.
    unsafe { __rustc_wasm_proc_macro_reply(bytes.as_ptr(), bytes.len()) }
}
