use serde::Serialize;

#[derive(Serialize)]
struct Point {
    #[serde(rename = 1)]
    x: i32,
    y: i32,
}

fn main() {
    let point = Point { x: 1, y: 2 };
    println!("({}, {})", point.x, point.y);
}
