"""A member's own data: the export, and deleting the account in both modes."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from forum.accounts.models import LoginSession, User
from forum.accounts.services import pseudonym
from forum.extensions import db, now_utc
from forum.text import quote_markdown
from forum.threads import services
from forum.threads.authors import ALIAS_PREFIX, FORMER_MEMBER
from forum.threads.models import Post, PostRevision, PostStatus
from tests import factories as f
from tests.leakcheck import find_leaks, message_text, response_text, secrets_of
from tests.routes_util import build, param_values, rules

LEAVER_ID = 987_655
SECRETS = secrets_of(SimpleNamespace(username="zq_leaving_parent",
                                     email="zq.leaving@example.org", id=LEAVER_ID))
OTHERS = ("member_maya", "author_ruth", "mod_river", "admin_harbor", "ruth.author@example.org")


@pytest.fixture
def leaver(world):
    """A member who wrote named and anonymous posts, edited some, and was quoted."""
    user = f.make_user("zq_leaving_parent", email="zq.leaving@example.org", id=LEAVER_ID)
    named = f.make_thread(user, world["public"], title="Our story with the district",
                          body="Named first post.")
    f.make_reply(world["member"], named, body="Thanks for sharing.")
    lonely = f.make_thread(user, world["public"], title="Nobody answered this one",
                           body="Lonely first post.")
    anon = f.make_thread(user, world["public"], title="Anonymous story here",
                         body="Anon first post.", hide_author=True)
    named_reply = f.make_reply(user, world["named"], body="My named reply.")
    anon_reply = f.make_reply(user, world["named"], body="My anonymous reply.", hide_author=True)
    private = f.make_thread(user, world["private"], title="Members only story",
                            body="Private words.", hide_author=True)
    services.edit_post(user, named_reply, "My named reply, edited.")
    services.edit_post(user, f.first_post(anon), "Anon first post, edited.")
    quoting = services.create_reply(
        world["member"], world["named"],
        quote_markdown("zq_leaving_parent", "My named reply, edited.") + "I agree.",
        hide_author=False)
    objects = {**world, "leaver": user, "named_thread": named, "lonely": lonely,
               "anon_thread": anon, "named_reply": named_reply, "anon_reply": anon_reply,
               "private_thread": private, "quoting": quoting}
    return {name: (type(obj), obj.id) for name, obj in objects.items()}


def fresh(refs) -> dict:
    """The fixture's objects loaded again (after db.session.remove() the old ones are stale)."""
    return {name: db.session.get(model, pk) for name, (model, pk) in refs.items()}


def _export(client) -> dict:
    # The export wants the password typed again (forum.accounts.reauth).
    confirm = client.post("/settings/confirm-password",
                          data={"password": f.PASSWORD, "next": "/settings/data/export.json"})
    assert confirm.status_code == 302
    response = client.get("/settings/data/export.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Cache-Control"] == "private, no-store"
    return json.loads(response.get_data(as_text=True))


# --- export ----------------------------------------------------------------------------


def test_export_holds_everything_the_member_wrote(client_as, leaver):
    w = fresh(leaver)
    data = _export(client_as(w["leaver"]))
    assert data["profile"]["username"] == "zq_leaving_parent"
    assert data["settings"]["email"] == "zq.leaving@example.org"
    assert data["settings"]["post_anonymously_by_default"] is False
    assert [s["device"] for s in data["sign_in_sessions"]] == ["Computer"]
    posts = {p["id"]: p for p in data["posts"]}
    expected = {f.first_post(w["named_thread"]).id, f.first_post(w["lonely"]).id,
                f.first_post(w["anon_thread"]).id, w["named_reply"].id, w["anon_reply"].id,
                f.first_post(w["private_thread"]).id}
    assert set(posts) == expected
    anon = posts[w["anon_reply"].id]
    assert anon["anonymous"] is True and anon["shown_as"].startswith(f"{ALIAS_PREFIX} · ")
    assert anon["body"] == "My anonymous reply."
    named = posts[w["named_reply"].id]
    assert named["anonymous"] is False and named["shown_as"] == "zq_leaving_parent"
    assert named["body"] == "My named reply, edited."
    started = posts[f.first_post(w["anon_thread"]).id]
    assert started["thread"]["title"] == "Anonymous story here"
    assert started["thread"]["started_by_you"] is True
    assert posts[f.first_post(w["private_thread"]).id]["body"] == "Private words."
    assert sorted(r["body"] for r in data["revisions"]) == ["Anon first post.", "My named reply."]
    assert all(r["edited_by"] == "you" for r in data["revisions"])
    assert data["flags"] == [] or isinstance(data["flags"], list)


