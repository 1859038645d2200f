"""Flags: the member's form, the queue, auto-hide at the threshold, crisis flags."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from forum.extensions import db, now_utc
from forum.moderation.models import Flag, MemberNotice
from forum.threads.models import Post
from tests import factories as f
from tests.moderation_support import (
    audit_entries,
    count,
    flag,
    fresh,
    old_user,
    open_flag_count,
)


def _post(post_id: int) -> Post:
    fresh()
    return db.session.get(Post, post_id)


def test_flag_flow_end_to_end(client_as, world):
    post = f.first_post(world["anon"])
    flagger = old_user("flagger_one")
    member = client_as(flagger)

    thread_page = member.get(f"/threads/{world['anon'].id}")
    assert f'href="/posts/{post.id}/flag"'.encode() in thread_page.data

    form = member.get(f"/posts/{post.id}/flag")
    assert form.status_code == 200
    assert b'href="/guidelines#section-1"' in form.data  # reasons point at guideline sections
    assert b"Something else" in form.data

    response = member.post(
        f"/posts/{post.id}/flag", data={"reason": "child", "note": "Names the school"}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/posts/{post.id}"
    assert open_flag_count(post.id) == 1
    assert _post(post.id).status == "visible"  # one flag does not hide

    moderator = client_as(world["moderator"])
    queue = moderator.get("/moderation/")
    assert queue.status_code == 200
    body = queue.data.decode()
    assert "Anonymous thread about an aide" in body
    assert "Identifies a child or family" in body
    assert "Names the school" in body
    assert "Anonymous parent · " in body

    response = moderator.post(
        f"/moderation/posts/{post.id}/actions",
        data={"action": "hide", "reason": "Names a school", "next": "/moderation/"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/moderation/"
    assert _post(post.id).status == "hidden"
    assert open_flag_count(post.id) == 0
    entries = audit_entries()
    assert [(e.action, e.post_id, e.reason) for e in entries] == [
        ("hide", post.id, "Names a school")
    ]
    assert b"No open flags" in moderator.get("/moderation/").data
    # Other members now see the placeholder only.
    page = client_as(world["member"]).get(f"/threads/{world['anon'].id}").data
    assert b"hidden by moderators" in page
    assert b"What happened at the meeting today." not in page


def test_flag_link_not_on_own_posts_nor_for_guests(client_as, world):
    post = f.first_post(world["anon"])
    own = client_as(world["author"]).get(f"/threads/{world['anon'].id}").data
    assert f"/posts/{post.id}/flag".encode() not in own
    guest = client_as().get(f"/threads/{world['anon'].id}").data
    assert f"/posts/{post.id}/flag".encode() not in guest
    assert client_as().get(f"/posts/{post.id}/flag").headers["Location"].startswith("/login")


def test_author_cannot_flag_own_post(client_as, world):
    post = f.first_post(world["anon"])
    response = client_as(world["author"]).post(f"/posts/{post.id}/flag", data={"reason": "spam"})
    assert response.status_code == 403
    assert count(Flag) == 0
    # Nor is the form offered to them.
    assert client_as(world["author"]).get(f"/posts/{post.id}/flag").status_code == 403


def test_something_else_needs_a_note_and_keeps_the_form(client_as, world):
    post = f.first_post(world["named"])
    response = client_as(world["member"]).post(f"/posts/{post.id}/flag", data={"reason": "other"})
    assert response.status_code == 400
    assert b"Please say in a few words" in response.data
    assert count(Flag) == 0
    response = client_as(world["member"]).post(
        f"/posts/{post.id}/flag", data={"reason": "nonsense"}
    )
    assert response.status_code == 422
    assert count(Flag) == 0


def test_one_flag_per_member_per_post(client_as, world):
    post = f.first_post(world["named"])
    member = client_as(world["member"])
    assert member.post(f"/posts/{post.id}/flag", data={"reason": "spam"}).status_code == 302
    again = member.post(f"/posts/{post.id}/flag", data={"reason": "harassment", "note": "again"})
    assert again.status_code == 400
    assert b"already flagged" in again.data
    assert count(Flag) == 1


def test_auto_hide_at_threshold_not_before(app, client_as, world):
    assert app.config["FLAG_HIDE_THRESHOLD"] == 3
    post = f.first_post(world["named"])
    for n in range(2):
        client_as(old_user(f"old_flagger{n}")).post(
            f"/posts/{post.id}/flag", data={"reason": "staff"}
        )
    assert _post(post.id).status == "visible"
    assert audit_entries() == []
    client_as(old_user("old_flagger3")).post(f"/posts/{post.id}/flag", data={"reason": "staff"})
    assert _post(post.id).status == "flag_hidden"
    [entry] = audit_entries()
    assert entry.action == "auto_hide" and entry.actor_id is None and entry.post_id == post.id
    page = client_as(world["member"]).get(f"/threads/{world['named'].id}").data
    assert b"Hidden while moderators review it." in page


def test_only_day_old_accounts_count_towards_hiding(client_as, world):
    post = f.first_post(world["named"])
    for n in range(5):  # brand-new accounts: flags recorded, post stays up
        new = f.make_user(f"new_flagger{n}", created_at=now_utc() - timedelta(hours=20))
        client_as(new).post(f"/posts/{post.id}/flag", data={"reason": "spam"})
    assert open_flag_count(post.id) == 5
    assert _post(post.id).status == "visible"
    for n in range(2):
        client_as(old_user(f"aged{n}")).post(f"/posts/{post.id}/flag", data={"reason": "spam"})
    assert _post(post.id).status == "visible"
    client_as(old_user("aged3")).post(f"/posts/{post.id}/flag", data={"reason": "spam"})
    assert _post(post.id).status == "flag_hidden"


def test_dismissed_flags_no_longer_count(client_as, world):
    post = f.first_post(world["named"])
    for _ in range(3):
        flag(post, "spam")
    assert _post(post.id).status == "flag_hidden"
    client_as(world["moderator"]).post(
        f"/moderation/posts/{post.id}/actions", data={"action": "dismiss"}
    )
    assert _post(post.id).status == "visible"
    flag(_post(post.id), "spam")
    assert _post(post.id).status == "visible"


def test_crisis_flag_never_hides_emails_moderators_and_shows_author_banner(
    client_as, world, outbox
):
    second_mod = f.make_user("mod_second", role="moderator", email="mod.second@example.org")
    world["moderator"].email = "mod.river@example.org"
    world["admin"].email = "admin.harbor@example.org"
    db.session.commit()
    post = f.first_post(world["anon"])
    for n in range(4):
        response = client_as(old_user(f"worried{n}")).post(
            f"/posts/{post.id}/flag", data={"reason": "crisis", "note": "She sounds in despair"}
        )
        assert response.status_code == 302
    assert _post(post.id).status == "visible"
    # Every moderator and admin with an address, once (on the first crisis flag), right away.
    recipients = sorted(message["To"] for message in outbox)
    assert recipients == sorted(
        ["mod.second@example.org", "mod.river@example.org", "admin.harbor@example.org"]
    )
    for message in outbox:
        text = message.get_body(("plain",)).get_content()
        assert f"/moderation/posts/{post.id}" in text
        assert "Anonymous parent · " in text
        assert "author_ruth" not in message.as_string()
        assert "ruth.author@example.org" not in message.as_string()
    assert second_mod.username  # used

    queue = client_as(world["moderator"]).get("/moderation/").data.decode()
    assert "Someone may be in crisis" in queue

    author_page = client_as(world["author"]).get("/").data.decode()
    assert "988 Suicide &amp; Crisis Lifeline" in author_page
    assert "text HOME to" in author_page and "741741" in author_page
    assert 'href="/guidelines#section-10"' in author_page or 'href="/resources"' in author_page
    assert count(MemberNotice) == 1  # one banner per post, however many flags
    # The banner is private: other members don't see it.
    assert (
        "988 Suicide &amp; Crisis Lifeline</strong>"
        not in client_as(world["member"]).get("/").data.decode()
    )


def test_crisis_flag_goes_to_the_top_of_the_queue(client_as, world):
    crowded = f.first_post(world["named"])
    for _ in range(2):
        flag(crowded, "spam")
    crisis_post = world["reply"]
    flag(crisis_post, "crisis", "worried")
    body = client_as(world["moderator"]).get("/moderation/").data.decode()
    assert body.index(f"/moderation/posts/{crisis_post.id}") < body.index(
        f"/moderation/posts/{crowded.id}"
    )


def test_queue_orders_by_flag_count_then_age(client_as, world):
    older = f.first_post(world["named"])
    flag(older, "spam")
    more = world["reply"]
    flag(more, "spam")
    flag(more, "harassment", "rude")
    single = f.first_post(world["anon"])
    flag(single, "spam")
    body = client_as(world["moderator"]).get("/moderation/").data.decode()
    positions = [body.index(f'/moderation/posts/{p.id}"') for p in (more, older, single)]
    assert positions == sorted(positions)


def test_acknowledging_the_banner_hides_it(client_as, world):
    post = f.first_post(world["anon"])
    flag(post, "crisis")
    notice = db.session.scalar(select(MemberNotice))
    author = client_as(world["author"])
    response = author.post(f"/notices/{notice.id}/acknowledge", data={"next": "/threads/1"})
    assert response.status_code == 302 and response.headers["Location"] == "/threads/1"
    assert "988 Suicide" not in author.get("/").data.decode().split("<main")[1].split("</main>")[0]
    # Someone else's notice is not theirs to acknowledge.
    flag(world["reply"], "crisis")
    other = db.session.scalar(
        select(MemberNotice).where(MemberNotice.user_id == world["member"].id)
    )
    assert author.post(f"/notices/{other.id}/acknowledge").status_code == 404


@pytest.mark.parametrize("status", ["hidden", "deleted", "held"])
def test_cannot_flag_a_post_that_is_not_visible(client_as, world, status):
    post = f.first_post(world["named"])
    post.status = status
    db.session.commit()
    response = client_as(world["member"]).post(f"/posts/{post.id}/flag", data={"reason": "spam"})
    assert response.status_code in (400, 404)
    assert count(Flag) == 0


def test_support_banner_links_the_resource_library_when_it_exists(app, client_as, world):
    has_library = any(rule.rule == "/resources" for rule in app.url_map.iter_rules())
    flag(f.first_post(world["anon"]), "crisis")
    page = client_as(world["author"]).get("/").text
    target = "/resources" if has_library else "/guidelines#section-10"
    assert f'href="{target}"' in page
