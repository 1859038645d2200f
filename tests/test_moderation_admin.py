"""Admin tools: roles (UI and CLI), approval settings and held posts, the editable guidelines."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from forum.accounts.models import User
from forum.extensions import db, now_utc
from forum.moderation.models import GuidelinesRevision, MemberNotice
from forum.threads.models import Post, Thread
from tests import factories as f
from tests.moderation_support import audit_entries, count, fresh, old_user

# --- roles -----------------------------------------------------------------------------


def test_admin_promotes_and_demotes_in_the_ui(client_as, world):
    admin = client_as(world["admin"])
    page = admin.get("/moderation/users?q=member")
    assert page.status_code == 200 and "member_maya" in page.text
    response = admin.post(
        f"/moderation/users/{world['member'].id}/role",
        data={"role": "moderator", "reason": "Trusted long-time member"},
    )
    assert response.status_code == 302
    fresh()
    assert db.session.get(User, world["member"].id).is_moderator
    admin.post(f"/moderation/users/{world['member'].id}/role", data={"role": "member"})
    fresh()
    assert not db.session.get(User, world["member"].id).is_moderator
    entries = audit_entries("role_change")
    assert [(e.actor_id, e.user_id, e.detail) for e in entries] == [
        (world["admin"].id, world["member"].id, "member → moderator"),
        (world["admin"].id, world["member"].id, "moderator → member"),
    ]
    assert entries[0].reason == "Trusted long-time member"
    log = client_as(world["moderator"]).get("/moderation/log?action=role_change").text
    assert "member_maya" in log and "Trusted long-time member" in log


def test_admin_cannot_change_own_role_and_bad_roles_are_refused(client_as, world):
    admin = client_as(world["admin"])
    admin.post(f"/moderation/users/{world['admin'].id}/role", data={"role": "member"})
    assert (
        admin.post(
            f"/moderation/users/{world['member'].id}/role", data={"role": "emperor"}
        ).status_code
        == 400
    )
    fresh()
    assert db.session.get(User, world["admin"].id).is_admin
    assert db.session.get(User, world["member"].id).role == "member"
    assert audit_entries() == []


def test_cli_set_role_writes_an_audit_entry(app, world):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["accounts", "set-role", "member_maya", "moderator", "--reason", "Volunteered"]
    )
    assert result.exit_code == 0, result.output
    assert "member_maya is now moderator" in result.output
    fresh()
    assert db.session.get(User, world["member"].id).role == "moderator"
    [entry] = audit_entries("role_change")
    assert entry.actor_id is None and entry.user_id == world["member"].id
    assert entry.reason == "Volunteered"
    result = runner.invoke(args=["accounts", "set-role", "nobody_here", "admin"])
    assert result.exit_code != 0 and "No account named" in result.output


# --- approval settings and held posts ---------------------------------------------------------


def _settings(client, **values):
    data = {k: "y" for k, v in values.items() if v}
    return client.post("/moderation/settings", data=data)


def test_settings_are_off_by_default_and_audited(client_as, world):
    admin = client_as(world["admin"])
    page = admin.get("/moderation/settings").text
    assert "checked" not in page
    assert _settings(admin, hold_first_posts=True).status_code == 302
    assert "checked" in admin.get("/moderation/settings").text
    [entry] = audit_entries("settings")
    assert "hold_first_posts on" in entry.detail


def test_first_post_of_a_new_account_is_held_until_approved(client_as, world):
    _settings(client_as(world["admin"]), hold_first_posts=True)
    newcomer = f.make_user("newcomer_nell")
    writer = client_as(newcomer)
    response = writer.post(
        "/threads/new",
        data={"category": "iep-meetings", "title": "My first question here", "body": "Hello all"},
    )
    assert response.status_code == 302
    fresh()
    thread = db.session.scalar(select(Thread).where(Thread.title == "My first question here"))
    assert thread.status == "held"
    own = writer.get(f"/threads/{thread.id}").text
    assert "Waiting for a moderator" in own and "Hello all" in own
    assert client_as(world["member"]).get(f"/threads/{thread.id}").status_code == 404
    assert "My first question here" not in client_as(world["member"]).get("/").text
    approvals = client_as(world["moderator"]).get("/moderation/approvals").text
    assert "My first question here" in approvals
    post = f.first_post(thread)
    client_as(world["moderator"]).post(
        f"/moderation/posts/{post.id}/actions", data={"action": "approve"}
    )
    assert client_as(world["member"]).get(f"/threads/{thread.id}").status_code == 200
    # Once a post is approved, the next one goes straight up.
    f.make_reply(newcomer, world["named"], body="Now I can reply")
    fresh()
    assert db.session.scalar(select(Post).where(Post.body == "Now I can reply")).status == "visible"


def test_rejected_post_stays_hidden_and_the_author_learns_why(client_as, world):
    _settings(client_as(world["admin"]), hold_first_posts=True)
    newcomer = f.make_user("newcomer_ned")
    reply = f.make_reply(newcomer, world["named"], body="Buy my course", hide_author=True)
    assert reply.status == "held"
    response = client_as(world["moderator"]).post(
        f"/moderation/posts/{reply.id}/actions",
        data={"action": "reject", "reason": "Advertising (guideline 6)"},
    )
    assert response.status_code == 302
    fresh()
    assert db.session.get(Post, reply.id).status == "hidden"
    assert count(MemberNotice, MemberNotice.kind == "rejected") == 1
    assert "Advertising (guideline 6)" not in client_as(world["member"]).get("/").text
    assert "Advertising (guideline 6)" in client_as(newcomer).get("/").text


def test_held_reply_is_shown_only_to_its_author_and_moderators(client_as, world):
    _settings(client_as(world["admin"]), hold_first_posts=True)
    reply = f.make_reply(f.make_user("newcomer_nia"), world["named"], body="Held words here")
    assert reply.status == "held"
    url = f"/threads/{world['named'].id}"
    assert "Held words here" in client_as(db.session.get(User, reply.author_id)).get(url).text
    assert "Held words here" in client_as(world["moderator"]).get(url).text
    other = client_as(world["member"]).get(url).text
    assert "Held words here" not in other and "Waiting for a moderator" not in other


def test_links_from_young_accounts_are_held(client_as, world):
    _settings(client_as(world["admin"]), hold_new_account_links=True)
    young = f.make_user("young_account", created_at=now_utc() - timedelta(hours=3))
    established = old_user("older_account")
    assert f.make_reply(young, world["named"], body="See https://example.com/deal").status == "held"
    assert f.make_reply(young, world["named"], body="No link at all").status == "visible"
    assert (
        f.make_reply(established, world["named"], body="See https://example.com").status
        == "visible"
    )
    assert (
        f.make_reply(world["moderator"], world["named"], body="[x](https://example.com)").status
        == "visible"
    )


def test_nothing_is_held_by_default(world):
    newcomer = f.make_user("newcomer_default", created_at=now_utc())
    assert f.make_reply(newcomer, world["named"], body="https://example.com").status == "visible"


# --- guidelines -------------------


def test_guidelines_fall_back_to_the_shipped_file_with_section_anchors(client_as, world):
    page = client_as().get("/guidelines").text
    for n in (1, 2, 4, 6, 10):
        assert f'id="section-{n}"' in page
    assert count(GuidelinesRevision) == 0


def test_admin_edits_guidelines_and_revisions_are_kept(client_as, world):
    admin = client_as(world["admin"])
    form = admin.get("/moderation/guidelines")
    assert "Protect children" in form.text
    response = admin.post(
        "/moderation/guidelines",
        data={"body": "### 1. Be kind\n\nNo <script>alert(1)</script> here.", "reason": "Shorter"},
    )
    assert response.status_code == 302 and response.headers["Location"] == "/guidelines"
    admin.post("/moderation/guidelines", data={"body": "### 1. Be very kind\n\nThanks."})
    page = client_as().get("/guidelines").text
    assert '<h3 id="section-1">1. Be very kind</h3>' in page
    assert "<script>" not in page
    assert count(GuidelinesRevision) == 2
    assert [e.action for e in audit_entries()] == ["guidelines", "guidelines"]
    history = admin.get("/moderation/guidelines").text
    assert "Shorter" in history


def test_empty_guidelines_are_refused_and_text_kept(client_as, world):
    response = client_as(world["admin"]).post(
        "/moderation/guidelines", data={"body": "  ", "reason": "oops keep"}
    )
    assert response.status_code == 422
    assert "oops keep" in response.text
    assert count(GuidelinesRevision) == 0


def test_queue_and_flag_form_link_to_the_guidelines(client_as, world):
    assert 'href="/guidelines"' in client_as(world["moderator"]).get("/moderation/").text
    post = f.first_post(world["named"])
    assert 'href="/guidelines"' in client_as(world["member"]).get(f"/posts/{post.id}/flag").text


def test_review_queue_nav_link_for_moderators_only(client_as, world):
    from tests.moderation_support import flag

    flag(f.first_post(world["named"]), "spam")
    nav = client_as(world["moderator"]).get("/").text
    assert 'href="/moderation/"' in nav and "Review queue" in nav
    assert '<span class="badge">1<span class="visually-hidden"> open</span>' in nav
    assert "Review queue" not in client_as(world["member"]).get("/").text
    assert "Review queue" not in client_as().get("/").text
