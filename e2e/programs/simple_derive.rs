//@ macros: basic
//@ stdout: Foo::test() = 42
// Case 1 of the design documents: a derive returning an impl.
#[derive(SimpleTest)]
struct Foo;

fn main() {
    println!("Foo::test() = {}", Foo::test());
}
