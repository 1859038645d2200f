"""The page-assembly layer (forum/assembly): kept blocks, what members share, invalidation.

TestingConfig keeps the block cache on, so every page in the suite goes through
it; these tests check what it must never do: show one member's own markers,
buttons or tokens to another, keep serving content that changed, or let a
shared block reach for the request.
"""

from __future__ import annotations

import html
import re
from datetime import datetime

import pytest
from flask import render_template_string, template_rendered
from flask_login import login_user
from jinja2 import ChoiceLoader, DictLoader, UndefinedError
from sqlalchemy import text

from forum.assembly import blocks, versions
from forum.extensions import db
from forum.resources.models import ThreadLink
from forum.threads.models import Thread
from tests import factories as f
from tests.conftest import StillClock

MARKER = "you posted this anonymously"
# The per-request parts of a page (each member's own): form tokens.
HOLES = re.compile(r'(name="(?:csrf_token|token)" type="hidden" value=")[^"]*"'
                   r'|(type="hidden" name="csrf_token" value=")[^"]*"')


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def without_holes(text_: str) -> str:
    return HOLES.sub(lambda m: (m[1] or m[2]) + 'HOLE"', text_)


def rendered_templates():
    names: list[str] = []
    return names, template_rendered.connected_to(
        lambda sender, template, context, **extra: names.append(template.name)
    )


# --- who shares what -------------------------------------------------------------------


def shared_paths(world) -> list[str]:
    return ["/", f"/categories/{world['public'].slug}", f"/categories/{world['private'].slug}",
            f"/threads/{world['named'].id}", f"/threads/{world['anon'].id}",
            f"/threads/{world['members_thread'].id}"]


def test_two_members_get_the_same_pages_but_their_holes_with_the_cache_on_and_off(
    app, client_as, world, monkeypatch
):
    one, two = f.make_user("reader_one"), f.make_user("reader_two")
    f.make_reply(world["author"], world["anon"], body="A reply under an alias", hide_author=True)
    seen = {}
    for cache in ("on", "off"):
        if cache == "off":
            monkeypatch.delitem(app.extensions, "block_cache")
        for member in (one, two):
            client = client_as(member)
            for path in shared_paths(world):
                seen[(cache, member.username, path)] = without_holes(page(client, path))
    for path in shared_paths(world):
        versions_ = {seen[(c, m, path)] for c in ("on", "off")
                     for m in ("reader_one", "reader_two")}
        assert len(versions_) == 1, f"{path} differs between members or with the cache off"
        assert "HOLE" in seen[("on", "reader_one", path)]  # the sign-out form's token at least


def test_a_personal_line_in_the_nav_shows_each_member_only_their_own(app, client_as, world):
    # The header is a kept part (forum.assembly.pages.site_nav): rendered from the values
    # passed to it and kept under exactly those, so a "Signed in as" line shows each member
    # their own name, and one that reaches for the request instead fails loudly.
    from jinja2 import ChoiceLoader

    with app.app_context():
        env = blocks.environment()
    original = env.loader
    nav = original.get_source(env, "_partials/nav.html")[0]

    def use(line):
        env.loader = ChoiceLoader([DictLoader({
            "_partials/nav.html": nav.replace("</header>", line + "</header>")}), original])
        env.cache.clear()
        app.extensions["part_cache"].clear()

    try:
        path = f"/threads/{world['named'].id}"
        use("<p>Signed in as {{ username }}</p>")
        members = {name: f.make_user(name) for name in ("reader_one", "reader_two")}
        for name in ("reader_one", "reader_two", "reader_one"):  # the first one's is kept
            mine = page(client_as(members[name]), path)
            assert f"Signed in as {name}" in mine
            assert mine.count("Signed in as") == 1
        use("<p>Signed in as {{ current_user.username }}</p>")
        with pytest.raises(UndefinedError):
            client_as(members["reader_two"]).get(path)
    finally:
        env.loader = original
        env.cache.clear()
        app.extensions["part_cache"].clear()


@pytest.mark.parametrize("personal", ["current_user.username", "request.path", "session.keys()",
                                      "g.user", "csrf_token()", "get_flashed_messages()",
                                      "moderation_banner().queue_count"])
