"""Times in the member's zone (offered once from the browser's), and admin tables that
read well on a phone and a desktop: no word broken in the middle, labelled cards."""

from __future__ import annotations

import itertools
import re
import time

import pytest
from playwright.sync_api import expect

from tests.browser.live import VIEWPORTS
from tests.browser.test_journeys_more import click_and_wait, register
from tests.browser.test_pages import AXE_OPTIONS, axe  # noqa: F401 (the fixture)

pytestmark = pytest.mark.browser

_numbers = itertools.count(1)
RUN = str(int(time.time()))[-5:]


@pytest.fixture
def chicago_tab(browser, live_server):
    """A fresh member in a browser that says it is in Chicago."""
    from tests.browser.conftest import Tab, Watch

    context = browser.new_context(base_url=live_server.url, timezone_id="America/Chicago")
    context.set_default_timeout(10_000)
    page = context.new_page()
    watch = Watch(origin=live_server.url)
    watch.attach(page)
    register(page, f"tz_member_{RUN}_{next(_numbers)}", "a quiet morning for once")
    yield Tab(page=page, context=context, watch=watch)
    context.close()


def test_browser_zone_is_offered_once_and_saved(chicago_tab, live_server, axe):  # noqa: F811
    page = chicago_tab.page
    page.goto(f"/threads/{live_server.world['named_thread']}")
    offer = page.locator("form.tz-offer")
    expect(offer).to_contain_text("Show times in your time zone, America/Chicago?")
    results = axe.run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, results.generate_report()
    # Exact times are rewritten from UTC into the browser's zone meanwhile.
    title = page.locator("article.post time").first.get_attribute("title")
    assert re.search(r"\d{4} at \d{1,2}:\d\d [AP]M C[SD]T$", title), title

    click_and_wait(page, offer.get_by_role("button", name="Yes, use it"))
    assert f"/threads/{live_server.world['named_thread']}" in page.url
    expect(page.get_by_text("Times are now shown in America/Chicago.")).to_be_visible()
    expect(page.locator("form.tz-offer")).to_have_count(0)
    page.goto("/settings/time-zone")
    expect(page.get_by_label("Time zone")).to_have_value("America/Chicago")
    expect(page.locator("main")).to_contain_text(re.compile(r"C[SD]T"))
    chicago_tab.watch.assert_quiet(page)


def test_no_thanks_is_remembered(chicago_tab):
    page = chicago_tab.page
    page.goto("/")
    page.locator("form.tz-offer").get_by_role("button", name="No thanks").click()
    expect(page.locator("form.tz-offer")).to_have_count(0)
    page.reload()
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator("form.tz-offer")).to_have_count(0)
    # The settings page still suggests the browser's zone, without saving it.
    page.goto("/settings/time-zone")
    expect(page.get_by_label("Time zone")).to_have_value("America/Chicago")
    expect(page.locator("#tz-guess")).to_contain_text("Your browser says America/Chicago")
    chicago_tab.watch.assert_quiet(page)


# Words split across two lines inside a cell ("Anonymo|us"); breaks at spaces, hyphens
# and slashes are fine, and long addresses may break anywhere.
BROKEN_WORDS = """
() => {
  const broken = [];
  for (const cell of document.querySelectorAll(".table th, .table td")) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.parentElement.closest(".break-anywhere, .visually-hidden")) continue;
      for (const match of node.textContent.matchAll(/[^\\s\\-\\u2013\\u2014\\/]+/g)) {
        if (match[0].length > 30) continue;
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
        if (tops.size > 1) broken.push(match[0]);
      }
    }
  }
  return broken;
}
"""
LABELS = """
() => [...document.querySelectorAll(".table tbody td[data-label]")].map(
  (td) => getComputedStyle(td, "::before").content)
"""
TABLES = [
    ("/admin/categories", "admin"),
    ("/moderation/log", "moderator"),
    ("/moderation/users", "admin"),
    ("/admin/tags", "moderator"),
    ("/admin/resources", "moderator"),
]


@pytest.mark.parametrize("path, role", TABLES, ids=[p for p, _ in TABLES])
def test_admin_tables_keep_words_whole_and_become_cards_on_phones(open_tab, path, role):
    tab = open_tab(role, viewport="phone")
    page = tab.page
    page.goto(path)
    expect(page.locator(".table tbody tr").first).to_be_visible()
    assert page.evaluate(BROKEN_WORDS) == [], f"{path} at 375 px"
    labels = page.evaluate(LABELS)
    assert labels and all(label not in ("none", "normal", '""') for label in labels), labels
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= VIEWPORTS["phone"]["width"]

    page.set_viewport_size({"width": 1280, "height": 900})
    assert page.evaluate(BROKEN_WORDS) == [], f"{path} at 1280 px"
    assert set(page.evaluate(LABELS)) == {"none"}  # a real table: the headers label it
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    tab.watch.assert_quiet(page)
