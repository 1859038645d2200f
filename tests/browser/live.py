"""A live forum for the browser: its own app on its own SQLite file, served in a thread.

Used by tests/browser/conftest.py (one server per test session) and by
`make screenshots` (tests/browser/screenshots.py).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from config import TestingConfig

SEED_PASSWORD = "demo-password-123"

# Chromium with nothing that phones home: the suite asserts that no request leaves the server.
CHROMIUM_PATH = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORTS = {"phone": {"width": 375, "height": 812}, "desktop": {"width": 1280, "height": 800}}


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs) -> None:  # one line per request drowns test output
        pass


@dataclass
class LiveServer:
    """The app, its address and the ids of the seeded world's pages."""

    app: Flask
    url: str
    world: dict = field(default_factory=dict)
    _server: BaseWSGIServer | None = None
    _thread: threading.Thread | None = None

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        from forum.extensions import db

        with self.app.app_context():
            db.engine.dispose()


def live_config(database_path: Path) -> type:
    """TestingConfig with CSRF on (the browser submits real forms) and a file database."""
    return type(
        "LiveConfig",
        (TestingConfig,),
        {
            "DATABASE_URL": f"sqlite:///{database_path}",
            "WTF_CSRF_ENABLED": True,
            "RATELIMIT_ENABLED": False,
            "MAIL_BACKEND": "memory",
        },
    )


def start_live_server(database_path: Path, instance_path: Path) -> LiveServer:
    """Create the schema, seed the demo world and serve it on a free port of 127.0.0.1."""
    from forum import create_app
    from forum.extensions import db

    app = create_app(live_config(database_path))
    app.instance_path = str(instance_path)
    with app.app_context():
        db.drop_all()
        db.create_all()
        world = seed_world()
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    url = f"http://127.0.0.1:{server.server_port}"
    app.config["BASE_URL"] = url
    thread = threading.Thread(target=server.serve_forever, name="live-forum", daemon=True)
    thread.start()
    return LiveServer(app=app, url=url, world=world, _server=server, _thread=thread)


def seed_world() -> dict:
    """The demo data (realistic threads, named and anonymous) plus ids the pages need."""
    from sqlalchemy import select
    from werkzeug.security import generate_password_hash

    from forum.accounts.models import Role, User
    from forum.dev.seed import load_seed_data, seed
    from forum.extensions import db
    from forum.threads.models import Category, Thread

    # The seed's members first, with a cheap hash: seed() keeps existing accounts.
    cheap = generate_password_hash(SEED_PASSWORD, method="pbkdf2:sha256:1000")
    for spec in load_seed_data()["members"]:
        db.session.add(
            User(
                username=spec["username"],
                username_key=spec["username"].casefold(),
                email=spec.get("email"),
                password_hash=cheap,
                role=Role(spec.get("role", "member")),
            )
        )
    db.session.commit()
    seed(password=SEED_PASSWORD)

    def thread_id(title_start: str) -> int:
        found = db.session.scalar(select(Thread.id).where(Thread.title.startswith(title_start)))
        assert found is not None, f"seed_data.json no longer has the thread {title_start!r}"
        return found

    members_only = db.session.scalar(select(Category).where(Category.visibility == "members"))
    flagged_post = _flag_and_moderate(thread_id("They brought a finished IEP"),
                                      thread_id("Can I record"))
    return {
        "flagged_post": flagged_post,
        "revised_post": _revise_a_post("maple_mom"),
        # Anonymous starter, an anonymous reply by another member, and one by the starter.
        "anon_thread": thread_id("They brought a finished IEP"),
        "anon_thread_author": "steady_hands",
        "named_thread": thread_id("Can I record the IEP meeting"),
        "category": "iep-meetings",
        "members_category": members_only.slug,
        "users": {
            "member": "maple_mom",
            "second_member": "tidepool",
            "moderator": "mod_river",
            "admin": "admin_harbor",
            "anon_author": "steady_hands",
        },
        "password": SEED_PASSWORD,
    }


def _revise_a_post(username: str) -> int:
    """One of a member's replies, edited once: its edit history has a diff to show."""
    from sqlalchemy import select

    from forum.accounts.services import find_user
    from forum.extensions import db
    from forum.threads.models import Post
    from forum.threads.services import edit_post, get_post

    member = find_user(username)
    post = get_post(db.session.scalar(
        select(Post.id).where(Post.author_id == member.id, Post.number > 1).order_by(Post.id)
    ))
    changed = post.body.replace(" ", " really ", 1) + "\n\nEdit: we have a meeting on Friday."
    edit_post(member, post, changed)
    return post.id


def _flag_and_moderate(flagged_thread: int, hidden_thread: int) -> int:
    """Open flags for the review queue and one moderator action for the audit log."""
    from sqlalchemy import select

    from forum.accounts.services import find_user
    from forum.extensions import db
    from forum.moderation import actions, services
    from forum.threads.models import Post
    from forum.threads.services import get_post

    def reply_of(thread_id: int) -> Post:
        post_id = db.session.scalar(
            select(Post.id).where(Post.thread_id == thread_id, Post.number == 2)
        )
        return get_post(post_id)

    def flaggers(post: Post) -> list:
        names = ("tidepool", "maple_mom", "dad_of_three", "small_steps", "steady_hands")
        return [u for u in map(find_user, names) if u is not None and u.id != post.author_id]

    flagged = reply_of(flagged_thread)
    first, second = flaggers(flagged)[:2]
    services.flag_post(first, flagged, "child", "Mentions the school by name")
    services.flag_post(second, flagged, "other", "Maybe too specific about dates")
    hidden = reply_of(hidden_thread)
    services.flag_post(flaggers(hidden)[0], hidden, "spam")
    actions.hide_post(find_user("mod_river"), hidden, "Off topic advertising")
    return flagged.id


def sign_in(page, username: str, password: str = SEED_PASSWORD) -> None:
    """Sign in through the real form (the page's context must have the server as base_url)."""
    page.goto("/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    open_menu(page)
    assert page.get_by_role("button", name="Sign out").count() == 1, f"{username} is not signed in"


def open_menu(page) -> None:
    """Open the header's menu (a native <details>: Sign out, Settings, Join... are in it)."""
    menu = page.locator("details.site-menu")
    if menu.get_attribute("open") is None:
        menu.locator("summary").click()
