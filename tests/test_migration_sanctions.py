"""The sanctions migration carries over who was suspended or banned before it."""

from __future__ import annotations

from datetime import timedelta

from flask_migrate import upgrade
from sqlalchemy import select, text

from tests.conftest import make_config
from tests.test_migrations import empty_database_url  # noqa: F401 (a fixture)


def test_suspensions_and_bans_carry_over_to_their_posts(empty_database_url):  # noqa: F811
    from forum import create_app
    from forum.accounts.models import SUSPENDED_INDEFINITELY, User
    from forum.extensions import db, now_utc
    from forum.moderation.models import Sanction
    from tests import factories as f

    app = create_app(make_config(empty_database_url))
    with app.app_context():
        upgrade(revision="a17c0de5c0pe")  # the revision before the sanctions
        # Rows as that schema had them, in SQL: today's models have columns added later.
        now = now_utc()
        until = now + timedelta(days=3)
        # Rows as that schema had them, in SQL: today's models have columns added later
        # (ids clear of the sequences, which explicit ids don't advance on PostgreSQL).
        rows = {
            "users": [
                {"id": 101, "username": "was_suspended", "username_key": "was_suspended",
                 "password_hash": f.PASSWORD_HASH, "role": "member", "created_at": now,
                 "post_anonymously": False, "suspended_until": until,
                 "suspension_reason": "Names a school", "banned_at": None, "ban_reason": None},
                {"id": 102, "username": "was_banned", "username_key": "was_banned",
                 "password_hash": f.PASSWORD_HASH, "role": "member", "created_at": now,
                 "post_anonymously": False, "suspended_until": SUSPENDED_INDEFINITELY,
                 "suspension_reason": None, "banned_at": now, "ban_reason": "Spam"},
                {"id": 103, "username": "ok", "username_key": "ok",
                 "password_hash": f.PASSWORD_HASH, "role": "member", "created_at": now,
                 "post_anonymously": False, "suspended_until": None,
                 "suspension_reason": None, "banned_at": None, "ban_reason": None},
            ],
            "categories": [{"id": 101, "slug": "before", "name": "Before", "description": "",
                            "position": 1, "visibility": "public",
                            "anonymous_policy": "allow", "sensitive": False,
                            "thread_count": 1}],
            "threads": [{"id": 101, "category_id": 101, "author_id": 101, "hide_author": True,
                         "title": "A thread from before", "created_at": now,
                         "last_activity_at": now, "post_count": 1, "status": "visible",
                         "pinned": False, "locked": False}],
            "posts": [{"id": 101, "thread_id": 101, "number": 1, "author_id": 101,
                       "hide_author": True, "body": "Before.", "body_html": "<p>Before.</p>",
                       "status": "visible", "created_at": now}],
            "audit_entries": [{"id": 101, "created_at": now, "action": "suspend", "post_id": 101,
                               "reason": "Names a school", "detail": ""}],
        }
        for table, values in rows.items():
            names = list(values[0])
            db.session.execute(
                text(f"INSERT INTO {table} ({', '.join(names)}) "
                     f"VALUES ({', '.join(':' + n for n in names)})"),
                values,
            )
        db.session.commit()
        ids = {"was_suspended": 101, "was_banned": 102, "ok": 103}
        post_id, entry_id = 101, 101
        db.session.remove()

        upgrade()
        rows = db.session.scalars(select(Sanction).order_by(Sanction.id)).all()
        got = sorted((r.user_id, r.kind, r.post_id, r.entry_id, r.reason) for r in rows)
        assert got == sorted(
            [
                (ids["was_suspended"], "suspension", post_id, entry_id, "Names a school"),
                (ids["was_banned"], "suspension", None, None, ""),
                (ids["was_banned"], "ban", None, None, "Spam"),
            ]
        )
        # The state itself is unchanged, and lifting through the post works.
        from forum.moderation import authors

        admin = f.make_user("admin_after", role="admin")
        from forum.threads.models import Post

        post = db.session.get(Post, post_id)
        authors.lift_suspension(admin, post, "Lifted after the upgrade")
        assert db.session.get(User, ids["was_suspended"]).suspended_until is None
        assert db.session.get(User, ids["was_banned"]).is_banned
        db.session.remove()
        db.engine.dispose()
