"""Numbers from URLs and query strings, kept inside what both databases can store."""

from __future__ import annotations

from flask import Flask, request
from werkzeug.routing import IntegerConverter

# Primary keys are 32-bit integers on PostgreSQL; SQLite overflows past 2**63.
MAX_ID = 2**31 - 1


class BoundedIntegerConverter(IntegerConverter):
    """`<int:...>` that never matches a number larger than a primary key can be (404)."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def int_arg(name: str, default: int | None = None, *, minimum: int = 1) -> int | None:
    """A query-string integer: `default` when missing or not a number, clamped to MAX_ID."""
    value = request.args.get(name, type=int)
    if value is None or value < minimum:
        return default
    return min(value, MAX_ID)


def register(app: Flask) -> None:
    app.url_map.converters["int"] = BoundedIntegerConverter
