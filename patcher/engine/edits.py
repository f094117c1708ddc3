"""Edits as data, and how each kind turns a file's pristine text into patched text.

An edit names its file, an anchor (a tree-sitter query whose `@anchor` capture must
match exactly once), where the rendered template goes relative to the anchor, and a
probe (a query that recognises the edit once applied). Locating never depends on
line numbers. Every kind reports problems as `Finding`s instead of raising, so one
run can report every missing anchor at once.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from enum import Enum
from typing import Any, Protocol

from patcher.engine import rust_syntax as rs
from patcher.engine.render import render_template


@dataclass(frozen=True)
class Finding:
    """A problem with one edit: a missing, ambiguous or unexpected anchor."""

    kind: str  # "missing", "ambiguous", "conflict", "parse-error", "probe"
    file: str
    anchor: str
    detail: str

    def __str__(self) -> str:
        return f"{self.file}: {self.kind} anchor `{self.anchor}`\n    {self.detail.replace(chr(10), chr(10) + '    ')}"


@dataclass(frozen=True)
class Splice:
    """Replace source[start:end] with text."""

    start: int
    end: int
    text: bytes


class Edit(Protocol):
    @property
    def file(self) -> str: ...

    @property
    def label(self) -> str: ...

    def splices(self, source: bytes | None, context: dict[str, Any]) -> tuple[list[Splice], list[Finding]]: ...

    def probe(self, patched: bytes) -> bool: ...


class Position(Enum):
    BEFORE = "before"  # new lines before the anchor (and its attributes / doc comments)
    AFTER = "after"  # new lines after the anchor's last line
    BODY_START = "body-start"  # first lines inside the anchor's `{ ... }` body
    BODY_END = "body-end"  # last lines inside the anchor's `{ ... }` body
    REPLACE = "replace"  # the anchor node itself is replaced


def fn_named(name: str, capture: str = "anchor") -> str:
    """A query for `fn name`, captured as @anchor, or as @probe / @scope."""
    return f'((function_item name: (identifier) @n) @{capture} (#eq? @n "{name}"))'


def string_named(value: str, capture: str = "probe") -> str:
    """A query for the string literal `"value"`, captured as @probe (or @anchor)."""
    return f'((string_literal (string_content) @s) @{capture} (#eq? @s "{value}"))'


@dataclass(frozen=True)
class Anchor:
    query: str  # captures the node to edit as @anchor
    description: str  # what the anchor is, in words: "fn dlsym_proc_macros in impl CStore"
    names: tuple[str, ...]  # identifiers to look for as text when the anchor is missing
    expect: str | None = None  # regex the anchor's text must match, else it is a conflict
    inside: str | None = None  # a query capturing @scope: only anchors within it count

    def locate(self, file: str, source: bytes, tree: Any) -> tuple[rs.Node | None, list[Finding]]:
        nodes = rs.captures(tree, self.query, "anchor")
        if self.inside is not None:
            scopes = rs.captures(tree, self.inside, "scope")
            nodes = [n for n in nodes if any(s.start_byte <= n.start_byte and n.end_byte <= s.end_byte for s in scopes)]
        if not nodes:
            return None, [Finding("missing", file, self.description, _where_names_appear(source, self.names))]
        if len(nodes) > 1:
            lines = ", ".join(str(n.start_point[0] + 1) for n in nodes)
            return None, [Finding("ambiguous", file, self.description, f"matched {len(nodes)} times, at lines {lines}")]
        node = nodes[0]
        text = node_text(node)
        if self.expect is not None and not re.search(self.expect, text, re.DOTALL):
            found = "\n".join(text.splitlines()[:6])
            detail = (
                f"found at line {node.start_point[0] + 1}, but not as expected.\n"
                f"expected (regex): {self.expect}\nfound:\n{found}"
            )
            return None, [Finding("conflict", file, self.description, detail)]
        return node, []


def node_text(node: rs.Node) -> str:
    return node.text.decode("utf-8", "replace") if node.text else ""


def _where_names_appear(source: bytes, names: tuple[str, ...]) -> str:
    if not names:
        return "not found, and no name to search for"
    lines = source.decode("utf-8", "replace").splitlines()
    hits: list[str] = []
    for name in names:
        pattern = re.compile(rf"\b{re.escape(name)}\b")
        where = [i + 1 for i, line in enumerate(lines) if pattern.search(line)]
        if where:
            shown = ", ".join(map(str, where[:8])) + (" ..." if len(where) > 8 else "")
            hits.append(f"`{name}` still appears as text at line(s) {shown}")
        else:
            hits.append(f"`{name}` appears nowhere in the file (renamed or moved upstream?)")
    return "not found by structure; " + "; ".join(hits)


def _indent(text: str, indent: bytes) -> bytes:
    out = []
    for line in text.splitlines(keepends=True):
        out.append(line.encode() if not line.strip() else indent + line.encode())
    return b"".join(out)


def _leading_attributes_start(node: rs.Node) -> int:
    """Start of the attributes and doc comments directly above `node`."""
    start = node.start_byte
    prev = node.prev_sibling
    while prev is not None and (
        prev.type == "attribute_item" or (prev.type == "line_comment" and node_text(prev).startswith("///"))
    ):
        start = prev.start_byte
        prev = prev.prev_sibling
    return start


def _body(node: rs.Node) -> rs.Node | None:
    """The `{ ... }` of a function, impl, module or struct."""
    body = node.child_by_field_name("body")
    if body is not None:
        return body
    for child in node.children:
        if child.type in ("declaration_list", "block", "field_declaration_list", "token_tree"):
            return child
    return None


@dataclass(frozen=True)
class RustInsert:
    """Insert (or replace with) a rendered template relative to an anchor in a Rust file."""

    file: str
    anchor: Anchor
    position: Position
    template: str
    probe_query: str  # captures @probe in the patched file, exactly once

    @property
    def label(self) -> str:
        return f"{self.position.value} {self.anchor.description}"

    def splices(self, source: bytes | None, context: dict[str, Any]) -> tuple[list[Splice], list[Finding]]:
        if source is None:
            return [], [Finding("missing", self.file, self.anchor.description, "the file does not exist")]
        tree = rs.parse(source)
        node, findings = self.anchor.locate(self.file, source, tree)
        if node is None:
            return [], findings
        text = render_template(self.template, **context)
        indent = rs.indentation_at(source, node.start_byte)
        if self.position is Position.REPLACE:
            body = _indent(text, indent).lstrip(b" \t").rstrip(b"\n")
            return [Splice(node.start_byte, node.end_byte, body)], []
        if self.position is Position.BEFORE:
            at = rs.line_start(source, _leading_attributes_start(node))
            return [Splice(at, at, _indent(text, indent))], []
        if self.position is Position.AFTER:
            at = rs.line_end(source, node.end_byte)
            return [Splice(at, at, _indent(text, indent))], []
        body_node = _body(node)
        if body_node is None:
            return [], [
                Finding(
                    "conflict",
                    self.file,
                    self.anchor.description,
                    f"line {node.start_point[0] + 1}: no `{{ ... }}` body",
                )
            ]
        inner = indent + b"    "
        if self.position is Position.BODY_START:
            at = rs.line_end(source, body_node.start_byte)
        else:
            at = rs.line_start(source, body_node.end_byte - 1)
        return [Splice(at, at, _indent(text, inner))], []

    def probe(self, patched: bytes) -> bool:
        return len(rs.captures(rs.parse(patched), self.probe_query, "probe")) == 1


@dataclass(frozen=True)
class TokenTreeEntry:
    """Insert an entry into a macro body (a flat token tree) right after a named entry,
    as in `options!`/`top_level_options!` tables."""

    file: str
    anchor: Anchor  # captures the macro body's token_tree as @anchor
    after_entry: str
    new_entry: str  # the name of the entry this edit adds (its probe)
    template: str

    @property
    def label(self) -> str:
        return f"entry `{self.new_entry}` after `{self.after_entry}` in {self.anchor.description}"

    def splices(self, source: bytes | None, context: dict[str, Any]) -> tuple[list[Splice], list[Finding]]:
        if source is None:
            return [], [Finding("missing", self.file, self.anchor.description, "the file does not exist")]
        tree = rs.parse(source)
        node, findings = self.anchor.locate(self.file, source, tree)
        if node is None:
            return [], findings
        entries = {name: (first, last) for name, first, last in rs.token_tree_entries(node)}
        if self.after_entry not in entries:
            detail = _where_names_appear(source, (self.after_entry,))
            return [], [
                Finding("missing", self.file, f"entry `{self.after_entry}` in {self.anchor.description}", detail)
            ]
        first, last = entries[self.after_entry]
        at = rs.line_end(source, last.end_byte)
        text = render_template(self.template, **context)
        return [Splice(at, at, _indent(text, rs.indentation_at(source, first.start_byte)))], []

    def probe(self, patched: bytes) -> bool:
        tree = rs.parse(patched)
        nodes = rs.captures(tree, self.anchor.query, "anchor")
        return len(nodes) == 1 and sum(name == self.new_entry for name, _, _ in rs.token_tree_entries(nodes[0])) == 1


@dataclass(frozen=True)
class SortedStringEntries:
    """Add string literals to an alphabetical array of them (a tidy allow-list), each on
    its own line before the first entry sorting after it."""

    file: str
    anchor: Anchor  # captures the array_expression as @anchor
    entries: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"{', '.join(self.entries)} in {self.anchor.description}"

    def splices(self, source: bytes | None, context: dict[str, Any]) -> tuple[list[Splice], list[Finding]]:
        if source is None:
            return [], [Finding("missing", self.file, self.anchor.description, "the file does not exist")]
        node, findings = self.anchor.locate(self.file, source, rs.parse(source))
        if node is None:
            return [], findings
        present = _string_elements(node)
        for entry in self.entries:
            if entry in (value for value, _ in present):
                findings.append(
                    Finding("conflict", self.file, f'"{entry}" in {self.anchor.description}', "already listed")
                )
        if findings or not present:
            return [], findings or [Finding("conflict", self.file, self.anchor.description, "has no string entries")]
        indent = rs.indentation_at(source, present[0][1].start_byte).decode()
        inserts = []
        for entry in sorted(self.entries):
            after = next((n for value, n in present if value > entry), None)
            at = rs.line_start(source, after.start_byte) if after else rs.line_end(source, present[-1][1].end_byte)
            inserts.append((at, f'{indent}"{entry}",\n'))
        return _insert_splices(inserts), []

    def probe(self, patched: bytes) -> bool:
        nodes = rs.captures(rs.parse(patched), self.anchor.query, "anchor")
        return len(nodes) == 1 and set(self.entries) <= {value for value, _ in _string_elements(nodes[0])}


def _string_elements(array: rs.Node) -> list[tuple[str, rs.Node]]:
    return [(node_text(child)[1:-1], child) for child in array.named_children if child.type == "string_literal"]


@dataclass(frozen=True)
class WidenCfg:
    """Every `key = "value"` predicate in a file's cfgs also accepts `also`: it becomes
    `any(key = "value", key = "also")`, so a new target takes an existing target's path.
    Rust files: the predicates in token trees (attributes, `cfg!`, `cfg_select!`);
    Cargo manifests: those in `[target.'cfg(..)'..]` table headers. The file must hold
    exactly `count` of them, so upstream adding or dropping one is a finding, not a
    silent half-widened file."""

    file: str
    key: str
    value: str
    also: str
    count: int

    @property
    def label(self) -> str:
        return f'{self.key} = "{self.value}" also accepts "{self.also}" ({self.count}x)'

    @property
    def predicate(self) -> str:
        return f'{self.key} = "{self.value}"'

    @property
    def widened(self) -> str:
        return f'any({self.predicate}, {self.key} = "{self.also}")'

    def splices(self, source: bytes | None, context: dict[str, Any]) -> tuple[list[Splice], list[Finding]]:
        if source is None:
            return [], [Finding("missing", self.file, self.predicate, "the file does not exist")]
        spans = self._predicates(source)
        if len(spans) != self.count:
            where = ", ".join(str(source.count(b"\n", 0, start) + 1) for start, _, _ in spans) or "nowhere"
            detail = f"expected {self.count} cfg predicate(s) `{self.predicate}`, found {len(spans)} (lines: {where})"
            return [], [Finding("conflict" if spans else "missing", self.file, self.predicate, detail)]
        if any(widened for _, _, widened in spans):
            return [], [Finding("conflict", self.file, self.predicate, f"already widened to `{self.widened}`")]
        return [Splice(start, end, self.widened.encode()) for start, end, _ in spans], []

    def probe(self, patched: bytes) -> bool:
        spans = self._predicates(patched)
        return len(spans) == self.count and all(widened for _, _, widened in spans)

    def _predicates(self, source: bytes) -> list[tuple[int, int, bool]]:
        """(start, end, already widened) of each predicate."""
        if self.file.endswith(".toml"):
            return self._manifest_predicates(source.decode())
        found = []
        for tree in rs.token_trees(rs.parse(source)):
            tokens = [c for c in tree.children if c.type not in ("line_comment", "block_comment")]
            for key, eq, value in zip(tokens, tokens[1:], tokens[2:], strict=False):
                if (
                    key.type == "identifier"
                    and node_text(key) == self.key
                    and eq.type == "="
                    and value.type == "string_literal"
                    and node_text(value) == f'"{self.value}"'
                ):
                    found.append((key.start_byte, value.end_byte, node_text(tree) == self.widened[3:]))
        return found

    def _manifest_predicates(self, text: str) -> list[tuple[int, int, bool]]:
        found = []
        for header in re.finditer(r"^\[target\.'cfg\(.*\)'\..*\]\s*$", text, re.MULTILINE):
            for hit in re.finditer(re.escape(self.predicate), header.group(0)):
                start = header.start() + hit.start()
                found.append((start, start + len(self.predicate), text.startswith(self.widened, start - 4)))
        return found


@dataclass(frozen=True)
class NewFile:
    """A file the patch set adds, rendered whole from a template."""

    file: str
    template: str

    @property
    def label(self) -> str:
        return f"new file from {self.template}"

    def splices(self, source: bytes | None, context: dict[str, Any]) -> tuple[list[Splice], list[Finding]]:
        if source is not None:
            return [], [Finding("conflict", self.file, "new file", "the file already exists upstream")]
        text = render_template(self.template, **context).encode()
        return [Splice(0, 0, text)], []

    def probe(self, patched: bytes) -> bool:
        return bool(patched)


@dataclass(frozen=True)
class CargoDependency:
    """Add `name = spec` to a Cargo.toml dependency table, keeping tidy's alphabetical order."""

    file: str
    name: str
    spec: str  # TOML value, e.g. `{ path = "../rustc_wasm_proc_macro" }`
    table: str = "dependencies"

    @property
    def label(self) -> str:
        return f"dependency `{self.name}` in [{self.table}]"

    def splices(self, source: bytes | None, context: dict[str, Any]) -> tuple[list[Splice], list[Finding]]:
        anchor = f"[{self.table}]"
        if source is None:
            return [], [Finding("missing", self.file, anchor, "the file does not exist")]
        lines = source.decode().splitlines(keepends=True)
        try:
            start = next(i for i, line in enumerate(lines) if line.strip() == anchor)
        except StopIteration:
            return [], [Finding("missing", self.file, anchor, "no such table")]
        offset = sum(len(line) for line in lines[: start + 1])
        for line in lines[start + 1 :]:
            stripped = line.strip()
            if stripped.startswith("["):
                break
            key = re.match(r"([A-Za-z0-9_-]+)\s*=", stripped)
            if key and key.group(1) == self.name:
                return [], [Finding("conflict", self.file, anchor, f"`{self.name}` is already a dependency")]
            if key and key.group(1) > self.name:
                break
            if stripped == "# tidy-alphabetical-end":
                break
            offset += len(line)
        return [Splice(offset, offset, f"{self.name} = {self.spec}\n".encode())], []

    def probe(self, patched: bytes) -> bool:
        return self.name in tomllib.loads(patched.decode()).get(self.table, {})


