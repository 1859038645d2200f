"""What the hostile suite attacks. New features extend these tables, not the tests.

FIELDS        every text field a member (or admin) controls, how to submit it, and
              the pages that then show it.
ROUTE_ARGS    a value for every URL argument name (CSRF and ownership tests fail
              with "add it to ROUTE_ARGS" when a new route brings a new name).
POST_DATA     a valid form for POST endpoints whose form has required fields.
OWNERSHIP     for every route with an object id: who may use it and who must be refused.
QUERY_PARAMS  query-string names fuzzed on every GET page.
CRAWL_AS      the roles whose pages are crawled to find forms and links.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from forum.accounts.models import User
from forum.extensions import db
from forum.threads.models import Category, Post, Thread


@dataclass(frozen=True)
class TextField:
    name: str
    actor: str | None  # key of the `hostile` fixture: "member", "admin"; None = guest
    # (world, payload, index) -> (url, form data) with the payload in place
    submit: Callable[[dict, str, int], tuple[str, dict]]
    # (world) -> URLs that show what was accepted, read after the whole batch
    pages: Callable[[dict], list[str]] = lambda w: []
    markdown: bool = False  # rendered by forum.text: gets every Markdown and OWASP vector
    size: int = 80  # payloads tried through HTTP
    fresh_client: bool = False  # a new client per payload (the form signs in or out)
    # Content fields must store most payloads; a field that refuses everything tests nothing.
    stores: bool = False
    # (world) -> prepare one object per payload before the batch (e.g. posts to edit)
    prepare: Callable[[dict, int], None] | None = None
    method: str = "POST"  # "GET" for search boxes and filters
    # Who reads the pages: "actor" (the submitter), None (a guest) or a role key, e.g.
    # "moderator" for a flag note that only shows in the review queue.
    viewer: str | None = "actor"


def _threads_by(user) -> list[Thread]:
    return list(db.session.scalars(db.select(Thread).where(Thread.author_id == user.id)))


def _thread_pages(user) -> list[str]:
    return [f"/threads/{t.id}" for t in _threads_by(user)]


def _new_thread(w, title, body):
    return "/threads/new", {"category": w["public"].slug, "title": title, "body": body, "token": ""}


def _prepare_edits(w, count):
    from tests import factories as f

    w["edit_targets"] = [
        f.make_reply(w["member"], w["member_thread"], body=f"Draft {i}") for i in range(count)
    ]


def _prepare_flag_targets(w, count):
    from tests import factories as f

    # A member flags a post once: one post (by someone else) per payload.
    w["flag_targets"] = [
        f.make_reply(w["author"], w["named"], body=f"Flag me {i}") for i in range(count)
    ]


def _prepare_hide_targets(w, count):
    from tests import factories as f

    # The moderator's own replies: hiding them leaves every other member's rows alone.
    w["hide_targets"] = [
        f.make_reply(w["moderator"], w["named"], body=f"Hide me {i}") for i in range(count)
    ]


def _category(w, i, **fields):
    data = {
        "name": f"Category {i}",
        "slug": f"hostile-{i}",
        "description": "About it",
        "visibility": "public",
        "anonymous_policy": "allow",
    }
    return "/admin/categories/new", {**data, **fields}


def _category_pages(w):
    slugs = db.session.scalars(db.select(Category.slug)).all()
    return ["/", "/admin/categories", "/threads/new"] + [f"/categories/{s}" for s in slugs]


FIELDS = [
    TextField(
        "thread.title",
        "member",
        lambda w, p, i: _new_thread(w, p, "A body for this thread."),
        lambda w: [
            "/",
            f"/categories/{w['public'].slug}",
            f"/users/{w['member'].username}",
            *_thread_pages(w["member"]),
        ],
        size=120,
        stores=True,
    ),
    TextField(
        "thread.body",
        "member",
        lambda w, p, i: _new_thread(w, f"Payload thread {i}", p),
        lambda w: _thread_pages(w["member"]),
        markdown=True,
        size=175,
        stores=True,
    ),
    TextField(
        "reply.body",
        "member",
        lambda w, p, i: (f"/threads/{w['named'].id}/reply", {"body": p, "token": ""}),
        lambda w: [f"/threads/{w['named'].id}", f"/users/{w['member'].username}"],
        markdown=True,
        size=260,
        stores=True,
    ),
    TextField(
        "edit.body",
        "member",
        lambda w, p, i: (f"/posts/{w['edit_targets'][i].id}/edit", {"body": p}),
        lambda w: (
            [f"/threads/{w['member_thread'].id}"]
            + [f"/posts/{post.id}/revisions" for post in w["edit_targets"]]
        ),
        markdown=True,
        size=175,
        prepare=_prepare_edits,
        stores=True,
    ),
    TextField(
        "edit.title",
        "member",
        lambda w, p, i: (
            f"/posts/{w['member_thread_first'].id}/edit",
            {"title": p, "body": "The first post stays as it was."},
        ),
        lambda w: [
            f"/threads/{w['member_thread'].id}",
            f"/posts/{w['member_thread_first'].id}/revisions",
            f"/posts/{w['member_thread_first'].id}/edit",
            "/",
        ],
        size=80,
        stores=True,
    ),
    TextField(
        "register.username",
        None,
        lambda w, p, i: (
            "/register",
            {
                "username": p,
                "password": "long enough password",
                "confirm": "long enough password",
                "email": "",
                "agree": "y",
            },
        ),
        lambda w: [
            f"/users/{quote(u.username)}"
            for u in db.session.scalars(db.select(User).where(User.id > w["admin"].id))
        ],
        size=100,
        fresh_client=True,
    ),
    TextField(
        "register.email",
        None,
        lambda w, p, i: (
            "/register",
            {
                "username": f"joiner{i}",
                "password": "long enough password",
                "confirm": "long enough password",
                "email": p,
                "agree": "y",
            },
        ),
        size=60,
        fresh_client=True,
    ),
    TextField(
        "login.username",
        None,
        lambda w, p, i: ("/login", {"username": p, "password": "wrong password here"}),
        size=80,
    ),
    TextField(
        "login.password",
        None,
        lambda w, p, i: ("/login", {"username": w["member"].username, "password": p}),
        size=60,
    ),
    TextField(
        "login.next",
        None,
        lambda w, p, i: ("/login", {"username": "nobody-here", "password": "x" * 12, "next": p}),
        size=60,
    ),
    TextField(
        "forgot.email",
        None,
        lambda w, p, i: ("/password/forgot", {"email": p}),
        size=60,
    ),
    TextField(
        "settings.email",
        "member",
        lambda w, p, i: ("/settings", {"email": p, "current_password": "correct horse battery"}),
        lambda w: ["/settings"],
        size=80,
    ),
    TextField(
        "category.name",
        "admin",
        lambda w, p, i: _category(w, i, name=p),
        _category_pages,
        size=80,
        stores=True,
    ),
    TextField(
        "category.description",
        "admin",
        lambda w, p, i: _category(w, i, description=p),
        _category_pages,
        size=80,
        stores=True,
    ),
    TextField(
        "category.slug",
        "admin",
        lambda w, p, i: _category(w, i, slug=p),
        _category_pages,
        size=60,
    ),
    TextField(
        "flag.note",
        "member",
        lambda w, p, i: (
            f"/posts/{w['flag_targets'][i].id}/flag",
            {"reason": "other", "note": p},
        ),
        lambda w: (
            ["/moderation/", "/moderation/?page=2"]
            + [f"/moderation/posts/{post.id}" for post in w["flag_targets"]]
        ),
        size=40,
        prepare=_prepare_flag_targets,
        stores=True,
        viewer="moderator",
    ),
    TextField(
        "moderation.reason",
        "moderator",
        lambda w, p, i: (
            f"/moderation/posts/{w['hide_targets'][i].id}/actions",
            {"action": "hide", "reason": p},
        ),
        lambda w: (
            ["/moderation/log"] + [f"/moderation/posts/{post.id}" for post in w["hide_targets"]]
        ),
        size=40,
        prepare=_prepare_hide_targets,
        stores=True,
    ),
    TextField(
        "reveal.reason",
        "admin",
        lambda w, p, i: (
            f"/moderation/posts/{w['anon_post'].id}/reveal",
            {"reason": p, "safety_investigation": "y"},
        ),
        lambda w: ["/moderation/log"],
        size=30,
    ),
    TextField(
        "guidelines.body",
        "admin",
        lambda w, p, i: ("/moderation/guidelines", {"body": p, "reason": f"Revision {i}"}),
        lambda w: ["/guidelines", "/moderation/guidelines", "/moderation/log"],
        markdown=True,
        size=50,
        stores=True,
    ),
    TextField(
        "guidelines.reason",
        "admin",
        lambda w, p, i: ("/moderation/guidelines", {"body": f"### 1. Rule {i}", "reason": p}),
        lambda w: ["/moderation/guidelines", "/moderation/log"],
        size=30,
        stores=True,
    ),
]


# Drafts (forum.engage): kept per member and composer, shown back in the forms and on /saved.
FIELDS += [
    TextField(
        "draft.title",
        "member",
        lambda w, p, i: ("/threads/new/draft", {"title": p, "body": f"Draft body {i}",
                                                "category": w["public"].slug}),
        lambda w: ["/threads/new", "/saved"],
        size=40,
        stores=True,
    ),
    TextField(
        "draft.body",
        "member",
        lambda w, p, i: (f"/threads/{w['named'].id}/draft", {"body": p, "hide_author": "y"}),
        lambda w: [f"/threads/{w['named'].id}/reply", f"/threads/{w['named'].id}", "/saved"],
        size=40,
        stores=True,
    ),
]


def _prepare_search_targets(w, count):
    from tests import factories as f

    # Posts whose snippets the search pages show: hostile Markdown, then highlighted.
    bodies = [
        "Searchable <script>alert(1)</script> **bold** [x](javascript:alert(1)) evaluation",
        "Searchable <img src=x onerror=alert(1)> `code` meeting &lt;b&gt; evaluation",
        'Searchable "><svg onload=alert(1)> <mark>already marked</mark> evaluation',
    ]
    for i, body in enumerate(bodies):
        f.make_reply(w["author"], w["named"], body=f"{body} {i}")


def _new_tag(w, i, **fields):
    data = {"label": f"Topic {i}", "slug": f"topic-{i}", "description": "About it"}
    return "/admin/tags/new", {**data, **fields}


def _tag_pages(w):
    from forum.resources.models import Tag

    slugs = db.session.scalars(db.select(Tag.slug)).all()
    return (
        ["/tags", "/admin/tags", "/search", "/resources", "/settings/digests"]
        + [f"/tags/{s}" for s in slugs]
        + [f"/threads/{w['member_thread'].id}/story", "/admin/resources/new"]
    )


def _new_resource(w, i, **fields):
    data = {
        "id": f"resource-{i}",
        "title": f"Resource {i}",
        "url": f"https://example.org/{i}",
        "publisher": "Example publisher",
        "description": "What it is for.",
        "verification": "unconfirmed",
        "tags": str(w["tag"].id),
    }
    return "/admin/resources/new", {**data, **fields}


def _resource_pages(w):
    from forum.resources.models import Resource

    ids = db.session.scalars(db.select(Resource.id)).all()
    return [
        "/resources",
        "/admin/resources",
        f"/tags/{w['tag'].slug}",
        f"/threads/{w['named'].id}",
    ] + [f"/admin/resources/{rid}/edit" for rid in ids]


FIELDS += [
    TextField(
        "search.q",
        "member",
        lambda w, p, i: ("/search", {"q": p}),
        lambda w: [
            "/search?q=searchable",
            "/search?q=alert+script",
            "/search?q=%22onerror%22+OR+svg",
            "/search?q=evaluation&page=2",
        ],
        size=40,
        prepare=_prepare_search_targets,
        method="GET",
    ),
    TextField(
        "tag.label",
        "moderator",
        lambda w, p, i: _new_tag(w, i, label=p),
        _tag_pages,
        size=30,
        stores=True,
    ),
    TextField(
        "tag.description",
        "moderator",
        lambda w, p, i: _new_tag(w, i, description=p),
        _tag_pages,
        size=30,
        stores=True,
    ),
    TextField(
        "resource.title",
        "moderator",
        lambda w, p, i: _new_resource(w, i, title=p),
        _resource_pages,
        size=30,
        stores=True,
    ),
    TextField(
        "resource.description",
        "moderator",
        lambda w, p, i: _new_resource(w, i, description=p),
        _resource_pages,
        size=30,
        stores=True,
    ),
]

# --- the IEP notebook (forum.notebook): private to its owner ------------------------


def notebook_of(w, role: str = "admin") -> dict:
    """The role's filled notebook, made on first use (the CSRF tests post as the admin;
    the ownership tests try the member's notebook as everyone else)."""
    key = f"{role}_notebook"
    if key not in w:
        from tests.notebook_support import fill_notebook

        w[key] = fill_notebook(w[role], tag=w["tag"])
        w[key]["ids"] = {f"{name}_id": w[key][name].id for name in
                         ("notebook", "entry", "service", "date", "share", "log", "break")}
    return w[key]


