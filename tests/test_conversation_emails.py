"""Emails about unread messages: batched, no text unless asked for, aliases stay aliases."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from forum.conversations import safety
from forum.conversations.emails import send_emails
from forum.extensions import db, now_utc
from tests import factories as f
from tests.leakcheck import find_leaks, message_text, secrets_of

LATER = timedelta(minutes=20)


def verified(username, **fields):
    return f.make_user(username, email=f"{username}@example.org", email_verified_at=now_utc(),
                       **fields)


@pytest.fixture
def people(world):
    return {**world, "ana": verified("ana_sender"), "bo": verified("bo_reader")}


def start(client, to, body="My private words about the IEP."):
    response = client.post(f"/messages/new?to={to}", data={"body": body})
    return int(re.search(r"/messages/(\d+)$", response.headers["Location"]).group(1))


def test_one_email_without_the_text_then_nothing_more(people, client_as, outbox):
    ana = client_as(people["ana"])
    start(ana, "bo_reader")
    start(client_as(people["member"]), "bo_reader", body="Another private thing.")
    assert send_emails().sent == 0  # still fresh: they may read it on the site
    assert send_emails(now_utc() + LATER).sent == 1
    (email,) = outbox
    body = message_text(email)
    assert email["To"] == "bo_reader@example.org"
    assert email["Subject"] == "You have unread private messages"
    assert "ana_sender" in body and "member_maya" in body and "/messages/" in body
    assert "private words" not in body and "private thing" not in body
    assert send_emails(now_utc() + LATER).sent == 0


def test_text_only_when_asked_for(people, client_as, outbox):
    safety.save_settings(people["bo"], only_known=False, email_text=True)
    start(client_as(people["ana"]), "bo_reader")
    send_emails(now_utc() + LATER)
    assert "My private words about the IEP." in message_text(outbox[0])


def test_no_email_when_turned_off_unverified_or_read(people, client_as, outbox, world):
    safety.save_settings(people["bo"], only_known=False, email_text=False, email_notify=False)
    ana = client_as(people["ana"])
    start(ana, "bo_reader")
    start(ana, "member_maya")  # no verified address
    cid = start(client_as(people["member"]), "ana_sender")
    ana.get(f"/messages/{cid}")  # read on the site
    assert send_emails(now_utc() + LATER).sent == 0
    assert outbox == []


def test_a_new_reply_after_an_email_is_mentioned_again(people, client_as, outbox, app):
    app.config["CONVERSATION_EMAIL_QUIET_MINUTES"] = 0
    cid = start(client_as(people["ana"]), "bo_reader")
    assert send_emails().sent == 1
    assert send_emails().sent == 0
    client_as(people["ana"]).post(f"/messages/{cid}/reply", data={"body": "and more"})
    assert send_emails().sent == 1
    assert len(outbox) == 2


def test_emails_never_name_an_anonymous_party(people, client_as, outbox, world):
    secret = verified("zq_mail_secret", id=765_432)
    thread = f.make_thread(secret, world["public"], title="Anonymous story for email",
                           hide_author=True)
    ana = client_as(people["ana"])
    response = ana.post(f"/messages/new?post={f.first_post(thread).id}", data={"body": "Hi"})
    cid = int(re.search(r"/messages/(\d+)$", response.headers["Location"]).group(1))
    ana.get(f"/messages/{cid}")
    safety.save_settings(people["ana"], only_known=False, email_text=True)
    client_as(secret).post(f"/messages/{cid}/reply", data={"body": "Thank you for writing"})
    send_emails(now_utc() + LATER)
    to_ana = [m for m in outbox if m["To"] == "ana_sender@example.org"]
    assert len(to_ana) == 1
    body = message_text(to_ana[0])
    assert "Anonymous parent · " in body and "Thank you for writing" in body
    assert not find_leaks(body, secrets_of(secret))


def test_mail_failure_is_tried_again(people, client_as, outbox, monkeypatch):
    from forum.conversations import emails
    from forum.mail import MailError

    start(client_as(people["ana"]), "bo_reader")

    def refuse(*args, **kwargs):
        raise MailError("refused")

    monkeypatch.setattr(emails, "send_email", refuse)
    assert send_emails(now_utc() + LATER).failed == 1
    monkeypatch.undo()
    db.session.remove()
    assert send_emails(now_utc() + LATER).sent == 1


def test_cli_command(people, client_as, app, outbox):
    start(client_as(people["ana"]), "bo_reader")
    result = app.test_cli_runner().invoke(args=["conversations", "send-emails"])
    assert result.exit_code == 0 and "Sent 0" in result.output  # too fresh yet
