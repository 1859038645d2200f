"""A moderator can't use moderation itself to link an anonymous post to its author's other posts.

The attacker here is a moderator who suspects that an anonymous post was written by a
member they know: they act on the anonymous post and look for any difference on the
suspect's named posts, or compare the answers they get with those for other authors.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from forum.accounts.models import User
from forum.extensions import db
from forum.moderation.models import AuditEntry, SiteSetting
from forum.moderation.settings import HOLD_FIRST_POSTS
from forum.threads.services import get_post
from tests import factories as f
from tests.moderation_support import audit_entries, flag, fresh

SUSPECT = "suspect_sam"


@pytest.fixture
def cast(world):
    """A suspect with a named and an anonymous post; other authors of every role likewise."""
    suspect = f.make_user(SUSPECT)
    other = f.make_user("other_olive")
    colleague = f.make_user("mod_lake", role="moderator")
    named = f.make_thread(suspect, world["public"], title="Named question from the suspect")
    posts = {
        "named": f.first_post(named),
        "anon": f.make_reply(suspect, world["named"], body="Anonymous words.", hide_author=True),
        "other_named": f.make_reply(other, named, body="Named words of another member."),
        "other_anon": f.make_reply(other, world["anon"], body="Also anonymous.", hide_author=True),
        "colleague_anon": f.make_reply(
            colleague, world["named"], body="A moderator, anonymously.", hide_author=True
        ),
        "admin_anon": f.make_reply(
            world["admin"], world["anon"], body="An admin, anonymously.", hide_author=True
        ),
        "admin_named": f.make_reply(world["admin"], named, body="An admin, by name."),
    }
    return {
        "suspect": suspect,
        "other": other,
        "colleague": colleague,
        **{key: post.id for key, post in posts.items()},
    }


def _act(client, post_id: int, action: str, reason: str = "Breaks guideline 1.", days="7"):
    return client.post(
        f"/moderation/posts/{post_id}/actions",
        data={"action": action, "reason": reason, "days": days},
    )


def _settle(client) -> None:
    """Show the pending flash messages, so the next answer holds only its own."""
    client.get("/moderation/log")


def _answer(client, response, post_id: int) -> tuple:
    """What the moderator learns from an action: status, where it leads, what it says."""
    location = response.headers.get("Location", "")
    if response.status_code == 302:
        page = client.get(location).text
    else:
        page = response.text
    messages = re.findall(r'class="(?:flash flash--\w+|form-errors)"[^>]*>(.*?)</', page, re.S)
    return (
        response.status_code,
        location.replace(str(post_id), "<post>"),
        [m.strip() for m in messages],
    )


def _page(client, path: str) -> str:
    """A page without its one-time values: CSRF tokens (signed with the time) and form tokens."""
    return re.sub(r'value="(?:[\w.-]{40,}|[0-9a-f]{32})"', 'value="<token>"', client.get(path).text)


def _suspended(user_id: int) -> bool:
    fresh()
    return db.session.get(User, user_id).is_suspended


# --- what a moderator sees -----------------------------------------------------------------


def test_a_sanction_through_an_anonymous_post_shows_on_no_other_post(client_as, world, cast):
    moderator = client_as(world["moderator"])
    flag(get_post(cast["named"]), "spam")
    flag(get_post(cast["other_named"]), "spam")
    pages = [
        "/moderation/",
        f"/moderation/posts/{cast['named']}",
        f"/moderation/posts/{cast['other_named']}",
        f"/threads/{world['named'].id}",
        f"/users/{SUSPECT}",
    ]
    before = {path: _page(moderator, path) for path in pages}
    assert _act(moderator, cast["anon"], "warn").status_code == 302
    assert _act(moderator, cast["anon"], "suspend").status_code == 302
    assert _act(moderator, cast["anon"], "ban", "Threats").status_code == 302
    _settle(moderator)
    assert _suspended(cast["suspect"].id)
    for path in pages:
        after = _page(moderator, path)
        assert after == before[path], f"{path} changed after acting on the anonymous post"
        assert "suspended" not in after.lower() and "banned" not in after.lower(), path
    # The anonymous post's own page says what was given through it, with the lift buttons.
    own = moderator.get(f"/moderation/posts/{cast['anon']}").text
    assert "Suspended through this post" in own and "Banned through this post" in own
    assert "Lift the suspension given here" in own and "Lift the ban given here" in own
    assert SUSPECT not in own


ACCOUNT_ACTIONS = ["warn", "suspend", "ban"]


@pytest.mark.parametrize("action", ACCOUNT_ACTIONS)
def test_account_actions_answer_alike_whoever_wrote_the_anonymous_post(
    client_as, world, cast, action
):
    """Member, moderator, admin, or an account already banned through another post."""
    moderator = client_as(world["moderator"])
    banned_elsewhere = cast["other_named"]
    assert _act(moderator, banned_elsewhere, "ban", "Spam elsewhere").status_code == 302
    _settle(moderator)
    answers = {}
    for key in ("anon", "other_anon", "colleague_anon", "admin_anon"):
        response = _act(moderator, cast[key], action)
        answers[key] = _answer(moderator, response, cast[key])
    assert len(set(map(repr, answers.values()))) == 1, answers
    status, location, messages = answers["anon"]
    assert status == 302 and location == "/moderation/posts/<post>" and messages


@pytest.mark.parametrize("action", ["lift", "unban", "ban", "suspend"])
def test_answers_about_sanctions_depend_on_the_post_not_the_account(client_as, world, cast, action):
    moderator = client_as(world["moderator"])
    # The suspect is suspended and banned through their named post...
    assert _act(moderator, cast["named"], "suspend").status_code == 302
    assert _act(moderator, cast["named"], "ban").status_code == 302
    _settle(moderator)
    # ...which their anonymous post answers exactly like another member's anonymous post.
    suspect = _answer(moderator, _act(moderator, cast["anon"], action), cast["anon"])
    other = _answer(moderator, _act(moderator, cast["other_anon"], action), cast["other_anon"])
    assert suspect == other
    assert _suspended(cast["suspect"].id)  # nothing given through the named post was lifted


# --- lifting --------------------------------------------------------------------------------


def _entry_id(action: str, post_id: int) -> int:
    return max(e.id for e in audit_entries(action) if e.post_id == post_id)


def test_lift_a_suspension_from_its_post_or_its_audit_entry(client_as, world, cast):
    moderator = client_as(world["moderator"])
    suspect_id = cast["suspect"].id
    # Two suspensions, through the named post (1 day) and the anonymous one (30 days).
    assert _act(moderator, cast["named"], "suspend", days="1").status_code == 302
    assert _act(moderator, cast["anon"], "suspend", days="30").status_code == 302
    log = moderator.get("/moderation/log").text
    assert log.count("Lift this suspension") == 2
    entry = _entry_id("suspend", cast["anon"])
    response = moderator.post(f"/moderation/log/{entry}/lift")
    assert response.status_code == 302 and response.headers["Location"] == "/moderation/log"
    assert _suspended(suspect_id)  # the named post's suspension still runs
    [lift] = audit_entries("lift_suspension")
    assert (lift.post_id, lift.user_id, lift.actor_id) == (
        cast["anon"],
        None,
        world["moderator"].id,
    )
    again = moderator.post(f"/moderation/log/{entry}/lift")
    assert again.status_code == 400 and "No suspension given through this post" in again.text
    # The other one, from its post's page.
    page = moderator.get(f"/moderation/posts/{cast['named']}").text
    assert "Lift the suspension given here" in page
    assert _act(moderator, cast["named"], "lift").status_code == 302
    assert not _suspended(suspect_id)
    assert "Lift this suspension" not in moderator.get("/moderation/log").text


def test_lift_a_ban_from_its_audit_entry(client_as, world, cast):
    moderator = client_as(world["moderator"])
    assert _act(moderator, cast["anon"], "ban").status_code == 302
    fresh()
    assert db.session.get(User, cast["suspect"].id).is_banned
    entry = _entry_id("ban", cast["anon"])
    assert "Lift this ban" in moderator.get("/moderation/log").text
    assert moderator.post(f"/moderation/log/{entry}/lift").status_code == 302
    fresh()
    assert not db.session.get(User, cast["suspect"].id).is_banned
    assert [e.post_id for e in audit_entries("unban")] == [cast["anon"]]


def test_lifting_from_the_log_is_for_moderators_and_real_entries(client_as, world, cast):
    moderator = client_as(world["moderator"])
    assert _act(moderator, cast["anon"], "suspend").status_code == 302
    entry = _entry_id("suspend", cast["anon"])
    url = f"/moderation/log/{entry}/lift"
    assert client_as().post(url).headers["Location"].startswith("/login")
    for user in (world["member"], cast["suspect"], world["author"]):
        assert client_as(user).post(url).status_code == 403
    assert client_as().get(url).status_code in (302, 405)
    assert moderator.get(url).status_code == 405
    assert _suspended(cast["suspect"].id)
    assert moderator.post("/moderation/log/999999/lift").status_code == 404
    assert _act(moderator, cast["anon"], "hide").status_code == 302
    assert (
        moderator.post(f"/moderation/log/{_entry_id('hide', cast['anon'])}/lift").status_code == 404
    )
    # The suspended account itself, if it is staff, can't lift its own.
    assert _act(moderator, cast["colleague_anon"], "suspend").status_code == 302
    own = _entry_id("suspend", cast["colleague_anon"])
    assert client_as(cast["colleague"]).post(f"/moderation/log/{own}/lift").status_code == 403
    assert _suspended(cast["colleague"].id)


# --- staff ----------------------------------------------------------------------------------


def test_staff_are_moderated_like_anyone_when_anonymous(client_as, world, cast):
    moderator = client_as(world["moderator"])
    # By name, a moderator can't act on an admin: the name is on the page anyway.
    response = _act(moderator, cast["admin_named"], "suspend")
    assert response.status_code == 403 and "Only an admin" in response.text
    assert not _suspended(world["admin"].id)
    # Anonymously, the admin is an author like any other.
    assert _act(moderator, cast["admin_anon"], "suspend").status_code == 302
    assert _suspended(world["admin"].id)
    # An admin lifts it (not the suspended admin: their own account).
    assert _act(client_as(world["admin"]), cast["admin_anon"], "lift").status_code == 403
    admin2 = f.make_user("admin_two", role="admin")
    assert _act(client_as(admin2), cast["admin_anon"], "lift").status_code == 302
    assert not _suspended(world["admin"].id)


# --- approvals ------------------------------------------------------------------------------


def test_holding_an_anonymous_post_says_nothing_about_the_account(world, cast):
    db.session.add(SiteSetting(key=HOLD_FIRST_POSTS, value="1"))
    db.session.commit()
    # A first anonymous post is held whoever writes it: staff too, members with named posts too.
    for author in (world["moderator"], world["member"]):
        post = f.make_reply(
            author, world["members_thread"], body="First time anonymous", hide_author=True
        )
        assert post.status == "held", author.username
    # A named first post is held even after anonymous posts were approved.
    newcomer = f.make_user("newcomer_nina")
    anon = f.make_reply(newcomer, world["named"], body="Held anonymously", hide_author=True)
    assert anon.status == "held"
    anon.status = "visible"
    db.session.commit()
    assert f.make_reply(newcomer, world["named"], body="Now by name").status == "held"
    # Staff posting by name are never held.
    assert f.make_reply(world["moderator"], world["named"], body="By name").status == "visible"


# --- query counts ---------------------------------------------------------------------------


def test_the_log_with_lift_buttons_keeps_its_query_count(client_as, world, count_queries):
    moderator = client_as(world["moderator"])

    def suspend_many(n):
        for i in range(n):
            author = f.make_user(f"writer_{n}_{i}")
            post = f.make_reply(author, world["named"], body=f"Post {i}", hide_author=bool(i % 2))
            assert _act(moderator, post.id, "suspend" if i % 3 else "ban").status_code == 302

    suspend_many(3)
    moderator.get("/moderation/log")
    with count_queries() as small:
        moderator.get("/moderation/log")
    suspend_many(30)
    with count_queries() as large:
        page = moderator.get("/moderation/log").text
    assert len(large) == len(small), (len(small), len(large))
    assert page.count("Lift this") >= 25
    assert db.session.scalar(select(AuditEntry.id).limit(1)) is not None


def test_the_command_line_lifts_everything_an_account_was_given(app, client_as, world, cast):
    moderator = client_as(world["moderator"])
    for key, action in (("admin_anon", "ban"), ("admin_anon", "suspend")):
        assert _act(moderator, cast[key], action).status_code == 302
    fresh()
    assert db.session.get(User, world["admin"].id).is_banned
    result = app.test_cli_runner().invoke(
        args=["accounts", "lift-sanctions", "admin_harbor", "--reason", "Locked out by mistake"]
    )
    assert result.exit_code == 0, result.output
    assert "Lifted 2" in result.output
    fresh()
    assert not db.session.get(User, world["admin"].id).is_suspended
    lifts = audit_entries("unban") + audit_entries("lift_suspension")
    assert {(e.post_id, e.user_id, e.actor_id) for e in lifts} == {(cast["admin_anon"], None, None)}
