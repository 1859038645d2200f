"""Phone-first look (issue 20): a one-row header, thread rows on the first screen, the opening
post high on a thread page, a menu and a search that open without JavaScript."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.live import VIEWPORTS, open_menu

pytestmark = pytest.mark.browser

PHONE_HEIGHT = VIEWPORTS["phone"]["height"]

BOXES = """
() => {
  const box = (el) => {
    const r = el.getBoundingClientRect();
    return {top: r.top, bottom: r.bottom};
  };
  const name = document.querySelector(".site-name");
  return {
    header: box(document.querySelector(".site-header")),
    headerItems: [...document.querySelectorAll(".site-header__inner > *, .site-nav > *")]
      .filter((el) => el.getClientRects().length).map(box),
    name: name && name.innerText.trim() ? box(name) : null,
    list: box(document.querySelector(".thread-list")),
    rows: [...document.querySelectorAll(".thread-item")].map(box),
    metaLines: [...document.querySelectorAll(".thread-item__meta")].map((p) => {
      const lines = new Set();
      for (const child of p.children) {
        if (child.querySelector(".private-marker")) continue;  // the author's own note
        for (const r of child.getClientRects()) lines.add(Math.round(r.top + r.height / 2));
      }
      // items on one line may differ by a few pixels (a chip is taller than text)
      const tops = [...lines].sort((a, b) => a - b);
      return tops.filter((t, i) => i === 0 || t - tops[i - 1] > 8).length;
    }),
  };
}
"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_member_on_a_phone_sees_the_name_and_two_threads_on_the_first_screen(open_tab, scheme):
    tab = open_tab("member", viewport="phone", scheme=scheme)
    page = tab.page
    page.goto("/")
    boxes = page.evaluate(BOXES)
    header = boxes["header"]
    assert header["bottom"] - header["top"] <= 64, f"header is {header} tall"
    assert all(item["bottom"] <= header["bottom"] for item in boxes["headerItems"]), "one row"
    assert boxes["name"] is not None and boxes["name"]["bottom"] <= header["bottom"]
    assert boxes["list"]["top"] < PHONE_HEIGHT
    on_screen = [row for row in boxes["rows"] if row["bottom"] <= PHONE_HEIGHT]
    assert len(on_screen) >= 2, f"thread rows end at {[r['bottom'] for r in boxes['rows'][:4]]}"
    assert boxes["metaLines"] and max(boxes["metaLines"]) <= 2, boxes["metaLines"]
    # Categories are a strip of chips above the list, not a column at the bottom.
    strip = page.locator(".layout__side .category-list")
    expect(strip.get_by_role("link").first).to_be_in_viewport()
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS["phone"]["width"]
    tab.watch.assert_quiet(page)


@pytest.mark.parametrize("role", [None, "admin"])
def test_the_header_is_one_row_on_a_desktop(open_tab, role):
    tab = open_tab(role, viewport="desktop")
    page = tab.page
    page.goto("/")
    boxes = page.evaluate(BOXES)
    header = boxes["header"]
    assert header["bottom"] - header["top"] <= 64, header
    assert all(item["bottom"] <= header["bottom"] for item in boxes["headerItems"])
    tab.watch.assert_quiet(page)


def test_the_opening_post_starts_on_the_first_phone_screen(open_tab, live_server):
    tab = open_tab("member", viewport="phone")
    page = tab.page
    page.goto(f"/threads/{live_server.world['anon_thread']}")
    top = page.locator("article.post .post__body").first.bounding_box()["y"]
    assert top + 40 < PHONE_HEIGHT, f"the opening post's text starts at {top}px"
    related = page.get_by_role("region", name="Related stories")
    expect(related).to_have_count(1)
    expect(related.get_by_role("region", name="Stories like this")).to_have_count(1)
    tab.watch.assert_quiet(page)


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_menu_and_search_open_without_javascript(open_tab, js):
    tab = open_tab("member", viewport="phone", js=js)
    page = tab.page
    page.goto("/")
    sign_out = page.get_by_role("button", name="Sign out")
    expect(sign_out).to_be_hidden()
    open_menu(page)
    expect(sign_out).to_be_visible()
    expect(page.get_by_role("link", name="Settings", exact=True)).to_be_visible()
    page.locator("details.header-search > summary").click()
    field = page.get_by_role("search", name="Site search").get_by_label("Search the forum")
    expect(field).to_be_visible()
    field.fill("para")
    with page.expect_navigation():
        field.press("Enter")
    assert "/search?q=para" in page.url
    tab.watch.assert_quiet(page)


def test_edit_history_shows_what_changed(open_tab, live_server):
    tab = open_tab("member", viewport="phone")
    page = tab.page
    page.goto(f"/posts/{live_server.world['revised_post']}/revisions")
    diff = page.locator(".revision-diff").first
    expect(diff.locator("ins").first).to_be_visible()
    expect(diff).to_contain_text("Edit: we have a meeting on Friday.")
    expect(page.locator("pre.revision__body").first).to_be_hidden()  # folded away
    tab.watch.assert_quiet(page)
