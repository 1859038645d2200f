"""The fast send path of a digest run (issue 22) gives what the plain path gives.

* The shared body is MIME-encoded once (forum.mail.MessageTemplate) and only the lines
  holding a member's own parts per member: the message equals, header by header and
  byte for byte, what build_message() makes of the same text and HTML.
* A member's replies in followed threads come from per-thread fragments
  (messages.Fragments.replies): the same text as the template that rendered them whole.
* Unsubscribe tokens are signed without itsdangerous' layers: the same tokens.
* SMTP with PIPELINING (one round trip a message: the next message's commands go
  with this one's end of data) delivers, and a refused recipient leaves the
  connection usable, as without it; a primed message never sent is never delivered.
* Nobody's personal parts reach anyone else's message.
"""

from __future__ import annotations

import random
import re
import time
import zlib
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

from bench.smtp_sink import RelaySMTP
from forum import mail
from forum.digests import sending
from forum.digests.building import build_digest
from forum.digests.messages import Bodies, Fragments, compose, outgoing
from forum.digests.models import Delivery, ThreadFollow
from forum.digests.tokens import (
    UNSUBSCRIBE_SALT,
    Scope,
    _serializer,
    make_unsubscribe_token,
    read_unsubscribe_token,
)
from forum.extensions import db, now_utc
from forum.mail import MailError, MessageTemplate, build_message, send_email, smtp_session
from tests import factories as f
from tests.digest_support import (  # noqa: F401 (fixtures)
    Recorder,
    config_overrides,
    free_port,
    inbox,
    later,
    reader,
    site,
    smtp,
    text_and_html,
)


def _normalized(raw: bytes) -> bytes:
    """The bytes but for what is new in every message: Date, Message-ID, MIME boundary."""
    raw = re.sub(rb"Date: [^\r]*\r\n", b"Date: -\r\n", raw)
    raw = re.sub(rb"Message-ID: [^\r]*\r\n", b"Message-ID: -\r\n", raw)
    return re.sub(rb"=_[0-9a-f]{24}", b"=_BOUNDARY", raw)


@pytest.fixture
def world(site):
    """Members alike, a starter, members following threads with new replies, odd titles."""
    alike = [reader(f"alike_{i}") for i in range(3)]
    follower = reader("follows_two")
    other = reader("follows_one", time_zone="America/Chicago")
    starter = reader("starter_sam")
    first = f.make_thread(site["author"], site["public"], title="Réunion d’équipe · “IEP” …")
    second = f.make_thread(starter, site["public"], title="A very long title " + "x" * 120)
    third = f.make_thread(site["author"], site["members"], title="Tom & Jerry <b>, “quoted”")
    f.make_thread(site["author"], site["members"], title="=?utf-8?q?not_a_word?= .dot")
    for thread in (first, second, third):
        f.make_reply(site["author"], thread, body="Café · answer " * 20)
        # Started before the members' windows: only the replies are new to them.
        thread.created_at = now_utc() - timedelta(days=2)
    for member, thread in ((follower, first), (follower, second), (follower, third),
                           (other, first)):  # fmt: skip
        db.session.add(ThreadFollow(user_id=member.id, thread_id=thread.id))
    db.session.commit()
    return {"alike": alike, "follower": follower, "other": other, "starter": starter}


def _digests(when):
    with sending.Run("weekly", now=when, dry_run=True) as run:
        digests = [build_digest(r, run.candidates, run.kind) for r in run.recipients]
    return [d for d in digests if not d.is_empty]


def test_a_message_from_the_shared_encoded_body_is_the_one_build_message_makes(
    app, world, monkeypatch
):
    monkeypatch.setattr(time, "time", lambda: 1_796_000_000.0)  # the same token both ways
    when = later()
    with sending.Run("weekly", now=when, dry_run=True) as run:
        digests = [build_digest(r, run.candidates, run.kind) for r in run.recipients]
        digests = [d for d in digests if not d.is_empty]
        shared = Bodies()
        checked = set()
        for digest in digests + digests:  # the second time from the kept bodies
            fast = outgoing(digest, shared)
            plain = compose(digest, Bodies())
            slow = build_message(plain.to, plain.subject, plain.text, plain.html, plain.headers)
            assert _normalized(fast.data) == _normalized(slow.data)
            assert (fast.sender, fast.to) == (slow.sender, slow.to)
            a = message_from_bytes(fast.data, policy=policy.default)
            b = message_from_bytes(slow.data, policy=policy.default)
            for name in ("From", "To", "Subject", "List-Unsubscribe", "List-Unsubscribe-Post",
                         "Auto-Submitted", "MIME-Version"):  # fmt: skip
                assert a[name] == b[name], name
            assert text_and_html(a) == text_and_html(b)
            checked.add(digest.recipient.user.username)
    assert len(shared) < len(digests)  # some bodies were shared
    assert {"follows_two", "follows_one", "starter_sam", "alike_0"} <= checked


