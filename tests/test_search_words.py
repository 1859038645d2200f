"""Search as parents type it: synonyms and abbreviations, the last word as a prefix,
one result per thread, newest first, and the library's topics and resources."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from forum.accounts.models import Guest
from forum.extensions import db
from forum.resources import search
from forum.resources.library import import_library
from forum.resources.models import Tag
from forum.resources.synonyms import Synonyms, parse_groups, phrase_of
from tests import factories as f


def titles(viewer, q, **filters) -> list[str]:
    return [r.thread.title for r in search.search(viewer, q, **filters).results]


@pytest.fixture
def stories(world):
    """Threads that use the words of one side of a synonym group each."""
    w = dict(world)
    make = lambda title, body: f.make_thread(w["member"], w["public"], title=title, body=body)  # noqa: E731
    w["aide"] = make("Keeping the paraprofessional", "The district wants to cut his support.")
    w["one_to_one"] = make("Lost our 1:1 at recess", "Staffing, they say.")
    w["section"] = make("Accommodations under Section 504", "The plan gives extra time.")
    w["sped"] = make("Special education evaluation timeline", "How long did yours take?")
    w["tired"] = make("Burned out after the meeting", "I can't do another one this month.")
    w["pwn"] = make("Asking for prior written notice", "They refused and wrote nothing down.")
    w["other"] = make("Reading goals that work", "We rewrote the goals with the teacher.")
    return w


@pytest.mark.parametrize(
    "q, expected",
    [
        ("para", {"aide", "one_to_one", "anon"}),
        ("paraprofessional", {"aide", "one_to_one", "anon"}),
        ("aide", {"aide", "one_to_one", "anon"}),
        ("1:1", {"aide", "one_to_one", "anon"}),
        ("504", {"section"}),
        ("sped", {"sped"}),
        ("special ed", {"sped"}),
        ("burnout", {"tired"}),
        ("PWN", {"pwn"}),
    ],
)
def test_abbreviations_and_synonyms_find_each_other(stories, q, expected):
    found = set(titles(Guest(), q))
    assert found == {stories[k].title for k in expected}, q


def test_synonyms_join_the_other_words_with_and(stories):
    assert titles(Guest(), "para recess") == [stories["one_to_one"].title]
    assert titles(Guest(), '"para"') == []  # a quoted word: that word only... and no prefix


def test_last_word_is_a_prefix(stories):
    assert titles(Guest(), "parapro") == [stories["aide"].title]
    assert titles(Guest(), "accommo") == [stories["section"].title]
    assert titles(Guest(), "extra accommo") == [stories["section"].title]
    assert titles(Guest(), "accommo extra") == []  # only the last word is a prefix
    assert titles(Guest(), '"accommo"') == []
    assert titles(Guest(), "re") == []  # too short to be a prefix (and no word "re")
    f.make_thread(stories["member"], stories["public"], title="Paranoid, or right?", body="x")
    assert "Paranoid, or right?" not in titles(Guest(), "para")  # a known word is whole


def test_parse_keeps_the_typed_words_apart_from_synonyms():
    synonyms = Synonyms.from_groups(parse_groups("sped, special ed, special education\n"))
    query = search.parse_query("special ed timeline", synonyms, prefix_last=True)
    assert query.groups == [
        [("special", "ed"), ("sped",), ("special", "education")],
        [("timeline",)],
    ]
    assert query.typed == [1, 1] and query.prefix_word == "timeline"
    assert query.loose == {(0, 0)}  # typed apart: the words anywhere, not only as a phrase
    assert search.parse_query("the", synonyms, prefix_last=True).prefix is None


def test_synonym_file_format():
    groups = parse_groups("# comment\n\n504, Section 504 ,504 plan\nlonely\n1:1,  one-to-one\n")
    assert groups == [
        [("504",), ("section", "504"), ("504", "plan")],
        [("1", "1"), ("one", "to", "one")],
    ]
    joined = Synonyms.from_groups([[("a1",), ("b1",)], [("c1",), ("b1",)]])
    assert set(joined.of(("a1",))) == {("b1",), ("c1",)}  # lines sharing a word are one group
    assert phrase_of("Special-Ed!") == ("special", "ed")


def test_admins_extend_the_synonyms_without_a_restart(app, stories):
    assert titles(Guest(), "recertified") == []
    path = Path(app.instance_path) / "synonyms.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("recertified, burned out\n", encoding="utf-8")
    assert titles(Guest(), "recertified") == [stories["tired"].title]
    # The group now also holds the shipped synonyms of "burned out".
    path.write_text("# nothing\n", encoding="utf-8")
    os.utime(path, ns=(1, 1))  # a new modification time, whatever the clock's resolution
    assert titles(Guest(), "recertified") == []


def test_highlights_synonyms_as_whole_phrases(stories):
    page = search.search(Guest(), "504")
    assert str(page.results[0].title) == "Accommodations under <mark>Section 504</mark>"
    snippet = str(search.search(Guest(), "504 plan").results[0].snippet)
    assert "<mark>plan</mark>" in snippet  # typed: marked on its own


# --- one result per thread ------------------------------------------------------------------


@pytest.fixture
def busy(world):
    thread = f.make_thread(
        world["member"], world["public"], title="Speech therapy minutes missed", body="minutes"
    )
    replies = [f.make_reply(f.make_user(), thread, body=f"Our minutes story {n}") for n in range(3)]
    lone = f.make_thread(world["member"], world["public"], title="Other thread", body="minutes too")
    return {"thread": thread, "replies": replies, "lone": lone}


def test_a_thread_is_listed_once_with_its_other_matches(busy, client_as):
    page = search.search(Guest(), "minutes")
    assert [r.thread.id for r in page.results] == [busy["thread"].id, busy["lone"].id]
    assert page.total == 2 and page.matches == 5
    assert [r.more for r in page.results] == [3, 0]
    assert page.results[0].post.number == 1  # its best match: the title has the word
    html = client_as().get("/search?q=minutes").get_data(as_text=True)
    assert "3 more matches in this thread" in html
    link = re.search(r'href="([^"]+)">3 more matches in this thread', html).group(1)
    within = client_as().get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert "4 results in" in within and within.count('class="search-result"') == 4


def test_sort_by_date_lists_threads_by_their_newest_match(busy):
    newest = f.make_reply(f.make_user(), busy["lone"], body="minutes again, newest")
    page = search.search(Guest(), "minutes", sort="date")
    assert [r.post.id for r in page.results] == [newest.id, busy["replies"][-1].id]
    assert page.sort == "date"
    assert search.search(Guest(), "minutes", sort="bogus").sort == "relevance"


def test_within_a_thread_only_what_the_viewer_may_read(world):
    secret = f.make_thread(world["member"], world["private"], title="Members minutes", body="x")
    assert search.search(Guest(), "minutes", thread_id=secret.id).results == []
    assert search.search(world["member"], "minutes", thread_id=secret.id).total == 1


def test_grouped_search_costs_the_same_with_more_data(client_as, count_queries, world):
    client = client_as(world["member"])
    f.make_thread(world["member"], world["public"], title="Grouped one", body="groupword")
    with count_queries() as few:
        assert client.get("/search?q=groupword&sort=date").status_code == 200
    for n in range(6):
        thread = f.make_thread(
            f.make_user(), world["public"], title=f"Grouped {n}", body="groupword"
        )
        for _ in range(3):
            f.make_reply(f.make_user(), thread, body="groupword", hide_author=True)
    with count_queries() as many:
        assert client.get("/search?q=groupword&sort=date").status_code == 200
    assert len(many) == len(few)


# --- the library's topics and resources --------------------------------------------------------


@pytest.fixture
def library(app):
    import_library()
    return {t.slug: t for t in db.session.scalars(select(Tag))}


def test_search_lists_matching_topics_and_resources(client_as, world, library):
    html = client_as().get("/search?q=504").get_data(as_text=True)
    topics = html.split('id="topics-title"')[1].split("</section>")[0]
    assert 'href="/tags/section-504-ocr"' in topics
    resources = html.split('id="library-title"')[1].split("</section>")[0]
    assert "Section 504" in resources and "ocr" in resources.lower()
    para = client_as().get("/search?q=para").get_data(as_text=True)
    assert 'href="/tags/one-to-one-aide"' in para
    assert "One-to-One Paraprofessional" in re.sub(r"</?mark>", "", para)


def test_empty_search_suggests_topics(client_as, world, library):
    html = client_as().get("/search?q=zzzzqqq").get_data(as_text=True)
    assert "No results" in html and "Or browse a topic" in html
    assert 'href="/tags/section-504-ocr"' in html and 'href="/resources"' in html
    assert "Browse by topic" in client_as().get("/search").get_data(as_text=True)


def test_library_page_filters_by_topic_and_words(client_as, library):
    client = client_as()
    aides = client.get("/resources?topic=one-to-one-aide").get_data(as_text=True)
    assert 'id="topic-one-to-one-aide"' in aides and 'id="topic-placement-lre"' not in aides
    found = client.get("/resources?q=504").get_data(as_text=True)
    assert "resources match" in found and "Section 504" in re.sub(r"</?mark>", "", found)
    assert "sites.ed.gov/idea/\"" not in found  # the IDEA home page says nothing of 504
    within = client.get("/resources?q=504&topic=discipline-suspension").get_data(as_text=True)
    assert within.count('class="resource"') < found.count('class="resource"')
    none = client.get("/resources?q=zzzzqqq").get_data(as_text=True)
    assert "No resources match" in none
    odd = client.get("/resources?topic=no-such-topic&q=%00%22(").status_code
    assert odd in (200, 400)
    assert "There is no such topic" in client.get("/resources?topic=nope").get_data(as_text=True)


def test_library_badge_says_when_the_link_was_checked(client_as, library):
    from datetime import datetime

    from forum.resources.models import Resource

    checked = db.session.get(Resource, "idea-site")
    checked.last_checked_at, checked.last_status = datetime(2026, 3, 4, 10, 0), 200
    broken = db.session.get(Resource, "988")
    broken.last_checked_at, broken.last_status = datetime(2026, 3, 5, 10, 0), 404
    db.session.commit()
    html = client_as().get("/resources").get_data(as_text=True)
    idea = html.split('id="idea-site"')[1].split("</li>")[0]
    assert "Link checked on" in idea and "March 4, 2026" in idea and idea.count('class="badge') == 1
    lifeline = html.split('id="988"')[1].split("</li>")[0]
    assert "Link didn't work when checked on" in lifeline and "March 5, 2026" in lifeline
    assert html.count('class="badge') == html.count('class="resource"')



def test_synonyms_command_shows_what_a_search_looks_for(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["resources", "synonyms", "para meeting"])
    assert result.exit_code == 0, result.output
    assert "para OR paraprofessional OR aide" in result.output and "meeting*" in result.output
    listing = runner.invoke(args=["resources", "synonyms"]).output
    assert "504, section 504, 504 plan" in listing and "instance" in listing.lower()


def test_words_typed_apart_stay_apart_and_subsumed_phrases_are_not_searched(stories):
    loose = f.make_thread(
        stories["member"], stories["public"], title="Therapy for his speech was cut", body="x"
    )
    assert loose.title in titles(Guest(), "speech therapy")  # as before synonyms: both words
    rendered = search.SqliteBackend.render(search.parse_search("504"))
    assert '"504"' in rendered and "section" not in rendered and '"rehabilitation act"' in rendered
    pg = search.PostgresBackend.render(search.parse_search("speech therapy"))
    assert "('speech' & 'therapy')" in pg and "'slp'" in pg


# --- cheap uncached search: the last word as a whole word, SQLite's ranking ----------------


def test_a_last_word_that_is_a_whole_word_is_not_a_prefix(world):
    make = lambda title, body, where="public": f.make_thread(  # noqa: E731
        world["member"], world[where], title=title, body=body
    )
    longer = make("Tank setup", "Our zebrafish tank at school.")
    assert titles(Guest(), "zebra") == [longer.title]  # no post has "zebra": a prefix
    whole = make("Crossing guard", "The zebra crossing by the school.")
    assert titles(Guest(), "zebra") == [whole.title]  # now a word: "zebrafish" is not "zebra"
    assert titles(Guest(), '"zebra"') == [whole.title]
    # Only posts the viewer may read count: a members-only "wombat" keeps the prefix for
    # guests (who learn nothing of it) and ends it for members, who may read that post.
    hidden = make("Members only", "A wombat story.", where="private")
    public = make("Burrows", "The wombatish burrow.")
    assert titles(Guest(), "wombat") == [public.title]
    assert titles(world["member"], "wombat") == [hidden.title]
    page = search.search(Guest(), "zebra")
    assert page.parsed.prefix is None and "<mark>zebra</mark>" in str(page.results[0].snippet)


def test_sqlite_ranks_titles_then_words_as_typed_then_newest(world):
    make = lambda title, body: f.make_thread(  # noqa: E731
        world["member"], world["public"], title=title, body=body
    )
    typed = make("Recess help", "Long story short: " + "the school said many things. " * 20
                 + "Then the aide came.")
    synonym = make("Lunch help", "paraprofessional paraprofessional paraprofessional")
    newest = make("Bus help", "A paraprofessional rides along.")
    # bm25 put the short post saying "paraprofessional" three times first; now the post
    # with the word as typed does, then the others newest first.
    mine = {typed.title, synonym.title, newest.title}
    found = [t for t in titles(Guest(), "aide") if t in mine]
    if db.engine.dialect.name != "sqlite":  # PostgreSQL ranks with ts_rank (docs/scaling.md)
        assert sorted(found) == sorted(mine)
        return
    assert found == [typed.title, newest.title, synonym.title]
    titled = make("The aide question", "Nothing else here.")
    found = titles(Guest(), "aide")
    assert found.index(titled.title) < found.index(typed.title)
    # Each group of the query in the title counts: one word of two in it beats none.
    half = make("Minutes missing", "speech therapy was cut")
    make("Other", "speech therapy minutes, all in the body")
    assert titles(Guest(), "speech therapy minutes")[0] == half.title
