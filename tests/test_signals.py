"""post_published: sent once per post that readers can see, inside its own transaction."""

from __future__ import annotations

from forum.extensions import db
from forum.threads.models import PostStatus
from forum.threads.services import post_published
from tests import factories as f


def test_sent_for_visible_posts_and_on_approval_never_for_held_ones(world, monkeypatch):
    from forum.moderation import actions

    seen = []

    def receiver(post, **extra):
        # Inside the transaction: the post has its id and is not committed yet.
        assert post.id is not None and db.session().in_transaction()
        seen.append((post.id, post.number))

    with post_published.connected_to(receiver):
        thread = f.make_thread(world["member"], world["public"], title="A new story here")
        reply = f.make_reply(world["author"], thread, body="A reply to it")
        monkeypatch.setattr("forum.threads.services.should_hold", lambda *a, **k: True)
        held = f.make_reply(world["member"], thread, body="Held until approved")
        assert held.status == PostStatus.HELD
        assert held.id not in [post_id for post_id, _ in seen]
        actions.approve_post(world["moderator"], held)
    assert seen == [(f.first_post(thread).id, 1), (reply.id, 2), (held.id, 3)]
