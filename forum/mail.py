"""send_email(): the one place that talks SMTP.

Backends: "smtp" (when FORUM_MAIL_SERVER is set), "file" (each message as an
.eml in instance/outbox/, the default, so a local admin can read them) and
"memory" (tests read app.extensions["outbox"]).
"""

from __future__ import annotations

import smtplib
import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
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
    backend = _backend(config)
    if backend == "memory":
        current_app.extensions.setdefault("outbox", []).append(msg)
    elif backend == "file":
        outbox = Path(current_app.instance_path) / "outbox"
        outbox.mkdir(parents=True, exist_ok=True)
        (outbox / f"{uuid.uuid4().hex}.eml").write_bytes(bytes(msg))
    else:
        _send_smtp(msg, config)
    return msg


class _Session:
    """An SMTP connection kept open across send_email calls (see smtp_session)."""

    def __init__(self, max_messages: int):
        self.max_messages = max_messages
        self.client: smtplib.SMTP | None = None
        self.sent = 0

    def close(self) -> None:
        if self.client is not None:
            try:
                self.client.quit()
            except (OSError, smtplib.SMTPException):
                self.client.close()
        self.client, self.sent = None, 0


_sessions = threading.local()


@contextmanager
def smtp_session(max_messages: int = 100) -> Iterator[None]:
    """Reuse one SMTP connection for the send_email calls inside (bulk mail: digests).

    The connection is opened on first use, renewed every `max_messages` (servers
    cap messages per connection), and dropped after any error, so the next
    message starts afresh; the failing message itself is reported, not retried.
    """
    session = _Session(max_messages)
    _sessions.current = session
    try:
        yield
    finally:
        _sessions.current = None
        session.close()


def _connect() -> smtplib.SMTP:
    config = current_app.config
    factory = smtplib.SMTP_SSL if config.get("MAIL_USE_SSL") else smtplib.SMTP
    client = factory(config["MAIL_SERVER"], int(config.get("MAIL_PORT") or 25), timeout=30)
    try:
        if config.get("MAIL_USE_TLS") and not config.get("MAIL_USE_SSL"):
            client.starttls()
        if config.get("MAIL_USERNAME"):
            client.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
    except BaseException:
        client.close()
        raise
    return client


def _backend(config) -> str:
    return config.get("MAIL_BACKEND") or ("smtp" if config.get("MAIL_SERVER") else "file")


def in_background(job: Callable[..., None], *args) -> None:
    """Run `job(*args)` in an app context after the request when mail goes to a real server.

    For pages whose timing must not depend on whether a message is sent (password
    reset): building and sending it happens off the request. With the memory and file
    backends the job runs at once, so tests and local admins see the message straight away.
    """
    app = current_app._get_current_object()
    if _backend(app.config) != "smtp":
        job(*args)
        return
    _background().submit(_run_job, app, job, args)


_executor: ThreadPoolExecutor | None = None


def _background() -> ThreadPoolExecutor:
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="mail")
    return _executor


def _run_job(app, job: Callable[..., None], args: tuple) -> None:
    with app.app_context():
        try:
            job(*args)
        except Exception:  # a background job has no one else to tell
            app.logger.exception("background mail job failed")


def _send_smtp(msg: EmailMessage, config=None) -> None:
    """Hand one message to the SMTP server (per message; tests replace it)."""
    session: _Session | None = getattr(_sessions, "current", None)
    try:
        if session is None:
            with _connect() as client:
                client.send_message(msg)
            return
        if session.client is None or session.sent >= session.max_messages:
            session.close()
            session.client = _connect()
        session.sent += 1
        session.client.send_message(msg)
    except smtplib.SMTPRecipientsRefused as exc:
        # smtplib has reset the transaction: the connection stays usable.
        raise MailError(str(exc)) from exc
    except (OSError, smtplib.SMTPException) as exc:
        if session is not None:
            session.close()
        raise MailError(str(exc)) from exc
