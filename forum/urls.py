"""url_for for templates, remembered by shape.

Werkzeug builds a URL by matching the endpoint's rule and converting each
value: about 20 µs a call, and a thread page asks for sixty. Most of them
differ only in a number ("/posts/123", "/posts/124"), so the first URL of a
shape (endpoint, which values are given and of what kind, the app's script
root) is built by url_for with stand-in values, turned into a format string,
and every later one is filled in. A value that needs quoting (a search query)
is quoted as werkzeug quotes a query string, when it lands in one. Anything
unusual (`_anchor`, `_external`, such a value in the path, no request) goes to
url_for itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import quote_plus

from flask import Flask, has_request_context, request, url_for

_SAFE = re.compile(r"[A-Za-z0-9_.~-]+")  # never quoted, in a path or in a query string
_FALLBACK = object()
_QUOTED = "quoted"  # the kind of a str value that needs quoting (a search query)
_QUERY_SAFE = "!$'()*,/:;?@"  # werkzeug.urls._urlencode's


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
        quoted = None
        for name, value in values.items():
            if value is None:
                kind = None
            elif type(value) is int:  # not bool
                kind = int
            elif type(value) is str:
                kind = str if _SAFE.fullmatch(value) else _QUOTED
                if kind is _QUOTED:
                    quoted = quoted or []
                    quoted.append(name)
            else:
                return self._build(endpoint, **values)
            kinds.append((name, kind))
        key = (endpoint, request.script_root, tuple(sorted(kinds)))
        shape = self._shapes.get(key)
        if shape is None:
            shape = self._learn(endpoint, values, quoted or ())
            self._shapes[key] = shape  # one dict assignment: safe between threads
        if shape is _FALLBACK:
            return self._build(endpoint, **values)
        filled = {k: v for k, v in values.items() if v is not None}
        for name in quoted or ():
            filled[name] = quote_plus(filled[name], safe=_QUERY_SAFE)
        return shape.format_map(filled)

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

    def _learn(self, endpoint: str, values: dict, quoted=()):
        """The shape's format string. `quoted`: values that need quoting; allowed only in
        the query string, where werkzeug quotes as urlencode(safe=_QUERY_SAFE) does."""
        stand_ins = {
            name: _stand_in(i, value) for i, (name, value) in enumerate(values.items())
            if value is not None
        }
        built = self._build(endpoint, **stand_ins)
        query = built.partition("?")[2]
        template = built.replace("{", "{{").replace("}", "}}")
        for name, stand_in in stand_ins.items():
            if built.count(str(stand_in)) != 1:
                return _FALLBACK  # a converter changed it, or it shows twice
            if name in quoted and str(stand_in) not in query:
                return _FALLBACK  # a path part: its converter quotes it
            template = template.replace(str(stand_in), "{" + name + "}")
        return template


def register(app: Flask) -> None:
    app.jinja_env.globals["url_for"] = TemplateUrls()
