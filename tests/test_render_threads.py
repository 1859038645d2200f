"""Rendering under threads: every output equals the single-threaded render of its own source.

bleach documents that neither its Cleaner nor its Linker is thread-safe; a shared
one mixed one post's HTML into another's under concurrent posting (issue 15).
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from forum.text import plain_text, render_markdown


def _sources(n: int) -> list[str]:
    """Distinct sources that exercise the cleaner (stripped tags) and the linker (URLs)."""
    return [
        f"Post {i}: my son's aide *left* on day {i}.\n\n"
        f"<b>bold {i}</b> see https://example.org/story/{i} and [a link](https://x.test/{i})\n\n"
        f"> quoted line {i}\n\n- item {i}a\n- item {i}b <script>alert({i})</script>\n"
        + "word " * (i % 40)
        for i in range(n)
    ]


def test_sixteen_threads_render_2000_sources_each_as_its_own():
    sources = _sources(2000)
    expected = [str(render_markdown(s)) for s in sources]
    start = threading.Barrier(16)

    def work(offset: int) -> list[tuple[int, str]]:
        start.wait()
        # Each thread walks the whole list from a different place, so at any moment the
        # sixteen threads are rendering different sources.
        order = [(offset * 125 + k) % len(sources) for k in range(len(sources))]
        return [(i, str(render_markdown(sources[i]))) for i in order]

    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(work, range(16)))
    wrong = [(i, out) for rendered in results for i, out in rendered if out != expected[i]]
    assert not wrong, f"{len(wrong)} renders differ; first: {wrong[0][0]}: {wrong[0][1][:200]!r}"
    assert all(f"Post {i}:" in plain_text(expected[i]) for i in range(0, 2000, 97))
