"""The package's shape: imports point one way (no cycles, nothing below cli/web imports them) and
Chinese-language knowledge lives in the language pack, not in code."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "assistant"
LANGUAGE_PACK = PACKAGE / "lang"
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(path: Path, modules: dict[str, Path]) -> set[str]:
    """The package's own modules `path` imports (a `from pkg import name` counts name if it is a module)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name in modules)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                found.add(full if full in modules else node.module)
    return {name for name in found if name in modules}


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(path, modules) - {name} for name, path in modules.items()}


def test_package_imports_have_no_cycle():
    graph = _graph()
    state: dict[str, int] = {}

    def visit(name: str, trail: list[str]) -> None:
        state[name] = 1
        for target in sorted(graph[name]):
            if state.get(target) == 1:
                cycle = trail[trail.index(target):] if target in trail else trail
                pytest.fail("import cycle: " + " -> ".join([*cycle, target]))
            if target not in state:
                visit(target, [*trail, target])
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])


@pytest.mark.parametrize("top", ["assistant.cli", "assistant.web"])
def test_nothing_below_the_front_ends_imports_them(top):
    offenders = [f"{name} imports {target}" for name, targets in _graph().items()
                 if not name.startswith(("assistant.cli", "assistant.web"))
                 for target in targets if target == top or target.startswith(top + ".")]
    assert not offenders


def test_every_package_folder_says_what_it_is_for():
    for init in PACKAGE.rglob("__init__.py"):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
        assert len(doc) > 60 and "TODO" not in doc, f"{init} needs a docstring saying what the folder holds"


def chinese_literals(path: Path) -> list[tuple[int, str]]:
    """String literals holding Chinese text or full-width punctuation, docstrings excepted."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr)
                  and isinstance(node.body[0].value, ast.Constant)}
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and id(node) not in docstrings and _CJK.search(node.value)]


def test_chinese_words_and_messages_live_in_the_language_pack():
    found = {str(p.relative_to(PACKAGE)): chinese_literals(p) for p in PACKAGE.rglob("*.py")
             if LANGUAGE_PACK not in p.parents}
    assert {name: hits for name, hits in found.items() if hits} == {}
