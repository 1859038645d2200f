"""Reply notifications: off by default, batched per quarter hour, never one mail per reply."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import update

from forum.digests import sending
from forum.digests.building import window_end
from forum.digests.models import DeliveryKind, DigestPreference, ThreadFollow
from forum.digests.tokens import read_unsubscribe_token
from forum.extensions import db, now_utc
from forum.threads.models import Post
from tests import factories as f
from tests.digest_support import (  # noqa: F401 (fixtures)
    config_overrides,
    inbox,
    reader,
    site,
    smtp,
    text_and_html,
)


def notify(user, **fields) -> None:
    fields.setdefault("notify_since", now_utc() - timedelta(hours=1))
    db.session.add(
        DigestPreference(user_id=user.id, frequency="off", notify_replies=True, **fields)
    )
    db.session.commit()


def soon(minutes: int = 20):
    return now_utc() + timedelta(minutes=minutes)


def test_off_by_default(site, inbox):
    starter = reader("starter_sam")
    thread = f.make_thread(starter, site["public"], title="Does anyone answer")
    f.make_reply(site["author"], thread, body="I do.")
    summary = sending.send("replies", now=soon())
    assert summary.sent == 0 and inbox.messages == []


def test_many_replies_make_one_message_per_batch(site, inbox):
    starter = reader("starter_sam")
    follower = reader("follower_fay")
    bystander = reader("bystander_bo")
    for user in (starter, follower, bystander):
        notify(user)
    thread = f.make_thread(starter, site["public"], title="Our aide keeps changing")
    db.session.add(ThreadFollow(user_id=follower.id, thread_id=thread.id))
    db.session.commit()
    for n in range(4):
        f.make_reply(site["author"], thread, body=f"Reply number {n} from the author.")
    f.make_reply(follower, thread, body="The follower's own reply.")
    hidden = f.make_reply(site["author"], thread, body="A reply moderators hid.")
    db.session.execute(update(Post).where(Post.id == hidden.id).values(status="hidden"))
    db.session.commit()

    summary = sending.send("replies", now=soon())

    assert summary.line() == "sent 2, skipped 1 (nothing new), failed 0"
    assert sorted(m["To"] for m in inbox.messages) == sorted([starter.email, follower.email])
    to_starter = next(m for m in inbox.messages if m["To"] == starter.email)
    assert to_starter["Subject"] == "New replies in threads you follow on IEP Parents Together"
    text, html = text_and_html(to_starter)
    assert "Our aide keeps changing (IEP meetings): 5 new replies" in text
    assert "The follower's own reply." in text and "A reply moderators hid." not in html
    to_follower = next(m for m in inbox.messages if m["To"] == follower.email)
    text, _ = text_and_html(to_follower)
    assert "4 new replies" in text and "The follower's own reply." not in text
    token = re.search(r"/unsubscribe/([^>]+)>", to_follower["List-Unsubscribe"]).group(1)
    assert read_unsubscribe_token(token) == (follower.id, "replies")
    assert to_follower["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_at_most_one_batch_per_quarter_hour(site, inbox):
    starter = reader("starter_sam")
    notify(starter)
    thread = f.make_thread(starter, site["public"], title="Waiting for answers")
    f.make_reply(site["author"], thread, body="First answer.")
    end = window_end(DeliveryKind.REPLIES, soon())  # a quarter-hour boundary after now
    first_run = end + timedelta(minutes=3)
    assert sending.send("replies", now=first_run).sent == 1
    # Cron runs again a few minutes later, in the same quarter hour: nothing more.
    second = f.make_reply(site["author"], thread, body="Second answer, a bit later.")
    db.session.execute(
        update(Post).where(Post.id == second.id).values(created_at=end + timedelta(minutes=1))
    )
    db.session.commit()
    assert sending.send("replies", now=first_run + timedelta(minutes=5)).sent == 0
    assert len(inbox.messages) == 1
    # The next quarter hour: the later reply, and only it.
    assert sending.send("replies", now=end + timedelta(minutes=17)).sent == 1
    text, _ = text_and_html(inbox.messages[1])
    assert "Second answer" in text and "First answer" not in text


def test_titles_in_subject_for_notifications_when_opted_in(site, inbox):
    starter = reader("starter_sam")
    notify(starter, titles_in_subject=True)
    thread = f.make_thread(starter, site["public"], title="Title in the subject please")
    f.make_reply(site["author"], thread, body="Sure.")
    sending.send("replies", now=soon())
    assert inbox.messages[0]["Subject"] == "New replies: Title in the subject please"


def test_anonymous_replier_is_shown_by_alias(site, inbox):
    starter = reader("starter_sam")
    notify(starter)
    thread = f.make_thread(starter, site["public"], title="Anonymous answers welcome")
    f.make_reply(site["author"], thread, body="Answering without my name.", hide_author=True)
    sending.send("replies", now=soon())
    message = inbox.messages[0]
    text, html = text_and_html(message)
    assert "Anonymous parent · " in text and "Anonymous parent · " in html
    for secret in (site["author"].username, site["author"].email):
        assert secret not in message.raw.decode("utf-8", "replace") and secret not in text + html


def test_cli_send_notifications(app, site, inbox):
    starter = reader("starter_sam")
    notify(starter)
    thread = f.make_thread(starter, site["public"], title="From the command line")
    f.make_reply(site["author"], thread, body="Hello.")
    result = app.test_cli_runner().invoke(
        args=["digests", "send-notifications", "--now", soon().strftime("%Y-%m-%dT%H:%M")]
    )
    assert result.exit_code == 0, result.output
    assert "sent 1, skipped 0 (nothing new), failed 0" in result.output