@dataclass(frozen=True)
class CargoTargetDependency:
    """Move `name = spec` from a dependency table (by default [dependencies]) to
    `[target.'cfg'.dependencies]`, a table appended at the end of the manifest: the
    dependency then exists only where cfg holds."""

    file: str
    name: str
    cfg: str  # e.g. `cfg(not(target_family = "wasm"))`
    from_table: str = "dependencies"

    @property
    def label(self) -> str:
        return f"dependency `{self.name}` only for {self.cfg}"

    def splices(self, source: bytes | None, context: dict[str, Any]) -> tuple[list[Splice], list[Finding]]:
        anchor = f"{self.name} in [{self.from_table}]"
        if source is None:
            return [], [Finding("missing", self.file, anchor, "the file does not exist")]
        text = source.decode()
        table_start, table_end = _table_span(text, self.from_table)
        pattern = re.compile(rf"^{re.escape(self.name)}\s*=.*\n", re.MULTILINE)
        line = pattern.search(text, table_start, table_end)
        if line is None:
            return [], [Finding("missing", self.file, anchor, f"no `{self.name} = ...` line in [{self.from_table}]")]
        table = f"\n[target.'{self.cfg}'.dependencies]\n{line.group(0)}"
        end = len(source)
        return [Splice(line.start(), line.end(), b""), Splice(end, end, table.encode())], []

    def probe(self, patched: bytes) -> bool:
        manifest = tomllib.loads(patched.decode())
        target = manifest.get("target", {}).get(self.cfg, {}).get("dependencies", {})
        return self.name in target and self.name not in _table_at(manifest, self.from_table)


