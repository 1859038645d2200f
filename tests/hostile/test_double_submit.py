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
