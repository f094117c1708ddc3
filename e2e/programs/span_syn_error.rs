//@ macros: describe
//@ error: Describe cannot be derived for unions
//@ error-at: 10:1
// A `syn::Error` at the `union` keyword, as the native macro reports it.
trait Describe {
    fn describe(&self) -> String;
}

#[derive(Describe)]
union Bits {
    int: u32,
    float: f32,
}

fn main() {}