def _nb_url(w, path: str) -> str:
    return f"/notebook/{notebook_of(w, 'member')['ids']['notebook_id']}{path}"


def _nb_pages(w) -> list[str]:
    return [_nb_url(w, p) for p in ("", "/timeline", "/print", "/settings")]


def _nb_entry(w, i, **fields):
    data = {"kind": "note", "occurred_on": "2024-10-01", "roles": "the aide", "text": "A note.",
            "reviewed": "1"}
    return _nb_url(w, "/entries/new"), {**data, **fields}


FIELDS += [
    TextField("notebook.entry_text", "member", lambda w, p, i: _nb_entry(w, i, text=p),
              _nb_pages, size=60, stores=True),
    TextField("notebook.entry_roles", "member", lambda w, p, i: _nb_entry(w, i, roles=p),
              _nb_pages, size=40),
    TextField("notebook.nickname", "member",
              lambda w, p, i: ("/notebook", {"nickname": p, "school_day_minutes": "360"}),
              lambda w: ["/notebook?all=1"], size=30),
    TextField("notebook.service_name", "member",
              lambda w, p, i: (_nb_url(w, "/services/new"), {
                  "name": p, "per": "week", "minutes": "60", "starts_on": "2024-09-03"}),
              _nb_pages, size=30),
    TextField("notebook.break_label", "member",
              lambda w, p, i: (_nb_url(w, "/breaks"), {
                  "starts_on": "2024-12-23", "label": p, "reviewed": "1"}),
              lambda w: [_nb_url(w, "/settings")], size=30),
    TextField("notebook.date_note", "member",
              lambda w, p, i: (_nb_url(w, "/dates/new"), {
                  "kind": "other", "due_on": "2030-01-01", "note": p, "remind_days": "7",
                  "reviewed": "1"}),
              _nb_pages, size=30),
]