def test_a_shared_block_that_reaches_for_the_request_fails_loudly(app, client_as, personal):
    with app.test_request_context("/"):
        with pytest.raises(UndefinedError, match="per request"):
            blocks.render_shared_source(f"<p>{{{{ {personal} }}}}</p>", {})
        # The same text renders in the page layout (per request), where it belongs.
        render_template_string("{{ url_for('threads.index') }}")


def test_an_authors_own_view_is_never_shared(client_as, world):
    thread = world["anon"]  # started anonymously by author_ruth
    reply = f.make_reply(world["member"], thread, body="An anonymous reply", hide_author=True)
    path = f"/threads/{thread.id}"
    other = f.make_user("other_olive")
    # A plain member who wrote nothing here renders first: the blocks are kept.
    first = page(client_as(other), path)
    assert MARKER not in first and "Edit</a>" not in first
    # Each author still sees their own markers and buttons...
    for user, post_id in ((world["author"], f.first_post(thread).id), (world["member"], reply.id)):
        own = page(client_as(user), path)
        assert MARKER in own
        assert f"/posts/{post_id}/edit" in own
    # ...and after them, another plain member sees neither, nor any username behind an alias.
    third = page(client_as(f.make_user("third_tova")), path)
    assert MARKER not in third and "/edit" not in third
    for name in ("author_ruth", "member_maya"):
        assert name not in third


def test_an_authors_own_copy_is_kept_for_them_alone_and_renewed_by_a_reply(client_as, world):
    # forum.assembly.blocks.render: the author's own rendering is kept under their id.
    thread = world["anon"]  # started anonymously by author_ruth
    path = f"/threads/{thread.id}"
    author, other = client_as(world["author"]), client_as(f.make_user("other_olive"))
    page(other, path)
    page(author, path)
    names, recording = rendered_templates()
    with recording:
        again = page(author, path)
    assert "threads/_posts.html" not in names  # kept: the author's copy
    assert MARKER in again and f"/posts/{f.first_post(thread).id}/edit" in again
    for reader in (other, client_as(world["member"])):  # never anyone else's
        theirs = page(reader, path)
        assert MARKER not in theirs and "/edit" not in theirs
    f.make_reply(world["member"], thread, body="A new reply shows in the author's copy")
    names, recording = rendered_templates()
    with recording:
        renewed = page(author, path)
    assert "threads/_posts.html" in names
    assert "A new reply shows in the author" in renewed and MARKER in renewed


def test_moderators_get_their_tools_after_a_member_filled_the_cache(client_as, world):
    path = f"/threads/{world['named'].id}"
    assert "/moderation/posts/" not in page(client_as(world["member"]), path)
    assert "/moderation/posts/" in page(client_as(world["moderator"]), path)


def test_a_second_member_is_served_from_kept_blocks(client_as, world, count_queries):
    path = f"/threads/{world['named'].id}"
    one, two = client_as(f.make_user("reader_one")), client_as(f.make_user("reader_two"))
    page(one, path)
    db.session.expunge_all()  # as a new request would start: nothing in the identity map
    names, recording = rendered_templates()
    with count_queries() as second, recording:
        page(two, path)
    # The member; the thread with the member's follow state and whether they wrote
    # anonymously here (their reply box keeps that name); the versions. Never a post's text.
    # The reaction bars cost nothing more: their counts are kept in the block (forum.engage),
    # the member's own reactions on the page come with the thread.
    # A first view also moves the member's read mark (one upsert, forum.notifications).
    reads = [s for s in second if not s.startswith("INSERT INTO thread_reads")]
    assert len(reads) == 3 and len(second) == 4, second
    assert not any("posts.body" in s for s in second)
    db.session.expunge_all()
    with count_queries() as again:
        page(two, path)
    assert len(again) == 3, again  # read already: no write
    assert "threads/_posts.html" not in names and "resources/_discovery.html" not in names
    # The page around the blocks is kept too (a frame); the header is each member's own,
    # rendered for them (banners too, for a member who has one: none here).
    assert "threads/show.html" not in names and "base.html" not in names
    assert "_partials/nav.html" in names and "moderation/_banners.html" not in names


def test_the_starter_of_a_linked_thread_keeps_the_remove_button(client_as, world):
    named, anon = world["named"], world["anon"]
    db.session.add(ThreadLink(from_thread_id=named.id, to_thread_id=anon.id,
                              created_by_id=world["author"].id))
    db.session.commit()
    starter = f.make_user("starter_sam")
    linked = f.make_thread(starter, world["public"], title="A thread linked from the named one")
    db.session.add(ThreadLink(from_thread_id=named.id, to_thread_id=linked.id,
                              created_by_id=world["author"].id))
    db.session.commit()
    path = f"/threads/{named.id}"
    assert "Remove link" not in page(client_as(f.make_user("reader_one")), path)
    assert "Remove link" in page(client_as(starter), path)


