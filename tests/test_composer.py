"""The post composer (issues 15 and 16): anonymity first, details folded, the reply box that
keeps a member's anonymous name, and the confirmation before replying named there."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.threads.models import Post
from tests import factories as f

CONFIRM = "your username will appear under your anonymous story"


def _html(response) -> str:
    return response.get_data(as_text=True)


def _reply_box(html: str) -> str:
    return re.search(r'<section class="reply-box".*?</section>', html, re.S).group()


def _box_checked(html: str) -> bool:
    box = re.search(r'<input[^>]*id="hide_author"[^>]*>', html).group()
    return "checked" in box


def _posts() -> int:
    db.session.remove()
    return db.session.scalar(select(func.count()).select_from(Post))


# --- new thread ------------------------------------------------------------------------------


def test_anonymity_comes_before_the_text_and_details_are_folded(client_as, world):
    html = _html(client_as(world["member"]).get("/threads/new"))
    order = [html.index(mark) for mark in ('id="category"', 'id="hide_author"', 'id="title"',
                                           'id="body"', 'id="privacy-live"',
                                           '<details class="more-details"')]
    assert order == sorted(order)  # (the header's search and menu are <details> too)
    details = re.search(r'<details class="more-details"[^>]*>.*?</details>', html, re.S).group()
    assert "<summary>Add details (optional)</summary>" in details
    assert "<details class=\"more-details\">" in details  # closed by default
    assert "<legend>Topics" in details
    assert 'id="state"' in details and 'id="school_stage"' in details


def test_details_stay_open_when_one_was_chosen(client_as, world):
    """A form shown again (here by the privacy review) keeps a chosen detail in sight."""
    client = client_as(world["member"])
    data = {"category": "iep-meetings", "title": "A title for this", "body": "my son Blake",
            "state": "OH"}
    html = _html(client.post("/threads/new", data=data))
    assert "Before you post" in html and 'value="OH" selected' in html.replace(
        'selected value="OH"', 'value="OH" selected')
    assert re.search(r'<details class="more-details" open>', html)


def test_the_default_category_is_one_that_allows_anonymity(client_as, world):
    f.make_category(slug="aaa-start", name="Aaa start here", anonymous_policy="forbid")
    html = _html(client_as(world["member"]).get("/threads/new"))
    selected = re.search(r'<option[^>]*selected[^>]*value="([^"]+)"|'
                         r'<option[^>]*value="([^"]+)"[^>]*selected', html)
    slug = selected.group(1) or selected.group(2)
    assert slug != "aaa-start"
    assert "choose another category to post anonymously" in html  # the forbid rule, one line
    assert 'href="/anonymity"' in html or "How anonymity works here" in html


# --- the reply box keeps the anonymous name ----------------------------------------------------


def test_each_member_gets_their_own_reply_default_on_a_shared_page(client_as, world):
    """The starter of an anonymous thread and another member each get their own default,
    whichever of them fills the shared page first."""
    path = f"/threads/{world['anon'].id}"
    other = client_as(world["member"])  # never wrote anonymously; default off
    starter = client_as(world["author"])
    for _round in range(2):
        box = _reply_box(_html(other.get(path)))
        assert not _box_checked(box) and "You posted anonymously in this thread" not in box
        box = _reply_box(_html(starter.get(path)))
        assert _box_checked(box) and "You posted anonymously in this thread" in box


def test_a_member_who_replied_anonymously_keeps_that_default_on_any_page(client_as, world, app):
    app.config["POSTS_PER_PAGE"] = 2
    thread = world["named"]
    replier = f.make_user("quiet_replier")
    f.make_reply(replier, thread, hide_author=True)  # post 3: on page 2
    reader = f.make_user("plain_reader")
    for page in (1, 2):
        path = f"/threads/{thread.id}?page={page}"
        assert not _box_checked(_reply_box(_html(client_as(reader).get(path))))
        assert _box_checked(_reply_box(_html(client_as(replier).get(path))))
        assert not _box_checked(_reply_box(_html(client_as(reader).get(path))))


def test_reply_page_defaults_to_the_alias(client_as, world):
    html = _html(client_as(world["author"]).get(f"/threads/{world['anon'].id}/reply"))
    assert _box_checked(html) and "You posted anonymously in this thread" in html
    html = _html(client_as(world["member"]).get(f"/threads/{world['anon'].id}/reply"))
    assert not _box_checked(html)


# --- replying named in one's own anonymous thread --------------------------------------------


def _reply(client, thread, **data):
    thread_id = thread if isinstance(thread, int) else thread.id
    return client.post(f"/threads/{thread_id}/reply",
                       data={"body": "Thank you all, it went better.", **data})


def test_a_named_reply_under_an_anonymous_story_needs_confirmation(client_as, world):
    client, thread = client_as(world["author"]), world["anon"].id
    before = _posts()
    response = _reply(client, thread)  # the box unticked
    html = _html(response)
    assert response.status_code == 200
    assert CONFIRM in html
    assert 'name="confirm_named" value="1"' in html and 'name="hide_author" value="y"' in html
    assert "Thank you all, it went better." in html  # the text survives
    assert _posts() == before


def test_confirming_posts_under_the_username(client_as, world):
    client, thread, author_id = client_as(world["author"]), world["anon"], world["author"].id
    response = _reply(client, thread, confirm_named="1")
    assert response.status_code == 302
    db.session.remove()
    post = db.session.scalar(select(Post).order_by(Post.id.desc()))
    assert post.author_id == author_id and not post.hide_author


def test_keep_it_anonymous_from_the_confirmation(client_as, world):
    client, thread = client_as(world["author"]), world["anon"]
    response = _reply(client, thread, hide_author="y")
    assert response.status_code == 302
    db.session.remove()
    assert db.session.scalar(select(Post).order_by(Post.id.desc())).hide_author


@pytest.mark.parametrize("who", ["member", "moderator"])
def test_members_without_an_anonymous_post_there_are_not_asked(client_as, world, who):
    response = _reply(client_as(world[who]), world["anon"])
    assert response.status_code == 302


def test_no_confirmation_in_a_named_thread(client_as, world):
    response = _reply(client_as(world["author"]), world["named"])
    assert response.status_code == 302


def test_confirmation_after_the_privacy_review_does_not_loop(client_as, world):
    client, thread = client_as(world["author"]), world["anon"]
    body = "my son Blake had a good day"
    html = _html(_reply(client, thread, body=body, reviewed="1"))
    assert CONFIRM in html and 'name="reviewed" value="1"' in html
    response = _reply(client, thread, body=body, reviewed="1", confirm_named="1")
    assert response.status_code == 302


@pytest.mark.parametrize("config_overrides", [{"WTF_CSRF_ENABLED": True}])
def test_the_confirmation_needs_csrf(client_as, world, config_overrides):
    thread, client = world["anon"].id, client_as(world["author"])
    before = _posts()
    response = _reply(client, thread, confirm_named="1")
    assert response.status_code == 400 and _posts() == before


def test_a_guest_cannot_reach_the_confirmation(client_as, world):
    response = _reply(client_as(None), world["anon"], confirm_named="1")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
