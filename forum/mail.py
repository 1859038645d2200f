"""send_email(): the one place that talks SMTP.

Backends: "smtp" (when FORUM_MAIL_SERVER is set), "file" (each message as an
.eml in instance/outbox/, the default, so a local admin can read them) and
"memory" (tests read app.extensions["outbox"]).

Messages are written as bytes here rather than with `email.message.EmailMessage`:
for a digest run the email package (header registry, content manager, generator,
and smtplib flattening it again) cost half of the CPU per message. What we send
is always the same small shape, so it is written directly, and the email package
is used only for header values that need encoding (non-ASCII, or not a plain
address). Tests parse what arrives with the email package, so its output is checked.
"""

from __future__ import annotations

import binascii
import re
import secrets
import smtplib
import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.utils import formatdate, make_msgid, parseaddr
from functools import lru_cache
from pathlib import Path

from flask import current_app

# RFC 5322 allows 998 characters a line. At the usual 78, a long value with no spaces
# (a List-Unsubscribe URL) is folded into RFC 2047 encoded words, which mail clients
# don't decode there.
_POLICY = policy.SMTP.clone(max_line_length=998)
_UTF8_POLICY = _POLICY.clone(utf8=True)
_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+")
_ADDRESS_HEADERS = {"from", "to", "cc", "reply-to", "sender"}
MAX_7BIT_LINE = 998


class MailError(Exception):
    """A message could not be handed to the mail server."""


@dataclass(frozen=True)
class Outgoing:
    """A message as it goes out: the envelope and the bytes (CRLF line endings)."""

    sender: str
    to: str
    data: bytes

    @property
    def international(self) -> bool:
        """A non-ASCII address: needs a server that offers SMTPUTF8 (RFC 6531)."""
        return not (self.sender + self.to).isascii()


def _clean_header(value: str) -> str:
    """Headers are single lines: CR/LF in a title must never split one."""
    return " ".join(value.split())[:400]


@lru_cache(maxsize=256)
def _header(name: str, value: str) -> bytes:
    """One header line. Plain ASCII is written as is; the email package encodes the rest
    (RFC 2047 words, quoted display names), or keeps UTF-8 with an international address
    (sent with SMTPUTF8, see Outgoing.international)."""
    value = _clean_header(value)
    plain = value.isascii() and "=?" not in value
    if plain and (name.lower() not in _ADDRESS_HEADERS or _PLAIN_ADDRESS.fullmatch(value)):
        return f"{name}: {value}\r\n".encode("ascii")
    header = _POLICY.header_factory(name, value)
    addresses = getattr(header, "addresses", ())
    international = not all(a.addr_spec.isascii() for a in addresses)
    return (_UTF8_POLICY if international else _POLICY).fold_binary(name, header)


def _part(subtype: str, body: str) -> tuple[bytes, bytes]:
    """(headers, encoded body) of one text part: 7bit when it is ASCII with lines short
    enough for SMTP, else quoted-printable (lines of at most 76 characters).

    HTML is made ASCII with character references (&#183;), so it usually goes as 7bit:
    as long as its lines, instead of 76-character quoted-printable lines with every
    "=" escaped (mail servers handle a message line by line).
    """
    text = body.replace("\r\n", "\n").replace("\r", "\n")
    if subtype == "html":
        text = text.encode("ascii", "xmlcharrefreplace").decode("ascii")
    raw = text.encode("utf-8")
    if raw.isascii() and "\0" not in text and max(map(len, text.split("\n"))) <= MAX_7BIT_LINE:
        cte, payload = b"7bit", raw
    else:
        cte, payload = b"quoted-printable", binascii.b2a_qp(raw)
    if not payload.endswith(b"\n"):
        payload += b"\n"
    headers = (
        b"Content-Type: text/" + subtype.encode() + b'; charset="utf-8"\r\n'
        b"Content-Transfer-Encoding: " + cte + b"\r\n"
    )
    return headers, payload.replace(b"\n", b"\r\n")


