// The `describe` macro rejects unions: its error points at the `union` keyword.
trait Describe {
    fn describe(&self) -> String;
}

#[derive(Describe)]
union Bits {
    int: u32,
    float: f32,
}

fn main() {}
