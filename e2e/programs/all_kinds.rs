//@ macros: basic
//@ stdout: 42 ["x"] hello ["one", "two"]
// One macro crate exporting derive, attribute and function-like macros, used together.
#[derive(SimpleTest, MyDerive)]
#[my_attr(x)]
struct All;

#[my_attribute(greeting = "hello")]
fn speak() {}

fn main() {
    speak();
    println!("{} {:?} {} {:?}", All::test(), All::my_attrs(), speak_greeting(), my_macro!(one two));
}
