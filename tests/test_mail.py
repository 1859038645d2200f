"""Mail goes through a real SMTP server, or into instance/outbox as .eml files."""

from __future__ import annotations

import time
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from forum.extensions import now_utc
from forum.mail import MailError, build_message, send_email
from tests import factories as f
from tests.smtp import SMTPServer, free_port


@pytest.fixture
def smtp():
    server = SMTPServer().start()
    yield server
    server.stop()


def test_password_reset_arrives_over_smtp(app, client, smtp):
    app.config.update(MAIL_BACKEND=None, MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port)
    f.make_user("smtp_user", email="smtp.user@example.org", email_verified_at=now_utc())
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
    send_email(
        "parent@example.org", "Hello\r\nBcc: injected@example.org", "text body", "<p>html</p>"
    )
    files = list((Path(app.instance_path) / "outbox").glob("*.eml"))
    assert len(files) == 1
    raw = files[0].read_bytes()
    assert b"Subject: Hello Bcc: injected@example.org" in raw
    assert b"\nBcc:" not in raw


def _parts(raw: bytes):
    message = message_from_bytes(raw, policy=policy.default)
    return message, message.get_body(("plain",)), message.get_body(("html",))


def test_messages_are_ascii_crlf_and_parse_back_to_what_was_sent(app):
    app.config["MAIL_DEFAULT_SENDER"] = "Parents’ Forum <no-reply@example.org>"
    subject = "Réunion d’équipe: « ça va » " + "long " * 30
    unsubscribe = "<https://forum.example.org/unsubscribe/" + "a" * 200 + ">"
    sent = build_message(
        "parent@example.org",
        subject,
        "Texte accentué · ok\n= sign and trailing space \n.leading dot\n",
        "<p>Réunion · “quotes” &amp; more</p>\n<p>.leading dot</p>",
        {"List-Unsubscribe": unsubscribe},
    )
    raw = sent.data
    assert raw.isascii()  # no 8-bit data anywhere: any server takes it
    assert b"\n" not in raw.replace(b"\r\n", b"") and b"\r" not in raw.replace(b"\r\n", b"")
    assert max(len(line) for line in raw.split(b"\r\n")) <= 998
    assert (sent.sender, sent.to) == ("no-reply@example.org", "parent@example.org")
    message, text, html = _parts(raw)
    assert message["Subject"] == " ".join(subject.split())
    assert message["From"].addresses[0].display_name == "Parents’ Forum"
    assert message["List-Unsubscribe"] == unsubscribe
    assert f"List-Unsubscribe: {unsubscribe}\r\n".encode() in raw  # one line, not encoded
    assert text["Content-Transfer-Encoding"] == "quoted-printable"
    lines = raw.split(b"\r\n\r\n", 2)[2].split(b"\r\n")
    assert max(len(line) for line in lines[: lines.index(b"")]) <= 76
    assert text.get_content() == (
        "Texte accentué · ok\r\n= sign and trailing space \r\n.leading dot\r\n"
    )
    # HTML goes as 7bit ASCII: other characters as references, which browsers show as such.
    assert html["Content-Transfer-Encoding"] == "7bit"
    assert html.get_content() == (
        "<p>R&#233;union &#183; &#8220;quotes&#8221; &amp; more</p>\r\n<p>.leading dot</p>\r\n"
    )


def test_long_html_lines_fall_back_to_quoted_printable(app):
    sent = build_message("parent@example.org", "Hi", "text", "<p>" + "word " * 300 + "</p>")
    _, _, html = _parts(sent.data)
    assert html["Content-Transfer-Encoding"] == "quoted-printable"
    assert html.get_content().startswith("<p>word word")
    assert max(len(line) for line in sent.data.split(b"\r\n")) <= 76


def test_an_international_address_is_sent_with_smtputf8(app):
    from aiosmtpd.controller import Controller

    received = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            received.append((envelope.rcpt_tos, envelope.smtp_utf8, envelope.content))
            return "250 OK"

    port = free_port()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port, enable_SMTPUTF8=True)
    controller.start()
    try:
        app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
        send_email("jöe@exämple.org", "Hello", "text body", "<p>html</p>")
    finally:
        controller.stop()
    [(rcpt, utf8, content)] = received
    assert rcpt == ["jöe@exämple.org"] and utf8
    assert message_from_bytes(content, policy=policy.default)["To"] == "jöe@exämple.org"