@dataclass(frozen=True)
class CargoTargetFeatures:
    """Turn on `features` of a dependency only where cfg holds. Cargo merges a
    `[target.'cfg'.dependencies]` entry with the plain one, so the dependency is declared
    again there with the same version requirement. It must already be a dependency: then
    its package is already locked and Cargo.lock, which does not record features, is
    unchanged."""

    file: str
    name: str
    cfg: str  # e.g. `cfg(all(target_family = "wasm", target_feature = "atomics"))`
    features: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"features {', '.join(self.features)} of `{self.name}` for {self.cfg}"

    @property
    def table(self) -> str:
        return f"target.'{self.cfg}'.dependencies"

    def splices(self, source: bytes | None, context: dict[str, Any]) -> tuple[list[Splice], list[Finding]]:
        anchor = f"{self.name} in [dependencies]"
        if source is None:
            return [], [Finding("missing", self.file, anchor, "the file does not exist")]
        text = source.decode()
        try:
            manifest = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            return [], [Finding("missing", self.file, anchor, f"not a TOML manifest ({error})")]
        version = _version_requirement(manifest.get("dependencies", {}).get(self.name))
        if version is None:
            detail = f"no `{self.name} = <version>` in [dependencies] (adding one would change Cargo.lock)"
            return [], [Finding("missing", self.file, anchor, detail)]
        if self.name in _table_at(manifest, self.table):
            return [], [Finding("conflict", self.file, anchor, f"[{self.table}] already names `{self.name}`")]
        features = ", ".join(f'"{f}"' for f in self.features)
        line = f'{self.name} = {{ version = "{version}", features = [{features}] }}\n'
        start, end = _table_span(text, self.table)
        if end:
            return [Splice(start, start, line.encode())], []
        return [Splice(len(source), len(source), f"\n[{self.table}]\n{line}".encode())], []

    def probe(self, patched: bytes) -> bool:
        spec = _table_at(tomllib.loads(patched.decode()), self.table).get(self.name)
        return isinstance(spec, dict) and set(self.features) <= set(spec.get("features", ()))


