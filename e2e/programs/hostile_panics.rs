//@ macros: hostile
//@ error: hostile macro gave up: the input was not to its liking
// A macro that panics: its message is shown at the call site.
panics!();

fn main() {}
