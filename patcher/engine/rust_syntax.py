"""tree-sitter-rust, as the patcher uses it: parse, query, count parse errors, and
walk the flat token trees of macro bodies."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

import tree_sitter
import tree_sitter_rust

Node = tree_sitter.Node


@lru_cache(maxsize=1)
def language() -> tree_sitter.Language:
    return tree_sitter.Language(tree_sitter_rust.language())


@lru_cache(maxsize=64)
def parse(source: bytes) -> tree_sitter.Tree:
    """Parse once per distinct text: several edits and probes look at the same file."""
    return tree_sitter.Parser(language()).parse(source)


@lru_cache(maxsize=512)
def compile_query(lang: tree_sitter.Language, text: str) -> tree_sitter.Query:
    return tree_sitter.Query(lang, spacing_tolerant(text))


# `(#eq? @capture "text")` whose text is more than one token (`#![feature(x)]`, `a.b()`)
_EQ_OF_TOKENS = re.compile(r'\(#eq\? (@\w+) "([^"\\]*[^\w"\\][^"\\]*)"\)')


def spacing_tolerant(query: str) -> str:
    """The query with every exact-text comparison of several tokens made indifferent to
    the spacing between them: `(#eq? @c "a.b()")` also matches `a\n    .b( )`, so that
    upstream reformatting a line (rustfmt reflowing a call) does not move an anchor. The
    tokens themselves still have to be the same."""
    return _EQ_OF_TOKENS.sub(lambda m: f'(#match? {m[1]} "{_query_string(_tokens_regex(m[2]))}")', query)


def _tokens_regex(text: str) -> str:
    """`text` as a regex: its tokens in order, any spacing between them (at least one
    space between two words: without it they would be one)."""
    tokens = re.findall(r"\w+|\S", text)
    regex = re.escape(tokens[0])
    for previous, token in pairwise(tokens):
        words = re.match(r"\w", previous) and re.match(r"\w", token)
        regex += ("\\s+" if words else "\\s*") + re.escape(token)
    return f"^{regex}$"


def _query_string(regex: str) -> str:
    """A regex as the body of a tree-sitter query string (backslashes escaped)."""
    return regex.replace("\\", "\\\\")


def captures(tree: tree_sitter.Tree, query: str, name: str) -> list[Node]:
    """Nodes captured as `@name` by `query`, one per match, in source order. The query
    is read in the tree's own language, so C++ trees (cpp_syntax) share this."""
    cursor = tree_sitter.QueryCursor(compile_query(tree.language, query))
    found: dict[tuple[int, int], Node] = {}
    for _, caps in cursor.matches(tree.root_node):
        for node in caps.get(name, []):
            found[(node.start_byte, node.end_byte)] = node
    return [found[k] for k in sorted(found)]


@dataclass(frozen=True)
class ParseError:
    line: int  # 1-based
    column: int
    kind: str  # "ERROR" or "MISSING <token>"


def parse_errors(tree: tree_sitter.Tree) -> list[ParseError]:
    errors: list[ParseError] = []
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if not node.has_error:
            continue
        if node.is_error or node.is_missing:
            kind = "ERROR" if node.is_error else f"MISSING {node.type}"
            errors.append(ParseError(node.start_point[0] + 1, node.start_point[1] + 1, kind))
            if node.is_missing:
                continue
        stack.extend(node.children)
    return sorted(errors, key=lambda e: (e.line, e.column))


def line_start(source: bytes, offset: int) -> int:
    return source.rfind(b"\n", 0, offset) + 1


def line_end(source: bytes, offset: int) -> int:
    """Offset just past the newline ending the line that contains `offset`."""
    end = source.find(b"\n", offset)
    return len(source) if end < 0 else end + 1


def indentation_at(source: bytes, offset: int) -> bytes:
    start = line_start(source, offset)
    text = source[start:offset]
    return text[: len(text) - len(text.lstrip(b" \t"))]


def token_trees(tree: tree_sitter.Tree) -> Iterator[Node]:
    """Every token tree in the file (attribute arguments, macro bodies), outermost first."""
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.type == "token_tree":
            yield node
        stack.extend(reversed(node.children))


def token_tree_entries(token_tree: Node) -> Iterator[tuple[str, Node, Node]]:
    """Entries `name: ...,` of a macro body written as a flat token tree.

    Yields (name, first node of the entry, last node of the entry: its `,` or the
    node before the closing delimiter). An entry starts at an identifier directly
    followed by `:` at the top level of the token tree, as in `options!` and
    `top_level_options!` bodies.
    """
    children = [c for c in token_tree.children if c.type not in ("line_comment", "block_comment")]
    inner = children[1:-1]  # drop the delimiters
    i = 0
    while i < len(inner):
        node = inner[i]
        if node.type == "identifier" and i + 1 < len(inner) and inner[i + 1].type == ":":
            j = i + 2
            while j < len(inner) and inner[j].type != ",":
                # stop early if the next entry starts without a separating comma
                j += 1
            last = inner[j] if j < len(inner) else inner[-1]
            yield node.text.decode() if node.text else "", node, last
            i = j + 1
        else:
            i += 1