def test_message_templates_encode_like_build_message_whatever_the_text(app):
    """Random text around the slots: non-ASCII, '=', tabs and spaces at line ends, lone CRs,
    dots, NULs and over-long lines (quoted-printable or 7bit, chosen per message)."""
    rng = random.Random(22)
    pieces = ["a", "b", " ", "\t", "=", ".", "·", "é", "\n", "\n", "\r", "\r\n", "x" * 70,
              "y" * 1000, "<", "&", "\0", "…", "=_"]  # fmt: skip
    slots = ("@@link@@", "@@mine@@")

    def words(n: int) -> str:
        return "".join(rng.choice(pieces) for _ in range(rng.randint(0, n)))

    for _ in range(400):
        bodies = [
            "".join(words(8) + (rng.choice(slots) if rng.random() < 0.5 else "") for _ in range(6))
            for _ in range(2)
        ]
        values = {slots[0]: words(5), slots[1]: words(12)}
        template = MessageTemplate(bodies[0], bodies[1], slots)

        text, html = (_fill(body, values) for body in bodies)
        assert (template.text(values), template.html(values)) == (text, html)
        fast = template.build("p@example.org", "Hi", values, {"X-Test": "1"})
        slow = build_message("p@example.org", "Hi", text, html, {"X-Test": "1"})
        assert _normalized(fast.data) == _normalized(slow.data), (bodies, values)


def _fill(body: str, values: dict[str, str]) -> str:
    for slot, value in values.items():
        body = body.replace(slot, value)
    return body


# The templates that rendered a member's replies whole, before the per-thread fragments
# (autoescaping as for .txt and .html files: from_string would escape both).
_WHOLE_TEXT = """{% autoescape false %}{% if digest.replies %}

New replies in threads you follow
{% for g in digest.replies %}
- {{ g.title | oneline }} ({{ g.category | oneline }}): {{ g.count }} new {{ 'reply' if g.count == 1 else 'replies' }}, latest from {{ g.latest.author.label }}
  {{ g.url }}
{% endfor %}
{%- if digest.more_replies %}
... and new replies in {{ digest.more_replies }} more {{ 'thread' if digest.more_replies == 1 else 'threads' }} you follow.
{% endif %}{% endif %}{% endautoescape %}"""  # noqa: E501
_WHOLE_HTML = """{% autoescape true %}{% set h2 = "font-size: 18px; margin: 24px 0 10px; padding-bottom: 4px; border-bottom: 1px solid #d9d2c5;" %}
{% if digest.replies %}
<h2 style="{{ h2 }}">New replies in threads you follow</h2>
<ul style="margin: 0; padding: 0 0 0 20px;">
{% for g in digest.replies %}
<li style="margin: 0 0 10px;"><a href="{{ g.url }}" style="color: #1d5c63; font-weight: bold;">{{ g.title | oneline }}</a>
<span style="color: #555b63; font-size: 14px;">({{ g.category | oneline }}): {{ g.count }} new {{ 'reply' if g.count == 1 else 'replies' }}, latest from {{ g.latest.author.label }}</span></li>
{% endfor %}
</ul>
{% if digest.more_replies %}<p style="margin: 0;">And new replies in {{ digest.more_replies }} more {{ 'thread' if digest.more_replies == 1 else 'threads' }} you follow.</p>{% endif %}
{% endif %}{% endautoescape %}"""  # noqa: E501


@pytest.mark.parametrize("cap", [20, 1])
def test_replies_from_per_thread_fragments_read_as_the_whole_list_did(app, world, cap):
    app.config["DIGEST_MAX_REPLY_THREADS"] = cap  # 1: "and N more threads"
    digests = _digests(later())
    fragments = Fragments()
    whole_text = app.jinja_env.from_string(_WHOLE_TEXT)
    whole_html = app.jinja_env.from_string(_WHOLE_HTML)
    with_replies = 0
    for digest in digests + digests:
        text, html = fragments.replies(digest.replies, digest.more_replies)
        if not digest.replies:  # the whole template was never rendered for no replies
            assert (text, html) == ("", "")
            continue
        assert text == whole_text.render(digest=digest)
        assert html == whole_html.render(digest=digest)
        with_replies += 1
    assert with_replies >= 4


