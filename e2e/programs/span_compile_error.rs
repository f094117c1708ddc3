//@ macros: basic
//@ error: NotUnit cannot be derived for a unit struct
//@ error-at: 6:8
// A `compile_error!` at a span of the input: points at `Marker`, as the native macro does.
#[derive(NotUnit)]
struct Marker;

fn main() {}
