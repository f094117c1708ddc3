//! Plain `proc_macro` macros, no dependencies: the design documents' four test cases,
//! one crate exporting derive, attribute and function-like macros at once.

use proc_macro::{Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree};

/// Case 1: a derive that returns an impl.
#[proc_macro_derive(SimpleTest)]
pub fn simple_test(input: TokenStream) -> TokenStream {
    let name = type_name(input);
    format!("impl {name} {{ pub fn test() -> u32 {{ 42 }} }}").parse().unwrap()
}

/// Case 2: a derive with a helper attribute; `#[my_attr(a, b)]` words become a list.
#[proc_macro_derive(MyDerive, attributes(my_attr))]
pub fn my_derive(input: TokenStream) -> TokenStream {
    let words = helper_words(input.clone(), "my_attr");
    let name = type_name(input);
    let list: Vec<String> = words.iter().map(|w| format!("{w:?}")).collect();
    format!("impl {name} {{ pub fn my_attrs() -> &'static [&'static str] {{ &[{}] }} }}", list.join(", "))
        .parse()
        .unwrap()
}

/// Case 3: an attribute with arguments. `#[my_attribute(param = "value")] fn foo() {}` keeps
/// `foo` and adds `fn foo_param() -> &'static str { "value" }`.
#[proc_macro_attribute]
pub fn my_attribute(attr: TokenStream, item: TokenStream) -> TokenStream {
    let args: Vec<TokenTree> = attr.into_iter().collect();
    let (key, value) = match args.as_slice() {
        [TokenTree::Ident(key), TokenTree::Punct(eq), TokenTree::Literal(value)] if eq.as_char() == '=' => {
            (key.to_string(), value.to_string())
        }
        _ => {
            let span = args.first().map_or_else(Span::call_site, TokenTree::span);
            return compile_error_at(span, "expected `#[my_attribute(name = \"value\")]`");
        }
    };
    let function = fn_name(item.clone());
    let extra: TokenStream = format!("fn {function}_{key}() -> &'static str {{ {value} }}").parse().unwrap();
    item.into_iter().chain(extra).collect()
}

/// Case 4: a function-like macro: `my_macro!(a b c)` is `["a", "b", "c"]`.
#[proc_macro]
pub fn my_macro(input: TokenStream) -> TokenStream {
    let mut words = Vec::new();
    for token in input {
        match token {
            TokenTree::Ident(ident) => words.push(format!("{:?}", ident.to_string())),
            other => return compile_error_at(other.span(), "my_macro! takes words only"),
        }
    }
    format!("[{}]", words.join(", ")).parse().unwrap()
}

/// An error at the user's code: `#[derive(NotUnit)]` on a unit struct points at its name.
#[proc_macro_derive(NotUnit)]
pub fn not_unit(input: TokenStream) -> TokenStream {
    let tokens: Vec<TokenTree> = input.into_iter().collect();
    let is_unit = matches!(tokens.last(), Some(TokenTree::Punct(p)) if p.as_char() == ';')
        && !tokens.iter().any(|t| matches!(t, TokenTree::Group(g) if g.delimiter() == Delimiter::Parenthesis));
    match tokens.iter().position(|t| matches!(t, TokenTree::Ident(i) if i.to_string() == "struct")) {
        Some(at) if is_unit => compile_error_at(tokens[at + 1].span(), "NotUnit cannot be derived for a unit struct"),
        _ => TokenStream::new(),
    }
}

fn compile_error_at(span: Span, message: &str) -> TokenStream {
    let mut bang = Punct::new('!', Spacing::Alone);
    bang.set_span(span);
    let mut text = Literal::string(message);
    text.set_span(span);
    let mut args = Group::new(Delimiter::Parenthesis, TokenTree::Literal(text).into());
    args.set_span(span);
    [TokenTree::Ident(Ident::new("compile_error", span)), TokenTree::Punct(bang), TokenTree::Group(args)]
        .into_iter()
        .collect()
}

/// The identifier after the first of `keywords`.
fn ident_after(input: TokenStream, keywords: &[&str]) -> String {
    let mut tokens = input.into_iter();
    while let Some(token) = tokens.next() {
        if matches!(&token, TokenTree::Ident(i) if keywords.contains(&i.to_string().as_str())) {
            if let Some(TokenTree::Ident(name)) = tokens.next() {
                return name.to_string();
            }
        }
    }
    panic!("expected one of {keywords:?} followed by a name")
}

fn type_name(input: TokenStream) -> String {
    ident_after(input, &["struct", "enum", "union"])
}

fn fn_name(input: TokenStream) -> String {
    ident_after(input, &["fn"])
}

/// The words of every `#[helper(...)]` attribute in `input`.
fn helper_words(input: TokenStream, helper: &str) -> Vec<String> {
    let mut words = Vec::new();
    for token in input {
        let TokenTree::Group(attr) = token else { continue };
        if attr.delimiter() != Delimiter::Bracket {
            continue;
        }
        let inner: Vec<TokenTree> = attr.stream().into_iter().collect();
        if let [TokenTree::Ident(name), TokenTree::Group(args)] = inner.as_slice() {
            if name.to_string() == helper {
                words.extend(args.stream().into_iter().filter_map(|t| match t {
                    TokenTree::Ident(word) => Some(word.to_string()),
                    _ => None,
                }));
            }
        }
    }
    words
}
