"""tree-sitter-cpp, as the LLVM porting patches use it. Queries run through
rust_syntax.captures, which reads a query in the tree's own language."""

from __future__ import annotations

from functools import lru_cache

import tree_sitter
import tree_sitter_cpp

from patcher.engine.rust_syntax import Node


@lru_cache(maxsize=1)
def language() -> tree_sitter.Language:
    return tree_sitter.Language(tree_sitter_cpp.language())


@lru_cache(maxsize=64)
def parse(source: bytes) -> tree_sitter.Tree:
    return tree_sitter.Parser(language()).parse(source)


def is_wasi_conditional(node: Node, negated: bool) -> bool:
    """`#ifndef __wasi__` (negated) or `#ifdef __wasi__`."""
    if node.type != "preproc_ifdef":
        return False
    name = node.child_by_field_name("name")
    directive = node.children[0].type if node.children else ""
    wanted = "#ifndef" if negated else "#ifdef"
    return name is not None and name.text == b"__wasi__" and directive == wanted


def enclosing_wasi_ifndef(node: Node) -> Node | None:
    """The `#ifndef __wasi__` that directly wraps `node`, if any."""
    parent = node.parent
    if parent is not None and is_wasi_conditional(parent, negated=True):
        return parent
    return None
