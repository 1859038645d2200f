"""Every module imports first, in a fresh interpreter: no circular import hides behind
whichever module a test (or the app factory) happened to import before it.

`python bench/digests_bench.py` once failed to start because importing
forum.digests first went forum.digests.services -> forum.threads ->
forum.threads.routes -> forum.digests.services. Imports run from features to the
core (threads, accounts), never back; tests/test_layers.py checks that direction in the
source.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORUM = ROOT / "forum"
PACKAGES = sorted(p.name for p in FORUM.iterdir() if (p / "__init__.py").exists())
# Every package, and each module of the digests and the benchmarks.
MODULES = [f"forum.{p}" for p in PACKAGES] + sorted(
    ".".join(p.relative_to(ROOT).with_suffix("").parts)
    for p in [*(FORUM / "digests").glob("*.py"), *(ROOT / "bench").glob("*.py")]
    if p.stem != "__init__"
)
# One interpreter for all: before each module, every forum and bench module is forgotten,
# so it imports first (third-party libraries stay loaded: a process each took minutes).
_FRESH_EACH = """
import sys, traceback
OURS = ("forum", "bench", "config", "cyc_a", "cyc_b")
for module in sys.argv[1:]:
    for name in [n for n in sys.modules if n.split(".")[0] in OURS]:
        del sys.modules[name]
    try:
        __import__(module)
    except Exception:
        print(f"{module}: {traceback.format_exc(limit=-3)}")
"""


def _import_each_first(modules: list[str], cwd: Path = ROOT) -> str:
    """What failed, importing each module first (empty when all imported)."""
    result = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", _FRESH_EACH, *modules],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return result.stdout + (result.stderr if result.returncode else "")


def test_every_module_imports_first():
    assert _import_each_first(MODULES) == ""


def test_a_circular_import_is_caught(tmp_path):
    (tmp_path / "cyc_a.py").write_text("from cyc_b import B\nA = 1\n")
    (tmp_path / "cyc_b.py").write_text("from cyc_a import A\nB = 1\n")
    assert "circular import" in _import_each_first(["cyc_b", "cyc_a"], cwd=tmp_path)