def test_export_holds_nothing_of_other_members(client_as, leaver):
    w = fresh(leaver)
    f.make_reply(w["author"], w["anon_thread"], body="Reply by someone else in my thread.")
    text = _export(client_as(w["leaver"]))
    raw = json.dumps(text)
    for other in OTHERS:
        assert other not in raw, other
    reply_post = text["posts"][[p["id"] for p in text["posts"]].index(w["named_reply"].id)]
    assert reply_post["thread"]["title"] is None  # someone else's thread: a link only
    for words in ("Named thread about an IEP meeting", "Thanks for sharing.",
                  "Reply by someone else", "A reply from another member.", "I agree."):
        assert words not in raw, words


def test_export_of_another_member_has_none_of_the_leaver(client_as, leaver):
    raw = json.dumps(_export(client_as(fresh(leaver)["member"])))
    assert "zq_leaving_parent" not in raw and "zq.leaving" not in raw
    assert "My anonymous reply." not in raw


def test_export_query_count_does_not_grow_with_posts(client_as, leaver, count_queries):
    w = fresh(leaver)
    client = client_as(w["leaver"])
    client.get("/settings/data")
    with count_queries() as few:
        _export(client)
    from forum.digests.models import ThreadFollow
    from forum.moderation.models import MemberNotice

    for i in range(8):
        thread = f.make_thread(w["leaver"], w["public"], title=f"More threads {i}",
                               hide_author=i % 2 == 0)
        services.edit_post(w["leaver"], f.first_post(thread), f"edited {i}")
        db.session.add(ThreadFollow(user_id=w["leaver"].id, thread_id=thread.id, following=False))
        db.session.add(MemberNotice(user_id=w["leaver"].id, kind="warning",
                                    post_id=f.first_post(thread).id))
    db.session.commit()
    with count_queries() as many:
        data = _export(client)
    assert len(data["posts"]) == 14
    assert len(many) == len(few)


def test_export_lists_the_members_flags(client_as, leaver):
    from forum.moderation.models import Flag

    w = fresh(leaver)
    db.session.add(Flag(post_id=f.first_post(w["named"]).id, flagger_id=w["leaver"].id,
                        reason="other", note="Names a teacher"))
    db.session.add(Flag(post_id=w["named_reply"].id, flagger_id=w["member"].id, reason="spam"))
    db.session.commit()
    flags = _export(client_as(w["leaver"]))["flags"]
    assert [(fl["reason"], fl["note"]) for fl in flags] == [("other", "Names a teacher")]


