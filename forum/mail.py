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


def _normalized(subtype: str, body: str) -> str:
    """LF line ends; HTML made ASCII with character references (&#183;)."""
    text = body.replace("\r\n", "\n").replace("\r", "\n")
    if subtype == "html":
        text = text.encode("ascii", "xmlcharrefreplace").decode("ascii")
    return text


def _fits_7bit(text: str, raw: bytes) -> bool:
    return raw.isascii() and "\0" not in text and max(map(len, text.split("\n"))) <= MAX_7BIT_LINE


def _part_headers(subtype: str, cte: bytes) -> bytes:
    return (
        b"Content-Type: text/" + subtype.encode() + b'; charset="utf-8"\r\n'
        b"Content-Transfer-Encoding: " + cte + b"\r\n"
    )


def _part(subtype: str, body: str) -> tuple[bytes, bytes]:
    """(headers, encoded body) of one text part: 7bit when it is ASCII with lines short
    enough for SMTP, else quoted-printable (lines of at most 76 characters).

    HTML is made ASCII with character references (&#183;), so it usually goes as 7bit:
    as long as its lines, instead of 76-character quoted-printable lines with every
    "=" escaped (mail servers handle a message line by line).
    """
    text = _normalized(subtype, body)
    raw = text.encode("utf-8")
    if _fits_7bit(text, raw):
        cte, payload = b"7bit", raw
    else:
        cte, payload = b"quoted-printable", binascii.b2a_qp(raw)
    if not payload.endswith(b"\n"):
        payload += b"\n"
    return _part_headers(subtype, cte), payload.replace(b"\n", b"\r\n")


def _head(to: str, subject: str, headers: dict[str, str] | None) -> list[bytes]:
    """The header lines of a message, up to and including MIME-Version."""
    lines = [
        _header("From", current_app.config["MAIL_DEFAULT_SENDER"]),
        _header("To", to),
        _header("Subject", subject),
        f"Date: {formatdate(localtime=False)}\r\n".encode(),
        f"Message-ID: {make_msgid(domain='forum.local')}\r\n".encode(),
    ]
    lines += [_header(name, value) for name, value in (headers or {}).items()]
    lines.append(b"MIME-Version: 1.0\r\n")
    return lines


def _boundary() -> bytes:
    return b"=_" + secrets.token_hex(12).encode()  # "=_" never occurs in QP


def _alternative(boundary: bytes, text_headers, text, html_headers, html) -> list[bytes]:
    # The CRLF before a boundary belongs to it (RFC 2046): each part keeps its last one.
    return [
        b'Content-Type: multipart/alternative; boundary="' + boundary + b'"\r\n\r\n',
        b"--" + boundary + b"\r\n" + text_headers + b"\r\n" + text,
        b"\r\n--" + boundary + b"\r\n" + html_headers + b"\r\n" + html,
        b"\r\n--" + boundary + b"--\r\n",
    ]


def build_message(
    to: str,
    subject: str,
    text_body: str,
    html_body: str | None = None,
    headers: dict[str, str] | None = None,
) -> Outgoing:
    """A multipart (text, and HTML when given) message with safe headers."""
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    lines = _head(to, subject, headers)
    text_headers, text = _part("plain", text_body)
    if html_body is None:
        lines += [text_headers, b"\r\n", text]
    else:
        html_headers, html = _part("html", html_body)
        boundary = _boundary()
        while boundary in text or boundary in html:
            boundary = _boundary()
        lines += _alternative(boundary, text_headers, text, html_headers, html)
    return Outgoing(_envelope_sender(sender), _clean_header(to), b"".join(lines))


class _Static:
    """Lines of a part that are the same for every recipient, encoded once."""

    __slots__ = ("source", "fits_7bit", "_encoded")

    def __init__(self, subtype: str, source: str):
        self.source = source
        text = _normalized(subtype, source)
        raw = text.encode("utf-8")
        self.fits_7bit = _fits_7bit(text, raw)
        cte = b"7bit" if self.fits_7bit else b"quoted-printable"
        self._encoded = {cte: _encode(raw, cte)}

    def encoded(self, cte: bytes, subtype: str) -> bytes:
        if cte not in self._encoded:  # 7bit lines, but another piece needs quoted-printable
            raw = _normalized(subtype, self.source).encode("utf-8")
            self._encoded[cte] = _encode(raw, cte)
        return self._encoded[cte]


def _encode(raw: bytes, cte: bytes) -> bytes:
    """Lines (LF) as sent (CRLF): as they are in 7bit, else quoted-printable."""
    if cte == b"7bit":
        return raw.replace(b"\n", b"\r\n")
    return binascii.b2a_qp(raw).replace(b"\n", b"\r\n")


