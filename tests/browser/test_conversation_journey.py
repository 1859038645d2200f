"""A parent reads an anonymous story like hers, presses "Message privately", and the two
talk while neither learns the other's username. With JavaScript on and off."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.live import open_menu

pytestmark = pytest.mark.browser

JS = pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])


def click_and_wait(page, locator) -> None:
    with page.expect_navigation():
        locator.click()


@JS
def test_message_an_anonymous_parent(open_tab, live_server, js):
    world = live_server.world
    reader = open_tab("member", viewport="phone", js=js)
    page = reader.page
    page.goto(f"/threads/{world['anon_thread']}")
    click_and_wait(page, page.get_by_role("link", name="Message privately").first)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Anonymous parent · ")
    text = f"The same happened to us ({'js' if js else 'no-js'}). Happy to talk."
    page.get_by_label("Your message").fill(text)
    click_and_wait(page, page.get_by_role("button", name="Send"))
    expect(page.locator(".messages")).to_contain_text(text)
    conversation_url = page.url
    assert world["users"]["anon_author"] not in page.content()

    author = open_tab("anon_author", js=js)
    author.page.goto("/messages")
    # The unread count shows on the header's menu button, and by Messages inside the menu.
    expect(author.page.locator("details.site-menu > summary .badge").first).to_be_visible()
    open_menu(author.page)
    expect(author.page.locator("details.site-menu a[href='/messages'] .badge")).to_be_visible()
    click_and_wait(author.page, author.page.get_by_role("link", name="maple_mom").first)
    expect(author.page.locator(".messages")).to_contain_text(text)
    expect(author.page.get_by_text("They see you as “Anonymous parent · ")).to_be_visible()
    author.page.get_by_label("Your message").fill("Thank you, it means a lot.")
    click_and_wait(author.page, author.page.get_by_role("button", name="Send"))

    page.goto(conversation_url)
    expect(page.locator(".messages")).to_contain_text("Thank you, it means a lot.")
    assert world["users"]["anon_author"] not in page.content()
    reader.watch.assert_quiet(page)
    author.watch.assert_quiet(author.page)