def test_export_holds_digest_choices_follows_and_own_notices(client_as, leaver):
    from forum.digests.models import DigestCategoryChoice, DigestPreference, ThreadFollow
    from forum.moderation.models import MemberNotice

    w = fresh(leaver)
    me = w["leaver"]
    me.email_verified_at = verified = now_utc().replace(microsecond=0) - timedelta(days=2)
    db.session.add_all([
        DigestPreference(user_id=me.id, frequency="daily", titles_in_subject=True,
                         notify_replies=True, subscribed_at=verified),
        DigestCategoryChoice(user_id=me.id, category_id=w["private"].id, included=False),
        ThreadFollow(user_id=me.id, thread_id=w["named"].id),  # someone else's thread
        ThreadFollow(user_id=me.id, thread_id=w["lonely"].id, following=False),  # own, stopped
        MemberNotice(user_id=me.id, kind="warning", post_id=w["named_reply"].id,
                     message="Please keep the teacher's name out."),
        MemberNotice(user_id=w["member"].id, kind="warning", message="A notice for Maya only"),
        ThreadFollow(user_id=w["member"].id, thread_id=w["anon_thread"].id),
    ])
    db.session.commit()
    data = _export(client_as(me))
    assert data["email_digests"] == {
        "address_verified": True, "address_verified_at": verified.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "frequency": "daily", "using_defaults": False, "categories": ["IEP meetings"],
        "tags": [], "thread_titles_in_subject": True, "reply_notifications": True,
    }
    follows = {f["thread"]["id"]: f for f in data["followed_threads"]}
    assert set(follows) == {w["named"].id, w["lonely"].id}
    assert follows[w["named"].id]["following"] is True
    assert follows[w["named"].id]["thread"]["title"] is None  # another member's title
    assert follows[w["lonely"].id]["following"] is False
    assert follows[w["lonely"].id]["thread"]["title"] == "Nobody answered this one"
    [notice] = data["notices"]
    assert (notice["kind"], notice["message"]) == ("warning", "Please keep the teacher's name out.")
    assert notice["post_url"].endswith(f"/posts/{w['named_reply'].id}")
    assert notice["acknowledged_at"] is None
    assert "Maya only" not in json.dumps(data)

    # Nothing chosen, no verified address: the defaults, and no digest is sent.
    theirs = _export(client_as(w["author"]))
    assert theirs["email_digests"] == {
        "address_verified": False, "address_verified_at": None, "frequency": "weekly",
        "using_defaults": True, "categories": ["IEP meetings", "Support for parents"],
        "tags": [], "thread_titles_in_subject": False, "reply_notifications": False,
    }
    assert theirs["followed_threads"] == [] and theirs["notices"] == []


def test_data_pages_need_a_member(client_as, leaver):
    guest = client_as()
    for path in ("/settings/data", "/settings/data/export.json", "/settings/delete"):
        response = guest.get(path)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login?")
    page = client_as(fresh(leaver)["leaver"]).get("/settings/data").get_data(as_text=True)
    assert 'action="/settings/confirm-password"' in page and 'href="/settings/delete"' in page


# --- deletion --------------------------------------------------------------------------


def _delete(client, mode: str, password: str = f.PASSWORD):
    return client.post("/settings/delete", data={"posts": mode, "password": password})


def _labels(w, viewer) -> dict[int, str]:
    """How the leaver's posts are labelled on their threads' pages, by post id."""
    labels = {}
    for thread in (w["named_thread"], w["anon_thread"], w["named"]):
        page = viewer.get(f"/threads/{thread.id}").get_data(as_text=True)
        for post_id, label in re.findall(
                r'id="post-(\d+)".*?class="author[^"]*"[^>]*>([^<]+)<', page, re.S):
            labels[int(post_id)] = label
    return labels


def test_wrong_password_changes_nothing(client_as, leaver):
    client = client_as(fresh(leaver)["leaver"])
    response = _delete(client, "delete", "not my password")
    assert response.status_code == 422
    assert "password isn" in response.get_data(as_text=True)
    db.session.remove()
    user = db.session.get(User, LEAVER_ID)
    assert user.deleted_at is None and user.email == "zq.leaving@example.org"
    assert client.get("/settings/data").status_code == 200


def test_deletion_needs_a_choice(client_as, leaver):
    response = client_as(fresh(leaver)["leaver"]).post("/settings/delete",
                                                       data={"password": f.PASSWORD})
    assert response.status_code == 422
    db.session.remove()
    assert db.session.get(User, LEAVER_ID).deleted_at is None


def test_only_admin_cannot_delete_their_account(client_as, world):
    response = _delete(client_as(world["admin"]), "keep")
    assert response.status_code == 422 and "only admin" in response.get_data(as_text=True)