class _PartTemplate:
    """One part (text or HTML) as runs of lines without slots, encoded once, and the
    lines that hold a slot, encoded per recipient.

    _part's encodings work line by line (quoted-printable wraps and escapes within a
    line; a line end is a line end in both), so encoding runs of whole lines apart and
    joining them gives the same bytes as encoding the whole. Only the choice between
    7bit and quoted-printable is the whole part's: made per message from every run.
    """

    def __init__(self, subtype: str, body: str, slots: tuple[str, ...]):
        self.subtype, self.slots = subtype, slots
        # The lines holding a slot, as [start, end) spans of whole lines (a CR stays inside
        # its line, and is normalized with it).
        spans: list[list[int]] = []
        for start in sorted(_occurrences(body, slots)):
            line_start = body.rfind("\n", 0, start) + 1
            line_end = body.find("\n", start)
            line_end = len(body) if line_end < 0 else line_end + 1
            if spans and line_start <= spans[-1][1]:
                spans[-1][1] = max(spans[-1][1], line_end)
            else:
                spans.append([line_start, line_end])
        self.pieces: list[_Static | str] = []
        done = 0
        for line_start, line_end in spans:
            if line_start > done:
                self.pieces.append(_Static(subtype, body[done:line_start]))
            self.pieces.append(body[line_start:line_end])
            done = line_end
        if done < len(body):
            self.pieces.append(_Static(subtype, body[done:]))

    def _fill(self, piece: str, values: dict[str, str]) -> str:
        for slot in self.slots:
            if slot in piece:
                piece = piece.replace(slot, values[slot])
        return piece

    def text(self, values: dict[str, str]) -> str:
        """The part as rendered, slots filled in (what build_message would be given)."""
        return "".join(
            self._fill(p, values) if isinstance(p, str) else p.source for p in self.pieces
        )

    def encode(self, values: dict[str, str]) -> tuple[bytes, bytes]:
        """(Content-Transfer-Encoding, payload), as _part gives for text(values)."""
        filled: list[bytes | _Static] = []
        seven = True
        for piece in self.pieces:
            if isinstance(piece, str):
                text = _normalized(self.subtype, self._fill(piece, values))
                raw = text.encode("utf-8")
                seven = seven and _fits_7bit(text, raw)
                filled.append(raw)
            else:
                seven = seven and piece.fits_7bit
                filled.append(piece)
        cte = b"7bit" if seven else b"quoted-printable"
        payload = b"".join(
            _encode(p, cte) if isinstance(p, bytes) else p.encoded(cte, self.subtype)
            for p in filled
        )
        if not payload.endswith(b"\n"):
            payload += b"\r\n"
        return cte, payload


def _occurrences(body: str, slots: tuple[str, ...]) -> Iterator[int]:
    for slot in slots:
        at = body.find(slot)
        while at >= 0:
            yield at
            at = body.find(slot, at + len(slot))


class MessageTemplate:
    """A text-and-HTML body encoded once for many recipients who differ only in a few
    marked strings (`slots`: unguessable markers standing for a link, a section of their
    own), filled in per recipient by build().

    build() gives the bytes build_message() gives for the filled-in text and HTML (but
    for Date, Message-ID and the MIME boundary, new in every message), while encoding
    only the lines that hold a slot: for bulk mail (digests, tens of kilobytes each)
    the body is encoded once instead of once per recipient.
    """

    def __init__(self, text: str, html: str, slots: tuple[str, ...]):
        self._text = _PartTemplate("plain", text, slots)
        self._html = _PartTemplate("html", html, slots)
        self._boundary = _boundary()

    def text(self, values: dict[str, str]) -> str:
        return self._text.text(values)

    def html(self, values: dict[str, str]) -> str:
        return self._html.text(values)

    def build(
        self, to: str, subject: str, values: dict[str, str], headers: dict[str, str] | None
    ) -> Outgoing:
        text_cte, text = self._text.encode(values)
        html_cte, html = self._html.encode(values)
        while self._boundary in text or self._boundary in html:
            self._boundary = _boundary()
        lines = _head(to, subject, headers)
        lines += _alternative(
            self._boundary,
            _part_headers("plain", text_cte),
            text,
            _part_headers("html", html_cte),
            html,
        )
        sender = current_app.config["MAIL_DEFAULT_SENDER"]
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
    return send_message(build_message(to, subject, text_body, html_body, headers))


def send_message(msg: Outgoing, then: Outgoing | None = None) -> Outgoing:
    """Send a built message (build_message, MessageTemplate.build); raise MailError.

    `then`, inside smtp_session: the message the caller sends next. Its MAIL, RCPT
    and DATA go with this one's end of data (a round trip less per message, RFC 2920);
    if the next call sends something else, or none comes, that connection is dropped
    and the server discards the half-begun message.
    """
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
        session = getattr(_sessions, "current", None)
        if session is not None:
            session.then = then  # (not an argument: tests replace _send_smtp(msg, config))
        _send_smtp(msg, config)
    return msg


