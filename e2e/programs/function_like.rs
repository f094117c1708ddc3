//@ macros: basic
//@ stdout: ["alpha", "beta", "gamma"]
// Case 4: a function-like macro.
fn main() {
    let words = my_macro!(alpha beta gamma);
    println!("{words:?}");
}
