// `Describe` is a derive from the `describe` proc macro (e2e/macros/describe, built with
// syn and quote), compiled to WebAssembly and run by rustc.wasm in this page.
use std::fmt::Debug;

trait Describe {
    fn describe(&self) -> String;
}

#[derive(Describe)]
struct Point<T: Debug> {
    x: T,
    y: T,
}

#[derive(Describe)]
enum Shape {
    Circle { radius: u32 },
    #[describe(rename = "rect")]
    Rect(u32, u32),
}

fn main() {
    println!("{}", Point { x: 1, y: 2 }.describe());
    println!("{}", Shape::Circle { radius: 3 }.describe());
    println!("{}", Shape::Rect(4, 5).describe());
}