def test_each_member_gets_only_their_own_link_and_replies(app, world, inbox):
    summary = sending.send("weekly", now=later())
    assert summary.failed == 0 and summary.sent == len(inbox.messages) >= 6
    links, texts = {}, {}
    for message in inbox.messages:
        text, html = text_and_html(message)
        link = message["List-Unsubscribe"].strip("<>")
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        user_id, scope = read_unsubscribe_token(link.rsplit("/", 1)[1])
        user = db.session.get(type(world["follower"]), user_id)
        assert (user.email, scope) == (message["To"], Scope.DIGEST)
        assert text.count(link) == 1 and html.count(link) == 1
        links[user.username], texts[user.username] = link, (text, html)
    for name, (text, html) in texts.items():
        for other, link in links.items():
            if other != name:
                assert link not in text and link not in html, (other, name)
    follower_text = texts["follows_two"][0]
    assert "New replies in threads you follow" in follower_text
    assert "Réunion d’équipe" in follower_text.split("New replies in threads you follow")[1]
    assert "A very long title" in follower_text.split("New replies in threads you follow")[1]
    other_text = texts["follows_one"][0].split("New replies in threads you follow")[1]
    assert "Réunion d’équipe" in other_text and "A very long title" not in other_text
    assert "New replies in threads you follow" not in texts["alike_0"][0]


def test_unsubscribe_tokens_are_the_ones_itsdangerous_signs(app, monkeypatch):
    monkeypatch.setattr(time, "time", lambda: 1_796_000_000.0)
    serializer = _serializer(UNSUBSCRIBE_SALT)
    ids = [0, 1, 7, 99, 12345, 11111111, 12121212, 99999999, 10**8, 10**12]
    ids += random.Random(8).sample(range(10**8), 200)
    for user_id in ids:
        for scope in Scope:
            token = make_unsubscribe_token(user_id, scope)
            assert token == serializer.dumps({"u": user_id, "s": str(scope)})
            assert read_unsubscribe_token(token) == (user_id, scope)
    # Why no zlib attempt below 10**8: compressing never saves the 2 bytes it would need.
    for user_id in [*range(0, 20000, 7), 11111111, 99999999, 12341234, 10101010]:
        for scope in Scope:
            payload = f'{{"u":{user_id},"s":"{scope}"}}'.encode()
            assert len(zlib.compress(payload)) >= len(payload) - 1


class _PipeliningRecorder(Recorder):
    """The tests' recorder behind the bench's relay: PIPELINING offered."""

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        await super().handle_EHLO(server, session, envelope, hostname, responses)
        return [*responses[:-1], "250-PIPELINING", responses[-1]]


class _RelayController(Controller):
    def factory(self):
        return RelaySMTP(self.handler, hostname="127.0.0.1")


@pytest.fixture
def relay():
    recorder = _PipeliningRecorder()
    controller = _RelayController(recorder, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, recorder
    controller.stop()


@pytest.mark.parametrize("pipelining", [True, False])
def test_smtp_with_or_without_pipelining_delivers_and_survives_a_refusal(
    app, relay, inbox, pipelining
):
    recorder = relay[1] if pipelining else inbox
    port = relay[0].port if pipelining else app.config["MAIL_PORT"]
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    recorder.refuse.add("gone@example.org")
    body = "Line one\n.starts with a dot\n..two dots\n" + "long line " * 120 + "\n"
    with smtp_session(100):
        send_email("first@example.org", "One", body, "<p>One ·</p>\n.<p>dot</p>")
        with pytest.raises(MailError):
            send_email("gone@example.org", "Two", body)
        send_email("third@example.org", "Three", body, "<p>Three</p>")
    assert recorder.sessions == 1  # the refusal kept the connection
    assert [m["To"] for m in recorder.messages] == ["first@example.org", "third@example.org"]
    text, html = text_and_html(recorder.messages[0])
    assert text == body.replace("\n", "\r\n")
    assert html == "<p>One ·</p>\r\n.<p>dot</p>\r\n"


def _smtp_to(app, controller) -> None:
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port)