# Private messages (forum.conversations): a first message (links as text) and replies.
def _member_conversations(w) -> list[str]:
    from forum.conversations.models import Participant

    ids = db.session.scalars(db.select(Participant.conversation_id)
                             .where(Participant.user_id == w["member"].id))
    return ["/messages", *(f"/messages/{cid}" for cid in ids)]


def _answered_conversation(w, count):
    from forum.conversations import services

    conversation = services.start_conversation(w["member"], "Hello.", recipient=w["author"])
    services.reply(w["author"], conversation, "Hello back.")
    w["answered_conversation"] = conversation


FIELDS += [
    TextField("conversation.first", "member",
              lambda w, p, i: (f"/messages/new?to={w['author'].username}", {"body": p}),
              _member_conversations, markdown=True, size=60, stores=True),
    TextField("conversation.reply", "member",
              lambda w, p, i: (f"/messages/{w['answered_conversation'].id}/reply", {"body": p}),
              _member_conversations, markdown=True, size=120, stores=True,
              prepare=_answered_conversation),
    TextField("conversation.report", "author",
              lambda w, p, i: (_report_url(w), {"reason": p}),
              lambda w: _report_pages(), size=30, viewer="moderator"),
]


def _report_pages() -> list[str]:
    from forum.conversations.models import Report

    ids = db.session.scalars(db.select(Report.id))
    return ["/messages/reports", *(f"/messages/reports/{rid}" for rid in ids)]


