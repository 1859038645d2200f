"""Hostile-input corpora from tests/data/corpora (see SOURCES.md there), loaded once.

Samples are deterministic: items are ordered by a SHA-256 of (salt, item), so a
run, a re-run and CI all try the same payloads, and each field (salt) gets a
different slice of the big lists.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path

CORPORA = Path(__file__).resolve().parent.parent / "data" / "corpora"


def _lines(path: Path) -> list[str]:
    # Some vectors start or end with spaces on purpose: only the line break goes.
    text = path.read_text(encoding="utf-8")
    return [line for line in text.split("\n") if line]


@cache
def blns() -> tuple[str, ...]:
    """The big list of naughty strings (515)."""
    return tuple(json.loads((CORPORA / "blns" / "blns.json").read_text(encoding="utf-8")))


@cache
def owasp() -> tuple[str, ...]:
    """OWASP XSS filter-evasion vectors (94)."""
    return tuple(_lines(CORPORA / "xss" / "owasp-xss-filter-evasion-vectors.txt"))


@cache
def payloadbox() -> tuple[str, ...]:
    """payloadbox XSS list (6,613 lines, many IE-era); deduplicated."""
    return tuple(dict.fromkeys(_lines(CORPORA / "xss" / "payloadbox-xss-payload-list.txt")))


@cache
def markdown_vectors() -> tuple[str, ...]:
    """Markdown-specific vectors written for this project; `\\n` is a real newline."""
    lines = _lines(CORPORA / "markdown-vectors.txt")
    return tuple(line.replace("\\n", "\n") for line in lines if not line.startswith("#"))


@cache
def bleach_inputs() -> tuple[str, ...]:
    """Inputs of bleach's regression cases (our allowlist differs: inputs only)."""
    cases = sorted((CORPORA / "bleach-regression").glob("*.test"), key=lambda p: int(p.stem))
    return tuple(p.read_text(encoding="utf-8").split("\n--\n")[0] for p in cases)


@cache
def sqli() -> tuple[str, ...]:
    """SQL-injection payloads (generic detection and auth bypass)."""
    return tuple(
        dict.fromkeys(
            _lines(CORPORA / "sqli" / "Generic_SQLI.txt")
            + _lines(CORPORA / "sqli" / "Auth_Bypass.txt")
        )
    )


TEMPLATE_INJECTION = (
    "{{7*7}}",
    "{{ 7*'7' }}",
    "{% raw %}{{7*7}}{% endraw %}",
    "{{ config }}",
    "{{ config.SECRET_KEY }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{% for x in range(3) %}loop{% endfor %}",
    "${7*7}",
    "#{7*7}",
    "<%= 7*7 %>",
    "{{request.application.__globals__}}",
)


def everything() -> tuple[str, ...]:
    """Every payload of every corpus (about 7,400), for the direct renderer tests."""
    return tuple(
        dict.fromkeys(
            blns()
            + owasp()
            + markdown_vectors()
            + bleach_inputs()
            + payloadbox()
            + TEMPLATE_INJECTION
        )
    )


def _rank(salt: str, items) -> list[str]:
    def key(item: str) -> str:
        return hashlib.sha256(f"{salt}\x1f{item}".encode("utf-8", "surrogatepass")).hexdigest()

    return sorted(items, key=key)


def sample(salt: str, size: int, items) -> list[str]:
    """A deterministic sample of `size` items, different for every salt."""
    return _rank(salt, dict.fromkeys(items))[:size]


def http_sample(salt: str, size: int, *, markdown: bool) -> list[str]:
    """Payloads to send through HTTP into one field.

    A Markdown field gets every Markdown and OWASP vector and every template string,
    topped up to `size` with BLNS and payloadbox entries; a plain field gets the
    template strings and a sample of `size` from all corpora.
    """
    fixed = list(TEMPLATE_INJECTION)
    if markdown:
        fixed = list(dict.fromkeys(markdown_vectors() + owasp() + TEMPLATE_INJECTION))
    rest = max(size - len(fixed), 0)
    pool = set(blns() + payloadbox() + owasp() + markdown_vectors()) - set(fixed)
    blns_part = sample(salt, rest // 2, set(blns()) - set(fixed))
    other = sample(salt, rest - len(blns_part), pool - set(blns_part))
    return fixed + blns_part + other
