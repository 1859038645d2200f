"""The pages `make bench` measures: adding one is one line in PAGES.

`path` gets the dataset's facts (bench/dataset.py `generate()` returns them).
A page whose route is not in the app's url_map is listed as "not built yet".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import RequestRedirect


@dataclass(frozen=True)
class Page:
    name: str
    path: Callable[[dict], str]
    signed_in: bool = False  # measured with the cookie of a real sign-in


PAGES = [
    Page("home", lambda d: "/"),
    Page("category", lambda d: f"/categories/{d['category_slug']}"),
    Page("thread page 1", lambda d: f"/threads/{d['thread_id']}"),
    Page(
        "thread last page (400 posts)",
        lambda d: (
            f"/threads/{d['big_thread_id']}?page={-(-d['big_thread_posts'] // d['posts_per_page'])}"
        ),
    ),
    Page("thread page 1, signed in", lambda d: f"/threads/{d['thread_id']}", signed_in=True),
    Page("home, signed in", lambda d: "/", signed_in=True),
    Page("notifications, signed in", lambda d: "/notifications", signed_in=True),
    Page("bell count (JSON), signed in", lambda d: "/notifications/count", signed_in=True),
    Page("search", lambda d: "/search?q=speech+therapy+minutes"),
    Page("tag page", lambda d: f"/tags/{d['tag_slug']}"),
    Page("Atom feed", lambda d: "/feed.atom"),
]


def route_exists(app, path: str) -> bool:
    """Whether the app has a GET route for this path (query string ignored)."""
    adapter = app.url_map.bind("bench.local")
    try:
        adapter.match(path.split("?", 1)[0], method="GET")
    except RequestRedirect:
        return True
    except (NotFound, MethodNotAllowed):
        return False
    return True