def _report_url(w) -> str:
    from tests.conversation_support import conversations_of

    c = conversations_of(w)
    return f"/messages/{c['member_convo'].id}/messages/{c['member_message'].id}/report"


def _nb_id(name: str) -> Callable[[dict], int]:
    return lambda w: notebook_of(w)["ids"][name]


# A value for every URL argument of every route (by argument name).
def _suspension_entry(w):
    """An audit entry that suspended someone, still in force (made on first use)."""
    if "suspension_entry" not in w:
        from sqlalchemy import select

        from forum.moderation import authors
        from forum.moderation.models import AuditEntry
        from tests import factories as f

        sanctioned = f.make_user("sanctioned_sue")
        post = f.make_reply(sanctioned, w["named"], body="Breaks the rules.", hide_author=True)
        authors.suspend_author(w["admin2"], post, 7, "Breaks guideline 4.")
        w["suspension_entry"] = db.session.scalar(
            select(AuditEntry).where(AuditEntry.action == "suspend").order_by(AuditEntry.id.desc())
        )
    return w["suspension_entry"]


ROUTE_ARGS: dict[str, Callable[[dict], object]] = {
    "thread_id": lambda w: w["admin_thread"].id,
    "post_id": lambda w: w["admin_post"].id,
    "category_id": lambda w: w["public"].id,
    "slug": lambda w: w["public"].slug,
    "username": lambda w: w["member"].username,
    "token": lambda w: w["reset_token"],
    "filename": lambda w: "forum.css",
    "notice_id": lambda w: w["admin_notice"].id,
    "user_id": lambda w: w["member"].id,
    "tag_id": lambda w: w["tag"].id,
    "resource_id": lambda w: w["resource"].id,
    "link_id": lambda w: w["link"].id,
    "notification_id": lambda w: w["admin_notification"].id,
    **{name: _nb_id(name) for name in (
        "notebook_id", "entry_id", "service_id", "date_id", "share_id", "log_id", "break_id")},
}

# Private conversations (forum.conversations): the admin's own, for the CSRF sweep.
def _convo(name: str) -> Callable[[dict], int]:
    def value(w):
        from tests.conversation_support import conversations_of

        return conversations_of(w)[name].id

    return value


ROUTE_ARGS.update({
    "conversation_id": _convo("admin_convo"),
    "message_id": _convo("admin_message"),
    "block_id": _convo("admin_block"),
    "report_id": _convo("report"),
})

# Per-endpoint exceptions to ROUTE_ARGS, where the admin's own object can't be used:
# nobody flags their own post, and only an anonymous post's author can be revealed.
ENDPOINT_ARGS: dict[str, dict[str, Callable[[dict], object]]] = {
    "flags.new": {"post_id": lambda w: w["author_post"].id},
    "moderation.reveal": {"post_id": lambda w: w["anon_post"].id},
    # An audit entry here, not a notebook entry (both routes call it entry_id).
    "moderation.lift_from_log": {"entry_id": lambda w: _suspension_entry(w).id},
    # Signed links: each purpose has its own token (a reset token is refused).
    "digests.verify_email": {"token": lambda w: w["verify_token"]},
    "digests.unsubscribe": {"token": lambda w: w["unsubscribe_token"]},
    # Nobody reacts to their own post.
    "engage.react": {"post_id": lambda w: w["author_post"].id},
}


