"""Search: ranking, visibility, keeping the index right, hostile input and anonymity."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlalchemy import text

from forum.extensions import db
from forum.resources import search
from forum.resources.models import Tag, ThreadTag
from forum.services import has_unstorable
from forum.text import plain_text
from forum.threads import services
from forum.threads.authors import ALIAS_PREFIX, AliasBook, assign_aliases
from forum.threads.models import Post, PostStatus, Thread
from tests import factories as f

CORPORA = Path(__file__).parent / "data" / "corpora"


def found_post_ids(viewer, q, **filters) -> list[int]:
    return [r.post.id for r in search.search(viewer, q, **filters).results]


def guest():
    from forum.accounts.models import Guest

    return Guest()


def assert_index_healthy():
    """SQLite: FTS5 compares its index with the posts it was built from."""
    if db.engine.dialect.name == "sqlite":
        for table in ("post_fts", "thread_fts"):
            db.session.execute(
                text(f"INSERT INTO {table}({table}, rank) VALUES ('integrity-check', 1)")
            )


@pytest.fixture
def forum(world):
    """A handful of stories where one is the obvious answer to "one-to-one aide"."""
    w = dict(world)
    author, member = w["author"], w["member"]
    w["aide"] = f.make_thread(
        author,
        w["public"],
        title="District wants to remove the one-to-one aide",
        body="They say the one-to-one aide is no longer needed. The aide is why he is doing well.",
    )
    w["mention"] = f.make_thread(
        member,
        w["public"],
        title="Bus schedule changed again",
        body="Small thing: the bus aide said the route changes next month.",
    )
    w["unrelated"] = f.make_thread(
        member,
        w["public"],
        title="Reading goals that actually work",
        body="We rewrote the reading goals with the teacher.",
    )
    w["secret"] = f.make_thread(
        member,
        w["private"],
        title="Members only: aide fight",
        body="A one-to-one aide story only members should find.",
    )
    return w


def test_obvious_match_comes_first(forum):
    ids = found_post_ids(forum["member"], "one-to-one aide")
    assert ids[0] == f.first_post(forum["aide"]).id
    assert f.first_post(forum["unrelated"]).id not in ids


def test_title_words_are_searched(forum):
    assert found_post_ids(guest(), "schedule") == [f.first_post(forum["mention"]).id]


def test_stemming_finds_other_forms(forum):
    assert f.first_post(forum["aide"]).id in found_post_ids(guest(), "aides")


def test_guests_never_see_members_only(forum):
    secret = f.first_post(forum["secret"]).id
    assert secret not in found_post_ids(guest(), "aide")
    assert secret in found_post_ids(forum["member"], "aide")


@pytest.mark.parametrize(
    "status", [PostStatus.HIDDEN, PostStatus.HELD, PostStatus.DELETED, PostStatus.FLAG_HIDDEN]
)
def test_posts_that_are_not_visible_never_appear(forum, status):
    post = f.first_post(forum["aide"])
    post.status = status
    db.session.commit()
    for viewer in (guest(), forum["member"], forum["moderator"], forum["author"]):
        assert post.id not in found_post_ids(viewer, "aide")


def test_hidden_thread_hides_all_its_posts(forum):
    reply = f.make_reply(forum["member"], forum["aide"], body="Our aide story: keep fighting.")
    forum["aide"].status = PostStatus.HIDDEN
    db.session.commit()
    assert reply.id not in found_post_ids(forum["member"], "aide")


def test_index_follows_edit_delete_hide_and_restore(forum):
    post = f.first_post(forum["aide"])
    author = forum["author"]
    services.edit_post(author, post, "Now this is about a paraprofessional.", "Para question")
    assert_index_healthy()
    assert post.id in found_post_ids(guest(), "paraprofessional")
    assert post.id in found_post_ids(guest(), "para question")
    assert post.id not in found_post_ids(guest(), "district")  # old title
    assert post.id not in found_post_ids(guest(), "needed")  # old body

    # Hide and restore the way moderation does: only the status changes.
    post.status = PostStatus.HIDDEN
    db.session.commit()
    assert post.id not in found_post_ids(guest(), "paraprofessional")
    post.status = PostStatus.VISIBLE
    db.session.commit()
    assert post.id in found_post_ids(guest(), "paraprofessional")

    services.delete_post(author, post)
    assert post.id not in found_post_ids(guest(), "paraprofessional")
    assert_index_healthy()


def test_index_follows_replies_and_hard_deletes(forum):
    reply = f.make_reply(
        forum["member"], forum["unrelated"], body="Try a reading tutor named Zebulon."
    )
    assert found_post_ids(guest(), "zebulon") == [reply.id]
    db.session.delete(db.session.get(Post, reply.id))
    db.session.commit()
    assert found_post_ids(guest(), "zebulon") == []
    assert_index_healthy()
    thread_id = forum["unrelated"].id
    db.session.execute(Thread.__table__.delete().where(Thread.id == thread_id))
    db.session.commit()
    assert found_post_ids(guest(), "reading goals") == []
    assert_index_healthy()


def test_rebuild_command_restores_the_index(app, forum):
    aide_post = f.first_post(forum["aide"]).id
    if db.engine.dialect.name == "sqlite":
        db.session.execute(text("INSERT INTO post_fts(post_fts) VALUES ('delete-all')"))
    else:
        db.session.execute(text("DELETE FROM post_search"))
    db.session.commit()
    assert found_post_ids(guest(), "aide") == []
    db.session.remove()
    result = app.test_cli_runner().invoke(args=["resources", "reindex"])
    assert result.exit_code == 0, result.output
    db.session.remove()
    assert aide_post in found_post_ids(guest(), "aide")
    assert_index_healthy()


def test_reindex_recreates_missing_triggers(app, world):
    from forum.resources.search_schema import drop_search_schema, search_schema_installed

    db.session.remove()
    with db.engine.begin() as connection:
        drop_search_schema(connection)
        assert not search_schema_installed(connection)
    result = app.test_cli_runner().invoke(args=["resources", "reindex"])
    assert "were missing" in result.output
    with db.engine.begin() as connection:
        assert search_schema_installed(connection)
    assert found_post_ids(guest(), "aide")  # the world's anonymous aide thread


def test_filters_by_category_and_tag(forum):
    other = f.make_category(slug="other-place", name="Other place")
    elsewhere = f.make_thread(
        forum["member"], other, title="Another aide question here", body="Aide hours cut."
    )
    tag = Tag(slug="one-to-one-aide", label="1:1 aides")
    db.session.add(tag)
    db.session.flush()
    db.session.add(ThreadTag(thread_id=forum["aide"].id, tag_id=tag.id))
    db.session.commit()
    in_other = found_post_ids(guest(), "aide", category="other-place")
    assert in_other == [f.first_post(elsewhere).id]
    tagged = found_post_ids(guest(), "aide", tag="one-to-one-aide")
    assert tagged == [f.first_post(forum["aide"]).id]
    assert found_post_ids(guest(), "aide", tag="no-such-tag") == []
    assert found_post_ids(guest(), "aide", category="bad slug\x00") == []


def test_results_are_paginated(client_as, world):
    for n in range(5):
        f.make_thread(
            world["member"],
            world["public"],
            title=f"Paginated thread {n}",
            body="pagination marker word",
        )
    page1 = search.search(guest(), "pagination", per_page=2)
    page3 = search.search(guest(), "pagination", page=3, per_page=2)
    assert page1.total == 5 and page1.pages == 3 and len(page1.results) == 2
    assert len(page3.results) == 1
    html = client_as().get("/search?q=pagination&page=2").get_data(as_text=True)
    assert "5 results" in html


def test_matches_hidden_from_the_viewer_do_not_use_up_the_results(world, monkeypatch):
    monkeypatch.setattr(search, "MAX_RESULTS", 3)
    public = [
        f.first_post(
            f.make_thread(
                world["member"],
                world["public"],
                title=f"Public {n} here",
                body="one shortlist mention",
            )
        ).id
        for n in range(3)
    ]
    for n in range(4):  # newer and better matches, but members only
        f.make_thread(
            world["member"],
            world["private"],
            title=f"Shortlist shortlist {n}",
            body="shortlist shortlist shortlist shortlist",
        )
    page = search.search(guest(), "shortlist", per_page=2)
    assert page.total == 3 and not page.more_than_max and len(page.results) == 2
    assert {r.post.id for r in page.results} <= set(public)
    assert len(search.search(guest(), "shortlist", per_page=2, page=2).results) == 1
    assert search.search(world["member"], "shortlist", per_page=2).more_than_max


def test_counting_stops_at_the_maximum(client_as, world, monkeypatch):
    monkeypatch.setattr(search, "MAX_RESULTS", 3)
    for n in range(5):
        f.make_thread(world["member"], world["public"], title=f"Capped {n} thread", body="capword")
    page = search.search(guest(), "capword", per_page=2)
    assert page.more_than_max and page.pages == 2
    assert search.search(guest(), "capword", per_page=2, page=3).results == []
    html = client_as().get("/search?q=capword").get_data(as_text=True)
    assert "More than 3 posts matched: the newest 3 are ranked here" in html


def test_past_the_maximum_the_newest_matches_are_ranked(world, monkeypatch):
    monkeypatch.setattr(search, "MAX_RESULTS", 3)
    best = f.make_thread(
        world["member"], world["public"], title="Rankword rankword", body="rankword rankword"
    )
    newer = [
        f.first_post(
            f.make_thread(world["member"], world["public"], title=f"Newer {n}", body="rankword")
        ).id
        for n in range(4)
    ]
    page = search.search(guest(), "rankword", per_page=10)
    # The oldest (and best) match is not among the newest 3: the page says so.
    assert page.more_than_max and {r.post.id for r in page.results} == set(newer[1:])
    monkeypatch.setattr(search, "MAX_RESULTS", 10)
    assert found_post_ids(guest(), "rankword")[0] == f.first_post(best).id


# --- hostile input -------------------------------------------------------------------


def hostile_queries() -> list[str]:
    blns = json.loads((CORPORA / "blns" / "blns.json").read_text(encoding="utf-8"))
    sqli = (CORPORA / "sqli" / "Generic_SQLI.txt").read_text(encoding="utf-8").splitlines()
    handmade = [
        '"',
        '""',
        '"unclosed',
        "NEAR(",
        "NEAR(aide, 3)",
        "*",
        "aide*",
        "OR",
        "AND",
        "NOT",
        "^aide",
        "-aide",
        "aide OR",
        "OR OR OR",
        "title:aide",
        "body: x",
        "{title body}: aide",
        "a:b:c",
        "'; DROP TABLE posts; --",
        "1' OR '1'='1",
        "aide\x00",
        "\x00",
        "🧑‍🦽 aide 🏫",
        "aide " * 400,
        "x" * 2000,
        "é" * 2000,
        "(",
        ")",
        "((aide",
        "aide)",
        "+",
        "&",
        "|",
        "!",
        "<->",
        ":*",
        "'aide':*",
        "aide & !para",
        "\\",
        "%",
        "_",
        "[aide]",
        "<script>alert(1)</script>",
    ]
    return handmade + [q for q in blns if isinstance(q, str)] + sqli


def test_hostile_queries_never_raise(forum):
    for q in hostile_queries():
        search.search(guest(), q)
        search.search(forum["member"], q, category="iep-meetings", tag="x")


def test_hostile_queries_over_http(client_as, forum):
    client = client_as(forum["member"])
    for q in hostile_queries()[::3]:
        # Text that no database column can store (NUL, lone surrogates) is a clear 400.
        expected = 400 if has_unstorable(q) else 200
        response = client.get("/search", query_string={"q": q, "category": q[:60], "page": q[:5]})
        assert response.status_code == expected, q
        api = client.get("/api/similar", query_string={"title": q})
        assert api.status_code == expected, q


def test_snippets_escape_everything_and_mark_hits(forum):
    f.make_thread(
        forum["member"],
        forum["public"],
        title="Escaping <b>test</b> thread",
        body="The aide wrote <script>alert('x')</script> & more aide notes.",
    )
    page = search.search(guest(), "aide notes")
    snippet = str(page.results[0].snippet)
    assert "<script>" not in snippet and "&lt;script&gt;" in snippet
    assert "<mark>aide</mark>" in snippet and "<mark>notes</mark>" in snippet
    assert re.sub(r"</?mark>", "", snippet).count("<") == 0


@pytest.mark.parametrize(
    "text_value, words, marked",
    [
        # Escaped characters become entities (&amp; &#39;): their names never hit.
        (
            """AT&T said amp & <amp> it's "39" x39""",
            ["amp", "39", "t"],
            "AT&amp;T said <mark>amp</mark> &amp; &lt;<mark>amp</mark>&gt; it&#39;s "
            "&#34;<mark>39</mark>&#34; x39",
        ),
        # Short words: whole words, plus trailing "s" unless they end in one.
        (
            "Buses, bus, BUSS and IEPs or iepss; ieps2 and iep_s",
            ["bus", "iep"],
            "Buses, <mark>bus</mark>, BUSS and <mark>IEPs</mark> or <mark>iepss</mark>; "
            "ieps2 and <mark>iep</mark>_s",
        ),
        # Longer words: any word starting with the stem; stopwords never.
        (
            "Told them to tell the teacher: telling works",
            ["to", "tells"],
            "Told them to <mark>tell</mark> the teacher: <mark>telling</mark> works",
        ),
        # Letters outside ASCII: full case-folding ("ß" is "ss").
        (
            "Die Straße war STRASSE; Strassenbahn",
            ["strasse"],
            "Die <mark>Straße</mark> war <mark>STRASSE</mark>; <mark>Strassenbahn</mark>",
        ),
        ("Café cafe CAFÉS", ["café"], "<mark>Café</mark> cafe <mark>CAFÉS</mark>"),
        ("Nothing to mark — 🧑 here…", [], "Nothing to mark — 🧑 here…"),
    ],
)
def test_highlight_marks_whole_words_and_escapes_the_rest(text_value, words, marked):
    assert search.highlight(text_value, words) == marked


