"""Words parents use for the same thing ("para", "aide", "1:1"): a search for one finds all.

The shipped groups are forum/data/synonyms.txt; an admin extends them in
instance/synonyms.txt (or the file FORUM_SEARCH_SYNONYMS_FILE names), same format.
Synonyms are added to the query, never to the index, so a new line works at the
next search: the admin file is read again whenever its modification time or size
changes (one stat per search), and nothing has to be re-indexed.
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app

SHIPPED = Path(__file__).resolve().parent.parent / "data" / "synonyms.txt"
ADMIN_FILE = "synonyms.txt"  # in the instance folder
MAX_PHRASE_WORDS = 6
MAX_WORD_CHARS = 40
MAX_FILE_BYTES = 256 * 1024

Phrase = tuple[str, ...]
_WORD = re.compile(r"[^\W_]+")


def phrase_of(text: str) -> Phrase:
    """The case-folded words of `text`: how both the file and a query are compared."""
    return tuple(w.casefold() for w in _WORD.findall(text))


def parse_groups(source: str) -> list[list[Phrase]]:
    """Comma-separated phrases, one group per line; `#` starts a comment line."""
    groups = []
    for line in source.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        phrases = []
        for item in line.split(","):
            phrase = phrase_of(item)
            if 0 < len(phrase) <= MAX_PHRASE_WORDS and all(
                len(w) <= MAX_WORD_CHARS for w in phrase
            ):
                phrases.append(phrase)
        if len(phrases) > 1:
            groups.append(list(dict.fromkeys(phrases)))
    return groups


@dataclass(frozen=True)
class Synonyms:
    """Each phrase's group; groups that share a phrase are one group."""

    groups: dict[Phrase, tuple[Phrase, ...]] = field(default_factory=dict)

    @classmethod
    def from_groups(cls, groups: list[list[Phrase]]) -> Synonyms:
        parent: dict[Phrase, Phrase] = {}

        def root(p: Phrase) -> Phrase:
            while parent.setdefault(p, p) != p:
                parent[p] = parent[parent[p]]
                p = parent[p]
            return p

        order: dict[Phrase, None] = {}
        for group in groups:
            for phrase in group:
                order.setdefault(phrase)
                parent[root(phrase)] = root(group[0])
        members: dict[Phrase, list[Phrase]] = {}
        for phrase in order:
            members.setdefault(root(phrase), []).append(phrase)
        return cls({p: tuple(members[root(p)]) for p in order})

    @property
    def longest(self) -> int:
        return max((len(p) for p in self.groups), default=0)

    def __contains__(self, phrase: Phrase) -> bool:
        return phrase in self.groups

    def of(self, phrase: Phrase) -> tuple[Phrase, ...]:
        """The other phrases of this phrase's group (none when it has no group)."""
        return tuple(p for p in self.groups.get(phrase, ()) if p != phrase)


NONE = Synonyms()
_lock = threading.Lock()
_loaded: tuple[tuple, Synonyms] | None = None


def admin_file() -> Path:
    configured = current_app.config.get("SEARCH_SYNONYMS_FILE")
    return Path(configured) if configured else Path(current_app.instance_path) / ADMIN_FILE


def _signature(path: Path) -> tuple:
    try:
        stat = os.stat(path)
    except OSError:
        return (str(path), None)
    return (str(path), stat.st_mtime_ns, stat.st_size)


def _read(path: Path) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read(MAX_FILE_BYTES)
    except OSError:
        return ""


def current_synonyms() -> Synonyms:
    """The shipped groups joined with the admin's, re-read when the admin file changed."""
    global _loaded
    path = admin_file()
    key = _signature(path)
    loaded = _loaded
    if loaded is not None and loaded[0] == key:
        return loaded[1]
    with _lock:
        if _loaded is None or _loaded[0] != key:
            groups = parse_groups(SHIPPED.read_text(encoding="utf-8"))
            if key[1] is not None:
                groups += parse_groups(_read(path))
            _loaded = (key, Synonyms.from_groups(groups))
        return _loaded[1]