def route_args(endpoint: str, arguments, w) -> dict:
    """URL arguments for `endpoint`: ENDPOINT_ARGS first, then ROUTE_ARGS."""
    own = ENDPOINT_ARGS.get(endpoint, {})
    return {name: (own.get(name) or ROUTE_ARGS[name])(w) for name in arguments}


# Form data that passes validation, for POST endpoints with required fields.
POST_DATA: dict[str, Callable[[dict], dict]] = {
    "accounts.register": lambda w: {
        "username": "csrf_joiner",
        "password": "long enough password",
        "confirm": "long enough password",
        "agree": "y",
    },
    "accounts.login": lambda w: {
        "username": w["member"].username,
        "password": "correct horse battery",
    },
    "accounts.forgot_password": lambda w: {"email": "ruth.author@example.org"},
    "accounts.reset_password": lambda w: {
        "password": "a new long password",
        "confirm": "a new long password",
    },
    "accounts.settings": lambda w: {
        "email": "changed@example.org",
        "current_password": "correct horse battery",
    },
    "accounts.change_password": lambda w: {
        "current_password": "correct horse battery",
        "password": "a new long password",
        "confirm": "a new long password",
    },
    "accounts.confirm_password": lambda w: {"password": "correct horse battery", "next": "/"},
    "threads.new": lambda w: {
        "category": w["public"].slug,
        "title": "A thread by CSRF",
        "body": "Body by CSRF.",
        "token": "",
    },
    "threads.reply": lambda w: {"body": "A reply by CSRF.", "token": ""},
    "threads.edit": lambda w: {"title": "Edited by CSRF", "body": "Edited by CSRF."},
    "threads.anonymity": lambda w: {"hide_author": "1"},
    "admin.edit_category": lambda w: {
        "name": "CSRF category",
        "slug": "csrf-category",
        "visibility": "public",
        "anonymous_policy": "allow",
    },
    "admin.move_category": lambda w: {"direction": "up"},
    "flags.new": lambda w: {"reason": "spam", "note": "Looks like an advert."},
    "moderation.post_action": lambda w: {"action": "hide", "reason": "Breaks guideline 1."},
    "moderation.thread_action": lambda w: {"action": "lock", "reason": "Going in circles."},
    "moderation.edit_post": lambda w: {
        "body": "Edited by a moderator.",
        "reason": "Removed a child's name.",
    },
    "moderation.reveal": lambda w: {
        "reason": "A safety report names this post.",
        "safety_investigation": "y",
    },
    "moderation.set_role": lambda w: {"role": "moderator", "reason": "Helps out a lot."},
    "moderation.settings": lambda w: {"hold_first_posts": "y", "reason": "Spam wave."},
    "moderation.edit_guidelines": lambda w: {
        "body": "### 1. Protect children's privacy\n\nNo names.",
        "reason": "Shorter.",
    },
    "mydata.delete": lambda w: {"posts": "keep", "password": "correct horse battery"},
    "digests.follow": lambda w: {"follow": "1"},
    "resources.edit_tag": lambda w: {
        "label": "Evaluations",
        "slug": "evaluations-edited",
        "description": "Asking for and reading evaluations.",
    },
    "resources.edit_resource": lambda w: {
        "title": "A parent center finder",
        "url": "https://example.org/finder",
        "publisher": "Example publisher",
        "description": "Find the parent center for your state.",
        "verification": "unconfirmed",
    },
    "resources.link": lambda w: {"url": f"/threads/{w['member_thread'].id}"},
    "notebook.index": lambda w: {"nickname": "Bee", "school_day_minutes": "360"},
    "notebook.settings": lambda w: {"nickname": "Bee", "school_day_minutes": "360",
                                    "weekdays": ["0", "1", "2", "3", "4"]},
    "notebook.add_break": lambda w: {"starts_on": "2024-12-23", "ends_on": "2025-01-03",
                                     "reviewed": "1"},
    "notebook.edit_date": lambda w: {"kind": "reevaluation", "due_on": "2030-05-01",
                                     "remind_days": "7", "reviewed": "1"},
    "notebook.edit_entry": lambda w: {"kind": "note", "occurred_on": "2024-10-01",
                                      "text": "A note.", "reviewed": "1"},
    "notebook.edit_service": lambda w: {"name": "Speech", "per": "week", "minutes": "60",
                                        "starts_on": "2024-09-03"},
    "notebook.service": lambda w: {"status": "delivered", "on": "2024-10-01"},
    "notebook.tap": lambda w: {"status": "delivered"},
    "notebook.share": lambda w: {"days": "7"},
    "conversations.new": lambda w: {"to": w["member"].username, "body": "Hello by CSRF."},
    "conversations.reply": lambda w: {"body": "A reply by CSRF."},
    "conversations.report": lambda w: {"reason": "Unkind."},
    "conversations.settings": lambda w: {"only_known": "y"},
    "conversations.note": lambda w: {"post": w["anon_post"].id, "body": "A kind note."},
    "engage.react": lambda w: {"kind": "me_too"},
    "engage.new_draft": lambda w: {"title": "A draft title", "body": "A draft by CSRF.",
                                   "category": w["public"].slug},
    "engage.reply_draft": lambda w: {"body": "A draft reply by CSRF.", "hide_author": "y"},
}

