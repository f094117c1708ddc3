//! `#[derive(Describe)]`: implements `Describe` (a trait the user defines:
//! `fn describe(&self) -> String`) for structs and enums, generic or not, with
//! `#[describe(rename = "...")]` on fields and variants. Unions are refused with a
//! `syn::Error` pointing at the `union` keyword.

use proc_macro::TokenStream;
use proc_macro2::TokenStream as TokenStream2;
use quote::{format_ident, quote};
use syn::{parse_macro_input, Data, DeriveInput, Fields, LitStr};

#[proc_macro_derive(Describe, attributes(describe))]
pub fn derive_describe(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand(&input).unwrap_or_else(syn::Error::into_compile_error).into()
}

fn expand(input: &DeriveInput) -> syn::Result<TokenStream2> {
    let name = &input.ident;
    let (impl_generics, type_generics, where_clause) = input.generics.split_for_impl();
    let body = match &input.data {
        Data::Struct(data) => {
            let fields = describe_fields(&data.fields, quote!(self), true)?;
            quote! { format!("{} {}", stringify!(#name), #fields) }
        }
        Data::Enum(data) => {
            let arms = data
                .variants
                .iter()
                .map(|variant| {
                    let ident = &variant.ident;
                    let label = renamed(&variant.attrs)?.unwrap_or_else(|| ident.to_string());
                    let bindings: Vec<_> = (0..variant.fields.len()).map(|i| format_ident!("f{}", i)).collect();
                    let fields = describe_fields(&variant.fields, quote!(), false)?;
                    let pattern = match &variant.fields {
                        Fields::Named(named) => {
                            let names = named.named.iter().map(|f| &f.ident);
                            quote! { Self::#ident { #(#names: #bindings),* } }
                        }
                        Fields::Unnamed(_) => quote! { Self::#ident(#(#bindings),*) },
                        Fields::Unit => quote! { Self::#ident },
                    };
                    Ok(quote! { #pattern => format!("{}::{} {}", stringify!(#name), #label, #fields) })
                })
                .collect::<syn::Result<Vec<_>>>()?;
            quote! { match self { #(#arms,)* } }
        }
        Data::Union(data) => {
            return Err(syn::Error::new_spanned(data.union_token, "Describe cannot be derived for unions"));
        }
    };
    Ok(quote! {
        impl #impl_generics Describe for #name #type_generics #where_clause {
            fn describe(&self) -> String {
                #body
            }
        }
    })
}

/// `{a: 1, b: "x"}`: each field's label and Debug value. Struct fields are read
/// through `self`; enum fields through the bindings `f0, f1, ...` of the match arm.
fn describe_fields(fields: &Fields, receiver: TokenStream2, through_self: bool) -> syn::Result<TokenStream2> {
    let mut parts = Vec::new();
    for (i, field) in fields.iter().enumerate() {
        let label = match (renamed(&field.attrs)?, &field.ident) {
            (Some(label), _) => label,
            (None, Some(ident)) => ident.to_string(),
            (None, None) => i.to_string(),
        };
        let value = if through_self {
            match &field.ident {
                Some(ident) => quote! { &#receiver.#ident },
                None => {
                    let index = syn::Index::from(i);
                    quote! { &#receiver.#index }
                }
            }
        } else {
            let binding = format_ident!("f{}", i);
            quote! { #binding }
        };
        parts.push(quote! { format!("{}: {:?}", #label, #value) });
    }
    Ok(quote! { {
        let parts: &[String] = &[#(#parts),*];
        format!("{{{}}}", parts.join(", "))
    } })
}

/// The `rename` of a `#[describe(rename = "...")]` attribute, if any.
fn renamed(attrs: &[syn::Attribute]) -> syn::Result<Option<String>> {
    let mut name = None;
    for attr in attrs.iter().filter(|a| a.path().is_ident("describe")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                name = Some(meta.value()?.parse::<LitStr>()?.value());
                Ok(())
            } else {
                Err(meta.error("expected `rename = \"...\"`"))
            }
        })?;
    }
    Ok(name)
}

/// `file_text!("path")`: whether a file of the crate being compiled exists and its text,
/// as `(bool, &str)` (a path relative to `CARGO_MANIFEST_DIR`, or absolute); a compile
/// error saying why when it cannot be read. From WebAssembly, only the crate's own files
/// can be (README, "The sandbox boundary").
#[proc_macro]
pub fn file_text(input: TokenStream) -> TokenStream {
    let path = parse_macro_input!(input as LitStr);
    let name = path.value();
    let full = match std::env::var("CARGO_MANIFEST_DIR") {
        Ok(root) if !name.starts_with('/') => format!("{root}/{name}"),
        _ => name.clone(),
    };
    let exists = std::path::Path::new(&full).exists();
    match std::fs::read_to_string(&full) {
        Ok(text) => quote!((#exists, #text)).into(),
        Err(err) => syn::Error::new(path.span(), format!("cannot read {name}: {err}")).into_compile_error().into(),
    }
}
