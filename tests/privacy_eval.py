"""Occurrence-level evaluation of the privacy detector on labelled whole posts (issue 16).

The labelled set (tests/data/privacy_posts_labelled.txt) marks every identifying
occurrence in a post with `{text|kind}`. An occurrence counts as caught when the
detector's findings cover every letter and digit of it, whatever kind they give
it: what matters is that "Apply all" takes it out. A finding is correct when it
overlaps a labelled occurrence. `python -m tests.privacy_eval` prints the table.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

POSTS = Path(__file__).parent / "data" / "privacy_posts_labelled.txt"
KINDS = {"n": "name", "s": "staff", "sc": "school", "d": "date", "a": "age", "e": "email",
         "p": "phone", "ad": "address", "u": "url"}
_MARK = re.compile(r"\{([^{}|]+)\|([a-z]+)\}")


@dataclass(frozen=True)
class Post:
    index: int
    text: str
    spans: tuple[tuple[str, int, int], ...]  # (kind, start, end)

    @property
    def heldout(self) -> bool:
        """Every 4th post was kept out of sight while the detector was tuned."""
        return self.index % 4 == 3


def parse(source: str) -> list[Post]:
    """Posts from the marked-up source: blocks after '---' lines, '#' lines are comments."""
    blocks = re.split(r"^---$", source, flags=re.M)[1:]
    posts = []
    for index, block in enumerate(blocks):
        marked = block.strip("\n")
        text, spans, pos = [], [], 0
        for m in _MARK.finditer(marked):
            text.append(marked[pos:m.start()])
            start = sum(map(len, text))
            text.append(m.group(1))
            spans.append((KINDS[m.group(2)], start, start + len(m.group(1))))
            pos = m.end()
        text.append(marked[pos:])
        posts.append(Post(index, "".join(text), tuple(spans)))
    return posts


def load(path: Path = POSTS) -> list[Post]:
    return parse(path.read_text(encoding="utf-8"))


@dataclass
class Score:
    caught: Counter = field(default_factory=Counter)  # per gold kind
    gold: Counter = field(default_factory=Counter)
    correct: int = 0
    found: int = 0
    clean_posts: int = 0  # posts with identifiers where every occurrence was caught
    posts_with_ids: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        total = sum(self.gold.values())
        return sum(self.caught.values()) / total if total else 1.0

    @property
    def precision(self) -> float:
        return self.correct / self.found if self.found else 1.0


def _covered(spans: Iterable[tuple[int, int]], text: str, start: int, end: int) -> bool:
    need = {i for i in range(start, end) if text[i].isalnum()}
    for s, e in spans:
        need.difference_update(range(s, e))
    return not need


def evaluate(posts: Iterable[Post], detect: Callable[[str], list]) -> Score:
    """Recall per occurrence and precision per finding of `detect` on `posts`."""
    score = Score()
    for post in posts:
        findings = detect(post.text)
        found = [(f.start, f.end) for f in findings]
        missed = 0
        for kind, start, end in post.spans:
            score.gold[kind] += 1
            if _covered(found, post.text, start, end):
                score.caught[kind] += 1
            else:
                missed += 1
                score.errors.append(f"FN {kind:<8} {post.text[start:end]!r} (post {post.index})")
        if post.spans:
            score.posts_with_ids += 1
            score.clean_posts += not missed
        for f in findings:
            score.found += 1
            if any(f.start < e and s < f.end for _k, s, e in post.spans):
                score.correct += 1
            else:
                score.errors.append(f"FP {f.kind:<10} {f.text!r} (post {post.index})")
    return score


def table(name: str, score: Score) -> str:
    lines = [f"{name}: recall per occurrence {score.recall:.3f} "
             f"({sum(score.caught.values())}/{sum(score.gold.values())}), precision "
             f"{score.precision:.3f} ({score.correct}/{score.found}), posts fully caught "
             f"{score.clean_posts}/{score.posts_with_ids}"]
    for kind in sorted(score.gold):
        lines.append(f"  {kind:<8} {score.caught[kind]:>4}/{score.gold[kind]:<4}")
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    from forum.privacy import find_identifiers

    posts = load()
    dev = [p for p in posts if not p.heldout]
    held = [p for p in posts if p.heldout]
    for name, part in (("all", posts), ("tuning part", dev), ("held-out part", held)):
        print(table(name, evaluate(part, find_identifiers)))
    if "-v" in argv:  # errors of the tuning part only: the held-out part stays unseen
        print("\n".join(evaluate(dev, find_identifiers).errors))


if __name__ == "__main__":
    main(sys.argv[1:])