def test_snippet_text_has_single_spaces_only():
    html = "<p>  One\n\ttwo\xa0\u3000three </p>\r\n<ul><li>four&amp;five</li></ul>\x1c"
    assert plain_text(html) == "One two three four&five"
    assert plain_text("<p> \n </p>") == ""


@pytest.mark.parametrize("opening", ["Intro", "Über"])  # ASCII letters or not
def test_snippet_is_a_window_around_the_first_hit(opening):
    text_value = f"{opening} words here. " * 10 + "The speech therapist met us. "
    text_value += "More filler text follows. " * 10
    snippet = search.highlight(text_value, ["speech"], length=60)
    assert snippet == "… here. The <mark>speech</mark> therapist met us. More filler text …"
    no_hit = search.highlight("No hit in this rather long text at all", ["speech"], length=20)
    assert no_hit == "No hit in this …"


# --- anonymity -----------------------------------------------------------------------------


def test_username_search_never_finds_anonymous_posts(client_as, world):
    writer = f.make_user("quillfeather_parent", email="quill@example.org")
    secret = f.make_thread(
        writer,
        world["public"],
        title="Anonymous question about IEP aide",
        body="Written anonymously about the aide.",
        hide_author=True,
    )
    f.make_reply(writer, world["named"], body="Anonymous reply too", hide_author=True)
    for viewer in (guest(), world["member"], world["moderator"]):
        assert found_post_ids(viewer, "quillfeather_parent") == []
        assert found_post_ids(viewer, "quillfeather") == []
    html = client_as(world["member"]).get("/search?q=aide").get_data(as_text=True)
    assert "Anonymous parent ·" in html
    for leak in ("quillfeather", "quill@example.org", f"/users/{writer.username}"):
        assert leak not in html
    assert f.first_post(secret).id in found_post_ids(world["member"], "aide")