def _sweep(app, client_as, refs, secrets, outbox) -> int:
    w = fresh(refs)
    variants = [
        param_values(thread=w["named_thread"], post=w["named_reply"], category=w["public"],
                     user=w["member"]),
        param_values(thread=w["anon_thread"], post=w["anon_reply"], category=w["private"],
                     user=w["author"]),
        param_values(thread=w["private_thread"], post=f.first_post(w["named_thread"]),
                     category=w["public"], user=w["moderator"]),
        param_values(thread=w["named"], post=w["quoting"], category=w["public"], user=w["admin"]),
    ]
    paths = {build(rule, values) for rule in rules(app, "GET") for values in variants}
    paths |= {f"/threads/{w['named'].id}/reply?quote={w['named_reply'].id}",
              f"/threads/{w['named'].id}/reply?quote={w['quoting'].id}",
              f"/posts/{w['named_reply'].id}/revisions"}
    checked = 0
    for viewer in (None, "member", "moderator", "admin"):
        client = client_as(viewer and fresh(refs)[viewer])
        for path in sorted(paths):
            response = client.get(path)
            assert response.status_code < 500, path
            leaks = find_leaks(response_text(response), secrets)
            assert not leaks, f"{path} shows the deleted member's {leaks}"
            checked += 1
    for message in outbox:
        assert not find_leaks(message_text(message), secrets), message["Subject"]
    return checked


def _check_tombstone(client_as):
    db.session.remove()
    user = db.session.get(User, LEAVER_ID)
    assert user.deleted_at is not None
    assert user.email is None and user.email_verified_at is None
    assert user.username == pseudonym(LEAVER_ID) and "zq" not in user.username
    assert user.password_hash == "!"
    assert db.session.scalar(select(func.count()).where(LoginSession.user_id == LEAVER_ID)) == 0
    own = select(Post.id).where(Post.author_id == LEAVER_ID)
    assert db.session.scalar(
        select(func.count()).select_from(PostRevision).where(PostRevision.post_id.in_(own))) == 0
    for revision in db.session.scalars(select(PostRevision)):
        assert "zq_leaving_parent" not in revision.body
    for post in db.session.scalars(select(Post)):
        assert "zq_leaving_parent" not in post.body + post.body_html
    # Cannot sign in again, by name or by the old password.
    response = client_as().post("/login", data={"username": "zq_leaving_parent",
                                                "password": f.PASSWORD})
    assert response.status_code == 422 and "match an account" in response.get_data(as_text=True)
    assert client_as().get("/users/zq_leaving_parent").status_code == 404


def test_delete_keeping_posts(app, client_as, leaver, outbox):
    w = fresh(leaver)
    other_device = client_as(w["leaver"])  # a second signed-in browser
    before = _labels(w, client_as(w["member"]))
    anon_ids = {w["anon_reply"].id, f.first_post(w["anon_thread"]).id}
    client = client_as(w["leaver"])
    response = _delete(client, "keep")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/settings").status_code == 302  # signed out here ...
    assert other_device.get("/settings").status_code == 302  # ... and everywhere
    _check_tombstone(client_as)
    w = fresh(leaver)
    after = _labels(w, client_as(w["member"]))
    for post_id in anon_ids:
        assert after[post_id] == before[post_id]  # the alias stays
    assert after[w["named_reply"].id].strip() == FORMER_MEMBER
    assert after[f.first_post(w["named_thread"]).id].strip() == FORMER_MEMBER
    assert w["named_reply"].body == "My named reply, edited."
    assert w["anon_reply"].status == PostStatus.VISIBLE
    assert w["quoting"].body.startswith(f"{FORMER_MEMBER} wrote:\n> My named reply, edited.")
    page = client_as().get(f"/threads/{w['named'].id}").get_data(as_text=True)
    assert "My named reply, edited." in page and "My anonymous reply." in page
    assert _sweep(app, client_as, leaver, SECRETS, outbox) > 80


