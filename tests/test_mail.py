"""Mail goes through a real SMTP server, or into instance/outbox as .eml files."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from forum.mail import MailError, send_email
from tests import factories as f
from tests.smtp import SMTPServer, free_port


@pytest.fixture
def smtp():
    server = SMTPServer().start()
    yield server
    server.stop()


def test_password_reset_arrives_over_smtp(app, client, smtp):
    app.config.update(MAIL_BACKEND=None, MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port)
    f.make_user("smtp_user", email="smtp.user@example.org")
    client.post("/password/forgot", data={"email": "smtp.user@example.org"})
    # Reset mail to a real server is sent after the response (same timing for every address).
    deadline = time.monotonic() + 10
    while not smtp.messages and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(smtp.messages) == 1
    message = smtp.messages[0]
    assert message["To"] == "smtp.user@example.org"
    assert message.is_multipart()
    types = {part.get_content_type() for part in message.walk()}
    assert {"text/plain", "text/html"} <= types
    assert "http://forum.test/password/reset/" in message.get_body(("plain",)).get_content()


def test_smtp_failure_raises_mail_error(app):
    app.config.update(MAIL_BACKEND=None, MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())
    with pytest.raises(MailError):
        send_email("x@example.org", "Subject", "body")


def test_file_backend_writes_eml_into_instance_outbox(app):
    app.config.update(MAIL_BACKEND=None, MAIL_SERVER=None)
    send_email("parent@example.org", "Hello\r\nBcc: injected@example.org", "text body", "<p>html</p>")
    files = list((Path(app.instance_path) / "outbox").glob("*.eml"))
    assert len(files) == 1
    raw = files[0].read_bytes()
    assert b"Subject: Hello Bcc: injected@example.org" in raw
    assert b"\nBcc:" not in raw
