"""Plain factory functions for test data (fast, pre-hashed passwords)."""

from __future__ import annotations

import itertools

from werkzeug.security import generate_password_hash

from forum.accounts.models import Role, User
from forum.extensions import db
from forum.threads import services
from forum.threads.models import Category, Post, Thread

PASSWORD = "correct horse battery"
# A cheap hash keeps the suite fast; check_password_hash reads the method from the hash.
PASSWORD_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
_counter = itertools.count(1)


def make_user(username: str | None = None, *, role: str = "member", email: str | None = None,
              **fields) -> User:
    username = username or f"member{next(_counter)}"
    user = User(username=username, username_key=username.casefold(), email=email,
                password_hash=PASSWORD_HASH, role=Role(role), **fields)
    db.session.add(user)
    db.session.commit()
    return user


def make_category(slug: str | None = None, *, name: str | None = None, visibility: str = "public",
                  anonymous_policy: str = "allow", **fields) -> Category:
    slug = slug or f"category-{next(_counter)}"
    return services.save_category(None, slug=slug, name=name or slug.replace("-", " ").title(),
                                  description=f"About {slug}", visibility=visibility,
                                  anonymous_policy=anonymous_policy, **fields)


def make_thread(author: User, category: Category, *, title: str | None = None,
                body: str = "What happened at the meeting today.",
                hide_author: bool = False) -> Thread:
    title = title or f"Thread number {next(_counter)}"
    return services.create_thread(author, category, title, body, hide_author=hide_author)


def make_reply(author: User, thread: Thread, *, body: str = "Same here, hang in there.",
               hide_author: bool = False) -> Post:
    return services.create_reply(author, thread, body, hide_author=hide_author)


def first_post(thread: Thread) -> Post:
    return db.session.scalar(db.select(Post).where(Post.thread_id == thread.id, Post.number == 1))