def test_reply_forms_get_their_own_tokens(client_as, world):
    path = f"/threads/{world['named'].id}"
    tokens = set()
    for name in ("reader_one", "reader_two"):
        found = re.search(r'name="token" type="hidden" value="([0-9a-f]{32})"',
                          page(client_as(f.make_user(name)), path))
        assert found is not None
        tokens.add(found.group(1))
    assert len(tokens) == 2


def test_lists_show_a_starter_their_own_anonymous_thread(client_as, world):
    for path in ("/", f"/categories/{world['public'].slug}"):
        assert MARKER not in page(client_as(f.make_user()), path)
        assert MARKER in page(client_as(world["author"]), path)
        assert MARKER not in page(client_as(f.make_user()), path)


CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def test_each_members_token_is_their_own_and_works(client_as, world):
    path = f"/threads/{world['named'].id}"
    one, two = client_as(f.make_user("reader_one")), client_as(f.make_user("reader_two"))
    tokens_a, tokens_b = set(CSRF.findall(page(one, path))), set(CSRF.findall(page(two, path)))
    assert tokens_a and tokens_b and not tokens_a & tokens_b
    response = two.post(f"{path}/follow", data={"csrf_token": tokens_b.pop(), "follow": "1"})
    assert response.status_code == 302
    assert one.post(f"{path}/follow", data={"csrf_token": tokens_a.pop(),
                                              "follow": "1"}).status_code == 302


def test_follow_state_and_flash_messages_stay_with_their_member(client_as, world):
    path = f"/threads/{world['named'].id}"
    follower, other = client_as(f.make_user("reader_one")), client_as(f.make_user("reader_two"))
    token = CSRF.search(page(follower, path)).group(1)
    response = follower.post(f"{path}/follow", data={"csrf_token": token, "follow": "1"},
                             follow_redirects=True)
    mine = html.unescape(response.get_data(as_text=True))
    assert "You're following this thread." in mine and "Stop following" in mine
    theirs = html.unescape(page(other, path))
    assert "following this thread" not in theirs and "Follow this thread" in theirs
    again = html.unescape(page(follower, path))  # the flash is gone; the state stays
    assert "Stop following" in again and "You're following this thread." not in again


def test_a_private_notice_is_never_shared(client_as, world):
    from forum.moderation.models import MemberNotice, NoticeKind

    path = f"/threads/{world['named'].id}"
    warned, other = f.make_user("reader_one"), f.make_user("reader_two")
    page(client_as(other), path)  # the blocks are kept
    db.session.add(MemberNotice(user_id=warned.id, kind=NoticeKind.WARNING,
                                message="Please keep names of staff out of posts."))
    db.session.commit()
    assert "Please keep names of staff out of posts." in page(client_as(warned), path)
    assert "Please keep names of staff out of posts." not in page(client_as(other), path)


def test_the_front_page_list_is_shared_but_invitations_stay_with_their_member(app, client_as,
                                                                              world):
    from tests.test_tags import age

    app.config["THREADS_PER_PAGE"] = 2  # the invited member's thread is not on page 1
    asker = f.make_user("asker_ann")
    old = f.make_thread(asker, world["public"], title="Aide taken away, what now")
    age(old.id, 40)
    for n in range(3):
        f.make_thread(world["member"], world["public"], title=f"Newer thread {n}")
    page(client_as(f.make_user("reader_one")), "/")  # a plain member's blocks are kept
    names, recording = rendered_templates()
    with recording:
        mine = page(client_as(asker), "/")
    assert "threads/_thread_list.html" not in names  # the kept list
    assert "How did it turn out?" in mine and "Aide taken away, what now" in mine
    theirs = page(client_as(f.make_user("reader_two")), "/")
    assert "How did it turn out?" not in theirs


