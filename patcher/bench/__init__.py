"""Measurements: patch speed, wasm vs native expansion, rustc.wasm vs native, options compared."""
