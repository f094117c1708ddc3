// `Describe` comes from the `describe` proc macro (syn and quote), compiled to
// WebAssembly; rustc.wasm runs it in this page, then links the program.
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