@pytest.mark.parametrize("page_path", ["thread", "/notifications", "/notifications/count"])
def test_a_members_page_reads_without_begin_and_rollback_on_postgresql(
    app, client_as, world, page_path
):
    from flask import request_finished

    levels = []

    def record(sender, response, **extra):
        levels.append(db.session().connection().get_execution_options().get("isolation_level"))

    client = client_as(f.make_user("reader_one"))
    path = f"/threads/{world['named'].id}" if page_path == "thread" else page_path
    db.session.remove()  # a request starts with a new session, as in a real server
    with request_finished.connected_to(record, app):
        assert client.get(path).status_code == 200
    postgresql = db.engine.dialect.name == "postgresql"
    assert (levels == ["AUTOCOMMIT"]) is postgresql


# --- invalidation by what changed --------------------------------------------------------


def _posts_rendered(client, path) -> bool:
    names, recording = rendered_templates()
    with recording:
        page(client, path)
    return "threads/_posts.html" in names


def test_a_reply_makes_only_its_own_thread_and_lists_stale(client_as, world):
    reader = client_as(f.make_user("reader_one"))
    other_thread = f.make_thread(world["member"], world["public"], title="Another story here")
    paths = {"named": f"/threads/{world['named'].id}", "other": f"/threads/{other_thread.id}"}
    for path in paths.values():
        page(reader, path)
    assert not _posts_rendered(reader, paths["other"])  # kept
    f.make_reply(world["moderator"], world["named"], body="A brand new reply")
    assert "A brand new reply" in page(reader, paths["named"])
    assert not _posts_rendered(reader, paths["other"])  # still kept: nothing there changed
    names, recording = rendered_templates()
    with recording:
        page(reader, "/")
    assert "threads/_thread_list.html" in names  # the front page's list moved


@pytest.mark.parametrize("statement", [
    "UPDATE posts SET body_html = '<p>changed</p>' WHERE id = :id",  # recognised, undeclared
    "WITH p AS (SELECT :id AS id) UPDATE posts SET body_html = '<p>changed</p>' "
    "WHERE id IN (SELECT id FROM p)",  # not recognised: fail closed
])
def test_a_write_nobody_declared_clears_every_kept_block(client_as, world, statement):
    reader = client_as(f.make_user("reader_one"))
    path = f"/threads/{world['named'].id}"
    page(reader, path)
    site = db.session.scalar(text("SELECT version FROM content_version"))
    db.session.execute(text(statement), {"id": world["reply"].id})
    db.session.commit()
    assert db.session.scalar(text("SELECT version FROM content_version")) == site + 1
    assert "changed" in page(reader, path)


def test_a_rolled_back_write_bumps_nothing(app, world):
    before = versions.read(["thread:1"])
    thread = db.session.get(Thread, world["named"].id)
    thread.title = "Never saved"
    versions.changed("thread:1")
    db.session.flush()
    db.session.rollback()
    assert versions.read(["thread:1"]) == before


@pytest.mark.parametrize(("statement", "expected"), [
    ("SELECT 1", ""),
    ("  select * from posts", ""),
    ("WITH x AS (SELECT 1) SELECT * FROM x", ""),
    ("PRAGMA foreign_keys=ON", ""),
    ("SAVEPOINT sa_savepoint_1", ""),
    ("CREATE TABLE t (id int)", ""),
    ('INSERT INTO "posts" (body) VALUES (?)', "posts"),
    ("INSERT OR REPLACE INTO threads VALUES (1)", "threads"),
    ("UPDATE threads SET title = 'x'", "threads"),
    ("DELETE FROM thread_tags WHERE thread_id = 1", "thread_tags"),
    ("WITH x AS (SELECT 1) DELETE FROM posts", None),
    ("REPLACE INTO posts VALUES (1)", None),
    ("TRUNCATE posts", None),
    ("MERGE INTO posts USING x ON true WHEN MATCHED THEN DELETE", None),
    ("COPY posts FROM STDIN", None),
])
def test_statements_are_classified_or_treated_as_writes(statement, expected):
    assert versions.classify(statement) == expected


def test_a_slot_no_feature_fills_renders_empty_and_a_filled_one_is_filled(app):
    with app.test_request_context():
        html_ = f"<p>a{blocks.slot('nobody_fills_this', 7)}b{blocks.slot('filled_here', 7)}</p>"
        blocks.add_slot(app, "filled_here", lambda viewer, args: {a: f"[{a}]" for a in args})
        try:
            assert blocks.fill_slots(html_, None) == "<p>ab[7]</p>"
        finally:
            del app.extensions["slots"]["filled_here"]