@dataclass(frozen=True)
class CargoCheckCfg:
    """Declare a cfg to a crate's `unexpected_cfgs` lint, in a `[lints.rust]` table
    appended to its manifest: for a cfg value the compiler that builds the crate does
    not know yet (the stage0 compiler, which predates the patch set's own values)."""

    file: str
    cfg: str  # e.g. `cfg(target_os, values("procmacro"))`

    @property
    def label(self) -> str:
        return f"`{self.cfg}` expected by the unexpected_cfgs lint"

    def splices(self, source: bytes | None, context: dict[str, Any]) -> tuple[list[Splice], list[Finding]]:
        if source is None:
            return [], [Finding("missing", self.file, "[lints]", "the file does not exist")]
        if "lints" in tomllib.loads(source.decode()):
            detail = "the manifest has its own [lints] now: add the cfg to its check-cfg list instead"
            return [], [Finding("conflict", self.file, "[lints]", detail)]
        table = f"\n[lints.rust]\nunexpected_cfgs = {{ level = \"warn\", check-cfg = ['{self.cfg}'] }}\n"
        return [Splice(len(source), len(source), table.encode())], []

    def probe(self, patched: bytes) -> bool:
        lint = _table_at(tomllib.loads(patched.decode()), "lints.rust").get("unexpected_cfgs", {})
        return isinstance(lint, dict) and self.cfg in lint.get("check-cfg", ())