# POST endpoints that take JSON, not a form (the token goes in the X-CSRFToken header).
POST_JSON: dict[str, Callable[[dict], dict]] = {
    "threads.privacy_check": lambda w: {"title": "Our meeting", "body": "My son Sam, age 7."},
}

# Routes whose object belongs to someone: (actor, object key) pairs that must be refused.
# `allowed` proves the same request works for someone entitled, so the refusal means something.


@dataclass(frozen=True)
class Ownership:
    args: Callable[[dict, str], dict]  # (world, object key) -> URL arguments
    refused: list[tuple[str | None, str]]  # (actor, object key) that must be refused
    allowed: tuple[str, str]  # (actor, object key) that must work
    methods: tuple[str, ...] = ("GET", "POST")


def _post(w, key):
    return {"post_id": w[key].id}


def _thread(w, key):
    return {"thread_id": w[key].id}


OWNERSHIP: dict[str, Ownership] = {
    "threads.edit": Ownership(
        _post,
        [("member", "author_post"), ("moderator", "author_post"), (None, "author_post")],
        ("author", "author_post"),
    ),
    "threads.delete": Ownership(
        _post,
        [("member", "author_post"), ("moderator", "author_post"), (None, "author_post")],
        ("author", "author_post"),
        ("POST",),
    ),
    "threads.anonymity": Ownership(
        _post,
        [("member", "author_post"), ("admin", "author_post"), (None, "author_post")],
        ("author", "author_post"),
        ("POST",),
    ),
    "threads.revisions": Ownership(
        _post,
        [("member", "author_post"), (None, "author_post")],
        ("moderator", "author_post"),
        ("GET",),
    ),
    "threads.permalink": Ownership(
        _post, [(None, "members_post")], ("member", "members_post"), ("GET",)
    ),
    "threads.show": Ownership(
        _thread,
        [(None, "members_thread"), ("member", "held")],
        ("member", "members_thread"),
        ("GET",),
    ),
    "threads.reply": Ownership(
        _thread,
        [(None, "named"), ("member", "held"), ("member", "locked"), (None, "members_thread")],
        ("member", "named"),
    ),
    "admin.edit_category": Ownership(
        lambda w, k: {"category_id": w[k].id},
        [("member", "public"), ("moderator", "public"), (None, "public")],
        ("admin", "public"),
    ),
    "admin.move_category": Ownership(
        lambda w, k: {"category_id": w[k].id},
        [("member", "private"), ("moderator", "private"), (None, "private")],
        ("admin", "private"),
        ("POST",),
    ),
}


def _user(w, key):
    return {"user_id": w[key].id}


def _none(w, key):
    return {}


STAFF_PAGES = ("moderation.queue", "moderation.approvals", "moderation.log")
ADMIN_PAGES = ("moderation.users", "moderation.settings", "moderation.edit_guidelines")

OWNERSHIP.update(
    {
        "flags.new": Ownership(
            _post,
            [
                ("member", "member_post"),  # your own post
                ("member", "held_post"),  # a post you can't see
                ("member", "members_post"),  # your own post in a members-only category
                (None, "author_post"),
            ],
            ("member", "author_post"),
        ),
        "flags.acknowledge": Ownership(
            lambda w, k: {"notice_id": w[k].id},
            [
                ("member", "author_notice"),
                ("moderator", "author_notice"),
                ("admin", "author_notice"),
                (None, "author_notice"),
            ],
            ("author", "author_notice"),
            ("POST",),
        ),
        "moderation.post": Ownership(
            _post,
            [("member", "author_post"), ("author", "author_post"), (None, "author_post")],
            ("moderator", "author_post"),
            ("GET",),
        ),
        "moderation.post_action": Ownership(
            _post,
            [("member", "author_post"), ("author", "author_post"), (None, "author_post")],
            ("moderator", "author_post"),
            ("POST",),
        ),
        "moderation.edit_post": Ownership(
            _post,
            [("member", "author_post"), ("author", "author_post"), (None, "author_post")],
            ("moderator", "author_post"),
        ),
        "moderation.thread_action": Ownership(
            _thread,
            [("member", "named"), ("author", "named"), (None, "named")],
            ("moderator", "named"),
            ("POST",),
        ),
        "moderation.reveal": Ownership(
            _post,
            [
                ("member", "anon_post"),
                ("author", "anon_post"),
                ("moderator", "anon_post"),
                (None, "anon_post"),
            ],
            ("admin", "anon_post"),
        ),
        "moderation.set_role": Ownership(
            _user,
            [("member", "author"), ("moderator", "author"), (None, "author")],
            ("admin", "author"),
            ("POST",),
        ),
        "moderation.lift_from_log": Ownership(
            lambda w, k: {"entry_id": _suspension_entry(w).id},
            [
                ("member", "suspension_entry"),
                ("author", "suspension_entry"),
                (None, "suspension_entry"),
            ],
            ("moderator", "suspension_entry"),
            ("POST",),
        ),
        "moderation.bulk_dismiss": Ownership(
            _none,
            [("member", "anon_post"), (None, "anon_post")],
            ("moderator", "anon_post"),
            ("POST",),
        ),
        **{
            endpoint: Ownership(
                _none, [("member", "public"), (None, "public")], ("moderator", "public"), ("GET",)
            )
            for endpoint in STAFF_PAGES
        },
        **{
            endpoint: Ownership(
                _none,
                [("member", "public"), ("moderator", "public"), (None, "public")],
                ("admin", "public"),
            )
            for endpoint in ADMIN_PAGES
        },
        # Per-user pages: no id to swap, but a guest is sent to sign in.
        "mydata.index": Ownership(_none, [(None, "public")], ("member", "public"), ("GET",)),
        "mydata.export": Ownership(_none, [(None, "public")], ("member", "public"), ("GET",)),
        "mydata.delete": Ownership(_none, [(None, "public")], ("member", "public")),
    }
)