def test_members_read_the_worker_memo_but_their_own_reply_shows_at_once(app, client_as, world):
    app.config["GUEST_VERSION_SECONDS"] = 60
    memo = app.extensions["guest_versions"]
    memo.clear()
    path = f"/threads/{world['named'].id}"
    writer, reader = client_as(f.make_user("writer_one")), client_as(f.make_user("reader_two"))
    page(reader, path)  # the memo now holds this thread's versions for a minute
    page(writer, path)
    response = writer.post(f"{path}/reply", data={"body": "My own words, here at once",
                                                   "token": "a" * 32})
    assert response.status_code == 302
    assert "My own words, here at once" in page(writer, path)  # fresh: the writer wrote
    assert "My own words, here at once" not in page(reader, path)  # the memo's minute
    memo._seen = {s: (v, at - 60) for s, (v, at) in memo._seen.items()}  # the minute passed
    assert "My own words, here at once" in page(reader, path)


# --- kept no longer than GUEST_CACHE_SECONDS, each on its own schedule ---------------------


def test_a_kept_block_is_rendered_again_after_guest_cache_seconds(
    app, client_as, world, monkeypatch
):
    member = client_as(f.make_user("reader_one"))
    page(member, "/")
    names, recording = rendered_templates()
    with recording:
        page(member, "/")
    assert "threads/_thread_list.html" not in names  # kept
    later = blocks.time.time() + app.config["GUEST_CACHE_SECONDS"]  # stopped: tests/conftest.py
    monkeypatch.setattr(blocks, "time", StillClock(later))
    names, recording = rendered_templates()
    with recording:
        page(member, "/")
    assert "threads/_thread_list.html" in names  # "3 minutes ago" is right again


def test_kept_things_do_not_all_expire_in_the_same_second(app, monkeypatch):
    """Each key's bucket turns over at its own offset: half a period on, about half of
    them have (where one shared clock would turn all or none)."""
    seconds = app.config["GUEST_CACHE_SECONDS"]
    keys = [("threads/_posts.html", (n, 1), "member", (n, 0)) for n in range(400)]
    keys += [f"/threads/{n}?page=2" for n in range(400)]
    start = blocks.time.time()  # stopped for the test: tests/conftest.py
    with app.app_context():
        now = [blocks._bucket(k) for k in keys]
        monkeypatch.setattr(blocks, "time", StillClock(start + seconds / 2))
        later = [blocks._bucket(k) for k in keys]
        monkeypatch.setattr(blocks, "time", StillClock(start + seconds))
        period = [blocks._bucket(k) for k in keys]
    turned = sum(a != b for a, b in zip(now, later, strict=True)) / len(keys)
    assert 0.3 < turned < 0.7
    assert all(b == a + 1 for a, b in zip(now, period, strict=True))  # at most a period


def test_kept_parts_take_plain_values_only(app, world):
    # An object's hash is its identity, which a later object may reuse: a part kept under
    # one would show another thread's (or member's) values.
    from forum.assembly import kept_part

    with app.test_request_context():
        with pytest.raises(TypeError):
            kept_part("digests/_follow.html", thread_id=world["named"], following=False)
        html = kept_part("digests/_follow.html", thread_id=world["named"].id, following=False)
        assert f"/threads/{world['named'].id}/follow" in html


@pytest.mark.parametrize("config_overrides", [{"WTF_CSRF_ENABLED": True}])
def test_one_kept_follow_button_carries_each_members_own_token(app, client_as, world):
    # forum.digests.panels: one copy of the button for everyone who hasn't followed; the
    # token comes through the "csrf" slot, so each member's form posts with their own.
    path = f"/threads/{world['named'].id}"
    form = re.compile(r'action="/threads/\d+/follow" class="follow-form">\s*'
                      r'<input type="hidden" name="csrf_token" value="([^"]+)"')
    readers = [client_as(f.make_user(name)) for name in ("reader_one", "reader_two")]
    tokens = [form.search(page(client, path))[1] for client in readers]
    assert tokens[0] != tokens[1]
    other = readers[0].post(f"{path}/follow", data={"follow": "1", "csrf_token": tokens[1]})
    assert other.status_code == 400  # the other member's token is refused
    for client, token in zip(readers, tokens, strict=True):
        response = client.post(f"{path}/follow", data={"follow": "1", "csrf_token": token})
        assert response.status_code == 302
        assert "Stop following" in page(client, path)
    assert "Follow this thread" in page(client_as(world["member"]), path)


