//! A proxy for a derive: parse structs with syn, generate an impl per struct with quote.
use quote::{format_ident, quote};

fn source(structs: usize) -> String {
    let mut s = String::new();
    for i in 0..structs {
        s.push_str(&format!("#[derive(Serialize)]\npub struct S{i} {{\n"));
        for j in 0..10 { s.push_str(&format!("    #[serde(rename = \"x{j}\")]\n    pub f{j}: Option<Vec<u32>>,\n")); }
        s.push_str("}\n");
    }
    s
}

pub fn work(structs: usize) -> usize {
    let file: syn::File = syn::parse_str(&source(structs)).unwrap();
    let mut total = 0;
    for item in &file.items {
        let syn::Item::Struct(st) = item else { continue };
        let name = &st.ident;
        let fields = st.fields.iter().map(|f| {
            let f = f.ident.as_ref().unwrap();
            let key = format_ident!("__field_{}", f);
            quote! {
                let #key = match ::serde::Serialize::serialize(&self.#f, &mut *serializer) {
                    ::core::result::Result::Ok(v) => v,
                    ::core::result::Result::Err(e) => return ::core::result::Result::Err(e),
                };
                state.serialize_field(stringify!(#f), &#key)?;
            }
        });
        let out = quote! {
            impl ::serde::Serialize for #name {
                fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::core::result::Result<S::Ok, S::Error> {
                    let mut state = serializer.serialize_struct(stringify!(#name), 10)?;
                    #(#fields)*
                    state.end()
                }
            }
        };
        let reparsed: syn::ItemImpl = syn::parse2(out).unwrap();
        total += quote!(#reparsed).to_string().len();
    }
    total
}

#[no_mangle]
pub extern "C" fn run(structs: u32) -> u32 {
    work(structs as usize) as u32
}

#[cfg(feature = "bump")]
mod bump {
    use std::alloc::{GlobalAlloc, Layout};
    use std::cell::UnsafeCell;
    struct Bump(UnsafeCell<usize>);
    unsafe impl Sync for Bump {}
    unsafe impl GlobalAlloc for Bump {
        unsafe fn alloc(&self, l: Layout) -> *mut u8 {
            let next = &mut *self.0.get();
            if *next == 0 { *next = core::arch::wasm32::memory_size(0) * 65536; }
            let start = (*next + l.align() - 1) & !(l.align() - 1);
            let end = start + l.size();
            let have = core::arch::wasm32::memory_size(0) * 65536;
            if end > have { if core::arch::wasm32::memory_grow(0, (end - have + 65535) / 65536) == usize::MAX { return core::ptr::null_mut(); } }
            *next = end;
            start as *mut u8
        }
        unsafe fn dealloc(&self, _: *mut u8, _: Layout) {}
    }
    #[global_allocator]
    static A: Bump = Bump(UnsafeCell::new(0));
}
