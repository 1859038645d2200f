"""Stories like this, "Parents have written about this", and links between threads."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from forum.accounts.models import Guest
from forum.extensions import db
from forum.resources.models import Tag, ThreadLink, ThreadTag
from forum.resources.related import related_threads, similar_to_draft
from forum.threads.models import PostStatus, Thread
from tests import factories as f


def tag_thread(thread, *tags):
    for tag in tags:
        db.session.add(ThreadTag(thread_id=thread.id, tag_id=tag.id))
    db.session.commit()


@pytest.fixture
def stories(world):
    """A hand-built set around a thread about a district removing a one-to-one aide."""
    w = dict(world)
    aide = Tag(slug="one-to-one-aide", label="1:1 aides")
    placement = Tag(slug="placement-lre", label="Placement")
    reading = Tag(slug="reading", label="Reading")
    db.session.add_all([aide, placement, reading])
    db.session.commit()
    w["tags"] = {"aide": aide, "placement": placement, "reading": reading}
    author, member = w["author"], w["member"]
    public, private = w["public"], w["private"]

    def story(title, body, tags=(), category=public, who=member, stage=None, state=None, **kw):
        thread = f.make_thread(who, category, title=title, body=body, **kw)
        thread.school_stage, thread.state = stage, state
        db.session.commit()
        tag_thread(thread, *tags)
        return thread

    w["subject"] = story(
        "District wants to remove my son's one-to-one aide",
        "The aide is why he is doing well. They want to remove the aide.",
        [aide, placement],
        who=author,
        stage="elementary-k2",
        state="OH",
        hide_author=True,
    )
    w["best"] = story(
        "We kept our one-to-one aide after the district tried to remove it",
        "How we kept the aide: data, prior written notice, a fade plan.",
        [aide, placement],
        stage="elementary-k2",
        state="OH",
    )
    w["aide_only"] = story(
        "Aide keeps being pulled to cover classrooms",
        "The aide gets reassigned twice a week.",
        [aide],
    )
    w["reading"] = story("Reading goals that work", "Phonics and fluency goals.", [reading])
    w["hidden"] = story(
        "Hidden: they removed our one-to-one aide too",
        "The aide was removed.",
        [aide, placement],
        stage="elementary-k2",
        state="OH",
    )
    w["hidden"].status = PostStatus.HIDDEN
    w["members"] = story(
        "Members only: the one-to-one aide fight",
        "Our aide story.",
        [aide, placement],
        category=private,
        stage="elementary-k2",
        state="OH",
    )
    db.session.commit()
    return w


def test_obvious_match_comes_first(stories):
    found = related_threads(stories["member"], stories["subject"], None)
    assert found[0].id == stories["best"].id
    assert stories["subject"].id not in [t.id for t in found]
    assert stories["reading"].id not in [t.id for t in found]


def test_hidden_and_members_only_never_for_guests(stories):
    ids = [t.id for t in related_threads(Guest(), stories["subject"], None)]
    assert stories["hidden"].id not in ids
    assert stories["members"].id not in ids
    member_ids = [t.id for t in related_threads(stories["member"], stories["subject"], None)]
    assert stories["members"].id in member_ids and stories["hidden"].id not in member_ids


def test_ranking_ignores_who_wrote_it(stories):
    """The same list whoever the viewer is, and whoever wrote the candidates."""
    before = [t.id for t in related_threads(stories["member"], stories["subject"], None)]
    stories["best"].author_id = stories["author"].id  # same author as the subject now
    db.session.commit()
    assert [t.id for t in related_threads(stories["member"], stories["subject"], None)] == before
    assert [t.id for t in related_threads(stories["author"], stories["subject"], None)] == before


def test_title_changes_reach_the_similarity_index(stories):
    from forum.threads import services as thread_services

    reading = stories["reading"]
    assert reading.id not in [t.id for t in similar_to_draft(stories["member"], "trampoline")]
    thread_services.edit_post(stories["member"], f.first_post(reading), "Body.", "Trampoline park")
    assert [t.id for t in similar_to_draft(stories["member"], "trampoline")] == [reading.id]


def test_remembered_lists_never_show_threads_hidden_since(client_as, stories):
    client, url = client_as(), f"/threads/{stories['subject'].id}"
    assert "We kept our one-to-one aide" in client.get(url).get_data(as_text=True)
    stories["best"].status = PostStatus.HIDDEN
    db.session.commit()
    assert "We kept our one-to-one aide" not in client.get(url).get_data(as_text=True)


def test_at_most_five(stories):
    for n in range(7):
        t = f.make_thread(
            stories["member"], stories["public"], title=f"Another aide story {n}", body="aide"
        )
        tag_thread(t, stories["tags"]["aide"])
    assert len(related_threads(stories["member"], stories["subject"], None)) == 5


def test_thread_page_shows_stories_like_this(client_as, stories):
    html = client_as().get(f"/threads/{stories['subject'].id}").get_data(as_text=True)
    assert "Stories like this" in html
    assert stories["best"].title.replace("'", "&#39;") in html
    assert "Members only: the one-to-one aide fight" not in html
    assert "Hidden: they removed" not in html


def test_thread_page_query_count_is_constant(client_as, count_queries, stories):
    """3 or 60 posts, with related stories, tags, resources and links: the same query count."""
    small, big = stories["best"], stories["subject"]
    for n in range(59):
        f.make_reply(
            stories["member"] if n % 2 else stories["author"],
            big,
            body=f"Reply {n} about the aide.",
            hide_author=n % 3 == 0,
        )
    for n in range(2):
        f.make_reply(stories["member"], small, body=f"Reply {n}")
    db.session.add(ThreadLink(from_thread_id=big.id, to_thread_id=small.id))
    db.session.add(ThreadLink(from_thread_id=stories["aide_only"].id, to_thread_id=big.id))
    db.session.add(ThreadLink(from_thread_id=small.id, to_thread_id=stories["reading"].id))
    db.session.commit()
    small_url, big_url = f"/threads/{small.id}", f"/threads/{big.id}"
    for client in [client_as(None), client_as(stories["member"])]:
        db.session.remove()  # each request starts with an empty session, as on a server
        with count_queries() as few:
            assert client.get(small_url).status_code == 200
        db.session.remove()
        with count_queries() as many:
            assert client.get(big_url).status_code == 200
        assert len(few) == len(many), (len(few), len(many))


def test_related_adds_at_most_three_queries(app, client_as, count_queries, stories, monkeypatch):
    from forum.resources import related

    monkeypatch.delitem(app.extensions, "block_cache")  # measure the rendering, not the cache

    client = client_as(stories["member"])
    url = f"/threads/{stories['subject'].id}"
    db.session.remove()
    with count_queries() as full:
        client.get(url)
    monkeypatch.setattr(related, "related_for_page", lambda viewer, thread, opening: [])
    db.session.remove()
    with count_queries() as bare:
        client.get(url)
    assert len(full) - len(bare) <= 3


# --- while writing a thread ---------------------------------------------------------------


def test_similar_to_draft_only_what_viewer_may_see(stories):
    guest_ids = [t.id for t in similar_to_draft(Guest(), "removing the one-to-one aide")]
    assert guest_ids and stories["members"].id not in guest_ids
    assert stories["hidden"].id not in guest_ids
    member_ids = [t.id for t in similar_to_draft(stories["member"], "removing the one-to-one aide")]
    assert stories["members"].id in member_ids


def test_check_similar_step_without_javascript(client_as, stories):
    client = client_as(stories["member"])
    before = db.session.scalar(select(func.count()).select_from(Thread))
    response = client.post(
        "/threads/new",
        data={
            "category": stories["public"].slug,
            "title": "They want to remove the one-to-one aide",
            "body": "Half-written story about our aide",
            "check_similar": "1",
            "token": "abc",
            "tags": [str(stories["tags"]["aide"].id)],
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Parents have written about this" in html
    assert "We kept our one-to-one aide" in html
    assert "Half-written story about our aide" in html  # the draft is kept
    assert 'value="They want to remove the one-to-one aide"' in html
    db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(Thread)) == before


def test_new_thread_form_loads_similar_js(client_as, world):
    html = client_as(world["member"]).get("/threads/new").get_data(as_text=True)
    assert '<script src="/static/similar.js" defer></script>' in html
    assert "Check for similar stories" in html
    assert "<script>" not in html


def test_api_similar_returns_only_safe_fields(client_as, stories):
    guest = client_as().get("/api/similar", query_string={"title": "one-to-one aide removed"})
    assert guest.status_code == 200 and guest.is_json
    items = guest.get_json()["threads"]
    assert items and all(set(i) == {"title", "url", "category", "replies"} for i in items)
    titles = [i["title"] for i in items]
    assert "Members only: the one-to-one aide fight" not in titles
    assert not any(t.startswith("Hidden") for t in titles)
    raw = guest.get_data(as_text=True)
    author = stories["author"]
    assert author.username not in raw and "ruth.author@example.org" not in raw
    assert '"author' not in raw and "user" not in raw
    member = client_as(stories["member"]).get("/api/similar?title=one-to-one+aide").get_json()
    assert "Members only: the one-to-one aide fight" in [i["title"] for i in member["threads"]]
    assert client_as().get("/api/similar?title=ab").get_json() == {"threads": []}


# --- links between threads -------------------------------------------------------------------


def test_author_links_a_thread_by_url_and_both_show_it(client_as, stories):
    subject, best = stories["subject"].id, stories["best"].id
    author_id, author_name = stories["author"].id, stories["author"].username
    client = client_as(stories["author"])
    response = client.post(
        f"/threads/{subject}/links", data={"url": f"https://forum.example/threads/{best}#post-3"}
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/threads/{subject}#linked-stories")
    db.session.remove()
    link = db.session.scalar(select(ThreadLink))
    assert (link.from_thread_id, link.to_thread_id) == (subject, best)
    assert link.created_by_id == author_id
    here = client_as().get(f"/threads/{subject}").get_data(as_text=True)
    there = client_as().get(f"/threads/{best}").get_data(as_text=True)
    assert "Related stories" in here and f'href="/threads/{best}"' in here
    assert "Linked from" in there and f'href="/threads/{subject}"' in there
    # Linking an anonymous thread never shows who linked it.
    assert author_name not in there


def test_link_by_post_permalink(client_as, stories):
    post, best = f.first_post(stories["best"]), stories["best"].id
    client_as(stories["author"]).post(
        f"/threads/{stories['subject'].id}/links", data={"url": f"/posts/{post.id}"}
    )
    db.session.remove()
    assert db.session.scalar(select(ThreadLink.to_thread_id)) == best


@pytest.mark.parametrize(
    "url",
    [
        "",
        "https://example.org/elsewhere",
        "/threads/999999",
        "/threads/abc",
        "not a url\x00",
        "javascript:alert(1)",
    ],
)
def test_bad_link_addresses_change_nothing(client_as, stories, url):
    response = client_as(stories["author"]).post(
        f"/threads/{stories['subject'].id}/links", data={"url": url}
    )
    # A NUL byte is refused before anything runs (a clear 400); other bad addresses redirect.
    assert response.status_code == (400 if "\x00" in url else 302)
    db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(ThreadLink)) == 0


def test_cannot_link_to_threads_you_cannot_see_or_itself(client_as, stories):
    client = client_as(stories["author"])
    for target in (stories["hidden"], stories["subject"]):
        client.post(
            f"/threads/{stories['subject'].id}/links", data={"url": f"/threads/{target.id}"}
        )
    db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(ThreadLink)) == 0


def test_only_the_author_or_moderators_link(client_as, stories):
    url = {"url": f"/threads/{stories['best'].id}"}
    target = f"/threads/{stories['subject'].id}/links"
    guest, member, moderator = (
        client_as(),
        client_as(stories["member"]),
        client_as(stories["moderator"]),
    )
    assert guest.post(target, data=url).status_code == 302  # to sign in
    assert member.post(target, data=url).status_code == 403
    db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(ThreadLink)) == 0
    moderator.post(target, data=url)
    db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(ThreadLink)) == 1


@pytest.mark.parametrize(
    "who,allowed",
    [
        ("author", True),
        ("member", True),
        ("moderator", True),
        ("admin", True),
        ("stranger", False),
        ("guest", False),
    ],
)
def test_who_may_remove_a_link(client_as, stories, who, allowed):
    # member wrote "best"; author wrote "subject"; the link joins them.
    link = ThreadLink(from_thread_id=stories["subject"].id, to_thread_id=stories["best"].id)
    db.session.add(link)
    db.session.commit()
    link_id, best = link.id, stories["best"].id
    user = {"stranger": f.make_user("stranger_sam"), "guest": None}.get(who, stories.get(who))
    response = client_as(user).post(f"/links/{link_id}/delete", data={"thread_id": best})
    db.session.remove()
    still_there = db.session.get(ThreadLink, link_id) is not None
    assert still_there is not allowed
    if allowed:
        assert response.headers["Location"].endswith(f"/threads/{best}#linked-stories")
    elif who == "guest":
        assert "/login" in response.headers["Location"]
    else:
        assert response.status_code == 403


def test_link_removal_button_only_for_those_allowed(client_as, stories):
    db.session.add(
        ThreadLink(from_thread_id=stories["subject"].id, to_thread_id=stories["best"].id)
    )
    db.session.commit()
    page = f"/threads/{stories['best'].id}"
    assert "Remove link" in client_as(stories["author"]).get(page).get_data(as_text=True)
    assert "Remove link" not in client_as(f.make_user()).get(page).get_data(as_text=True)
    assert "Remove link" not in client_as().get(page).get_data(as_text=True)


def test_one_remembered_ranking_serves_guests_and_members(stories, app, monkeypatch):
    """forum.resources.related.related_for_page: one ranking per thread (made as for a
    member); each viewer sees only what they may read of it, a guest no members-only story."""
    from forum.accounts.models import Guest
    from forum.resources import related

    app.config["RELATED_CACHE_SECONDS"] = 300
    app.extensions.pop("related_stories", None)
    calls = []
    real = related.related_threads
    monkeypatch.setattr(related, "related_threads",
                        lambda *a, **k: calls.append(1) or real(*a, **k))
    subject, members_only = stories["subject"], stories["members"].id
    member_ids = [t.id for t in related.related_for_page(stories["member"], subject, None)]
    guest_ids = [t.id for t in related.related_for_page(Guest(), subject, None)]
    assert len(calls) == 1
    assert members_only in member_ids and members_only not in guest_ids
    assert stories["best"].id in guest_ids and stories["hidden"].id not in member_ids
    assert guest_ids == [i for i in member_ids if i != members_only][:len(guest_ids)]


def test_a_guest_who_asks_first_gets_only_public_stories(stories, app):
    from forum.accounts.models import Guest
    from forum.resources import related

    app.config["RELATED_CACHE_SECONDS"] = 300
    app.extensions.pop("related_stories", None)
    guest_ids = [t.id for t in related.related_for_page(Guest(), stories["subject"], None)]
    member_ids = [t.id for t in related.related_for_page(stories["member"], stories["subject"],
                                                         None)]
    assert stories["members"].id not in guest_ids and stories["members"].id in member_ids
    assert stories["best"].id in guest_ids