def _version_requirement(spec: object) -> str | None:
    """The version requirement of a dependency spec (`"0.12"` or `{ version = "0.12", .. }`)."""
    if isinstance(spec, str):
        return spec
    version = spec.get("version") if isinstance(spec, dict) else None
    return version if isinstance(version, str) else None


def _table_at(manifest: dict[str, Any], table: str) -> dict[str, Any]:
    """The table named by a header such as `target.'cfg(unix)'.dependencies` ({} if absent)."""
    path, node = tomllib.loads(f"[{table}]\n"), manifest
    while path:
        key = next(iter(path))
        node, path = node.get(key, {}), path[key]
    return node


def _table_span(text: str, table: str) -> tuple[int, int]:
    """Where the lines of `[table]` start and end (the next table header); empty if absent."""
    match = re.search(rf"^\[{re.escape(table)}\]\n(.*?)(?=^\[|\Z)", text, re.MULTILINE | re.DOTALL)
    return (match.start(1), match.end(1)) if match else (0, 0)


@dataclass(frozen=True)
class LockedPackage:
    """One `[[package]]` of a Cargo.lock. Dependencies are written as cargo writes them:
    `name`, or `name version` when the lock holds several versions of `name`."""

    name: str
    version: str
    dependencies: tuple[str, ...] = ()
    source: str | None = None  # None for a workspace member

    def block(self) -> str:
        source = f'source = "{self.source}"\n' if self.source else ""
        deps = "".join(f' "{d}",\n' for d in sorted(self.dependencies))
        deps = f"dependencies = [\n{deps}]\n" if deps else ""
        return f'[[package]]\nname = "{self.name}"\nversion = "{self.version}"\n{source}{deps}\n'

    @property
    def key(self) -> tuple[str, tuple[int, ...]]:
        return _lock_key(self.name, self.version)


