"""Shared by the digest tests: a real SMTP server on 127.0.0.1 (aiosmtpd), its fixtures,
and helpers. Import the fixtures into a test module to use them."""

from __future__ import annotations

import re
import socket
import threading
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from forum.extensions import now_utc
from tests import factories as f


class Recorder:
    """Keeps every message; refuses recipients listed in `refuse` with 550."""

    def __init__(self):
        self.messages: list[EmailMessage] = []
        self.refuse: set[str] = set()
        self.sessions = 0  # SMTP conversations (EHLO)
        self._lock = threading.Lock()

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        with self._lock:
            self.sessions += 1
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        message.raw = envelope.content  # the bytes as sent, before any header decoding
        with self._lock:
            self.messages.append(message)
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        with self._lock:
            return [m for m in self.messages if m["To"] == address]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_smtp(port: int) -> tuple[Controller, Recorder]:
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, recorder


def text_and_html(message: EmailMessage) -> tuple[str, str]:
    """Both parts of a multipart/alternative message (fails if either is missing).

    The HTML is sent as ASCII, other characters as references (forum.mail): they are
    given back here ("·" for "&#183;"), while markup and escapes (&amp;) stay as sent.
    """
    assert message.is_multipart()
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    return text.get_content(), _CHARACTER_REF.sub(_non_ascii, html.get_content())


_CHARACTER_REF = re.compile(r"&#([0-9]{1,7});")


def _non_ascii(match: re.Match) -> str:
    code = int(match[1])
    return chr(code) if 127 < code <= 0x10FFFF else match[0]


@pytest.fixture(scope="module")
def smtp():
    controller, recorder = start_smtp(free_port())
    yield controller, recorder
    controller.stop()


@pytest.fixture
def config_overrides(smtp):
    return {"MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp[0].port}


@pytest.fixture
def inbox(smtp):
    recorder = smtp[1]
    recorder.messages.clear()
    recorder.refuse.clear()
    recorder.sessions = 0
    return recorder


def later(days: float = 7):
    """A run this far on: its window (ending at a day/week boundary) covers posts made now."""
    return now_utc() + timedelta(days=days)


def reader(name: str = "reader_lee", **fields):
    """A member with a verified address (so: a weekly digest by default)."""
    fields.setdefault("email_verified_at", now_utc() - timedelta(hours=1))
    return f.make_user(name, email=f"{name}@example.org", **fields)


@pytest.fixture
def site(app):
    """Categories of each kind and a thread author with an (unverified) address."""
    public = f.make_category(slug="iep-meetings", name="IEP meetings")
    members = f.make_category(slug="support", name="Support", visibility="members")
    sensitive = f.make_category(slug="crisis", name="Hard days", sensitive=True)
    author = f.make_user("author_ruth", email="ruth.author@example.org")
    return {"public": public, "members": members, "sensitive": sensitive, "author": author}
