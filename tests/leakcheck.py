"""Assertions that an anonymous author's identity appears nowhere."""

from __future__ import annotations

import html
import re
from email.message import EmailMessage


def secrets_of(user) -> dict[str, re.Pattern]:
    """Patterns that would identify this account: username, email, and its id as a token."""
    return {
        "username": re.compile(re.escape(user.username), re.IGNORECASE),
        "email": re.compile(re.escape(user.email or "\0never\0"), re.IGNORECASE),
        # The id is made distinctive by the fixture, so any occurrence is a leak.
        "user id": re.compile(rf"(?<!\d){user.id}(?!\d)"),
    }


def find_leaks(text: str, patterns: dict[str, re.Pattern]) -> list[str]:
    return [name for name, pattern in patterns.items() if pattern.search(text)]


def response_text(response) -> str:
    headers = "\n".join(f"{k}: {v}" for k, v in response.headers.items())
    return headers + "\n\n" + response.get_data(as_text=True)


def message_text(message: EmailMessage) -> str:
    parts = [str(message[h]) for h in message.keys()]
    for part in message.walk():
        if part.get_content_maintype() == "text":
            parts.append(part.get_content())
            if part.get_content_subtype() == "html":  # sent as ASCII: "&#183;" for "·"
                parts.append(html.unescape(parts[-1]))
    return "\n".join(parts)
