"""The package's layers run one way. `LAYERS` lists them from the top: a module may import
from its own package (a circle there is still an error) and from the layers below its
own, never from a layer above, nor from a sibling package of its own layer (imports as
patcher/code.py reads them, function-level ones included). This test is
part of the lint step (`nox -s lint`); docs/architecture.md shows the same listing."""

from __future__ import annotations

from patcher import code
from patcher.paths import REPO_ROOT

# (layer, its packages or modules); top first
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("entry point", ("patcher.__main__",)),
    ("command line", ("patcher.cli",)),
    ("labs", ("patcher.web", "patcher.bench")),
    ("release", ("patcher.release",)),
    ("suites", ("patcher.suite",)),
    ("products", ("patcher.cargo",)),
    ("builders: the wasm host", ("patcher.wasm_host",)),
    ("builders: the native compiler", ("patcher.build",)),
    ("generator", ("patcher.export",)),
    ("provisioning", ("patcher.provision",)),
    ("patch data", ("patcher.rustc", "patcher.llvm")),
    ("patch engine", ("patcher.engine",)),
    ("records", ("patcher.results", "patcher.doc_blocks")),
    ("processes", ("patcher.process",)),
    ("wasm binaries", ("patcher.wasm_binary",)),
    ("source code", ("patcher.code",)),
    ("locations", ("patcher.paths",)),
    ("pins and variables", ("patcher.pins", "patcher.environment")),
    ("errors", ("patcher.errors", "patcher")),  # `patcher` itself: the package's empty __init__
)


def unit_of(module: str) -> tuple[int, str]:
    """(layer index, the package or module of LAYERS that holds `module`)."""
    best: tuple[int, str] | None = None
    for index, (_, units) in enumerate(LAYERS):
        for unit in units:
            if (module == unit or module.startswith(unit + ".")) and (best is None or len(unit) > len(best[1])):
                best = (index, unit)
    assert best is not None, f"{module} is in no layer: add it to LAYERS"
    return best


def import_graph() -> dict[str, set[str]]:
    """Each module of `patcher` and the `patcher` modules it imports (patcher/code.py)."""
    graph = {}
    for path in sorted((REPO_ROOT / "patcher").rglob("*.py")):
        name = code.module_of(path)
        graph[name] = set(code.imports_of(path, path.read_bytes())) - {name}
    return graph


def layering_violations(graph: dict[str, set[str]]) -> list[str]:
    problems = []
    for module, imported in sorted(graph.items()):
        layer, unit = unit_of(module)
        for target in sorted(imported):
            target_layer, target_unit = unit_of(target)
            if target_unit == unit or target_unit == "patcher":
                continue
            if target_layer < layer:
                problems.append(f"{module} imports {target}: {LAYERS[target_layer][0]} is above {LAYERS[layer][0]}")
            elif target_layer == layer:
                problems.append(f"{module} imports {target}: siblings in {LAYERS[layer][0]} stay independent")
    return problems


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import circles among modules (Tarjan's strongly connected components)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph.get(node, ()):
            if nxt not in graph:
                continue
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_every_module_is_in_a_layer() -> None:
    for module in import_graph():
        unit_of(module)


def test_no_import_runs_up_or_sideways() -> None:
    assert layering_violations(import_graph()) == []


def test_no_import_circles() -> None:
    assert circles(import_graph()) == []


def test_the_check_fails_on_an_upward_import() -> None:
    graph = {"patcher.engine.plan": {"patcher.rustc.patchset"}, "patcher.cargo.front": {"patcher.suite.e2e"}}
    assert layering_violations(graph) == [
        "patcher.cargo.front imports patcher.suite.e2e: suites is above products",
        "patcher.engine.plan imports patcher.rustc.patchset: patch data is above patch engine",
    ]
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_the_architecture_doc_lists_the_layers_in_order() -> None:
    """docs/architecture.md's table: one row per layer, top first, with the same packages."""
    rows = [line for line in (REPO_ROOT / "docs" / "architecture.md").read_text().splitlines() if line.startswith("| ")]
    listed = []
    for row in rows:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        if len(cells) == 3 and cells[1].startswith("`patcher"):
            listed.append((cells[0], tuple(cell.strip("` ") for cell in cells[1].split(","))))
    assert listed == [(name, units) for name, units in LAYERS if units != ("patcher.errors", "patcher")] + [
        ("errors", ("patcher.errors",))
    ]
