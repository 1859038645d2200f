"""Shared service-layer exceptions."""

from __future__ import annotations


class ForumError(Exception):
    """A rule refused the action; the message is safe to show the member."""

    status = 400


class NotAllowed(ForumError):
    status = 403


class NotFound(ForumError):
    status = 404
