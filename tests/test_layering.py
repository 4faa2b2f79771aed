"""The layering of the code, read from every module's imports (top-level and in functions).

    CLI (generate.py, cli.py) -> the daily run (daily.py) -> driver (pipeline.py) -> stages
    -> shared modules

The stages never import each other (sources and delivery may import store, delivery render);
nothing below the CLI imports a CLI module, nothing below the daily run imports it, nothing
below the driver imports the driver; shared modules import only shared modules. Tools (demo,
bench, devtools) may import the program but not the tests.
Edit the tables below when modules are added or moved.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

STAGES = ("sources", "analysis", "charts", "render", "delivery", "store")
"""The pipeline's stages (top-level packages)."""
STAGE_IMPORTS = {"sources": ("store",), "delivery": ("store", "render")}
"""The other stages a stage may import: delivery renders its email and blog pages with the
note's filters (render.filters)."""
SHARED = ("models", "settings", "errors", "indicators", "values", "datasets")
"""Modules every layer may import. A new top-level shared module (values.py, datasets.py) is
shared only once it is listed here."""
DRIVERS = ("pipeline",)
"""The one driver: it runs the stages in order."""
RUNS = ("daily",)
"""Wrappers around the driver: the cron run (lock, ledger, then the delivery channels)."""
CLIS = ("generate", "cli")
"""Command-line modules."""
TOOLS = ("demo", "bench", "devtools")
"""Not part of the program: they may import it, but not the tests."""

MAY_IMPORT: dict[str, set[str]] = {
    "shared": {"shared"},
    **{stage: {stage, "shared", *STAGE_IMPORTS.get(stage, ())} for stage in STAGES},
    "driver": {"driver", *STAGES, "shared"},
    "run": {"run", "driver", *STAGES, "shared"},
    "cli": {"cli", "run", "driver", *STAGES, "shared"},
    "tool": {"tool", "cli", "run", "driver", *STAGES, "shared"},
    "tests": {"tests", "tool", "cli", "run", "driver", *STAGES, "shared"},
}
"""What each layer may import: a layer name, or a stage's name for that stage."""

EXCEPTIONS: dict[str, tuple[str, ...]] = {
    # settings turns the [analysis] section into analysis options (a function-level import)
    "settings.py": ("analysis",),
}
"""Known breaks of the rules: file -> the modules (and their submodules) it may still import."""


@dataclass(frozen=True)
class Import:
    """One first-party module imported by one statement."""

    file: str
    line: int
    module: str


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def first_party() -> dict[str, Path]:
    """Every module of the repository by dotted name (not the venv, not output/)."""
    found = {}
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT)
        if rel.parts[0] in (".venv", "output") or any(p.startswith(".") for p in rel.parts):
            continue
        found[module_name(path)] = path
    return found


MODULES = first_party()


