"""Shared service-layer exceptions and input rules."""

from __future__ import annotations

import re


class ForumError(Exception):
    """A rule refused the action; the message is safe to show the member."""

    status = 400


class NotAllowed(ForumError):
    status = 403


class NotFound(ForumError):
    status = 404


class Conflict(ForumError):
    """Another request saved the same thing at the same moment (a double click, two tabs)."""

    status = 409


# NUL cannot be stored in PostgreSQL text; lone surrogates cannot be encoded as UTF-8.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
UNSTORABLE_MESSAGE = (
    "The text contains a character that can't be saved (a NUL byte or a broken "
    "Unicode character). Please remove it and try again."
)


def has_unstorable(value: str | None) -> bool:
    """Whether the text holds a character no database column can keep."""
    return bool(value) and _UNSTORABLE.search(value) is not None


def check_storable(value: str) -> str:
    """`value`, or ForumError if it holds a character the database can't store."""
    if has_unstorable(value):
        raise ForumError(UNSTORABLE_MESSAGE)
    return value
