"""Anonymous posting: aliases, ownership, policies, and the leak test over every route."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from forum.extensions import db, now_utc
from forum.threads.authors import ALIAS_PREFIX, AliasBook, assign_aliases, display_author
from forum.threads.models import Post, Thread
from tests import factories as f
from tests.leakcheck import find_leaks, message_text, response_text, secrets_of
from tests.routes_util import build, param_values, rules

SECRET_ID = 987_654


@pytest.fixture
def secret_world(world):
    """An author who only ever posts anonymously, with a distinctive name, email and id."""
    secret = f.make_user("zq_secret_parent", email="zq.secret.parent@example.org", id=SECRET_ID)
    anon_thread = f.make_thread(secret, world["public"], title="Aide removed after a good month",
                                body="They want to take away the one-to-one aide.",
                                hide_author=True)
    anon_reply = f.make_reply(secret, world["named"], body="Same thing happened to us.",
                              hide_author=True)
    # Notifications the crawled members get from the secret's anonymous posts (issue 18):
    # a mention, a quote, a reaction and a reply, each shown under the secret's alias.
    thanks = f"Thank you @member_maya and @mod_river.\n\n[quote=post:{world['reply'].id}]"
    told = f.make_reply(secret, world["members_thread"], hide_author=True, body=thanks)
    from forum.threads.services import reaction_added

    reaction_added.send(world["reply"], member_id=secret.id, kind="me_too")
    db.session.commit()
    assert told.id
    own_reply = f.make_reply(secret, anon_thread, body="Update: meeting next week.",
                             hide_author=True)
    private_thread = f.make_thread(secret, world["private"], title="I can't keep fighting alone",
                                   body="Some days are too much.", hide_author=True)
    from forum.threads import services

    services.edit_post(secret, f.first_post(anon_thread), "They want to remove the aide. (edited)")
    quoter = world["member"]
    services.create_reply(quoter, anon_thread, "Quoting you:\n\n> They want to remove the aide.",
                          hide_author=False)
    # Engagement (issue 18): others mark the anonymous reply "This helped" (it becomes the
    # thread's highlighted reply) and react to the anonymous thread; the secret author
    # reacts, saves and keeps drafts. Pages show counts only, never who.
    from forum.engage import drafts, reactions, saved

    for who in (world["member"], world["moderator"], world["author"]):
        reactions.toggle_reaction(who, services.get_post(own_reply.id), "helped")
        reactions.toggle_reaction(who, services.get_post(f.first_post(anon_thread).id),
                                  "strength")
    reactions.toggle_reaction(secret, services.get_post(world["reply"].id), "me_too")
    saved.toggle_thread(secret, world["named"])
    saved.toggle_post(secret, services.get_post(world["reply"].id))
    drafts.save_draft(secret, world["named"], body="A draft reply.", hide_author=True)
    return {**world, "secret": secret, "anon_thread": anon_thread, "anon_reply": anon_reply,
            "own_reply": own_reply, "private_thread": private_thread}


def _paths(app, w) -> list[str]:
    variants = [
        param_values(thread=w["anon_thread"], post=f.first_post(w["anon_thread"]),
                     category=w["public"], user=w["member"]),
        param_values(thread=w["named"], post=w["anon_reply"], category=w["private"],
                     user=w["author"]),
        param_values(thread=w["private_thread"], post=w["own_reply"], category=w["public"],
                     user=w["moderator"]),
    ]
    paths = {build(rule, values) for rule in rules(app, "GET") for values in variants}
    paths |= {
        f"/threads/{w['named'].id}/reply?quote={w['anon_reply'].id}",
        f"/threads/{w['anon_thread'].id}/reply?quote={f.first_post(w['anon_thread']).id}",
        "/?page=1",
    }
    return sorted(paths)


@pytest.mark.parametrize("viewer", ["guest", "member", "moderator", "admin"])
def test_no_route_reveals_an_anonymous_author(app, client_as, secret_world, outbox, viewer):
    w = secret_world
    user = None if viewer == "guest" else w[viewer]
    client = client_as(user)
    patterns = secrets_of(w["secret"])
    checked = 0
    for path in _paths(app, w):
        response = client.get(path)
        assert response.status_code < 500, path
        leaks = find_leaks(response_text(response), patterns)
        assert not leaks, f"{path} as {viewer} shows the author's {leaks}"
        checked += 1
    assert checked >= 20
    for message in outbox:
        if message["To"] != w["secret"].email:
            assert not find_leaks(message_text(message), patterns), message["Subject"]


def test_notifications_name_the_anonymous_actor_by_alias_only(client_as, secret_world):
    """The crawl above reads these pages too; here, that they do say who acted."""
    w = secret_world
    for viewer in ("member", "moderator"):
        client = client_as(w[viewer])
        page = client.get("/notifications").get_data(as_text=True)
        assert f"{ALIAS_PREFIX} · " in page and "mentioned you" in page
        count = client.get("/notifications/count").get_data(as_text=True)
        assert not find_leaks(page + count, secrets_of(w["secret"]))
    assert "Parents reacted to your post" in client_as(w["member"]).get(
        "/notifications").get_data(as_text=True)


def test_anonymous_posts_show_alias_everywhere_they_appear(client_as, secret_world):
    w = secret_world
    page = client_as(w["member"]).get(f"/threads/{w['anon_thread'].id}").get_data(as_text=True)
    assert f"{ALIAS_PREFIX} · " in page
    assert "(original poster)" in page
    home = client_as().get("/").get_data(as_text=True)
    assert "Aide removed after a good month" in home and ALIAS_PREFIX in home


def test_quote_of_anonymous_post_carries_alias(client_as, secret_world):
    w = secret_world
    post = f.first_post(w["anon_thread"])
    body = client_as(w["member"]).get(
        f"/threads/{w['anon_thread'].id}/reply?quote={post.id}").get_data(as_text=True)
    assert f"{ALIAS_PREFIX} · " in body and "wrote:" in body
    assert "zq_secret_parent" not in body


def test_author_sees_private_marker_and_pages_are_not_cached(client_as, secret_world):
    w = secret_world
    own = client_as(w["secret"]).get(f"/threads/{w['anon_thread'].id}")
    assert "you posted this anonymously" in own.get_data(as_text=True)
    assert own.headers["Cache-Control"] == "private, no-store"
    other = client_as(w["member"]).get(f"/threads/{w['anon_thread'].id}")
    assert "you posted this anonymously" not in other.get_data(as_text=True)


def test_profile_and_counts_ignore_anonymous_posts(client_as, secret_world):
    page = client_as(secret_world["member"]).get("/users/zq_secret_parent").get_data(as_text=True)
    assert "0 posts under this name" in page
    assert "Aide removed after a good month" not in page
    assert "Same thing happened to us." not in page


def test_alias_stable_in_thread_and_unlinkable_across_threads(app, world):
    member = world["member"]
    t1 = f.make_thread(member, world["public"], title="First anonymous thread", hide_author=True)
    f.make_reply(member, t1, hide_author=True)
    t2 = f.make_thread(member, world["public"], title="Second anonymous thread", hide_author=True)
    other = f.make_user("someone_else")
    f.make_reply(other, t1, hide_author=True)
    book = AliasBook.for_threads([t1.id, t2.id])
    posts = list(db.session.scalars(
        select(Post).where(Post.thread_id == t1.id).order_by(Post.number)
    ))
    labels = [display_author(p, world["moderator"], book, t1).label for p in posts]
    assert labels[0].split(" (")[0] == labels[1].split(" (")[0]  # same member, same thread
    assert labels[2] != labels[0]  # another member in the same thread
    # Across many threads the same member gets many different words.
    words = {assign_aliases(thread_id, [member.id])[member.id] for thread_id in range(1, 40)}
    assert len(words) > 20


def test_alias_book_computes_lazily_but_as_the_whole_thread_would(app, world):
    """Lookups in any order, and books read only up to a post, give the same words."""
    thread = f.make_thread(world["author"], world["public"], title="Lazy aliases", hide_author=True)
    writers = [world["author"]] + [f.make_user() for _ in range(30)]
    posts = [f.first_post(thread)]
    for n, writer in enumerate(writers[1:]):
        posts.append(f.make_reply(writer, thread, body=f"Reply {n}", hide_author=True))
    f.make_reply(writers[3], thread, body="Again", hide_author=True)  # an author's second post
    everyone = assign_aliases(thread.id, [w.id for w in writers])
    book = AliasBook.for_threads([thread.id])
    for writer in reversed(writers):
        assert book.alias(thread.id, writer.id) == everyone[writer.id]
    for shown in (posts[0], posts[7], posts[-1]):
        book = AliasBook.for_posts([shown])
        assert book.alias(thread.id, shown.author_id) == everyone[shown.author_id]


def test_no_alias_collision_among_fifty_members():
    for thread_id in range(1, 30):
        aliases = assign_aliases(thread_id, range(1, 51), key=b"k" * 32)
        assert len(set(aliases.values())) == 50


def test_alias_depends_on_secret_key(app):
    a = assign_aliases(7, range(1, 11), key=b"a" * 32)
    b = assign_aliases(7, range(1, 11), key=b"b" * 32)
    assert a != b


def test_switch_named_to_anonymous_applies_to_revisions_and_quotes(client_as, world):
    author = world["author"]
    post = f.first_post(world["named"])
    post_id, thread_id = post.id, world["named"].id
    client = client_as(author)
    client.post(f"/posts/{post_id}/edit",
                data={"title": "Named thread about an IEP meeting", "body": "v2"})
    assert client.post(f"/posts/{post_id}/anonymity", data={"hide_author": "1"}).status_code == 302
    mod = client_as(world["moderator"])
    for path in (f"/threads/{thread_id}", f"/posts/{post_id}/revisions",
                 f"/threads/{thread_id}/reply?quote={post_id}", "/", "/categories/iep-meetings"):
        body = mod.get(path).get_data(as_text=True)
        assert "author_ruth" not in body, path
    db.session.remove()
    assert db.session.get(Thread, thread_id).hide_author is True
    client.post(f"/posts/{post_id}/anonymity", data={"hide_author": "0"})
    assert "author_ruth" in mod.get(f"/threads/{thread_id}").get_data(as_text=True)


def _anon_checkbox(html: str) -> str:
    return re.search(r'<input[^>]*id="hide_author"[^>]*>', html).group(0)


def test_anonymity_default_from_member_setting(client_as, world):
    other = client_as(world["author"]).get("/threads/new").get_data(as_text=True)
    assert "checked" not in _anon_checkbox(other)
    world["member"].post_anonymously = True
    db.session.commit()
    page = client_as(world["member"]).get("/threads/new").get_data(as_text=True)
    assert "checked" in _anon_checkbox(page)


def test_category_policies(client_as, world):
    required = f.make_category("vent", anonymous_policy="require")
    forbidden = f.make_category("announcements", anonymous_policy="forbid")
    client = client_as(world["member"])
    client.post("/threads/new",
                data={"category": "vent", "title": "Just need to vent", "body": "ugh"})
    thread = db.session.scalar(select(Thread).where(Thread.category_id == required.id))
    assert thread.hide_author is True
    response = client.post("/threads/new", data={"category": "announcements",
                                                 "title": "Named only here",
                                                 "body": "text", "hide_author": "y"})
    assert response.status_code == 400
    assert "isn&#39;t available in this category" in response.get_data(as_text=True)
    assert db.session.scalar(select(Thread).where(Thread.category_id == forbidden.id)) is None


def test_suspended_member_cannot_post_anonymously(client_as, world):
    from datetime import timedelta

    member = world["member"]
    member.suspended_until = now_utc() + timedelta(days=3)
    member.suspension_reason = "Named a teacher"
    db.session.commit()
    client = client_as(member)
    for data in ({"body": "anon try", "hide_author": "y"}, {"body": "named try"}):
        response = client.post(f"/threads/{world['named'].id}/reply", data=data)
        assert response.status_code == 403
        assert "suspended until" in response.get_data(as_text=True)
    response = client.post("/threads/new", data={"category": "iep-meetings",
                                                 "title": "Anon thread try",
                                                 "body": "x", "hide_author": "y"})
    assert response.status_code == 403
    assert db.session.scalar(
        select(Post).where(Post.body.in_(["anon try", "named try", "x"]))
    ) is None


# Every claim "How anonymity works here" makes, and the tests that prove it. A claim added
# to the page without tests behind it fails test_every_claim_on_the_page_has_its_tests.
CLAIM_TESTS = {
    "claim-alias": ["test_aliases.py"],
    "claim-per-thread": ["test_anonymity.py", "test_aliases.py"],
    "claim-repeats": ["test_aliases.py", "test_quotes.py"],
    "claim-reply": ["test_composer.py"],
    "claim-op": ["test_anonymity.py"],
    "claim-profile": ["test_profile_counts.py", "test_search.py", "test_feeds.py",
                      "test_digests.py"],
    "claim-quotes": ["test_quotes.py"],
    "claim-moderators": ["test_moderation_anonymity.py", "test_moderation_oracles.py"],
    "claim-admins": ["test_moderation_anonymity.py"],
    "claim-database": ["test_mydata.py", "test_anonymity.py", "test_secrets.py"],
    "claim-your-data": ["test_mydata.py", "test_moderation_redaction.py"],
    "claim-check": ["test_privacy_review.py", "test_privacy_posts.py"],
    "claim-notebook": ["test_notebook_privacy.py", "test_notebook_share.py"],
    "claim-reactions": ["test_anonymity.py", "test_engage_reactions.py", "test_engage_saved.py",
                        "test_engage_drafts.py"],
}


def test_every_claim_on_the_page_has_its_tests(client_as):
    page = client_as().get("/anonymity").get_data(as_text=True)
    claims = set(re.findall(r'id="(claim-[a-z-]+)"', page))
    assert claims == set(CLAIM_TESTS), claims ^ set(CLAIM_TESTS)
    here = Path(__file__).parent
    for files in CLAIM_TESTS.values():
        assert all((here / name).is_file() for name in files), files


def test_anonymity_page_linked_beside_checkbox_and_claims_hold(client_as, secret_world):
    w = secret_world
    form_page = client_as(w["member"]).get("/threads/new").get_data(as_text=True)
    assert 'href="/anonymity"' in form_page
    page = client_as().get("/anonymity").get_data(as_text=True)
    for claim in ("claim-alias", "claim-per-thread", "claim-repeats", "claim-op", "claim-profile",
                  "claim-quotes", "claim-moderators",
                  "claim-admins", "claim-database"):
        assert f'id="{claim}"' in page
    # claim-moderators: a moderator's view of the thread shows the alias, not the username.
    mod_page = (client_as(w["moderator"]).get(f"/threads/{w['anon_thread'].id}")
                .get_data(as_text=True))
    assert ALIAS_PREFIX in mod_page and "zq_secret_parent" not in mod_page


@pytest.mark.parametrize("viewer", [None, "member", "moderator", "admin"])
def test_reactions_on_anonymous_posts_show_counts_only(client_as, secret_world, viewer):
    """Issue 18: the anonymous reply is the thread's most helpful one and carries counts;
    nobody learns who wrote it, and the secret author's own reactions name nobody."""
    w = secret_world
    patterns = secrets_of(w["secret"])
    client = client_as(w[viewer] if viewer else None)
    for path in (f"/threads/{w['anon_thread'].id}", f"/threads/{w['named'].id}"):
        html = client.get(path).get_data(as_text=True)
        assert not find_leaks(html, patterns), path
    html = client.get(f"/threads/{w['anon_thread'].id}").get_data(as_text=True)
    assert "Parents found this reply helpful" in html
    assert 'This helped <span class="reaction__count">3</span>' in html
    named = client.get(f"/threads/{w['named'].id}").get_data(as_text=True)
    assert 'Me too <span class="reaction__count">1</span>' in named
