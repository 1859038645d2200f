"""More journeys through the real forms, with JavaScript on and off: moderation of an
anonymous post, search to a related story, digest settings."""

from __future__ import annotations

import itertools
import re
import time

import pytest
from playwright.sync_api import expect

from tests.browser.live import open_menu

pytestmark = pytest.mark.browser

JS = pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
_numbers = itertools.count(1)
RUN = str(int(time.time()))[-5:]


def click_and_wait(page, locator) -> None:
    with page.expect_navigation():
        locator.click()


def main_nav(page):
    open_menu(page)  # the header's menu is a <details>: its links show once it is open
    return page.get_by_role("navigation", name="Main")


def register(page, username: str, password: str) -> None:
    page.goto("/register")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Repeat password").fill(password)
    page.get_by_label("I have read the community guidelines").check()
    click_and_wait(page, page.locator("main").get_by_role("button", name="Create my account"))
    expect(page.get_by_text("Welcome. Your account is ready.")).to_be_visible()


@JS
def test_moderator_hides_flagged_anonymous_post_and_suspends_its_author(open_tab, live_server, js):
    username = f"mod_case_{RUN}_{next(_numbers)}_{'js' if js else 'nojs'}"
    title = f"Bus aide left early again ({username[-8:]})"
    body = "The bus aide left before pickup three times this month. Who do I write to?"

    # A fresh member (suspending the shared one would break other tests) posts anonymously.
    author = open_tab(js=js)
    page = author.page
    register(page, username, "a quiet morning for once")
    page.goto("/threads/new")
    page.get_by_label("Category").select_option(label="IEP meetings")
    page.get_by_label("Title").fill(title)
    page.get_by_label("Your post").fill(body)
    page.get_by_label("Post anonymously").check()
    main = page.locator("main")
    click_and_wait(page, main.get_by_role("button", name="Post thread"))
    anyway = main.get_by_role("button", name="Post anyway")
    if anyway.count():
        click_and_wait(page, anyway)
    expect(page.get_by_text("Your thread is posted.")).to_be_visible()
    first = page.locator("article.post").first
    alias = first.locator(".post__by .author").inner_text()
    assert alias.startswith("Anonymous parent"), alias
    post_id = int(first.get_attribute("id").removeprefix("post-"))
    thread_url = page.url.split("#")[0]

    # Another member flags it: "Identifies a child or family".
    flagger = open_tab("second_member", js=js)
    page = flagger.page
    page.goto(thread_url)
    click_and_wait(page, page.locator(f"#post-{post_id}").get_by_role("link", name="Flag"))
    assert page.url.endswith(f"/posts/{post_id}/flag")
    page.get_by_label("Identifies a child or family").check()
    click_and_wait(page, page.locator("main").get_by_role("button", name="Send to the moderators"))
    expect(page.get_by_text("Thank you. Moderators will look at this post.")).to_be_visible()

    # The moderator sees it in the queue under the alias only.
    moderator = open_tab("moderator", js=js)
    page = moderator.page
    page.goto("/moderation/")
    item = page.locator("main").get_by_role("link", name=re.compile(re.escape(title)))
    expect(item.first).to_be_visible()
    expect(page.locator("main")).to_contain_text(alias)
    assert username not in page.content()
    click_and_wait(page, item.first)
    assert page.url.endswith(f"/moderation/posts/{post_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Moderate a post")
    expect(page.locator("main")).to_contain_text(alias)
    expect(page.locator("main")).to_contain_text("Identifies a child or family")
    assert username not in page.content()

    # Hides the post (optional reason), then suspends the author for 3 days (reason required).
    page.get_by_label("Reason (optional)").first.fill("Names the school and the child's grade")
    click_and_wait(page, page.locator("main").get_by_role("button", name="Hide post"))
    expect(page.get_by_text("Post hidden.")).to_be_visible()
    click_and_wait(page, page.locator("main").get_by_role("button", name="Suspend"))
    expect(page.get_by_role("alert").first).to_be_visible()  # no reason: refused, clearly
    expect(page.get_by_text("The author is suspended.")).to_have_count(0)
    page.get_by_label("Message to the author / reason").fill(
        "Please keep details about children out."
    )
    page.get_by_label("Suspend for").select_option(label="3 days")
    click_and_wait(page, page.locator("main").get_by_role("button", name="Suspend"))
    expect(page.get_by_text("The author is suspended.")).to_be_visible()
    assert username not in page.content()

    # The audit log shows both actions, with the alias and never the username.
    page.goto("/moderation/log")
    rows = page.locator("main tbody tr").filter(has_text=title)
    expect(rows.filter(has_text=re.compile("hid", re.I)).first).to_contain_text(alias)
    expect(rows.filter(has_text=re.compile("suspen", re.I)).first).to_contain_text(alias)
    assert username not in page.content()

    # The suspended member tries to reply and is told until when.
    page = author.page
    page.goto(f"/threads/{live_server.world['named_thread']}/reply")
    box = page.get_by_label("Your post")
    if box.count():
        box.fill("Thank you all, this helped.")
        with page.expect_navigation():
            page.locator("main").get_by_role("button", name="Post reply").click()
        expect(page.get_by_label("Your post")).to_have_value("Thank you all, this helped.")
    expect(page.locator("main")).to_contain_text(re.compile(r"suspended until \w+ \d+, \d{4}"))

    for tab in (author, flagger, moderator):
        tab.watch.assert_quiet(tab.page)