def build_message(
    to: str,
    subject: str,
    text_body: str,
    html_body: str | None = None,
    headers: dict[str, str] | None = None,
) -> Outgoing:
    """A multipart (text, and HTML when given) message with safe headers."""
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    lines = [
        _header("From", sender),
        _header("To", to),
        _header("Subject", subject),
        f"Date: {formatdate(localtime=False)}\r\n".encode(),
        f"Message-ID: {make_msgid(domain='forum.local')}\r\n".encode(),
    ]
    lines += [_header(name, value) for name, value in (headers or {}).items()]
    lines.append(b"MIME-Version: 1.0\r\n")
    text_headers, text = _part("plain", text_body)
    if html_body is None:
        lines += [text_headers, b"\r\n", text]
    else:
        html_headers, html = _part("html", html_body)
        boundary = b"=_" + secrets.token_hex(12).encode()  # "=_" never occurs in QP
        while boundary in text or boundary in html:
            boundary = b"=_" + secrets.token_hex(12).encode()
        # The CRLF before a boundary belongs to it (RFC 2046): each part keeps its last one.
        lines += [
            b'Content-Type: multipart/alternative; boundary="' + boundary + b'"\r\n\r\n',
            b"--" + boundary + b"\r\n" + text_headers + b"\r\n" + text,
            b"\r\n--" + boundary + b"\r\n" + html_headers + b"\r\n" + html,
            b"\r\n--" + boundary + b"--\r\n",
        ]
    return Outgoing(_envelope_sender(sender), _clean_header(to), b"".join(lines))


@lru_cache(maxsize=16)
def _envelope_sender(sender: str) -> str:
    return parseaddr(sender)[1]


def send_email(
    to: str,
    subject: str,
    text_body: str,
    html_body: str | None = None,
    headers: dict[str, str] | None = None,
) -> Outgoing:
    """Send one message through the configured backend; raise MailError on failure."""
    msg = build_message(to, subject, text_body, html_body, headers)
    config = current_app.config
    backend = _backend(config)
    if backend == "memory":
        parsed = message_from_bytes(msg.data, policy=policy.default)
        current_app.extensions.setdefault("outbox", []).append(parsed)
    elif backend == "file":
        outbox = Path(current_app.instance_path) / "outbox"
        outbox.mkdir(parents=True, exist_ok=True)
        (outbox / f"{uuid.uuid4().hex}.eml").write_bytes(msg.data)
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
_executor_lock = threading.Lock()


def _background() -> ThreadPoolExecutor:
    """The process's mail threads, made once even when two requests ask at the same time."""
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="mail")
        return _executor


def _run_job(app, job: Callable[..., None], args: tuple) -> None:
    with app.app_context():
        try:
            job(*args)
        except Exception:  # a background job has no one else to tell
            app.logger.exception("background mail job failed")


def _send_smtp(msg: Outgoing, config=None) -> None:
    """Hand one message to the SMTP server (per message; tests replace it)."""
    session: _Session | None = getattr(_sessions, "current", None)
    # An international address needs SMTPUTF8; smtplib refuses if the server lacks it.
    options = ["SMTPUTF8", "BODY=8BITMIME"] if msg.international else []
    try:
        if session is None:
            with _connect() as client:
                client.sendmail(msg.sender, [msg.to], msg.data, options)
            return
        if session.client is None or session.sent >= session.max_messages:
            session.close()
            session.client = _connect()
        session.sent += 1
        session.client.sendmail(msg.sender, [msg.to], msg.data, options)
    except smtplib.SMTPRecipientsRefused as exc:
        # smtplib has reset the transaction: the connection stays usable.
        raise MailError(str(exc)) from exc
    except (OSError, smtplib.SMTPException) as exc:
        if session is not None:
            session.close()
        raise MailError(str(exc)) from exc
