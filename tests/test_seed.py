"""The demo seed fills a realistic site and is idempotent."""

from __future__ import annotations

from sqlalchemy import func, select

from forum.accounts.models import User
from forum.extensions import db
from forum.threads.models import Category, Post, Thread


def _counts():
    return tuple(db.session.scalar(select(func.count()).select_from(m))
                 for m in (Category, User, Thread, Post))


def test_seed_is_idempotent_and_realistic(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["dev", "seed", "--password", "seed-password-123"])
    assert result.exit_code == 0, result.output
    first = _counts()
    categories, users, threads, posts = first
    assert categories >= 8 and threads >= 20 and posts > threads
    assert db.session.scalar(
        select(func.count()).select_from(User).where(User.role == "moderator")
    ) >= 1
    assert db.session.scalar(
        select(func.count()).select_from(Post).where(Post.hide_author.is_(True))
    ) > 5
    assert runner.invoke(args=["dev", "seed"]).exit_code == 0
    assert _counts() == first
    skipped = runner.invoke(args=["dev", "seed", "--if-empty"])
    assert "already has accounts" in skipped.output
    # Counters agree with the rows.
    for thread in db.session.scalars(select(Thread)):
        real = db.session.scalar(
            select(func.count()).select_from(Post).where(Post.thread_id == thread.id)
        )
        assert thread.post_count == real
    for category in db.session.scalars(select(Category)):
        real = db.session.scalar(
            select(func.count()).select_from(Thread).where(Thread.category_id == category.id)
        )
        assert category.thread_count == real


def test_seeded_site_serves_pages(app, client):
    app.test_cli_runner().invoke(args=["dev", "seed"])
    assert client.get("/").status_code == 200
    aide = db.session.scalar(select(Thread).where(Thread.title.like("%one-to-one aide%")))
    assert aide is not None
    assert client.get(f"/threads/{aide.id}").status_code == 200
