"""Edit kinds for C++ sources (the LLVM porting patches), located by tree-sitter-cpp.

All express one idea, "on WASI, do this instead", as preprocessor conditionals,
so the pristine code stays in the file, untouched, for every other host:

- `WasiGuard`: wrap a declaration, include or statement in `#ifndef __wasi__`,
  optionally with an `#else` replacement;
- `WasiBody`: keep a function's signature and give it another body on WASI;
- `ConditionAlso`: add `|| defined(__wasi__)` or `&& !defined(__wasi__)` to a `#if`;
- `WasiGuardRest`: `#ifndef __wasi__` from an anchor to the end of the file;
(`edits.NewFile` adds the WASI implementation files.)
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import Any

from patcher.engine import cpp_syntax as cs
from patcher.engine import rust_syntax as rs
from patcher.engine.edits import Anchor, Finding, Splice, node_text

WASI = "__wasi__"


def function_query(name: str) -> str:
    """A query capturing, as @anchor, the definition of function `name` (as written,
    e.g. `Process::GetEnv`), whether it returns a value, a pointer or a reference."""
    return f"""
    (function_definition
      declarator: [
        (function_declarator declarator: (_) @name)
        (pointer_declarator declarator: (function_declarator declarator: (_) @name))
        (reference_declarator (function_declarator declarator: (_) @name))
      ]
      (#eq? @name "{name}")) @anchor
    """


def function_anchor(name: str, expect: str | None = None) -> Anchor:
    short = name.rsplit("::", 1)[-1]
    return Anchor(function_query(name), f"function {name}", (short,), expect=expect)


def include_anchor(header: str) -> Anchor:
    """`#include <header>` or `#include "header"`, at any depth."""
    query = f"""
    (preproc_include path: [(system_lib_string) (string_literal)] @path
      (#match? @path "^[<\\"]{header.replace(".", "[.]")}[>\\"]$")) @anchor
    """
    return Anchor(query, f"#include {header}", (header,))


def _lines(source: bytes, node: rs.Node) -> tuple[int, int]:
    return rs.line_start(source, node.start_byte), rs.line_end(source, node.end_byte - 1)


def _locate(file: str, anchor: Anchor, source: bytes | None) -> tuple[rs.Node | None, list[Finding]]:
    """The anchor's one node in `source`, or why there is none (no file, missing, ambiguous)."""
    if source is None:
        return None, [Finding("missing", file, anchor.description, "the file does not exist")]
    return anchor.locate(file, source, cs.parse(source))


def _block(text: str) -> bytes:
    return (text.rstrip("\n") + "\n").encode() if text.strip() else b""


@dataclass(frozen=True)
class WasiGuard:
    """`#ifndef __wasi__` around the anchor's lines, with `alternative` in an `#else`."""

    file: str
    anchor: Anchor
    alternative: str = ""

    @property
    def label(self) -> str:
        return f"#ifndef {WASI} around {self.anchor.description}"

    def splices(self, source: bytes | None, context: dict[str, Any]) -> tuple[list[Splice], list[Finding]]:
        node, findings = _locate(self.file, self.anchor, source)
        if node is None or source is None:
            return [], findings
        start, end = _lines(source, node)
        alternative = _block(self.alternative)
        text = b"#ifndef " + WASI.encode() + b"\n" + source[start:end]
        text += (b"#else\n" + alternative if alternative else b"") + b"#endif\n"
        return [Splice(start, end, text)], []

    def probe(self, patched: bytes) -> bool:
        nodes = rs.captures(cs.parse(patched), self.anchor.query, "anchor")
        return any(cs.enclosing_wasi_ifndef(n) is not None for n in nodes)


@dataclass(frozen=True)
class WasiBody:
    """On WASI, the function's body is `stub` instead (the original stays under #else)."""

    file: str
    anchor: Anchor  # captures a function_definition
    stub: str

    @property
    def label(self) -> str:
        return f"WASI body of {self.anchor.description}"

    def splices(self, source: bytes | None, context: dict[str, Any]) -> tuple[list[Splice], list[Finding]]:
        node, findings = _locate(self.file, self.anchor, source)
        if node is None or source is None:
            return [], findings
        body = node.child_by_field_name("body")
        if body is None or body.start_point[0] == body.end_point[0]:
            where = f"line {node.start_point[0] + 1}"
            return [], [Finding("conflict", self.file, self.anchor.description, f"{where}: no multi-line body")]
        open_end = rs.line_end(source, body.start_byte)
        close_start = rs.line_start(source, body.end_byte - 1)
        head = b"#ifdef " + WASI.encode() + b"\n" + _block(textwrap.indent(self.stub, "  ")) + b"#else\n"
        return [Splice(open_end, open_end, head), Splice(close_start, close_start, b"#endif\n")], []

    def probe(self, patched: bytes) -> bool:
        for node in rs.captures(cs.parse(patched), self.anchor.query, "anchor"):
            body = node.child_by_field_name("body")
            first = body.named_children[0] if body is not None and body.named_children else None
            if first is not None and cs.is_wasi_conditional(first, negated=False):
                return True
        return False


@dataclass(frozen=True)
class ConditionAlso:
    """A clause appended to the condition of the anchored `#if`/`#elif`: `|| defined(__wasi__)`
    (take this branch on WASI too) or `&& !defined(__wasi__)` (not on WASI). An anchored
    `#ifdef NAME` becomes `#if defined(NAME) <clause>`."""

    file: str
    anchor: Anchor  # captures a preproc_if, preproc_elif, preproc_ifdef or `#elif` preproc_call
    clause: str
    every: bool = False  # every match of the anchor (at least one), not exactly one

    @property
    def label(self) -> str:
        return f"`{self.clause}` in {self.anchor.description}"

    def splices(self, source: bytes | None, context: dict[str, Any]) -> tuple[list[Splice], list[Finding]]:
        nodes = rs.captures(cs.parse(source), self.anchor.query, "anchor") if self.every and source else []
        if not nodes:  # exactly one match wanted, or none found: the anchor says why
            node, findings = _locate(self.file, self.anchor, source)
            if node is None:
                return [], findings
            nodes = [node]
        splices = [self._splice(node) for node in nodes]
        problems = [s for s in splices if isinstance(s, Finding)]
        return ([], problems[:1]) if problems else ([s for s in splices if isinstance(s, Splice)], [])

    def _splice(self, node: rs.Node) -> Splice | Finding:
        if node.type == "preproc_ifdef":
            directive, name = node.children[0], node.child_by_field_name("name")
            if directive.type != "#ifdef" or name is None:
                return Finding("conflict", self.file, self.anchor.description, "expected #ifdef")
            text = f"#if defined({node_text(name)}) {self.clause}".encode()
            return Splice(directive.start_byte, name.end_byte, text)
        condition = node.child_by_field_name("condition") or node.child_by_field_name("argument")
        if condition is None:
            return Finding("conflict", self.file, self.anchor.description, "no #if condition")
        end = condition.start_byte + len(node_text(condition).rstrip().encode())
        return Splice(end, end, f" {self.clause}".encode())

    def probe(self, patched: bytes) -> bool:
        return f" {self.clause}".encode() in patched


def defined_also(file: str, anchor: Anchor) -> ConditionAlso:
    return ConditionAlso(file, anchor, f"|| defined({WASI})")


def not_on_wasi(file: str, anchor: Anchor) -> ConditionAlso:
    return ConditionAlso(file, anchor, f"&& !defined({WASI})")


@dataclass(frozen=True)
class WasiGuardRest:
    """`#ifndef __wasi__` around everything from the anchor to the end of the file: for
    a source whose whole subject (e.g. Unix domain sockets) does not exist on WASI."""

    file: str
    anchor: Anchor

    @property
    def label(self) -> str:
        return f"#ifndef {WASI} from {self.anchor.description} to the end"

    def splices(self, source: bytes | None, context: dict[str, Any]) -> tuple[list[Splice], list[Finding]]:
        node, findings = _locate(self.file, self.anchor, source)
        if node is None or source is None:
            return [], findings
        start = rs.line_start(source, node.start_byte)
        tail = b"" if source.endswith(b"\n") else b"\n"
        return [
            Splice(start, start, b"#ifndef " + WASI.encode() + b"\n"),
            Splice(len(source), len(source), tail + b"#endif // " + WASI.encode() + b"\n"),
        ], []

    def probe(self, patched: bytes) -> bool:
        return patched.rstrip().endswith(b"#endif // " + WASI.encode())
