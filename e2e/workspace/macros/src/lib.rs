//! `#[derive(Fields)]` adds `fn fields() -> &'static [&'static str]`; `#[traced]` makes a
//! function print its name when it is called.

use proc_macro::TokenStream;
use quote::quote;
use syn::{parse_macro_input, Data, DeriveInput, Fields as SynFields, ItemFn};

#[proc_macro_derive(Fields)]
pub fn derive_fields(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    let name = &input.ident;
    let names: Vec<String> = match &input.data {
        Data::Struct(data) => match &data.fields {
            SynFields::Named(named) => named.named.iter().map(|f| f.ident.as_ref().unwrap().to_string()).collect(),
            _ => Vec::new(),
        },
        _ => {
            return syn::Error::new_spanned(name, "#[derive(Fields)] only works on structs")
                .to_compile_error()
                .into()
        }
    };
    quote! {
        impl #name {
            pub fn fields() -> &'static [&'static str] {
                &[#(#names),*]
            }
        }
    }
    .into()
}

#[proc_macro_attribute]
pub fn traced(_args: TokenStream, item: TokenStream) -> TokenStream {
    let mut function = parse_macro_input!(item as ItemFn);
    let name = function.sig.ident.to_string();
    let body = &function.block;
    function.block = syn::parse_quote!({
        ::std::println!("call {}", #name);
        #body
    });
    quote!(#function).into()
}
