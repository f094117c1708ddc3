"""The playground: rustc.wasm in a browser page (site, local server, browser check)."""