def _tag(w, key):
    return {"tag_id": w[key].id}


def _resource(w, key):
    return {"resource_id": w[key].id}


def _link(w, key):
    return {"link_id": w[key].id}


# Discovery and digests. Tags and resources: moderators and admins. Story details and
# links: the thread's author and moderators; "ask me later": the author only. A link
# between two threads: either thread's author, or a moderator.
_STAFF_ONLY = [("member", "tag"), ("author", "tag"), (None, "tag")]
OWNERSHIP.update(
    {
        "resources.edit_tag": Ownership(_tag, _STAFF_ONLY, ("moderator", "tag")),
        "resources.retire_tag": Ownership(_tag, _STAFF_ONLY, ("moderator", "tag"), ("POST",)),
        "resources.edit_resource": Ownership(
            _resource,
            [("member", "resource"), ("author", "resource"), (None, "resource")],
            ("moderator", "resource"),
        ),
        "resources.retire_resource": Ownership(
            _resource,
            [("member", "resource"), ("author", "resource"), (None, "resource")],
            ("admin", "resource"),
            ("POST",),
        ),
        "resources.story": Ownership(
            _thread,
            [("member", "named"), (None, "named"), ("member", "held"), (None, "members_thread")],
            ("author", "named"),
        ),
        "resources.outcome_later": Ownership(
            _thread,
            [("member", "named"), ("moderator", "named"), ("admin", "named"), (None, "named")],
            ("author", "named"),
            ("POST",),
        ),
        "resources.link": Ownership(
            _thread,
            [("member", "named"), (None, "named"), ("member", "held")],
            ("moderator", "named"),
            ("POST",),
        ),
        # w["link"] joins the admin's thread to the author's: the member wrote neither.
        "resources.unlink": Ownership(
            _link, [("member", "link"), (None, "link")], ("author", "link"), ("POST",)
        ),
        "digests.follow": Ownership(
            _thread,
            [(None, "named"), (None, "members_thread"), ("member", "held")],
            ("member", "named"),
            ("POST",),
        ),
    }
)


def _nb_args(*names: str):
    """URL arguments of the member's notebook objects (the object key names the owner)."""
    return lambda w, key: {name: notebook_of(w, key)["ids"][name]
                           for name in ("notebook_id", *names)}


# Only the owner: not another member, not a moderator, not an admin.
_NOTEBOOK_REFUSED = [("author", "member"), ("moderator", "member"), ("admin", "member"),
                     (None, "member")]
OWNERSHIP.update({
    f"notebook.{endpoint}": Ownership(_nb_args(*names), _NOTEBOOK_REFUSED, ("member", "member"),
                                      methods)
    for endpoint, names, methods in (
        ("show", (), ("GET",)), ("timeline", (), ("GET",)), ("print_view", (), ("GET",)),
        ("pdf", (), ("GET",)), ("ask", ("entry_id",), ("GET",)),
        ("settings", (), ("GET", "POST")), ("share", (), ("GET", "POST")),
        ("edit_entry", ("entry_id",), ("GET", "POST")),
        ("edit_service", ("service_id",), ("GET", "POST")),
        ("service", ("service_id",), ("GET", "POST")),
        ("edit_date", ("date_id",), ("GET", "POST")),
        ("add_break", (), ("POST",)), ("delete_break", ("break_id",), ("POST",)),
        ("delete_date", ("date_id",), ("POST",)), ("delete_entry", ("entry_id",), ("POST",)),
        ("tap", ("service_id",), ("POST",)), ("delete_service", ("service_id",), ("POST",)),
        ("delete_log", ("log_id",), ("POST",)), ("revoke", ("share_id",), ("POST",)),
        ("delete", (), ("POST",)),
    )
})

# Conversations: only their participants (never moderators or admins who are not in
# them); a block only its blocker; a reported message moderators only.
def _conv_args(*names: str):
    def args(w, key):
        from tests.conversation_support import conversations_of

        c = conversations_of(w)
        return {"conversation_id": c[key].id,
                **{name: c["member_message"].id for name in names}}

    return args


