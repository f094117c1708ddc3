//! Nothing of its own: building it builds the crates the playground's programs use.
