//@ macros: hostile
//@ error: hostile macro gave up: the input was not to its liking
//@ error-at: 5:1
// A macro that panics: its message is shown at the call site.
panics!();

fn main() {}