def _conv_obj(arg: str):
    def args(w, key):
        from tests.conversation_support import conversations_of

        return {arg: conversations_of(w)[key].id}

    return args


_CONVO_REFUSED = [("moderator", "member_convo"), ("admin", "member_convo"),
                  (None, "member_convo")]
OWNERSHIP.update({
    "conversations.show": Ownership(_conv_args(), _CONVO_REFUSED, ("author", "member_convo"),
                                    ("GET",)),
    "conversations.reply": Ownership(_conv_args(), _CONVO_REFUSED, ("author", "member_convo"),
                                     ("POST",)),
    "conversations.reveal": Ownership(_conv_args(), _CONVO_REFUSED, ("author", "member_convo"),
                                      ("POST",)),
    "conversations.block": Ownership(_conv_args(), _CONVO_REFUSED, ("author", "member_convo"),
                                     ("POST",)),
    # The member wrote the message: nobody reports their own.
    "conversations.report": Ownership(
        _conv_args("message_id"), [*_CONVO_REFUSED, ("member", "member_convo")],
        ("author", "member_convo")),
    "conversations.unblock": Ownership(
        _conv_obj("block_id"), [("author", "member_block"), ("admin", "member_block"),
                                (None, "member_block")], ("member", "member_block"), ("POST",)),
    "conversations.report_show": Ownership(
        _conv_obj("report_id"), [("member", "report"), ("author", "report"), (None, "report")],
        ("moderator", "report"), ("GET",)),
    "conversations.resolve": Ownership(
        _conv_obj("report_id"), [("member", "report"), ("author", "report"), (None, "report")],
        ("moderator", "report"), ("POST",)),
})

# Conversation pages without an id: members (a guest signs in); staff pages; a note needs
# a moderator, and the new-conversation form a signed-in member.
OWNERSHIP.update({
    **{f"conversations.{endpoint}": Ownership(_none, [(None, "public")], ("member", "public"),
                                              ("GET",)) for endpoint in ("index", "settings")},
    **{f"conversations.{endpoint}": Ownership(
        _none, [("member", "public"), ("author", "public"), (None, "public")],
        ("moderator", "public"), ("GET",)) for endpoint in ("reports", "notes_index")},
    "conversations.note": Ownership(
        lambda w, k: {"post": w[k].id},
        [("member", "anon_post"), ("author", "anon_post"), (None, "anon_post")],
        ("moderator", "anon_post")),
    "conversations.new": Ownership(lambda w, k: {"to": w[k].username}, [(None, "author")],
                                   ("member", "author")),
})

# Engagement (forum.engage): reactions, save for later and drafts act only on what the
# member may see; drafts are always the signed-in member's own (no draft id in any URL).
OWNERSHIP.update({
    "engage.react": Ownership(
        _post,
        [("member", "member_post"),  # your own post
         ("member", "held_post"),  # a post you can't see
         (None, "author_post")],
        ("member", "author_post"),
        ("POST",),
    ),
    "engage.save_thread": Ownership(
        _thread, [("member", "held"), (None, "members_thread")], ("member", "named"), ("POST",)
    ),
    "engage.save_post": Ownership(
        _post, [("member", "held_post"), (None, "members_post")], ("member", "author_post"),
        ("POST",),
    ),
    "engage.reply_draft": Ownership(
        _thread, [("member", "held"), ("member", "locked"), (None, "named")],
        ("member", "named"), ("POST",),
    ),
})
# forum.notifications: a member opens only their own notifications; the unread jump and the
# settings need a signed-in member (the jump reads only the member's own mark).
OWNERSHIP["notifications.open_one"] = Ownership(
    lambda w, key: {"notification_id": w[key].id},
    [("member", "admin_notification"), ("moderator", "admin_notification"),
     (None, "admin_notification")],
    ("admin", "admin_notification"),
    ("POST",),
)
OWNERSHIP["notifications.first_unread"] = Ownership(
    _thread, [(None, "named"), ("member", "held")], ("member", "named"), ("GET",)
)

# moderation.users is a GET page only.
OWNERSHIP["moderation.users"] = Ownership(
    _none,
    [("member", "public"), ("moderator", "public"), (None, "public")],
    ("admin", "public"),
    ("GET",),
)

# Query-string names tried on every GET page (unused ones are ignored by the view).
QUERY_PARAMS = (
    "page",
    "quote",
    "category",
    "next",
    "q",
    "tag",
    "sort",
    "since",
    "format",
    "cursor",
    "kind",  # the notebook's timeline filters
    "service",
    "all",
    "post",  # /messages/new and /messages/note
    "to",
)

# Roles whose pages are crawled for forms and links (SQL injection, query strings).
CRAWL_AS = (None, "member", "admin")


def first_post_of(thread: Thread) -> Post:
    return db.session.scalar(db.select(Post).where(Post.thread_id == thread.id, Post.number == 1))
