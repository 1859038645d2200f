"""Reactions and drafts through the real pages (issue 18), with JavaScript on and off."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

JS = pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])


def click_and_wait(page, locator) -> None:
    with page.expect_navigation():
        locator.click()


@JS
def test_member_reacts_and_sees_the_count_but_no_names(open_tab, live_server, js):
    tab = open_tab("member", js=js)
    page = tab.page
    page.goto(f"/threads/{live_server.world['named_thread']}")
    form = page.locator(".reactions__form").first
    article_id = form.locator("xpath=ancestor::article").get_attribute("id")
    label = "Me too" if js else "Sending strength"  # each run presses its own button
    button = page.locator(f"#{article_id}").get_by_role("button", name=re.compile(f"^{label}"))
    if js:  # engage.js toggles in place: no reload, the count and the pressed state change
        button.click()
        expect(button).to_have_attribute("aria-pressed", "true")
        page.reload()
    else:
        click_and_wait(page, button)
    expect(button).to_have_attribute("aria-pressed", "true")
    expect(button).to_contain_text("1")
    if js:  # and back
        button.click()
        expect(button).to_have_attribute("aria-pressed", "false")
        expect(button).not_to_contain_text("1")
    expect(page.locator(f"#{article_id} .reactions")).not_to_contain_text("maple_mom")
    tab.watch.assert_quiet(page)


def test_reply_draft_autosaves_and_opens_on_another_device(open_tab, live_server):
    story = "Half a story about the aide they took away"
    tab = open_tab("second_member")
    page = tab.page
    thread_id = live_server.world["anon_thread"]
    page.goto(f"/threads/{thread_id}/reply")
    page.get_by_label("Your post").fill(story)
    expect(page.locator(".draft-status")).to_have_text("Draft saved.", timeout=15_000)
    other = open_tab("second_member").page  # another browser, the same member
    other.goto(f"/threads/{thread_id}/reply")
    expect(other.get_by_label("Your post")).to_have_value(story)
    expect(other.locator(".draft-status")).to_contain_text("Draft restored")
    click_and_wait(other, other.get_by_role("button", name="Post reply"))
    other.goto(f"/threads/{thread_id}/reply")
    expect(other.get_by_label("Your post")).to_have_value("")  # posted: the draft is gone
    tab.watch.assert_quiet(page)


def test_save_draft_without_javascript(open_tab, live_server):
    tab = open_tab("second_member", js=False)
    page = tab.page
    page.goto("/threads/new")
    page.get_by_label("Title").fill("A draft title for later")
    page.get_by_label("Your post").fill("Not ready.")
    click_and_wait(page, page.get_by_role("button", name="Save draft"))
    expect(page.get_by_label("Title")).to_have_value("A draft title for later")
    click_and_wait(page, page.get_by_role("button", name="Delete draft"))
    expect(page.get_by_label("Title")).to_have_value("")
