"""The same form sent twice at the same moment creates one post (both databases)."""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.threads.models import Post, Thread

ROUNDS = 5


def _at_once(clients, url, data) -> list:
    """POST the same form from each client, released together by a barrier."""
    barrier = threading.Barrier(len(clients))
    responses: list = [None] * len(clients)
    errors: list = []

    def send(i, client):
        try:
            barrier.wait(timeout=10)
            responses[i] = client.post(url, data=data)
        except Exception as exc:  # surfaced below with the failing request
            errors.append(exc)

    workers = [threading.Thread(target=send, args=(i, c)) for i, c in enumerate(clients)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    assert not errors, errors
    return responses


def _posts_with(key: str) -> int:
    with db.engine.connect() as conn:
        return conn.execute(
            select(func.count()).select_from(Post).where(Post.idempotency_key == key)
        ).scalar_one()


@pytest.mark.parametrize("copies", [2, 3])
def test_new_thread_double_submit(copies, hostile, client_as):
    member = hostile["member"]
    for round_ in range(ROUNDS):
        key = uuid.uuid4().hex
        title = f"Double submitted thread {copies} {round_}"
        data = {
            "category": hostile["public"].slug,
            "title": title,
            "body": "Sent twice.",
            "token": key,
        }
        responses = _at_once([client_as(member) for _ in range(copies)], "/threads/new", data)
        assert [r.status_code for r in responses] == [302] * copies
        # Everyone lands on the same, single thread.
        assert len({r.headers["Location"] for r in responses}) == 1
        assert _posts_with(key) == 1
        with db.engine.connect() as conn:
            assert (
                conn.execute(
                    select(func.count()).select_from(Thread).where(Thread.title == title)
                ).scalar_one()
                == 1
            )


def test_reply_double_submit(hostile, client_as):
    member, thread = hostile["member"], hostile["named"]
    for _ in range(ROUNDS):
        key = uuid.uuid4().hex
        data = {"body": "A reply sent twice.", "token": key}
        responses = _at_once(
            [client_as(member), client_as(member)], f"/threads/{thread.id}/reply", data
        )
        assert [r.status_code for r in responses] == [302, 302]
        assert responses[0].headers["Location"] == responses[1].headers["Location"]
        assert _posts_with(key) == 1


def test_concurrent_different_replies_get_distinct_numbers(hostile, client_as):
    # Not a double submit: two members replying at once both get in, numbered in order.
    thread_id = hostile["named"].id  # ORM objects stay in this thread
    clients = [
        client_as(hostile["member"]),
        client_as(hostile["author"]),
        client_as(hostile["admin"]),
    ]
    barrier = threading.Barrier(len(clients))
    results = []

    def send(client, n):
        barrier.wait(timeout=10)
        results.append(
            client.post(
                f"/threads/{thread_id}/reply",
                data={"body": f"Reply {n}", "token": uuid.uuid4().hex},
            )
        )

    workers = [threading.Thread(target=send, args=(c, n)) for n, c in enumerate(clients)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    assert [r.status_code for r in results] == [302] * len(clients)
    with db.engine.connect() as conn:
        numbers = (
            conn.execute(
                select(Post.number).where(Post.thread_id == thread_id).order_by(Post.number)
            )
            .scalars()
            .all()
        )
        post_count = conn.execute(
            select(Thread.post_count).where(Thread.id == thread_id)
        ).scalar_one()
    assert numbers == list(range(1, len(numbers) + 1))
    assert post_count == len(numbers)


# --- every form whose row a unique rule guards: one result, and a clear 4xx for the other ----


def _count(model, *where) -> int:
    with db.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def _statuses(responses) -> list[int]:
    return sorted(r.status_code for r in responses)


def test_register_double_submit(client_as):
    from forum.accounts.models import User

    for round_ in range(ROUNDS):
        name = f"twin_parent_{round_}"
        data = {"username": name, "password": "long enough 123", "confirm": "long enough 123",
                "agree": "y"}
        responses = _at_once([client_as(), client_as()], "/register", data)
        assert _statuses(responses) == [302, 422], [r.status_code for r in responses]
        assert _count(User, User.username_key == name) == 1
        [refused] = [r for r in responses if r.status_code == 422]
        assert "name is taken" in refused.text or "name was taken a moment ago" in refused.text
        assert f'value="{name}"' in refused.text  # what they typed is still there


def test_site_settings_double_submit(hostile, client_as):
    from sqlalchemy import delete

    from forum.moderation.models import SiteSetting

    admin = hostile["admin"]
    data = {"hold_first_posts": "y", "hold_new_account_links": "y"}
    for _ in range(ROUNDS):
        with db.engine.begin() as conn:  # no row yet: both requests insert it
            conn.execute(delete(SiteSetting))
        responses = _at_once([client_as(admin), client_as(admin)], "/moderation/settings", data)
        statuses = _statuses(responses)
        # Saved; the other copy either saved the same values over them, or says why it saved
        # nothing (409 in the race, "Nothing changed" when it came second). Never a 500.
        assert 302 in statuses and set(statuses) <= {302, 400, 409}, statuses
        assert _count(SiteSetting, SiteSetting.value == "1") == 2


def test_flag_double_submit(hostile, client_as):
    from forum.moderation.models import Flag

    member, post_id = hostile["member"], hostile["author_post"].id
    responses = _at_once(
        [client_as(member), client_as(member)], f"/posts/{post_id}/flag",
        {"reason": "spam", "note": "twice"},
    )
    assert _statuses(responses) == [302, 400]
    assert "already flagged" in next(r.text for r in responses if r.status_code == 400)
    assert _count(Flag, Flag.post_id == post_id, Flag.flagger_id == member.id) == 1


def test_category_double_submit(hostile, client_as):
    from forum.threads.models import Category

    admin = hostile["admin"]
    for round_ in range(ROUNDS):
        slug = f"twin-category-{round_}"
        data = {"name": f"Twin {round_}", "slug": slug, "description": "", "visibility": "public",
                "anonymous_policy": "allow"}
        responses = _at_once([client_as(admin), client_as(admin)], "/admin/categories/new", data)
        assert _statuses(responses) == [302, 422]
        assert _count(Category, Category.slug == slug) == 1


def test_account_and_digest_settings_double_submit(hostile, client_as):
    from forum.digests.models import DigestPreference

    member = hostile["member"]
    for round_ in range(ROUNDS):
        data = {"post_anonymously": "y"} if round_ % 2 else {}
        responses = _at_once([client_as(member), client_as(member)], "/settings", data)
        assert _statuses(responses) == [302, 302]
        data = {"frequency": "daily" if round_ % 2 else "weekly", "notify_replies": "y"}
        responses = _at_once(
            [client_as(member), client_as(member)], "/settings/digests", data
        )
        assert _statuses(responses) == [302, 302]
        assert _count(DigestPreference, DigestPreference.user_id == member.id) == 1


def test_reaction_and_save_double_submit(hostile, client_as):
    """Issue 18: the same reaction, save or draft sent twice at once never fails (a 500) and
    never stores two rows."""
    from forum.engage.models import Draft, Reaction, SavedItem

    member, post_id = hostile["member"], hostile["author_post"].id
    thread_id = hostile["named"].id
    for url, data in ((f"/posts/{post_id}/react", {"kind": "me_too"}),
                      (f"/posts/{post_id}/save", {}),
                      (f"/threads/{thread_id}/draft", {"body": "Half a reply."})):
        for _ in range(ROUNDS):
            responses = _at_once([client_as(member), client_as(member)], url, data)
            assert [r.status_code for r in responses] == [302, 302], url
    with db.engine.connect() as conn:
        for model in (Reaction, SavedItem, Draft):
            assert conn.execute(select(func.count()).select_from(model)).scalar_one() <= 1
