"""Edit history as a reader sees it: what each edit removed and added, word by word."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

from markupsafe import Markup, escape

from forum.threads.models import Post, PostRevision

# Words, runs of white space, and single marks: an edit that fixes a comma shows the comma.
_TOKENS = re.compile(r"\w+|\s+|[^\w\s]")
# Past this many tokens on either side a word diff gets slow: compare whole lines instead.
_MAX_WORD_TOKENS = 8000
# Unchanged stretches longer than this (in characters) are shortened to their two ends.
_KEEP = 160


def _shorten(text: str, first: bool, last: bool) -> Markup:
    if len(text) <= 3 * _KEEP:
        return escape(text)
    head = "" if first else text[:_KEEP]
    tail = "" if last else text[-_KEEP:]
    return escape(head) + Markup('<span class="diff-gap"> … </span>') + escape(tail)


def word_diff(before: str, after: str) -> Markup:
    """`before` -> `after` as escaped text with removed parts in <del> and added ones in <ins>."""
    a, b = _TOKENS.findall(before), _TOKENS.findall(after)
    if max(len(a), len(b)) > _MAX_WORD_TOKENS:
        a, b = before.splitlines(keepends=True), after.splitlines(keepends=True)
    opcodes = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    out: list[Markup] = []
    for n, (op, i1, i2, j1, j2) in enumerate(opcodes):
        if op == "equal":
            out.append(_shorten("".join(a[i1:i2]), n == 0, n == len(opcodes) - 1))
            continue
        if i2 > i1:
            out.append(Markup("<del>{}</del>").format("".join(a[i1:i2])))
        if j2 > j1:
            out.append(Markup("<ins>{}</ins>").format("".join(b[j1:j2])))
    return Markup("").join(out)


def revision_diffs(post: Post, revisions: Sequence[PostRevision]) -> dict[int, Markup]:
    """{revision id: what the edit after it changed}; revisions come newest first. A
    redaction marker has no text, so neither it nor the version before it gets a diff."""
    diffs: dict[int, Markup] = {}
    after: str | None = post.body
    for rev in revisions:
        if not rev.redacted and after is not None:
            diffs[rev.id] = word_diff(rev.body, after)
        after = None if rev.redacted else rev.body
    return diffs
