"""The sanctions migration carries over who was suspended or banned before it."""

from __future__ import annotations

from datetime import timedelta

from flask_migrate import upgrade
from sqlalchemy import select

from tests.conftest import make_config
from tests.test_migrations import empty_database_url  # noqa: F401 (a fixture)


def test_suspensions_and_bans_carry_over_to_their_posts(empty_database_url):  # noqa: F811
    from forum import create_app
    from forum.accounts.models import SUSPENDED_INDEFINITELY, User
    from forum.extensions import db, now_utc
    from forum.moderation.models import AuditEntry, Sanction
    from tests import factories as f

    app = create_app(make_config(empty_database_url))
    with app.app_context():
        upgrade(revision="a17c0de5c0pe")  # the revision before the sanctions
        category = f.make_category(slug="before")
        suspended, banned, plain = (f.make_user(n) for n in ("was_suspended", "was_banned", "ok"))
        thread = f.make_thread(suspended, category, hide_author=True)
        post_id = f.first_post(thread).id
        until = now_utc() + timedelta(days=3)
        suspended.suspended_until, suspended.suspension_reason = until, "Names a school"
        banned.suspended_until = SUSPENDED_INDEFINITELY
        banned.banned_at, banned.ban_reason = now_utc(), "Spam"
        entry = AuditEntry(action="suspend", post_id=post_id, reason="Names a school")
        db.session.add(entry)
        db.session.commit()
        ids = {u.username: u.id for u in (suspended, banned, plain)}
        entry_id = entry.id
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
