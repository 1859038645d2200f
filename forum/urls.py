"""url_for for templates, remembered by shape.

Werkzeug builds a URL by matching the endpoint's rule and converting each
value: about 20 µs a call, and a thread page asks for sixty. Most of them
differ only in a number ("/posts/123", "/posts/124"), so the first URL of a
shape (endpoint, which values are given and of what kind, the app's script
root) is built by url_for with stand-in values, turned into a format string,
and every later one is filled in. Anything unusual (`_anchor`, `_external`,
values that would need quoting, no request) goes to url_for itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask, has_request_context, request, url_for

_SAFE = re.compile(r"[A-Za-z0-9_.~-]+")  # never quoted, in a path or in a query string
_FALLBACK = object()


def _stand_in(index: int, value) -> object:
    if isinstance(value, int):
        return 7_390_000_000_000 + index
    return f"qzx{index}standinqzx"


class TemplateUrls:
    """The `url_for` that templates call (a drop-in for flask.url_for)."""

    def __init__(self, build: Callable[..., str] = url_for):
        self._build = build
        self._shapes: dict[tuple, object] = {}

    def __call__(self, endpoint: str, **values) -> str:
        if not has_request_context() or any(name.startswith("_") for name in values):
            return self._build(endpoint, **values)
        kinds = []
        for name, value in values.items():
            if value is None:
                kind = None
            elif type(value) is int:  # not bool
                kind = int
            elif type(value) is str and _SAFE.fullmatch(value):
                kind = str
            else:
                return self._build(endpoint, **values)
            kinds.append((name, kind))
        key = (endpoint, request.script_root, tuple(sorted(kinds)))
        shape = self._shapes.get(key)
        if shape is None:
            shape = self._learn(endpoint, values)
            self._shapes[key] = shape  # one dict assignment: safe between threads
        if shape is _FALLBACK:
            return self._build(endpoint, **values)
        return shape.format_map({k: v for k, v in values.items() if v is not None})

    def pattern(self, endpoint: str, **values) -> str | None:
        """The format string of this URL shape ("/posts/{post_id}/react"), for a caller that
        builds many URLs of one shape in a loop; None when the shape has none (use the call)."""
        if not has_request_context() or any(type(v) not in (int, str) for v in values.values()):
            return None
        key = (endpoint, request.script_root,
               tuple(sorted((n, type(v)) for n, v in values.items())))
        shape = self._shapes.get(key)
        if shape is None:
            shape = self._shapes[key] = self._learn(endpoint, values)
        return None if shape is _FALLBACK else shape

    def _learn(self, endpoint: str, values: dict):
        stand_ins = {
            name: _stand_in(i, value) for i, (name, value) in enumerate(values.items())
            if value is not None
        }
        built = self._build(endpoint, **stand_ins)
        template = built.replace("{", "{{").replace("}", "}}")
        for name, stand_in in stand_ins.items():
            if built.count(str(stand_in)) != 1:
                return _FALLBACK  # a converter changed it, or it shows twice
            template = template.replace(str(stand_in), "{" + name + "}")
        return template


def register(app: Flask) -> None:
    app.jinja_env.globals["url_for"] = TemplateUrls()
