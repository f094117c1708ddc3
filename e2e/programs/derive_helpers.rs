//@ macros: basic
//@ stdout: ["foo", "bar"]
// Case 2: a derive with helper attributes.
#[derive(MyDerive)]
#[my_attr(foo, bar)]
struct Baz;

fn main() {
    println!("{:?}", Baz::my_attrs());
}
