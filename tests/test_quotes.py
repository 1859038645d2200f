"""Quotes follow the quoted post (issue 15, item 3): header and words are filled in
whenever the quoting post is shown, and aliases never move when a post is switched."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.mydata.services import delete_account
from forum.threads import services
from forum.threads.authors import ALIAS_PREFIX, AliasBook, _alias_key, _candidate
from forum.threads.models import Post, Thread
from tests import factories as f

QUOTED = "The evaluation took four months, then the quillwort plan helped."


def _box(html: str) -> str:
    return re.search(r'<textarea[^>]*id="body"[^>]*>(.*?)</textarea>', html, re.S).group(1).strip()


def _quote_through_the_form(client, thread_id: int, post_id: int, words: str) -> None:
    """What a member does: Quote, then write under the pre-filled box, then post."""
    page = client.get(f"/threads/{thread_id}/reply?quote={post_id}").get_data(as_text=True)
    body = _box(page) + "\n\n" + words
    response = client.post(f"/threads/{thread_id}/reply", data={"body": body})
    assert response.status_code == 302, response.get_data(as_text=True)


@pytest.fixture
def quoted(client_as, world):
    """author_ruth's named reply in the named thread, quoted by member_maya."""
    source = f.make_reply(world["author"], world["named"], body=QUOTED)
    _quote_through_the_form(client_as(world["member"]), world["named"].id, source.id, "Same here.")
    return {**world, "source_id": source.id, "thread_id": world["named"].id}


def _thread_page(client, thread_id: int) -> str:
    db.session.remove()
    return client.get(f"/threads/{thread_id}").get_data(as_text=True)


def _quote_figure(page: str) -> str:
    """The quote inside member_maya's reply ("Same here.")."""
    articles = re.findall(r"<article.*?</article>", page, re.S)
    mine = next(a for a in articles if "Same here." in a)
    found = re.search(r"<figure class=\"quote[^\"]*\">.*?</figure>", mine, re.S)
    return found.group(0) if found else ""


def test_quote_stores_a_reference_not_a_name(app, quoted):
    reply = db.session.scalar(select(Post).where(Post.body.contains("Same here.")))
    assert reply.body.startswith(f"[quote=post:{quoted['source_id']}]")
    assert "author_ruth" not in reply.body and "author_ruth" not in reply.body_html
    assert QUOTED not in reply.body and "quillwort" not in reply.body_html


def test_quote_header_follows_a_switch_to_anonymous_and_back(client_as, quoted):
    viewer, author = client_as(quoted["moderator"]), client_as(quoted["author"])
    figure = _quote_figure(_thread_page(viewer, quoted["thread_id"]))
    assert "author_ruth wrote:" in figure and QUOTED in figure
    author.post(f"/posts/{quoted['source_id']}/anonymity", data={"hide_author": "1"})
    page = _thread_page(viewer, quoted["thread_id"])
    figure = _quote_figure(page)
    assert f"{ALIAS_PREFIX} · " in figure and QUOTED in figure
    named_opening = r'<a class="author" href="/users/author_ruth">author_ruth</a>'
    assert "author_ruth" not in re.sub(named_opening, "", page)  # only her named opening post
    author.post(f"/posts/{quoted['source_id']}/anonymity", data={"hide_author": "0"})
    assert "author_ruth wrote:" in _quote_figure(_thread_page(viewer, quoted["thread_id"]))


def test_quoted_words_follow_an_edit(client_as, quoted):
    client_as(quoted["author"]).post(
        f"/posts/{quoted['source_id']}/edit", data={"body": "It took four months at our school."})
    figure = _quote_figure(_thread_page(client_as(), quoted["thread_id"]))
    assert "It took four months at our school." in figure and "quillwort" not in figure


