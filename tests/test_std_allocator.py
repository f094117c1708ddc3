"""The small-block allocator std for wasm32-unknown-unknown gets
(templates/std/alloc_wasm_small_blocks.rs.j2), compiled natively with the stage0 rustc
around a stand-in for dlmalloc, and driven through many allocations: every block keeps
its bytes, zeroed blocks are zero (recycled ones too), and reallocations between sizes,
classes and heaps keep the bytes they share."""

from __future__ import annotations

import subprocess
from pathlib import Path

from patcher.engine.render import render_template
from patcher.provision.stage0 import stage0_rustc

# What std's wasm.rs has around the edited impl: its imports, its lock, and DLMALLOC (a
# stand-in here over the host's allocator, which counts what it hands out).
PRELUDE = """#![feature(sync_unsafe_cell)]
use std::alloc::{GlobalAlloc, Layout};
use std::cell::SyncUnsafeCell;
use std::ptr;

struct System;

mod lock {
    pub fn lock() {}
}

struct Dlmalloc {
    live: usize,
}

impl Dlmalloc {
    unsafe fn malloc(&mut self, size: usize, align: usize) -> *mut u8 {
        self.live += 1;
        unsafe { std::alloc::alloc(Layout::from_size_align(size, align).unwrap()) }
    }
    unsafe fn calloc(&mut self, size: usize, align: usize) -> *mut u8 {
        self.live += 1;
        unsafe { std::alloc::alloc_zeroed(Layout::from_size_align(size, align).unwrap()) }
    }
    unsafe fn free(&mut self, ptr: *mut u8, size: usize, align: usize) {
        self.live -= 1;
        unsafe { std::alloc::dealloc(ptr, Layout::from_size_align(size, align).unwrap()) }
    }
    unsafe fn realloc(&mut self, ptr: *mut u8, size: usize, align: usize, new_size: usize) -> *mut u8 {
        unsafe { std::alloc::realloc(ptr, Layout::from_size_align(size, align).unwrap(), new_size) }
    }
}

struct SyncDlmalloc(Dlmalloc);
unsafe impl Sync for SyncDlmalloc {}
static DLMALLOC: SyncUnsafeCell<SyncDlmalloc> = SyncUnsafeCell::new(SyncDlmalloc(Dlmalloc { live: 0 }));
"""

DRIVER = """
struct Block { ptr: *mut u8, layout: Layout, seed: u8 }

fn fill(b: &Block) {
    for i in 0..b.layout.size() { unsafe { *b.ptr.add(i) = b.seed.wrapping_add(i as u8) } }
}

fn check(b: &Block, len: usize) {
    for i in 0..len {
        assert_eq!(unsafe { *b.ptr.add(i) }, b.seed.wrapping_add(i as u8), "block of {:?} lost byte {i}", b.layout);
    }
}

fn main() {
    let mut rng: u64 = 0x2545F4914F6CDD1D;
    let mut next = move |n: usize| { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; (rng % n as u64) as usize };
    let sizes = [1, 3, 4, 7, 8, 9, 16, 24, 31, 64, 100, 255, 511, 512, 513, 1000, 4096, 70000];
    let aligns = [1, 2, 4, 8, 16, 64];
    let mut live: Vec<Block> = Vec::new();
    for step in 0..200_000u32 {
        match next(10) {
            0..=4 => {
                let layout = Layout::from_size_align(sizes[next(sizes.len())], aligns[next(aligns.len())]).unwrap();
                let zeroed = next(4) == 0;
                let ptr = unsafe { if zeroed { System.alloc_zeroed(layout) } else { System.alloc(layout) } };
                assert!(!ptr.is_null());
                assert_eq!(ptr as usize % layout.align(), 0, "misaligned block for {layout:?}");
                if zeroed {
                    assert!((0..layout.size()).all(|i| unsafe { *ptr.add(i) } == 0), "dirty zeroed block {layout:?}");
                }
                let b = Block { ptr, layout, seed: step as u8 };
                fill(&b);
                live.push(b);
            }
            5..=7 if !live.is_empty() => {
                let b = live.swap_remove(next(live.len()));
                check(&b, b.layout.size());
                unsafe { System.dealloc(b.ptr, b.layout) };
            }
            8..=9 if !live.is_empty() => {
                let i = next(live.len());
                let new_size = sizes[next(sizes.len())];
                let b = &mut live[i];
                let ptr = unsafe { System.realloc(b.ptr, b.layout, new_size) };
                assert!(!ptr.is_null());
                let kept = b.layout.size().min(new_size);
                b.ptr = ptr;
                check(b, kept);
                b.layout = Layout::from_size_align(new_size, b.layout.align()).unwrap();
                fill(b);
            }
            _ => {}
        }
    }
    for b in live.drain(..) {
        check(&b, b.layout.size());
        unsafe { System.dealloc(b.ptr, b.layout) };
    }
    // what is left in dlmalloc: the free lists' chunks only (they keep their blocks)
    let chunks = unsafe { (*DLMALLOC.get()).0.live };
    println!("ok {chunks}");
}
"""


def test_small_blocks_keep_their_bytes_across_alloc_free_and_realloc(tmp_path: Path) -> None:
    source = tmp_path / "alloc.rs"
    source.write_text(PRELUDE + render_template("std/alloc_wasm_small_blocks.rs.j2") + DRIVER)
    binary = tmp_path / "alloc"
    build = subprocess.run(
        [str(stage0_rustc()), "--edition", "2024", "-O", "-o", str(binary), str(source)],
        capture_output=True,
        text=True,
        env={"RUSTC_BOOTSTRAP": "1", "PATH": "/usr/bin:/bin"},
    )
    assert build.returncode == 0, build.stderr
    run = subprocess.run([str(binary)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    status, chunks = run.stdout.split()
    assert status == "ok"
    # 64 KiB chunks: the small blocks live at once never need more than a few hundred
    assert 0 < int(chunks) < 400
