"""Checks every hostile request's response goes through."""

from __future__ import annotations

from tests.hostile import htmlcheck

# Text that only appears when a database error leaks into a page.
DB_ERROR_MARKERS = (
    "sqlite3.",
    "psycopg",
    "OperationalError",
    "ProgrammingError",
    "IntegrityError",
    "DataError",
    "Traceback (most recent",
    "SQLSTATE",
    "sqlalchemy",
    "syntax error at or near",
    "unrecognized token",
    "no such column",
    "unterminated quoted",
    "(Background on this error",
)


def response_problems(response, payload: str = "") -> list[str]:
    """Why this response is wrong: a 5xx, leaked database text, or unsafe HTML."""
    found = []
    if response.status_code >= 500:
        found.append(f"status {response.status_code}")
    body = response.get_data().decode("utf-8", "replace")  # a PDF is bytes, not UTF-8
    found += [f"database text {m!r}" for m in DB_ERROR_MARKERS if m in body and m not in payload]
    if response.mimetype == "text/html":
        found += htmlcheck.problems(body)
    return found


def report(failures: list[tuple[str, object]], what: str) -> str:
    lines = [f"{len(failures)} {what}; first ones:"]
    lines += [f"  {payload!r:.100} -> {detail}" for payload, detail in failures[:15]]
    return "\n".join(lines)