CRATES_IO = "registry+https://github.com/rust-lang/crates.io-index"


@dataclass(frozen=True)
class CargoLockPackage:
    """Record new packages in a Cargo.lock, in the order cargo writes them, and make the
    packages in `dependents` depend on the first one, so that builds never rewrite it."""

    file: str
    packages: tuple[LockedPackage, ...]
    dependents: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"package `{self.packages[0].name}` (and {len(self.packages) - 1} more) in Cargo.lock"

    def splices(self, source: bytes | None, context: dict[str, Any]) -> tuple[list[Splice], list[Finding]]:
        if source is None:
            return [], [Finding("missing", self.file, "Cargo.lock", "the file does not exist")]
        text = source.decode()
        blocks = _lock_blocks(text)
        findings = self._conflicts(blocks)
        if findings:
            return [], findings
        inserts = []
        for package in sorted(self.packages, key=lambda p: p.key):
            at = next(
                (start for name, version, start, _ in blocks if _lock_key(name, version) > package.key), len(text)
            )
            inserts.append((at, package.block()))
        splices = _insert_splices(inserts)
        root = self.packages[0].name
        for dependent in self.dependents:
            found = [(s, e) for name, _, s, e in blocks if name == dependent]
            if len(found) != 1:
                findings.append(Finding("missing", self.file, f"[[package]] {dependent}", f"found {len(found)} times"))
                continue
            start, end = found[0]
            body = text[start:end]
            deps_at = body.find("dependencies = [\n")
            if deps_at < 0:
                findings.append(Finding("conflict", self.file, f"[[package]] {dependent}", "has no dependencies list"))
                continue
            offset = start + deps_at + len("dependencies = [\n")
            for line in body[deps_at + len("dependencies = [\n") :].splitlines(keepends=True):
                if line.startswith("]") or line.strip().strip('",') > root:
                    break
                offset += len(line)
            splices.append(Splice(offset, offset, f' "{root}",\n'.encode()))
        return splices, findings

    def _conflicts(self, blocks: list[tuple[str, str, int, int]]) -> list[Finding]:
        findings = []
        for package in self.packages:
            versions = [version for name, version, _, _ in blocks if name == package.name]
            if package.version in versions:
                findings.append(
                    Finding("conflict", self.file, f"[[package]] {package.name} {package.version}", "already locked")
                )
            elif len(versions) == 1:
                # existing references say just `name`; a second version would make them ambiguous
                findings.append(
                    Finding(
                        "conflict",
                        self.file,
                        f"[[package]] {package.name}",
                        f"locked at {versions[0]}; adding {package.version} would change other packages' entries",
                    )
                )
        return findings

    def probe(self, patched: bytes) -> bool:
        locked = tomllib.loads(patched.decode()).get("package", [])
        have = {(p["name"], p["version"]) for p in locked}
        root = self.packages[0].name
        return all((p.name, p.version) in have for p in self.packages) and all(
            any(p["name"] == d and root in p.get("dependencies", []) for p in locked) for d in self.dependents
        )


def _insert_splices(inserts: list[tuple[int, str]]) -> list[Splice]:
    """One splice per offset: texts inserted at the same place keep their order."""
    grouped: dict[int, list[str]] = {}
    for at, text in inserts:
        grouped.setdefault(at, []).append(text)
    return [Splice(at, at, "".join(texts).encode()) for at, texts in grouped.items()]


def _lock_key(name: str, version: str) -> tuple[str, tuple[int, ...]]:
    return name, tuple(int(part) if part.isdigit() else 0 for part in re.split(r"[.+-]", version))


def _lock_blocks(text: str) -> list[tuple[str, str, int, int]]:
    """(name, version, start, end) of every [[package]] block of a Cargo.lock."""
    starts = [m.start() for m in re.finditer(r"^\[\[package\]\]\n", text, re.MULTILINE)]
    blocks = []
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else len(text)
        name = re.search(r'^name = "([^"]+)"', text[start:end], re.MULTILINE)
        version = re.search(r'^version = "([^"]+)"', text[start:end], re.MULTILINE)
        blocks.append((name.group(1) if name else "", version.group(1) if version else "", start, end))
    return blocks
