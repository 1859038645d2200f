"""Opt-in SQL statement count per request, for the benchmark and tests.

With BENCH_COUNT_QUERIES on (FORUM_BENCH_COUNT_QUERIES=1), every response
carries X-Query-Count. Off by default: it would tell anyone how a page is built.
"""

from __future__ import annotations

from flask import Flask, has_request_context, request
from sqlalchemy import event

KEY = "forum.query_count"


def register(app: Flask) -> None:
    if not app.config.get("BENCH_COUNT_QUERIES"):
        return
    from forum.extensions import db

    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "before_cursor_execute")
    def _count(conn, cursor, statement, parameters, context, executemany) -> None:
        if has_request_context():
            request.environ[KEY] = request.environ.get(KEY, 0) + 1

    # Registered before the other after_request hooks, so it runs after them
    # (Flask runs them in reverse) and counts the queries they make too.
    @app.after_request
    def _header(response):
        response.headers["X-Query-Count"] = str(request.environ.get(KEY, 0))
        return response
