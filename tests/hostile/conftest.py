"""Fixtures for the hostile-input suite: a forum with victims, and helpers to watch it."""

from __future__ import annotations

import pytest

from forum.extensions import db
from tests import factories as f
from tests.hostile.snapshot import snapshot


@pytest.fixture
def config_overrides() -> dict:
    # Everything a batch of payloads created shows on one page.
    return {"THREADS_PER_PAGE": 1000, "POSTS_PER_PAGE": 1000}


@pytest.fixture
def hostile(world):
    """`world` plus objects each role owns, for the wrong member to try."""
    from forum.accounts.services import make_reset_token
    from forum.moderation.models import Flag, MemberNotice
    from forum.threads.models import PostStatus

    w = dict(world)
    w["member_thread"] = f.make_thread(w["member"], w["public"], title="Member's own thread")
    w["member_post"] = f.make_reply(w["member"], w["member_thread"], body="Member's own reply.")
    w["member_thread_first"] = f.first_post(w["member_thread"])
    w["author_post"] = f.first_post(w["named"])
    w["members_post"] = f.first_post(w["members_thread"])
    w["admin_thread"] = f.make_thread(w["admin"], w["public"], title="Admin's own thread here")
    w["admin_post"] = f.first_post(w["admin_thread"])
    w["locked"] = f.make_thread(w["author"], w["public"], title="A locked thread for tests")
    w["locked"].locked = True
    w["held"] = f.make_thread(w["author"], w["public"], title="A held thread, not public")
    w["held"].status = PostStatus.HELD
    w["held_post"] = f.first_post(w["held"])
    w["held_post"].status = PostStatus.HELD
    w["anon_post"] = f.first_post(w["anon"])
    # Moderation: a flag by the member, a private notice to the author and one to the admin.
    w["flag"] = Flag(post_id=w["anon_post"].id, flagger_id=w["member"].id, reason="spam")
    w["author_notice"] = MemberNotice(user_id=w["author"].id, kind="warning", message="Be kind.")
    w["admin_notice"] = MemberNotice(user_id=w["admin"].id, kind="warning", message="Noted.")
    db.session.add_all([w["flag"], w["author_notice"], w["admin_notice"]])
    # A second admin: the first may delete their account (the last admin can't).
    w["admin2"] = f.make_user("admin_cove", role="admin")
    db.session.commit()
    w["reset_token"] = make_reset_token(w["author"])
    # Discovery: a tag, a resource under it, and a link between the admin's and author's threads.
    from forum.digests.tokens import Scope, make_unsubscribe_token, make_verify_token
    from forum.resources import library
    from forum.resources import services as resources
    from forum.resources.models import ThreadLink

    w["tag"] = resources.save_tag(
        None, slug="hostile-tag", label="Hostile tag", description="A tag for tests."
    )
    w["resource"] = library.save_resource(
        None,
        id="hostile-resource",
        title="A resource for tests",
        url="https://example.org/resource",
        publisher="Example publisher",
        description="What it is for.",
        tag_ids=[w["tag"].id],
    )
    w["link"] = ThreadLink(
        from_thread_id=w["admin_thread"].id,
        to_thread_id=w["named"].id,
        created_by_id=w["admin"].id,
    )
    db.session.add(w["link"])
    db.session.commit()
    # Notifications: one for the admin (the member replied in the admin's thread).
    from forum.notifications.models import Notification

    f.make_reply(w["member"], w["admin_thread"], body="A reply the admin is told about.")
    w["admin_notification"] = db.session.scalar(
        db.select(Notification).where(Notification.recipient_id == w["admin"].id)
    )
    # Digests: signed links (the author has an address to verify).
    w["verify_token"] = make_verify_token(w["author"].id, w["author"].email)
    w["unsubscribe_token"] = make_unsubscribe_token(w["member"].id, Scope.DIGEST)
    return w


@pytest.fixture
def unchanged():
    """unchanged(actor) -> check(): rows the actor doesn't own must be as they were."""

    def start(actor=None, *, admin: bool = False):
        before = snapshot(actor_id=getattr(actor, "id", None), admin=admin)

        def check(what: str = "") -> None:
            # A separate connection: only committed rows count.
            after = snapshot(actor_id=getattr(actor, "id", None), admin=admin)
            changed = [
                f"{table} row {pk}: {row} -> {after.get(table, {}).get(pk, 'DELETED')}"
                for table, rows in before.items()
                for pk, row in rows.items()
                if after.get(table, {}).get(pk) != row
            ]
            assert not changed, f"{what}: rows of others changed:\n" + "\n".join(changed[:10])

        return check

    return start
