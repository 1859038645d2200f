"""send_email(): the one place that talks SMTP.

Backends: "smtp" (when FORUM_MAIL_SERVER is set), "file" (each message as an
.eml in instance/outbox/, the default, so a local admin can read them) and
"memory" (tests read app.extensions["outbox"]).
"""

from __future__ import annotations

import smtplib
import uuid
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from flask import current_app


class MailError(Exception):
    """A message could not be handed to the mail server."""


def _clean_header(value: str) -> str:
    """Headers are single lines: CR/LF in a title must never split one."""
    return " ".join(value.split())[:400]


def build_message(
    to: str,
    subject: str,
    text_body: str,
    html_body: str | None = None,
    headers: dict[str, str] | None = None,
) -> EmailMessage:
    """A multipart (text, and HTML when given) message with safe headers."""
    msg = EmailMessage()
    msg["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    msg["To"] = _clean_header(to)
    msg["Subject"] = _clean_header(subject)
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain="forum.local")
    for name, value in (headers or {}).items():
        msg[name] = _clean_header(value)
    msg.set_content(text_body)
    if html_body is not None:
        msg.add_alternative(html_body, subtype="html")
    # Serialise header lines up to RFC 5322's 998 characters. At the default 78, a long
    # value with no spaces (a List-Unsubscribe URL) is folded into RFC 2047 encoded
    # words, which mail clients don't decode there. Bodies were encoded above already.
    msg.policy = msg.policy.clone(max_line_length=998)
    return msg


def send_email(
    to: str,
    subject: str,
    text_body: str,
    html_body: str | None = None,
    headers: dict[str, str] | None = None,
) -> EmailMessage:
    """Send one message through the configured backend; raise MailError on failure."""
    msg = build_message(to, subject, text_body, html_body, headers)
    config = current_app.config
    backend = config.get("MAIL_BACKEND") or ("smtp" if config.get("MAIL_SERVER") else "file")
    if backend == "memory":
        current_app.extensions.setdefault("outbox", []).append(msg)
    elif backend == "file":
        outbox = Path(current_app.instance_path) / "outbox"
        outbox.mkdir(parents=True, exist_ok=True)
        (outbox / f"{uuid.uuid4().hex}.eml").write_bytes(bytes(msg))
    else:
        _send_smtp(msg)
    return msg


def _send_smtp(msg: EmailMessage) -> None:
    config = current_app.config
    factory = smtplib.SMTP_SSL if config.get("MAIL_USE_SSL") else smtplib.SMTP
    try:
        with factory(config["MAIL_SERVER"], int(config.get("MAIL_PORT") or 25), timeout=30) as s:
            if config.get("MAIL_USE_TLS") and not config.get("MAIL_USE_SSL"):
                s.starttls()
            if config.get("MAIL_USERNAME"):
                s.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
            s.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(str(exc)) from exc