ANON_LABEL = re.compile(r'class="author author--anon">([^<]*)</span>')


def test_search_shows_the_alias_the_thread_page_shows(client_as, world, monkeypatch):
    """An alias depends on who posted earlier in the thread (a taken name moves a later
    member to another): search must honour that order."""
    # Few words, so a collision comes within a few members (10,710 names make it rare).
    monkeypatch.setattr("forum.threads.authors.ADJECTIVES", ("Calm", "Kind", "Brave"))
    monkeypatch.setattr("forum.threads.authors.ANIMALS", ("Heron", "Otter", "Wren"))
    thread = f.make_thread(
        world["author"], world["public"], title="Many anonymous parents", hide_author=True
    )
    order = [world["author"].id]
    for n in range(200):
        writer = f.make_user()
        if assign_aliases(thread.id, order + [writer.id])[writer.id] != (
            assign_aliases(thread.id, [writer.id])[writer.id]
        ):
            break
        f.make_reply(writer, thread, body=f"Anonymous reply {n}", hide_author=True)
        order.append(writer.id)
    else:
        pytest.fail("no alias collision among 200 members")
    probed = f.make_reply(writer, thread, body="Our probedword story.", hide_author=True)
    f.make_reply(f.make_user(), thread, body="A later anonymous member.", hide_author=True)
    client = client_as(world["member"])

    shown = ANON_LABEL.findall(client.get("/search?q=probedword").get_data(as_text=True))
    thread_page = client.get(f"/posts/{probed.id}", follow_redirects=True).get_data(as_text=True)
    article = thread_page[thread_page.index(f'id="post-{probed.id}"') :]
    expected = ANON_LABEL.search(article).group(1)
    word = AliasBook.for_threads([thread.id]).alias(thread.id, writer.id)
    assert expected == f"{ALIAS_PREFIX} · {word}"
    assert shown == [expected]