@JS
def test_member_searches_opens_a_story_and_a_story_like_it(open_tab, live_server, js):
    tab = open_tab("member", js=js)
    page = tab.page
    page.goto("/")
    page.locator("details.header-search > summary").click()  # search opens from its icon
    search = page.get_by_role("search", name="Site search")
    search.get_by_label("Search the forum").fill("aide")
    click_and_wait(page, search.get_by_role("button", name="Search"))
    assert "/search" in page.url and "q=aide" in page.url
    main = page.locator("main")
    results = main.locator("ol.search-results > li")
    expect(results.first).to_be_visible()
    anonymous = results.filter(has_text="Anonymous parent · ")
    expect(anonymous.first).to_be_visible()
    for result in anonymous.all():  # an alias, never a profile link or a username
        expect(result.locator("a[href*='/users/']")).to_have_count(0)
        expect(result).not_to_contain_text(live_server.world["users"]["anon_author"])
    link = results.first.get_by_role("heading", level=3).get_by_role("link")
    title = link.inner_text().strip()
    click_and_wait(page, link)
    assert "/threads/" in page.url
    expect(page.get_by_role("heading", level=1)).to_contain_text(title.removeprefix("Re: "))
    like_this = page.get_by_role("region", name="Stories like this")
    expect(like_this).to_be_visible()
    story = like_this.get_by_role("link").first
    expect(story).to_be_visible()
    story_title = story.inner_text().strip()
    click_and_wait(page, story)
    expect(page.get_by_role("heading", level=1)).to_have_text(story_title)
    tab.watch.assert_quiet(page)


@JS
def test_member_changes_digest_frequency(open_tab, live_server, js):
    tab = open_tab("member", js=js)
    page = tab.page
    page.goto("/settings")
    click_and_wait(
        page,
        page.get_by_role("navigation", name="Settings sections").get_by_role(
            "link", name="Email digests and notifications"
        ),
    )
    assert page.url.endswith("/settings/digests")
    was = next(
        label
        for label in ("Weekly, on Mondays (the default)", "Daily", "Off: no digest")
        if page.get_by_label(label).is_checked()
    )
    wanted = "Off: no digest" if was == "Daily" else "Daily"
    page.get_by_label(wanted).check()
    click_and_wait(page, page.locator("main").get_by_role("button", name="Save email preferences"))
    expect(page.get_by_text("Your email preferences are saved.")).to_be_visible()
    page.reload()
    expect(page.get_by_label(wanted)).to_be_checked()
    expect(page.get_by_label(was)).not_to_be_checked()
    # Put it back for the other tests.
    page.get_by_label(was).check()
    click_and_wait(page, page.locator("main").get_by_role("button", name="Save email preferences"))
    expect(page.get_by_label(was)).to_be_checked()
    tab.watch.assert_quiet(page)
