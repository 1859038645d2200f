"""A removed opening post removes its title from emails too (issue 15, item 6)."""

from __future__ import annotations

from datetime import timedelta

# First: imported before forum.threads, forum.digests meets an import cycle
# (forum.digests.building -> forum.threads.routes -> forum.digests.services -> building).
import forum.threads  # noqa: F401
from forum.digests import sending
from forum.digests.models import DigestPreference, ThreadFollow
from forum.extensions import db, now_utc
from forum.threads import services
from tests import factories as f
from tests.digest_support import (  # noqa: F401 (fixtures)
    config_overrides,
    inbox,
    later,
    reader,
    site,
    smtp,
    text_and_html,
)

TITLE = "Quillamere district wants to drop speech therapy"


def _notify(user) -> None:
    db.session.add(DigestPreference(user_id=user.id, frequency="off", notify_replies=True,
                                    titles_in_subject=True,
                                    notify_since=now_utc() - timedelta(hours=1)))
    db.session.commit()


def test_reply_notifications_never_carry_a_removed_title(site, inbox):
    starter, follower = reader("starter_sam"), reader("follower_fay")
    for user in (starter, follower):
        _notify(user)
    thread = f.make_thread(starter, site["public"], title=TITLE, hide_author=True)
    db.session.add(ThreadFollow(user_id=follower.id, thread_id=thread.id))
    db.session.commit()
    f.make_reply(site["author"], thread, body="We went through the same thing.")
    services.delete_post(starter, f.first_post(thread))
    sending.send("replies", now=now_utc() + timedelta(minutes=20))
    for message in inbox.messages:
        text, html = text_and_html(message)
        assert "Quillamere" not in message["Subject"] + text + html


def test_a_digest_built_for_a_follower_shows_a_removed_title_as_removed(site):
    """The building step on its own (sending re-checks and drops such threads too)."""
    from forum.digests.building import Candidates, build_digest
    from forum.digests.models import DeliveryKind
    from forum.digests.recipients import load_recipients

    starter, follower = reader("starter_sam"), reader("follower_fay")
    for user in (starter, follower):
        _notify(user)
    thread = f.make_thread(starter, site["public"], title=TITLE, hide_author=True)
    db.session.add(ThreadFollow(user_id=follower.id, thread_id=thread.id))
    db.session.commit()
    f.make_reply(site["author"], thread, body="We went through the same thing.")
    services.delete_post(starter, f.first_post(thread))
    end = now_utc() + timedelta(minutes=20)
    candidates = Candidates(now_utc() - timedelta(hours=1), end, new_threads=False)
    titles = {}
    for recipient in load_recipients(DeliveryKind.REPLIES, end, end):
        recipient.follows = candidates.follows_by_user.get(recipient.user.id, {})
        digest = build_digest(recipient, candidates, DeliveryKind.REPLIES)
        titles[recipient.user.username] = [g.title for g in digest.replies]
    assert titles == {"starter_sam": [TITLE], "follower_fay": ["[removed]"]}


def test_digests_leave_out_a_new_thread_whose_opening_post_is_removed(site, inbox):
    member = reader()
    thread = f.make_thread(site["author"], site["public"], title=TITLE)
    f.make_thread(site["author"], site["public"], title="A thread that stays listed")
    services.delete_post(site["author"], f.first_post(thread))
    sending.send("weekly", now=later())
    [message] = inbox.to(member.email)
    text, html = text_and_html(message)
    assert "A thread that stays listed" in text
    assert "Quillamere" not in message["Subject"] + text + html
