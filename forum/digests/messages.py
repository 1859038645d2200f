"""A built digest or notification as an email: subject, text, HTML and headers."""

from __future__ import annotations

import re
import secrets
from collections import OrderedDict
from dataclasses import dataclass

from flask import current_app, render_template
from markupsafe import Markup

from forum.digests.building import Digest, ReplyGroup, Section, external_url
from forum.digests.models import DeliveryKind
from forum.digests.tokens import Scope, make_unsubscribe_token
from forum.mail import MessageTemplate, Outgoing
from forum.templating import format_in_zone

SUBJECT_TITLE_CHARS = 80
_URL_SAFE = re.compile(r"[A-Za-z0-9_.-]+")  # itsdangerous' URL-safe tokens


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    text: str
    html: str
    headers: dict[str, str]


def short_title(title: str) -> str:
    """One line, at most SUBJECT_TITLE_CHARS: CR/LF or a huge title can't hurt a header."""
    title = " ".join(title.split())
    if len(title) > SUBJECT_TITLE_CHARS:
        title = title[: SUBJECT_TITLE_CHARS - 1].rstrip() + "…"
    return title


def subject_for(digest: Digest) -> str:
    """Neutral by default; thread titles only for members who opted in."""
    site = current_app.config["SITE_NAME"]
    titles = digest.recipient.titles_in_subject
    if digest.kind == DeliveryKind.REPLIES:
        if titles and digest.replies:
            more = len(digest.replies) - 1
            extra = f" and {more} more thread{'s' if more != 1 else ''}" if more else ""
            return f"New replies: {short_title(digest.replies[0].title)}{extra}"
        return f"New replies in threads you follow on {site}"
    entries = digest.entries
    if titles and entries:
        newest = max(entries, key=lambda e: (e.created_at, e.thread_id))
        more = len(entries) - 1
        extra = f" and {more} more" if more else ""
        return f"{short_title(newest.title)}{extra} · your {digest.kind} digest from {site}"
    if titles and digest.replies:
        return f"New replies: {short_title(digest.replies[0].title)} · your {digest.kind} digest"
    return f"Your {digest.kind} digest from {site}"


class Fragments:
    """Each category's list, and each followed thread's new replies, rendered once per run
    (text and HTML), whoever gets them.

    Members with the same categories and window share the same Section objects
    (Candidates.new_threads_for), and rendering them is most of a digest's
    templating; the digest templates only place the fragments. A member's replies in
    followed threads are their own list, but of threads others follow too: each
    thread's lines (a ReplyGroup, compared by value: everything the lines show) are
    rendered once, and the list around them once per count of threads left out.
    """

    keep_replies = 20_000  # reply fragments kept (a few hundred bytes each)

    def __init__(self):
        self._text: dict[Section, str] = {}
        self._html: dict[Section, Markup] = {}
        self._replies: dict[ReplyGroup, tuple[str, str]] = {}
        self._frames: dict[int, tuple[str, str]] = {}
        self._mark = f"groups-{secrets.token_hex(16)}"

    def text(self, section: Section) -> str:
        if section not in self._text:
            self._text[section] = render_template("email/_section.txt", section=section)
        return self._text[section]

    def html(self, section: Section) -> Markup:
        if section not in self._html:
            self._html[section] = Markup(render_template("email/_section.html", section=section))
        return self._html[section]

    def replies(self, groups: list[ReplyGroup], more: int) -> tuple[str, str]:
        """(text, HTML) of a digest's new replies in followed threads, as
        _digest_replies.txt and .html render them."""
        if not groups:
            return "", ""
        if len(self._replies) > self.keep_replies:
            self._replies.clear()
        text, html = [], []
        for g in groups:
            rendered = self._replies.get(g)  # hashed by value: once per group here
            if rendered is None:
                rendered = self._replies[g] = (
                    render_template("email/_digest_reply.txt", g=g),
                    render_template("email/_digest_reply.html", g=g),
                )
            text.append(rendered[0])
            html.append(rendered[1])
        if more not in self._frames:
            context = {"groups": Markup(self._mark), "more_replies": more}
            self._frames[more] = (
                render_template("email/_digest_replies.txt", **context),
                render_template("email/_digest_replies.html", **context),
            )
        frame_text, frame_html = self._frames[more]
        return (
            frame_text.replace(self._mark, "".join(text), 1),
            frame_html.replace(self._mark, "".join(html), 1),
        )


def unsubscribe_url(user_id: int, scope: Scope) -> str:
    return external_url("digests.unsubscribe", token=make_unsubscribe_token(user_id, scope))


def body_key(digest: Digest) -> tuple:
    """Everything a digest's shared body depends on.

    Two members with the same key get the same text and HTML but for their
    unsubscribe link and, in a digest, the replies in threads they follow (each
    member's own, rendered apart: see Bodies): the same window start as printed,
    in the same time zone, and the same Section objects (shared by everyone who
    sees a category's list the same way; a starter's own list, without their
    threads, is a Section of its own). The templates read nothing else of the
    member (tests/test_digests_grouping.py renders every message alone to compare).
    """
    zone = digest.recipient.user.time_zone or None
    key = (
        digest.kind,
        # As the templates print it (to the minute): members verified seconds apart share.
        format_in_zone(digest.window_start, zone),
        digest.window_end,
        zone,
        tuple(digest.sections),
    )
    if digest.kind == DeliveryKind.REPLIES:  # a notification is all replies
        key += (tuple(digest.replies), digest.more_replies)
    return key


