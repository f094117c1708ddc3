"""Getting sources: pinned tarballs, downloads, the rustc checkout (git, ref `upstream`),
vendored crates, bootstrap.toml."""