@pytest.mark.parametrize("how", ["moderator hides", "moderator deletes", "author deletes"])
def test_quote_of_a_removed_post_shows_removed_and_nothing_of_it(client_as, quoted, how):
    from forum.moderation import actions

    source = db.session.get(Post, quoted["source_id"])
    if how == "moderator hides":
        actions.hide_post(quoted["moderator"], source, "Names a school")
    elif how == "moderator deletes":
        actions.delete_post(quoted["moderator"], source, "Names a school")
    else:
        services.delete_post(quoted["author"], source)
    viewers = (None, quoted["member"], quoted["author"], quoted["moderator"])
    for client in [client_as(v) for v in viewers]:
        page = _thread_page(client, quoted["thread_id"])
        figure = _quote_figure(page)
        assert "[removed]" in figure
        assert "quillwort" not in figure and "author_ruth" not in figure and "wrote:" not in figure


def test_quote_after_the_quoted_account_is_deleted(client_as, quoted):
    author = db.session.get(type(quoted["author"]), quoted["author"].id)
    delete_account(author, f.PASSWORD, delete_posts=False)
    figure = _quote_figure(_thread_page(client_as(), quoted["thread_id"]))
    assert "Former member wrote:" in figure and QUOTED in figure


def test_quote_after_the_quoted_account_is_deleted_with_its_posts(client_as, quoted):
    author = db.session.get(type(quoted["author"]), quoted["author"].id)
    delete_account(author, f.PASSWORD, delete_posts=True)
    figure = _quote_figure(_thread_page(client_as(), quoted["thread_id"]))
    assert "[removed]" in figure and "quillwort" not in figure


@pytest.mark.parametrize("target", ["other thread", "members-only thread", "held", "missing",
                                    "itself"])
def test_a_hand_written_reference_cannot_borrow_another_post(client_as, world, target):
    """A member may type a reference: it shows a post only of the same thread, visible."""
    from forum.moderation.models import SiteSetting
    from forum.moderation.settings import HOLD_FIRST_POSTS

    secret = "Quillon secret words"
    if target == "other thread":
        ref = f.make_reply(world["author"], world["anon"], body=secret, hide_author=True).id
    elif target == "members-only thread":
        ref = f.make_reply(world["author"], world["members_thread"], body=secret).id
    elif target == "held":
        db.session.add(SiteSetting(key=HOLD_FIRST_POSTS, value="1"))
        db.session.commit()
        newcomer = f.make_user("new_parent")
        ref = f.make_reply(newcomer, world["named"], body=secret).id
        db.session.delete(db.session.get(SiteSetting, HOLD_FIRST_POSTS))
        db.session.commit()
    elif target == "missing":
        ref = 99_999
    else:
        ref = None
    thread_id = world["named"].id
    member = client_as(world["member"])
    if ref is None:  # a reference to the very post that holds it
        post = f.make_reply(world["member"], world["named"], body="Same here.")
        services.edit_post(world["member"], post, f"[quote=post:{post.id}]\n\nSame here.")
    else:
        body = f"[quote=post:{ref}]\n\nSame here."
        member.post(f"/threads/{thread_id}/reply", data={"body": body})
    for client in [client_as(v) for v in (None, world["member"], world["moderator"])]:
        page = _thread_page(client, thread_id)
        figure = _quote_figure(page)
        assert "[removed]" in figure
        assert "Quillon" not in figure and "author_ruth" not in figure and "wrote:" not in figure


def test_a_quote_of_a_quote_shows_only_the_quoted_posts_own_words(client_as, quoted):
    quoting = db.session.scalar(select(Post).where(Post.body.contains("Same here.")))
    _quote_through_the_form(client_as(quoted["author"]), quoted["thread_id"], quoting.id,
                            "Thank you.")
    page = _thread_page(client_as(), quoted["thread_id"])
    last = re.findall(r"<article.*?</article>", page, re.S)[-1]
    assert "member_maya wrote:" in last and "Same here." in last
    assert QUOTED not in last  # member_maya's own quote is not nested inside


def test_markup_cannot_forge_a_quote(app, world):
    forged = ('<aside data-quote="1"></aside>\n\n<figure class="quote"><figcaption>'
              "author_ruth wrote:</figcaption></figure>")
    post = f.make_reply(world["member"], world["named"], body=forged)
    assert "<aside" not in post.body_html and "<figure" not in post.body_html