class Bodies:
    """Bodies rendered once per distinct digest in a run, and encoded once as MIME
    (forum.mail.MessageTemplate); each member's message fills in their unsubscribe link
    and their replies in followed threads.

    The placeholders are random per run, so no text a member wrote can contain them.
    At most `keep` bodies are kept (the least recently used go first): a body is
    tens of kilobytes, and a large run has thousands of distinct ones.
    """

    def __init__(self, fragments: Fragments | None = None, keep: int = 1000):
        self.fragments = fragments or Fragments()
        self.keep = keep
        self.rendered = 0  # bodies rendered in all (more than len() once some were dropped)
        token = secrets.token_hex(16)
        self.unsubscribe = f"https://unsubscribe.invalid/{token}"
        self.replies_text = f"replies-text-{token}"
        self.replies_html = f"replies-html-{token}"
        self.slots = (self.unsubscribe, self.replies_text, self.replies_html)
        self._bodies: OrderedDict[tuple, MessageTemplate] = OrderedDict()
        self._unsubscribe_base: str | None = None

    def __len__(self) -> int:
        return len(self._bodies)

    def template(self, digest: Digest) -> MessageTemplate:
        """The digest's shared body, rendered and encoded on first use."""
        key = body_key(digest)
        template = self._bodies.get(key)
        if template is None:
            text, html = self._render(digest)
            template = self._bodies[key] = MessageTemplate(text, html, self.slots)
            self.rendered += 1
            if len(self._bodies) > self.keep:
                self._bodies.popitem(last=False)
        else:
            self._bodies.move_to_end(key)
        return template

    def values(self, digest: Digest, unsubscribe: str) -> dict[str, str]:
        """The member's own parts, by placeholder."""
        replies_text, replies_html = "", ""
        if digest.kind != DeliveryKind.REPLIES:
            replies_text, replies_html = self._replies(digest)
        return {
            self.unsubscribe: unsubscribe,
            self.replies_text: replies_text,
            self.replies_html: replies_html,
        }

    def get(self, digest: Digest, unsubscribe: str) -> tuple[str, str]:
        """The member's text and HTML."""
        template, values = self.template(digest), self.values(digest, unsubscribe)
        return template.text(values), template.html(values)

    def unsubscribe_url(self, user_id: int, scope: Scope) -> str:
        """unsubscribe_url(), with the route's address built once per run (url_for
        cost more than signing the token)."""
        if self._unsubscribe_base is None:
            marker = secrets.token_hex(8)
            url = external_url("digests.unsubscribe", token=marker)
            if url.count(marker) != 1 or not url.endswith(marker):
                return unsubscribe_url(user_id, scope)
            self._unsubscribe_base = url[: -len(marker)]
        token = make_unsubscribe_token(user_id, scope)
        if not _URL_SAFE.fullmatch(token):  # url_for would quote it
            return unsubscribe_url(user_id, scope)
        return self._unsubscribe_base + token

    def _render(self, digest: Digest) -> tuple[str, str]:
        context = {
            "digest": digest,
            "zone": digest.recipient.user.time_zone,
            "site_name": current_app.config["SITE_NAME"],
            "site_url": external_url("threads.index"),
            "preferences_url": external_url("digests.preferences"),
            "unsubscribe_url": self.unsubscribe,
            "fragments": self.fragments,
            "replies_text": self.replies_text,
            "replies_html": Markup(self.replies_html),
        }
        name = "replies" if digest.kind == DeliveryKind.REPLIES else "digest"
        return (
            render_template(f"email/{name}.txt", **context),
            render_template(f"email/{name}.html", **context),
        )

    def _replies(self, digest: Digest) -> tuple[str, str]:
        """The member's own part of a digest: new replies in the threads they follow."""
        return self.fragments.replies(digest.replies, digest.more_replies)


def _scope(digest: Digest) -> Scope:
    return Scope.REPLIES if digest.kind == DeliveryKind.REPLIES else Scope.DIGEST


def _headers(unsubscribe: str) -> dict[str, str]:
    return {
        # RFC 2369 + RFC 8058: mail clients show an unsubscribe button and POST to it.
        "List-Unsubscribe": f"<{unsubscribe}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        # RFC 3834: no vacation auto-replies to a digest.
        "Auto-Submitted": "auto-generated",
    }


def compose(digest: Digest, bodies: Bodies | Fragments | None = None) -> Message:
    """One member's digest or notification: the shared body, their link and headers."""
    if not isinstance(bodies, Bodies):
        bodies = Bodies(bodies)
    unsubscribe = bodies.unsubscribe_url(digest.recipient.user.id, _scope(digest))
    text, html = bodies.get(digest, unsubscribe)
    return Message(
        to=digest.recipient.user.email,
        subject=subject_for(digest),
        text=text,
        html=html,
        headers=_headers(unsubscribe),
    )


def outgoing(digest: Digest, bodies: Bodies) -> Outgoing:
    """compose() as the bytes that go out: the shared body is MIME-encoded once per
    distinct digest (Bodies), and only the lines with the member's own parts per member.
    The same message as forum.mail.build_message() makes of compose()'s."""
    user = digest.recipient.user
    unsubscribe = bodies.unsubscribe_url(user.id, _scope(digest))
    return bodies.template(digest).build(
        user.email, subject_for(digest), bodies.values(digest, unsubscribe), _headers(unsubscribe)
    )
