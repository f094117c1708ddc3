//@ macros: basic
//@ stdout: foo() = 7, foo_param() = value
// Case 3: an attribute macro with arguments.
#[my_attribute(param = "value")]
fn foo() -> u32 {
    7
}

fn main() {
    println!("foo() = {}, foo_param() = {}", foo(), foo_param());
}
