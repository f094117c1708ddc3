//! A macro that reaches for the host's filesystem through a WASI import. The compiler
//! must refuse the module when loading it, naming the import, before any code runs.

use proc_macro::TokenStream;

#[cfg(target_family = "wasm")]
#[link(wasm_import_module = "wasi_snapshot_preview1")]
unsafe extern "C" {
    fn path_open(fd: i32, dirflags: i32, path: *const u8, path_len: usize, oflags: i32, rights: i64, inheriting: i64, fdflags: i32, opened: *mut i32) -> i32;
}

#[proc_macro]
pub fn reads_files(_input: TokenStream) -> TokenStream {
    let path = b"/etc/passwd";
    let mut fd = 0;
    #[cfg(target_family = "wasm")]
    // SAFETY: what the WASI call does is the point of this test; it must never run.
    let status = unsafe { path_open(3, 0, path.as_ptr(), path.len(), 0, 2, 0, 0, &mut fd) };
    #[cfg(not(target_family = "wasm"))]
    let status = std::hint::black_box(path.len() as i32 + fd);
    format!("const STATUS: i32 = {status};").parse().unwrap()
}