class _Session:
    """An SMTP connection kept open across send_email calls (see smtp_session)."""

    def __init__(self, max_messages: int):
        self.max_messages = max_messages
        self.client: smtplib.SMTP | None = None
        self.sent = 0
        # The message whose MAIL, RCPT and DATA went out with the previous message's end
        # of data (see _transaction), waiting for its content on the server.
        self.primed: Outgoing | None = None
        self.then: Outgoing | None = None  # what the caller sends next (send_message)

    def close(self, drop: bool = False) -> None:
        """QUIT, or `drop` the connection (after an error, or with a message primed:
        the server may be reading content, where QUIT would become part of it;
        a dropped connection makes it discard that message)."""
        if self.client is not None:
            if drop or self.primed is not None:
                self.client.close()
            else:
                try:
                    self.client.quit()
                except (OSError, smtplib.SMTPException):
                    self.client.close()
        self.client, self.sent, self.primed = None, 0, None


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
    try:
        if session is None:
            with _connect() as client:
                _transaction(client, msg)
            return
        if session.primed is not None and session.primed is not msg:
            session.close()  # not the message it was primed for: drop that one
        if session.client is None or session.sent >= session.max_messages:
            session.close()
            session.client = _connect()
        session.sent += 1
        then, session.then = session.then, None
        primed, session.primed = session.primed is msg, None
        if then is not None and session.sent >= session.max_messages:
            then = None  # this connection ends after this message
        session.primed = _transaction(session.client, msg, primed, then)
    except smtplib.SMTPRecipientsRefused as exc:
        # The transaction was reset: the connection stays usable.
        raise MailError(str(exc)) from exc
    except (OSError, smtplib.SMTPException) as exc:
        if session is not None:
            session.close(drop=True)
        raise MailError(str(exc)) from exc
    except BaseException:
        # Anything else mid-conversation (Ctrl-C): the connection's state is unknown
        # (commands may be primed), so it is never used again.
        if session is not None:
            session.close(drop=True)
        raise


def _transaction(
    client: smtplib.SMTP, msg: Outgoing, primed: bool = False, then: Outgoing | None = None
) -> Outgoing | None:
    """One message on an open connection; returns `then` if it was primed.

    With a server that offers PIPELINING (RFC 2920; Postfix and Exim do), MAIL,
    RCPT and DATA go in one write, and when the caller says which message comes
    next, that write goes with this message's end of data (content may lead a
    group of commands): one round trip per message instead of smtplib's four.
    `primed`: this message's commands went with the previous one's end of data.
    An international address needs SMTPUTF8, which smtplib checks.
    """
    client.ehlo_or_helo_if_needed()
    if not primed and not _pipelines(client, msg):
        options = ["SMTPUTF8", "BODY=8BITMIME"] if msg.international else []
        client.sendmail(msg.sender, [msg.to], msg.data, options)
        return None
    if not primed:
        client.send(_commands(client, msg))
    mail, rcpt, data = client.getreply(), client.getreply(), client.getreply()
    if data[0] == 354 and (mail[0] != 250 or rcpt[0] not in (250, 251)):
        # A server must refuse DATA without a recipient; this one did not. Drop the
        # connection rather than send it anything (the caller closes it).
        raise smtplib.SMTPDataError(data[0], b"DATA accepted after a refused MAIL or RCPT")
    if mail[0] != 250:
        client.rset()
        raise smtplib.SMTPSenderRefused(mail[0], mail[1], msg.sender)
    if rcpt[0] not in (250, 251):
        client.rset()
        raise smtplib.SMTPRecipientsRefused({msg.to: rcpt})
    if data[0] != 354:
        client.rset()
        raise smtplib.SMTPDataError(*data)
    content = msg.data
    if b"\n." in content or content.startswith(b"."):  # RFC 5321 4.5.2: dot-stuffing
        content = content.replace(b"\n.", b"\n..")
        if content.startswith(b"."):
            content = b"." + content
    ending = b".\r\n" if content.endswith(b"\r\n") else b"\r\n.\r\n"
    if then is not None and not _pipelines(client, then):
        then = None
    client.send(b"".join((content, ending, _commands(client, then) if then else b"")))
    code, reply = client.getreply()
    if code != 250:
        raise smtplib.SMTPDataError(code, reply)
    return then


def _pipelines(client: smtplib.SMTP, msg: Outgoing) -> bool:
    return not msg.international and client.has_extn("pipelining")


def _commands(client: smtplib.SMTP, msg: Outgoing) -> bytes:
    size = f" SIZE={len(msg.data)}" if client.has_extn("size") else ""
    return (
        f"MAIL FROM:{_address(msg.sender)}{size}\r\nRCPT TO:{_address(msg.to)}\r\nDATA\r\n"
    ).encode("ascii")


def _address(address: str) -> str:
    """<address> for MAIL FROM and RCPT TO (a plain address as is, else as smtplib does)."""
    if _PLAIN_ADDRESS.fullmatch(address):
        return f"<{address}>"
    return smtplib.quoteaddr(address)
