//@ macros: describe
//@ stdout: Pair {left: 1, right: "two"}
//@ stdout: Borrowed {text: "lent", #: [3, 4]}
//@ stdout: Wrapper {0: 9.5}
//@ stdout: Shape::Circle {radius: 2}
//@ stdout: Shape::rect {0: 3, 1: 4}
//@ stdout: Shape::Empty {}
// A syn/quote derive on generic structs and enums with lifetimes and where clauses.
use std::fmt::Debug;

trait Describe {
    fn describe(&self) -> String;
}

#[derive(Describe)]
struct Pair<A, B: Debug>
where
    A: Debug + Copy,
{
    left: A,
    right: B,
}

#[derive(Describe)]
struct Borrowed<'a, T: Debug + ?Sized> {
    text: &'a str,
    #[describe(rename = "#")]
    items: &'a T,
}

#[derive(Describe)]
struct Wrapper(f64);

#[derive(Describe)]
enum Shape<'a, N>
where
    N: Debug,
{
    Circle { radius: N },
    #[describe(rename = "rect")]
    Rect(N, N),
    Empty,
    #[allow(dead_code)]
    Named(&'a str),
}

fn main() {
    println!("{}", Pair { left: 1, right: "two" }.describe());
    println!("{}", Borrowed { text: "lent", items: &[3, 4][..] }.describe());
    println!("{}", Wrapper(9.5).describe());
    let shapes: [Shape<'_, u8>; 3] = [Shape::Circle { radius: 2 }, Shape::Rect(3, 4), Shape::Empty];
    for shape in &shapes {
        println!("{}", shape.describe());
    }
}