def test_search_pages_never_carry_anonymous_authors_identity(client_as, world):
    author = world["author"]
    for viewer in (None, world["member"], world["moderator"]):
        html = client_as(viewer).get("/search?q=aide").get_data(as_text=True)
        assert "Anonymous thread about an <mark>aide</mark>" in html
        assert author.username not in html and "ruth.author@example.org" not in html
        assert f'data-user="{author.id}"' not in html


def test_search_page_renders_for_guests(client_as, forum):
    html = client_as().get("/search?q=aide").get_data(as_text=True)
    assert "<mark>aide</mark>" in html
    assert "Members only: aide fight" not in html
    empty = client_as().get("/search?q=zzzzqqq").get_data(as_text=True)
    assert "No results" in empty


def test_search_box_in_header(client_as, world):
    html = client_as().get("/").get_data(as_text=True)
    assert 'role="search"' in html and 'for="nav-search-q"' in html


def test_search_page_query_count_is_constant(client_as, count_queries, world):
    client = client_as(world["member"])
    for n in range(3):
        f.make_thread(
            world["member"], world["public"], title=f"Counting thread {n}", body="countword"
        )
    with count_queries() as few:
        assert client.get("/search?q=countword").status_code == 200
    for n in range(15):
        f.make_thread(
            f.make_user(),
            world["public"],
            title=f"More counting {n}",
            body="countword",
            hide_author=n % 2 == 0,
        )
    with count_queries() as many:
        assert client.get("/search?q=countword").status_code == 200
    assert len(many) == len(few)