def _resolved(node: ast.ImportFrom, importer: str, is_package: bool) -> str:
    """The absolute module a ``from ... import`` names (relative ones resolved)."""
    if node.level == 0:
        return node.module or ""
    package = importer.split(".")
    base = package if is_package else package[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def imports(name: str, path: Path, *, top_level_only: bool = False) -> Iterator[Import]:
    """The first-party modules ``path`` imports: ``from a import b`` names ``a.b`` when that is
    a module, else ``a``. ``top_level_only`` skips imports in functions and in
    ``if TYPE_CHECKING:`` blocks."""
    tree = _parsed(path)
    nodes = _top_level(tree.body) if top_level_only else ast.walk(tree)
    file = str(path.relative_to(ROOT))
    for node in nodes:
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _resolved(node, name, path.name == "__init__.py")
            subs = [f"{base}.{a.name}" for a in node.names]
            # ``from pkg import module`` needs only the module (pkg is initialised already
            # when the importer is inside it); ``from pkg import name`` needs pkg itself.
            names = [a.name for a in node.names if f"{base}.{a.name}" not in MODULES]
            targets = [*([base] if names else []), *subs]
        else:
            continue
        for target in targets:
            if target in MODULES:
                yield Import(file, node.lineno, target)


@cache
def _parsed(path: Path) -> ast.Module:
    return ast.parse(path.read_text(), str(path))


def _top_level(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """The statements run at import: into ``if`` and ``try`` blocks, not ``TYPE_CHECKING``."""
    for node in body:
        if isinstance(node, ast.If):
            if "TYPE_CHECKING" not in ast.unparse(node.test):
                yield from _top_level([*node.body, *node.orelse])
        elif isinstance(node, ast.Try):
            handlers = [stmt for h in node.handlers for stmt in h.body]
            yield from _top_level([*node.body, *handlers, *node.orelse, *node.finalbody])
        else:
            yield node


def layer(module: str) -> str | None:
    """The layer of a dotted module name (a stage's own name for a stage), None if unlisted."""
    top = module.split(".")[0]
    if top in STAGES:
        return top
    kinds = (("shared", SHARED), ("driver", DRIVERS), ("run", RUNS), ("cli", CLIS), ("tool", TOOLS))
    for kind, names in kinds:
        if top in names:
            return kind
    return "tests" if top == "tests" else None


def excepted(imp: Import) -> bool:
    return any(
        imp.module == allowed or imp.module.startswith(allowed + ".")
        for allowed in EXCEPTIONS.get(imp.file, ())
    )


def breaks() -> Iterator[Import]:
    """Every import its layer may not make, known exceptions included."""
    for name, path in MODULES.items():
        own = layer(name)
        if own is None:
            continue  # reported by test_every_top_level_module_has_a_layer
        for imp in imports(name, path):
            target = layer(imp.module)
            if target is not None and target not in MAY_IMPORT[own]:
                yield imp


def test_every_top_level_module_has_a_layer() -> None:
    unlisted = sorted({m.split(".")[0] for m in MODULES if layer(m) is None})
    assert not unlisted, f"add {', '.join(unlisted)} to a table of tests/test_layering.py"


def test_no_module_imports_across_its_layer() -> None:
    found = [imp for imp in breaks() if not excepted(imp)]
    assert not found, "imports breaking the layering:\n" + "\n".join(map(describe, found))


def describe(imp: Import) -> str:
    """``file:line imports X`` and the rule it breaks."""
    own = layer(module_name(ROOT / imp.file)) or ""
    allowed = ", ".join(sorted(MAY_IMPORT[own]))
    return f"{imp.file}:{imp.line} imports {imp.module} ({own} may import only {allowed})"


def test_every_exception_is_still_needed() -> None:
    needed = {
        (imp.file, allowed)
        for imp in breaks()
        for allowed in EXCEPTIONS.get(imp.file, ())
        if imp.module == allowed or imp.module.startswith(allowed + ".")
    }
    stale = sorted({(f, a) for f, names in EXCEPTIONS.items() for a in names} - needed)
    assert not stale, "remove from EXCEPTIONS (no such import any more): " + ", ".join(
        f"{f}: {a}" for f, a in stale
    )


def test_no_import_cycles_between_modules() -> None:
    """Module-level imports form no cycle (a package's ``__init__`` importing its submodules
    is not one; function-level imports are the way to defer one)."""
    edges = {
        name: {i.module for i in imports(name, path, top_level_only=True) if i.module != name}
        for name, path in MODULES.items()
    }
    cycles = []
    done: set[str] = set()

    def visit(module: str, trail: list[str]) -> None:
        for target in sorted(edges.get(module, ())):
            if target in trail:
                cycles.append(" -> ".join([*trail[trail.index(target) :], target]))
            elif target not in done:
                visit(target, [*trail, target])
        done.add(module)

    for name in sorted(MODULES):
        if name not in done:
            visit(name, [name])
    assert not cycles, "import cycles:\n" + "\n".join(cycles)
