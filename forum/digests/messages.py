"""A built digest or notification as an email: subject, text, HTML and headers."""

from __future__ import annotations

import secrets
from collections import OrderedDict
from dataclasses import dataclass

from flask import current_app, render_template
from markupsafe import Markup

from forum.digests.building import Digest, Section, external_url
from forum.digests.models import DeliveryKind
from forum.digests.tokens import Scope, make_unsubscribe_token
from forum.templating import format_in_zone

SUBJECT_TITLE_CHARS = 80


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
    """Each category's list rendered once per run (text and HTML), whoever gets it.

    Members with the same categories and window share the same Section objects
    (Candidates.new_threads_for), and rendering them is most of a digest's
    templating; the digest templates only place the fragments.
    """

    def __init__(self):
        self._text: dict[Section, str] = {}
        self._html: dict[Section, Markup] = {}

    def text(self, section: Section) -> str:
        if section not in self._text:
            self._text[section] = render_template("email/_section.txt", section=section)
        return self._text[section]

    def html(self, section: Section) -> Markup:
        if section not in self._html:
            self._html[section] = Markup(render_template("email/_section.html", section=section))
        return self._html[section]


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
    """Bodies rendered once per distinct digest in a run; each member's message fills in
    their unsubscribe link and their replies in followed threads (a string replace).

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
        self.replies = f"replies-{token}"
        self._bodies: OrderedDict[tuple, tuple[str, str]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._bodies)

    def get(self, digest: Digest, unsubscribe: str) -> tuple[str, str]:
        key = body_key(digest)
        bodies = self._bodies.get(key)
        if bodies is None:
            bodies = self._bodies[key] = self._render(digest)
            self.rendered += 1
            if len(self._bodies) > self.keep:
                self._bodies.popitem(last=False)
        else:
            self._bodies.move_to_end(key)
        text, html = bodies
        if digest.kind != DeliveryKind.REPLIES:
            replies_text, replies_html = self._replies(digest)
            text = text.replace(self.replies, replies_text, 1)
            html = html.replace(self.replies, replies_html, 1)
        return text.replace(self.unsubscribe, unsubscribe), html.replace(
            self.unsubscribe, unsubscribe
        )

    def _render(self, digest: Digest) -> tuple[str, str]:
        context = {
            "digest": digest,
            "zone": digest.recipient.user.time_zone,
            "site_name": current_app.config["SITE_NAME"],
            "site_url": external_url("threads.index"),
            "preferences_url": external_url("digests.preferences"),
            "unsubscribe_url": self.unsubscribe,
            "fragments": self.fragments,
            "replies_text": self.replies,
            "replies_html": Markup(self.replies),
        }
        name = "replies" if digest.kind == DeliveryKind.REPLIES else "digest"
        return (
            render_template(f"email/{name}.txt", **context),
            render_template(f"email/{name}.html", **context),
        )

    def _replies(self, digest: Digest) -> tuple[str, str]:
        """The member's own part of a digest: new replies in the threads they follow."""
        if not digest.replies:
            return "", ""
        return (
            render_template("email/_digest_replies.txt", digest=digest),
            render_template("email/_digest_replies.html", digest=digest),
        )


def compose(digest: Digest, bodies: Bodies | Fragments | None = None) -> Message:
    """One member's digest or notification: the shared body, their link and headers."""
    user = digest.recipient.user
    scope = Scope.REPLIES if digest.kind == DeliveryKind.REPLIES else Scope.DIGEST
    unsubscribe = unsubscribe_url(user.id, scope)
    if not isinstance(bodies, Bodies):
        bodies = Bodies(bodies)
    text, html = bodies.get(digest, unsubscribe)
    return Message(
        to=user.email,
        subject=subject_for(digest),
        text=text,
        html=html,
        headers={
            # RFC 2369 + RFC 8058: mail clients show an unsubscribe button and POST to it.
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            # RFC 3834: no vacation auto-replies to a digest.
            "Auto-Submitted": "auto-generated",
        },
    )