def test_delete_with_all_posts(app, client_as, leaver, outbox):
    assert _delete(client_as(fresh(leaver)["leaver"]), "delete").status_code == 302
    _check_tombstone(client_as)
    w = fresh(leaver)
    posts = list(db.session.scalars(select(Post).where(Post.author_id == LEAVER_ID)))
    assert len(posts) == 6
    assert all(p.status == PostStatus.DELETED and p.body == "" and p.body_html == "" for p in posts)
    assert w["named_thread"].status == PostStatus.VISIBLE  # another parent replied there
    assert w["named_thread"].title == "Removed thread"
    assert w["lonely"].status == PostStatus.DELETED
    assert w["private_thread"].status == PostStatus.DELETED
    member = client_as(w["member"])
    page = member.get(f"/threads/{w['named_thread'].id}").get_data(as_text=True)
    assert "Thanks for sharing." in page and "This post was removed." in page
    assert "Named first post." not in page
    home = member.get("/").get_data(as_text=True)
    for title in ("Nobody answered this one", "Anonymous story here", "Members only story",
                  "Our story with the district"):
        assert title not in home, title
    page = member.get(f"/threads/{w['named'].id}").get_data(as_text=True)
    # Another parent's quote of it stays (their post), under "Former member wrote:".
    assert "My named reply" not in re.sub(r"<blockquote>.*?</blockquote>", "", page, flags=re.S)
    assert f"{FORMER_MEMBER} wrote:" in page
    assert "My anonymous reply." not in page
    assert _sweep(app, client_as, leaver, SECRETS, outbox) > 80


def test_username_is_reserved_until_purged(app, client_as, leaver):
    thread_id = leaver["named"][1]
    assert _delete(client_as(fresh(leaver)["leaver"]), "keep").status_code == 302
    register = {"username": "zq_leaving_parent", "password": "x" * 12, "confirm": "x" * 12,
                "agree": "y"}
    response = client_as().post("/register", data=register)
    assert response.status_code == 422 and "That name is taken" in response.get_data(as_text=True)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["accounts", "purge-deleted"])
    assert result.exit_code == 0 and "Freed 0 username(s)" in result.output
    db.session.remove()
    user = db.session.get(User, LEAVER_ID)
    user.deleted_at = now_utc() - timedelta(days=31)
    db.session.commit()
    result = runner.invoke(args=["accounts", "purge-deleted"])
    assert result.exit_code == 0 and "Freed 1 username(s)" in result.output
    db.session.remove()
    assert db.session.get(User, LEAVER_ID).username_key == f"~deleted-{LEAVER_ID}"
    response = client_as().post("/register", data=register)
    assert response.status_code == 302
    db.session.remove()
    newcomer = db.session.scalar(select(User).where(User.username == "zq_leaving_parent"))
    assert newcomer.id != LEAVER_ID
    # The newcomer does not inherit anything: the old posts still say "Former member".
    page = client_as().get(f"/threads/{thread_id}").get_data(as_text=True)
    assert "zq_leaving_parent" not in page


def test_deleted_members_moderation_label_is_stable_and_pseudonymous(app, client_as, leaver):
    assert _delete(client_as(fresh(leaver)["leaver"]), "keep").status_code == 302
    db.session.remove()
    label = db.session.get(User, LEAVER_ID).username
    assert label == pseudonym(LEAVER_ID) == pseudonym(LEAVER_ID)
    assert label.startswith("Former member ") and str(LEAVER_ID) not in label
    assert pseudonym(LEAVER_ID + 1) != label


def test_no_ip_addresses_are_stored(app, client_as):
    """The anonymity page says no IP address is stored: no column could hold one."""
    suspicious = re.compile(r"(^|_)(ip|ips|ip_address|remote_addr|address|user_agent)($|_)")
    columns = [f"{table.name}.{column.name}" for table in db.metadata.sorted_tables
               for column in table.columns if suspicious.search(column.name)]
    assert columns == []
    page = client_as().get("/anonymity").get_data(as_text=True)
    assert "We do not store IP addresses" in page