def test_primed_messages_arrive_whole_in_order_and_a_refusal_keeps_the_connection(app, relay):
    """Each message's MAIL, RCPT and DATA go with the previous one's end of data."""
    controller, recorder = relay
    _smtp_to(app, controller)
    recorder.refuse.add("gone@example.org")
    body = ".leading dot\nmiddle\n..two\n"
    messages = [
        build_message(to, f"Subject {i}", body, f"<p>{i}</p>")
        for i, to in enumerate(
            ["a@example.org", "gone@example.org", "c@example.org", "d@example.org"]
        )
    ]
    failed = []
    with smtp_session(3):  # a new connection after three: the third primes nothing
        for i, message in enumerate(messages):
            then = messages[i + 1] if i + 1 < len(messages) else None
            try:
                sending.send_message(message, then=then)
            except MailError:
                failed.append(message.to)
    assert failed == ["gone@example.org"]
    assert [m["To"] for m in recorder.messages] == ["a@example.org", "c@example.org",
                                                    "d@example.org"]  # fmt: skip
    assert recorder.sessions == 2
    for message in recorder.messages:
        assert text_and_html(message)[0] == body.replace("\n", "\r\n")


def test_a_primed_message_that_is_never_sent_is_never_delivered(app, relay):
    """The run stops (or sends something else) after priming: the server drops it."""
    controller, recorder = relay
    _smtp_to(app, controller)
    one, two, three = (build_message(f"{n}@example.org", n, n) for n in ("one", "two", "three"))
    with smtp_session(100):
        sending.send_message(one, then=two)
        assert mail._sessions.current.primed is two  # its commands went out
        sending.send_message(three)  # not the primed one: that connection is dropped
    with smtp_session(100):
        sending.send_message(one, then=two)  # and the run ends here
    time.sleep(0.2)  # the server notices the dropped connections
    assert [m["To"] for m in recorder.messages] == ["one@example.org", "three@example.org",
                                                    "one@example.org"]  # fmt: skip


class _Crash(BaseException):
    pass


def test_a_digest_run_that_stops_mid_batch_delivers_exactly_what_it_marked(
    app, site, relay, monkeypatch
):
    """With priming, the fifth member's commands went out with the fourth's message; the
    run stops before sending the fifth: four arrive, four are marked, none twice later."""
    controller, recorder = relay
    _smtp_to(app, controller)
    for i in range(8):
        reader(f"primed_{i}")
    f.make_thread(site["author"], site["public"])
    real_send, calls = sending.send_message, []

    def stops_on_the_fifth(message, then=None):
        calls.append(message)
        if len(calls) == 5:
            raise _Crash()
        return real_send(message, then=then)

    monkeypatch.setattr(sending, "send_message", stops_on_the_fifth)
    when = later()
    with pytest.raises(_Crash):
        sending.send("weekly", now=when)
    monkeypatch.undo()
    _smtp_to(app, controller)
    time.sleep(0.2)
    assert len(recorder.messages) == 4
    db.session.remove()
    rows = db.session.scalars(db.select(Delivery.status)).all()
    assert rows.count("sent") == 4
    db.session.execute(db.update(Delivery).values(claimed_at=now_utc() - timedelta(days=1)))
    db.session.commit()
    sending.send("weekly", now=when)
    received = [m["To"] for m in recorder.messages]
    assert len(received) == len(set(received)) == len(rows)


def test_an_interruption_mid_conversation_never_reuses_the_connection(app, relay, monkeypatch):
    """Ctrl-C while a reply is awaited: the connection's state is unknown (the next
    message may be primed), so it is dropped, and nothing half-sent is delivered."""
    controller, recorder = relay
    _smtp_to(app, controller)
    one, two, three = (build_message(f"{n}@example.org", n, n) for n in ("one", "two", "three"))
    with smtp_session(100):
        sending.send_message(one, then=two)
        client = mail._sessions.current.client
        monkeypatch.setattr(client, "getreply", lambda: (_ for _ in ()).throw(KeyboardInterrupt))
        with pytest.raises(KeyboardInterrupt):
            sending.send_message(two, then=three)
        assert mail._sessions.current.client is None
        sending.send_message(three)  # on a new connection
    time.sleep(0.2)
    assert [m["To"] for m in recorder.messages] == ["one@example.org", "three@example.org"]
