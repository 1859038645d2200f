"""Core journeys through the real forms, with JavaScript on and off."""

from __future__ import annotations

import itertools
import re

import pytest
from playwright.sync_api import expect

from tests.browser.live import open_menu

pytestmark = pytest.mark.browser

JS = pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
_numbers = itertools.count(1)


def click_and_wait(page, locator) -> None:
    with page.expect_navigation():
        locator.click()


def main_nav(page):
    open_menu(page)  # the header's menu is a <details>: its links show once it is open
    return page.get_by_role("navigation", name="Main")


@JS
def test_visitor_joins_posts_anonymously_and_is_quoted_by_alias(open_tab, live_server, js):
    username = f"new_parent_{next(_numbers)}_{'js' if js else 'nojs'}"
    password = "a calm evening at last"
    title = f"First IEP meeting next week ({username[-4:]})"

    # A visitor joins through the real registration form.
    visitor = open_tab(js=js)
    page = visitor.page
    page.goto("/")
    click_and_wait(page, main_nav(page).get_by_role("link", name="Join"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Repeat password").fill(password)
    page.get_by_label("I have read the community guidelines").check()
    click_and_wait(page, page.get_by_role("button", name="Create my account"))
    expect(page.get_by_text("Welcome. Your account is ready.")).to_be_visible()

    # Starts a thread; a too-short title is refused, tied to its field, and the post survives.
    click_and_wait(page, main_nav(page).get_by_role("link", name="New thread"))
    page.get_by_label("Category").select_option(label="IEP meetings")
    page.get_by_label("Title").fill("Hi")
    body = "They want to cut speech minutes. What should I ask for?"
    page.get_by_label("Your post").fill(body)
    page.get_by_label("Post anonymously").check()
    click_and_wait(page, page.get_by_role("button", name="Post thread"))
    title_field = page.get_by_label("Title")
    expect(title_field).to_have_attribute("aria-invalid", "true")
    error_id = title_field.get_attribute("aria-describedby").split()[-1]
    expect(page.locator(f"#{error_id}")).to_contain_text("Titles need")
    expect(page.get_by_label("Your post")).to_have_value(body)
    expect(page.get_by_label("Post anonymously")).to_be_checked()
    title_field.fill(title)
    click_and_wait(page, page.get_by_role("button", name="Post thread"))
    expect(page.get_by_text("Your thread is posted.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    first_post = page.locator("article.post").first
    alias = first_post.locator(".post__by .author").inner_text()
    assert re.fullmatch(r"Anonymous parent · [A-Z][a-z]+ [A-Z][a-z]+( \d+)?", alias), alias
    expect(first_post).to_contain_text("you posted this anonymously")
    assert username not in page.content()
    thread_url = page.url.split("#")[0]

    # Signs out.
    click_and_wait(page, main_nav(page).get_by_role("button", name="Sign out"))
    expect(page.get_by_text("You're signed out.")).to_be_visible()
    expect(main_nav(page).get_by_role("link", name="Sign in")).to_be_visible()

    # A second member quotes the post: the box holds a reference to it, and the posted
    # quote shows the alias (filled in when shown), never the username.
    reference = re.compile(r"^\[quote=post:\d+\]\n")
    replier = open_tab("second_member", js=js)
    page = replier.page
    page.goto(thread_url)
    quote = page.locator("article.post").first.get_by_role("link", name="Quote")
    if js:
        quote.click()  # forum.js puts the quote into the reply box on this page
        box = page.locator(".reply-box").get_by_label("Your post")
        expect(box).to_have_value(reference)
        expect(box).to_be_focused()
        assert page.url.split("#")[0] == thread_url
    else:
        click_and_wait(page, quote)  # the reply page, pre-filled
        assert "/reply?quote=" in page.url
        box = page.get_by_label("Your post")
        expect(box).to_have_value(reference)
        expect(page.locator(".quoting")).to_contain_text(f"{alias} wrote:")
    assert username not in box.input_value()
    box.press("Control+End")
    box.press_sequentially("Ask for the data behind it, in writing.")
    expect(box).to_have_value(re.compile(r"\n\nAsk for the data behind it, in writing\.$"))
    click_and_wait(page, page.get_by_role("button", name="Post reply"))
    reply = page.locator("article.post").last
    expect(reply.locator("blockquote")).to_contain_text(body)
    expect(reply).to_contain_text(f"{alias} wrote:")
    expect(reply).to_contain_text("Ask for the data behind it, in writing.")
    assert username not in page.content()

    # A guest reads the thread: alias shown, username nowhere.
    guest = open_tab(js=js)
    guest.page.goto(thread_url)
    expect(guest.page.get_by_text(alias).first).to_be_visible()
    assert username not in guest.page.content()

    for tab in (visitor, replier, guest):
        tab.watch.assert_quiet(tab.page)


@JS
def test_reply_error_keeps_nothing_lost_and_links_the_error(open_tab, live_server, js):
    """An empty reply is refused with a 422, the error is tied to the box, and a retry works."""
    tab = open_tab("member", js=js)
    page = tab.page
    thread_id = live_server.world["named_thread"]
    page.goto(f"/threads/{thread_id}/reply")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Post reply").click()
    assert navigation.value.status == 422
    box = page.get_by_label("Your post")
    expect(box).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("alert")).to_contain_text("What you typed is still here")
    box.fill("Recording rules differ by state; check yours first.")
    click_and_wait(page, page.get_by_role("button", name="Post reply"))
    expect(page.locator("article.post").last).to_contain_text("check yours first")
    tab.watch.assert_quiet(page)


@JS
def test_settings_save_through_the_form(open_tab, live_server, js):
    tab = open_tab("member", js=js)
    page = tab.page
    page.goto("/settings")
    box = page.get_by_label("Post anonymously by default")
    was = box.is_checked()
    box.set_checked(not was)
    click_and_wait(page, page.get_by_role("button", name="Save settings"))
    expect(page.get_by_text("Settings saved.")).to_be_visible()
    expect(page.get_by_label("Post anonymously by default")).to_be_checked(checked=not was)
    page.get_by_label("Post anonymously by default").set_checked(was)
    click_and_wait(page, page.get_by_role("button", name="Save settings"))
    tab.watch.assert_quiet(page)


@JS
def test_new_thread_anonymity_follows_the_category_rule(open_tab, live_server, js):
    """'Start here' forbids anonymous posts: JS disables the box; without JS the server refuses."""
    tab = open_tab("member", js=js)
    page = tab.page
    page.goto("/threads/new")
    anonymous = page.get_by_label("Post anonymously")
    expect(anonymous).to_have_accessible_description(re.compile("Not available in Start here"))
    page.get_by_label("Category").select_option(label="IEP meetings")
    expect(anonymous).to_be_enabled()
    anonymous.check()
    page.get_by_label("Category").select_option(label="Start here")
    page.get_by_label("Title").fill("Hello from a new parent")
    page.get_by_label("Your post").fill("Glad to have found this place.")
    if js:
        expect(anonymous).to_be_disabled()
        expect(anonymous).not_to_be_checked()
        page.get_by_label("Category").select_option(label="IEP meetings")
        expect(anonymous).to_be_checked()  # the member's choice comes back
        page.get_by_label("Category").select_option(label="Start here")
        click_and_wait(page, page.get_by_role("button", name="Post thread"))
        expect(page.get_by_text("Your thread is posted.")).to_be_visible()
        expect(page.locator("article.post").first.locator(".author")).not_to_contain_text(
            "Anonymous"
        )
    else:
        expect(anonymous).to_be_checked()
        with page.expect_navigation() as navigation:
            page.get_by_role("button", name="Post thread").click()
        assert navigation.value.status == 400
        expect(page.get_by_role("alert")).to_contain_text("isn't available in this category")
        expect(page.get_by_label("Your post")).to_have_value("Glad to have found this place.")
    tab.watch.assert_quiet(page)
