"""A parent's real story through the composer (issue 16) and replying in her own anonymous
thread (issue 15), with JavaScript on and off."""

from __future__ import annotations

import itertools
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

JS = pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
_numbers = itertools.count(1)

# The story, then the possessive, an age, twins, and "We took Mateo".
STORY = (
    "My son Blake is in first grade. Blake was doing well with his aide until they pulled her. "
    "Ms. Jenkins was the aide; Jenkins told me privately she disagreed.\n\n"
    "I just walked out of Blake's IEP meeting. My 6-year-old can barely ask for water at school. "
    "His twin sisters Ella and Grace miss him at recess. Grace cried on the way home. "
    "We took Mateo, his best friend, to the park after, and Mateo's mom was lovely."
)
NAMES = ["Blake", "Jenkins", "Ella", "Grace", "Mateo", "6-year-old"]


def click_and_wait(page, locator):
    with page.expect_navigation() as navigation:
        locator.click()
    return navigation.value


@JS
def test_a_pasted_story_loses_every_name_before_it_is_posted(open_tab, js):
    tab = open_tab("member", js=js)
    page = tab.page
    title = f"Walked out of the IEP meeting shaking ({next(_numbers)})"
    page.goto("/threads/new")
    page.get_by_label("Category").select_option(label="IEP meetings")
    page.get_by_label("Title").fill(title)
    body = page.get_by_label("Your post")
    body.fill(STORY)
    if js:
        live = page.locator("#privacy-live")
        expect(live).to_be_visible()  # while typing, before any submit
        expect(live).to_contain_text("could identify your family")
        live.get_by_role("button", name="Apply all suggestions").click()
        expect(live.get_by_role("status")).to_have_text(re.compile("Every suggestion is applied"))
    else:
        response = click_and_wait(page, page.get_by_role("button", name="Post thread"))
        assert response.status == 200
        expect(page.get_by_role("heading", name="Before you post")).to_be_visible()
        click_and_wait(page, page.get_by_role("button", name="Apply all suggestions"))
        expect(page.locator("#privacy-review")).to_contain_text("Every suggestion is applied")
    fixed = body.input_value()
    for name in NAMES:
        assert name not in fixed, (name, fixed)
    assert "my son" in fixed.lower() and "early-elementary" in fixed
    response = click_and_wait(page, page.get_by_role("button", name="Post thread"))
    assert response.status == 200 and "/threads/" in response.url and "/new" not in response.url
    expect(page.get_by_text("Your thread is posted.")).to_be_visible()
    post = page.locator("article.post").first
    expect(post).to_contain_text("first grade")
    text = post.inner_text()
    for name in NAMES:
        assert name not in text, (name, text)
    tab.watch.assert_quiet(page)


def test_on_a_phone_warnings_show_under_the_box_while_typing(open_tab):
    tab = open_tab("member", viewport="phone")
    page = tab.page
    page.goto("/threads/new")
    anonymous = page.get_by_label("Post anonymously")
    title = page.get_by_label("Title")
    assert anonymous.bounding_box()["y"] < title.bounding_box()["y"]  # chosen before writing
    expect(anonymous).to_be_enabled()  # the default category allows it
    details = page.locator("details.more-details")
    expect(details).not_to_have_attribute("open", "")
    body = page.get_by_label("Your post")
    body.click()
    body.press_sequentially("We took Mateo to the park. ", delay=5)
    live = page.locator("#privacy-live")
    expect(live).to_contain_text("Mateo")
    box, region = body.bounding_box(), live.bounding_box()
    assert 0 <= region["y"] - (box["y"] + box["height"]) < 40  # right under the text box
    live.scroll_into_view_if_needed()
    expect(live).to_be_in_viewport()
    tab.watch.assert_quiet(page)


@pytest.fixture
def own_anonymous_thread(live_server):
    """A thread the second member started anonymously, made on the live server."""
    from sqlalchemy import select

    from forum.accounts.models import User
    from forum.extensions import db
    from forum.threads import services
    from forum.threads.models import Category

    with live_server.app.app_context():
        user = db.session.scalar(select(User).where(
            User.username == live_server.world["users"]["second_member"]))
        category = db.session.scalar(select(Category).where(Category.slug == "iep-meetings"))
        thread = services.create_thread(
            user, category, f"Our first IEP after the move ({next(_numbers)})",
            "It went badly and I need to think it over.", hide_author=True)
        return thread.id


@JS
def test_replying_named_under_an_own_anonymous_story_is_confirmed(open_tab, live_server,
                                                                  own_anonymous_thread, js):
    username = live_server.world["users"]["second_member"]
    tab = open_tab("second_member", js=js)
    page = tab.page
    page.goto(f"/threads/{own_anonymous_thread}")
    reply = page.locator("#reply")
    anonymous = reply.get_by_label("Post anonymously")
    expect(anonymous).to_be_checked()  # the same alias by default
    anonymous.uncheck()
    reply.get_by_label("Your post").fill("Thank you all, it went better the second time.")
    response = click_and_wait(page, reply.get_by_role("button", name="Post reply"))
    assert response.status == 200
    expect(page.get_by_role("heading", name="Post with your username?")).to_be_visible()
    expect(page.locator("#confirm-named")).to_contain_text(
        "your username will appear under your anonymous story")
    if js:
        click_and_wait(page, page.get_by_role("button", name="Post with my username"))
        expect(page.locator("article.post").last.locator(".author")).to_contain_text(username)
    else:
        click_and_wait(page, page.get_by_role("button", name="Keep it anonymous and post"))
        last = page.locator("article.post").last
        expect(last).to_contain_text("it went better the second time")
        expect(last.locator(".author")).to_contain_text("Anonymous")
        assert username not in last.inner_text()
    tab.watch.assert_quiet(page)
