"""The house dependency direction: features build on the core, never the other way.

`threads`, `accounts`, `pages` and the page-assembly layer import no feature package;
features reach their pages through panels, slots, facts, composer parts and signals
(forum/assembly, forum/threads/parts.py). A lazy import inside a function counts too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

FORUM = Path(__file__).resolve().parent.parent / "forum"
CORE = ("threads", "accounts", "pages", "assembly")
FEATURES = sorted(
    p.name for p in FORUM.iterdir()
    if p.is_dir() and (p / "__init__.py").exists() and p.name not in CORE
)


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


@pytest.mark.parametrize("core", CORE)
def test_core_imports_no_feature(core):
    found = {
        f"{path.relative_to(FORUM.parent)} imports {name}"
        for path in (FORUM / core).rglob("*.py")
        for name in _imports(path)
        if any(name == f"forum.{f}" or name.startswith(f"forum.{f}.") for f in FEATURES)
    }
    assert not found, sorted(found)


def test_the_rule_sees_features():
    assert {"resources", "digests", "moderation"} <= set(FEATURES)
