//@ macros: basic
//@ error: NotUnit cannot be derived for a unit struct
// A `compile_error!` at a span of the input: points at `Marker`, as the native macro does.
#[derive(NotUnit)]
struct Marker;

fn main() {}