def test_the_header_shows_each_viewer_their_own_role_and_counts(app, client_as, world):
    # The header is kept per worker under the values it shows: a moderator's queue link
    # never reaches a member, nor one member's unread count another.
    path = f"/threads/{world['named'].id}"
    moderator = page(client_as(world["moderator"]), path)
    member = page(client_as(world["member"]), path)
    guest = page(client_as(), path)
    assert "Review queue" in moderator and "Review queue" not in member
    assert "Sign out" in member and "Sign out" not in guest
    assert 'href="/login?next=' in guest and 'href="/login?next=' not in member


# --- kept page frames (forum.assembly.pages) ---------------------------------------------


def test_a_kept_frame_is_renewed_when_a_moderator_locks_the_thread_or_renames_its_category(
    client_as, world
):
    """The page around the blocks shows the thread's state and its category's name: a kept
    frame must not outlive them (a moderator's write declares nothing: "site" goes up)."""
    from forum.moderation.actions import switch_thread
    from forum.moderation.models import AuditAction

    path = f"/threads/{world['named'].id}"
    reader = client_as(f.make_user("reader_one"))
    first = page(reader, path)
    assert "This thread is closed to new replies." not in first
    assert without_holes(page(reader, path)) == without_holes(first)
    switch_thread(world["moderator"], db.session.get(Thread, world["named"].id),
                  AuditAction.LOCK)
    assert "This thread is closed to new replies." in page(reader, path)
    world["public"].name = "Meetings and plans"
    db.session.commit()
    assert "Meetings and plans" in page(reader, path)


def test_a_kept_frame_gives_each_member_their_own_header_flash_and_banner(
    app, client_as, world
):
    from forum.moderation.models import MemberNotice, NoticeKind

    path = f"/threads/{world['named'].id}"
    one, two = f.make_user("reader_one"), f.make_user("reader_two", role="moderator")
    names, recording = rendered_templates()
    page(client_as(world["member"]), path)  # the frame is kept
    db.session.add(MemberNotice(user_id=one.id, kind=NoticeKind.WARNING,
                                message="Please keep the aide's name out of posts."))
    db.session.commit()
    with recording:
        mine = html.unescape(page(client_as(one), path))
    assert "threads/show.html" not in names  # served from the kept frame
    assert "Please keep the aide's name out of posts." in mine
    theirs = html.unescape(page(client_as(two), path))
    assert "Please keep the aide's name out of posts." not in theirs
    assert "Review queue" in theirs and "Review queue" not in mine
    tokens = {CSRF.search(mine).group(1), CSRF.search(theirs).group(1)}
    assert len(tokens) == 2
    paused = f.make_user("reader_three")
    paused.suspended_until = datetime(9999, 12, 31)
    db.session.commit()
    assert "Your account is paused" in page(client_as(paused), path)
    assert "Your account is paused" not in page(client_as(one), path)


def test_a_frame_takes_plain_values_and_declared_objects_only(app, client_as, world):
    from forum.assembly import render_page
    from forum.threads.blocks import category_block

    with app.test_request_context("/"):
        login_user(world["member"])
        with pytest.raises(TypeError, match="frame_objects"):
            render_page("threads/category.html", category=world["public"],
                        blocks={"list": category_block(world["public"], 1)}, frame=("probe",))
        render_page("threads/category.html", category=world["public"],
                    blocks={"list": category_block(world["public"], 1)}, frame=("probe",),
                    frame_objects=("category",))


def test_a_frame_template_that_reaches_for_the_request_fails_loudly(app, client_as, world,
                                                                    caplog):
    """A kept frame is rendered in the shared environment: a page template that asks for the
    viewer there raises instead of keeping one member's page for everyone."""
    env = blocks.environment()
    original = env.loader
    source = original.get_source(env, "threads/category.html")[0]
    env.loader = ChoiceLoader([DictLoader({"threads/category.html": source.replace(
        "{% if signed_in %}", "{% if current_user.is_authenticated %}")}), original])
    env.cache.clear()
    try:
        response = client_as(world["member"]).get(f"/categories/{world['public'].slug}")
        assert response.status_code == 500
        assert "'current_user' is per request" in caplog.text
    finally:
        env.loader = original
        env.cache.clear()