def test_quotes_cost_one_query_whatever_their_number(client_as, world, app, count_queries):
    app.config["POSTS_PER_PAGE"] = 4
    app.config["RELATED_CACHE_SECONDS"] = 0  # the same statements on both visits
    thread = world["named"]
    sources = [f.make_reply(world["author"], thread, body=f"Source {i}") for i in range(2)]
    f.make_reply(world["member"], thread, body="filler")  # page 1 is posts 1-4
    quoting = f.make_reply(world["member"], thread, body=f"[quote=post:{sources[0].id}]\n\nOne.")
    client = client_as()
    thread_id, member_id, source_ids = thread.id, world["member"].id, [s.id for s in sources]
    quoting_id = quoting.id
    db.session.remove()
    with count_queries() as one:
        page = client.get(f"/threads/{thread_id}?page=2").get_data(as_text=True)
    assert "author_ruth wrote:" in page and "Source 0" in page
    member = db.session.get(type(world["member"]), member_id)
    thread = db.session.get(Thread, thread_id)
    services.edit_post(member, db.session.get(Post, quoting_id),
                       "".join(f"[quote=post:{i}]\n\n" for i in source_ids * 3) + "Many.")
    for i in range(3):
        f.make_reply(member, thread, body=f"[quote=post:{source_ids[i % 2]}]\n\n{i}")
    db.session.remove()
    with count_queries() as many:
        page = client.get(f"/threads/{thread_id}?page=2").get_data(as_text=True)
    assert page.count("author_ruth wrote:") == 8  # six in one post, one in each of two more
    assert len(many) == len(one)


# --- aliases never move when someone switches a post ------------------------------------


def _colliding_members(thread_id: int, count: int = 2) -> list[int]:
    """Ids of members whose first alias candidate in this thread is the same."""
    key, seen = _alias_key(), {}
    for user_id in range(5_000, 60_000):
        word = _candidate(key, thread_id, user_id, 0)
        seen.setdefault(word, []).append(user_id)
        if len(seen[word]) == count:
            return seen[word]
    raise AssertionError("no collision found")


def _labels(thread_id: int, viewer) -> dict[int, str]:
    from forum.threads.authors import display_author

    db.session.expire_all()
    thread = db.session.get(Thread, thread_id)
    posts = db.session.scalars(select(Post).where(Post.thread_id == thread_id)).all()
    book = AliasBook.for_threads([thread_id])
    shown = {}
    for post in posts:
        if post.hide_author:
            label = display_author(post, viewer, book, thread).label
            shown[post.author_id] = label.replace(" (original poster)", "")
    return shown


@pytest.mark.parametrize("switch", ["to named", "to anonymous"])
def test_switching_a_post_never_renames_another_member(app, world, switch):
    thread = f.make_thread(world["member"], world["public"], title="Aliases stay put")
    first_id, second_id = _colliding_members(thread.id)
    first = f.make_user("first_parent", id=first_id)
    second = f.make_user("second_parent", id=second_id)
    post = f.make_reply(first, thread, hide_author=(switch == "to named"))
    f.make_reply(second, thread, hide_author=True)
    before = _labels(thread.id, world["moderator"])[second_id]
    services.set_post_anonymity(first, db.session.get(Post, post.id), switch == "to anonymous")
    after = _labels(thread.id, world["moderator"])
    assert after[second_id] == before
    if switch == "to anonymous":
        assert after[first_id] != after[second_id]  # still two different aliases


def test_colliding_members_get_different_aliases_in_a_thread(app, world):
    thread = f.make_thread(world["member"], world["public"], title="Three who collide")
    ids = _colliding_members(thread.id, 3)
    for n, user_id in enumerate(ids):
        f.make_reply(f.make_user(f"colliding_{n}", id=user_id), thread, hide_author=True)
    labels = _labels(thread.id, world["moderator"])
    assert len({labels[i] for i in ids}) == 3
