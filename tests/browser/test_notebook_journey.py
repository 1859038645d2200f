"""The parent's story on a phone: the aide promise, the month it didn't come, the removal,
the refused mediation; a one-page printout with the shortfall; a link for her advocate.
With JavaScript on and off."""

from __future__ import annotations

import itertools
import re

import pytest
from playwright.sync_api import expect

from tests.browser.live import VIEWPORTS, open_menu

pytestmark = pytest.mark.browser

JS = pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
_numbers = itertools.count(1)


def click_and_wait(page, locator) -> None:
    with page.expect_navigation():
        locator.click()


def check_page(page, axe, js: bool) -> None:
    """No axe violations, and nothing scrolls sideways on the phone (both need a script in
    the page: the JavaScript run checks them; the layout is the same without it)."""
    if not js:
        return
    results = axe.run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, results.generate_report()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= VIEWPORTS["phone"]["width"], f"{page.url} scrolls sideways ({width}px)"


@pytest.fixture(scope="module")
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


def add_entry(page, kind: str, day: str, roles: str, text: str) -> None:
    click_and_wait(page, page.get_by_role("link", name="Add to the record").first)
    page.get_by_label("What kind of entry").select_option(label=kind)
    page.get_by_label("Date", exact=True).fill(day)
    page.get_by_label("People involved").fill(roles)
    page.get_by_label("What happened").fill(text)
    click_and_wait(page, page.get_by_role("button", name="Save", exact=True))
    expect(page.get_by_text("Saved to your notebook.")).to_be_visible()
    expect(page.locator(".nb-timeline")).to_contain_text(text)


@JS
def test_a_parent_records_the_aide_story_prints_it_and_shares_it(open_tab, live_server, axe, js):
    nickname = f"R{next(_numbers)}{'j' if js else 'n'}"
    tab = open_tab("member", viewport="phone", js=js)
    page = tab.page
    page.goto("/")
    open_menu(page)  # on a phone the main links are in the header's menu
    click_and_wait(page, page.get_by_role("navigation", name="Main")
                   .get_by_role("link", name="My notebook"))
    if page.get_by_label("Your child's nickname").count() == 0:  # already has one: start another
        expect(page.get_by_text("Private: only you can see this.")).to_be_visible()
        page.goto("/notebook?all=1")
    expect(page.get_by_text("Only you can see your notebooks")).to_be_visible()
    page.get_by_label("Your child's nickname").fill(nickname)
    click_and_wait(page, page.get_by_role("button", name="Start the notebook"))
    expect(page.get_by_text("Your notebook is ready. Only you can see it.")).to_be_visible()
    notebook_url = page.url
    check_page(page, axe, js)

    # The promise: a 1:1 aide every school day, full day, from September 3.
    click_and_wait(page, page.get_by_role("link", name="Add a service the IEP promises"))
    page.get_by_label("Service").fill("1:1 aide")
    page.get_by_label("Promised", exact=True).select_option(label="Per school day")
    page.get_by_label("Full school day").check()
    page.get_by_label("Promised from").fill("2024-09-03")
    page.get_by_label("Until (optional)").fill("2024-11-22")
    click_and_wait(page, page.get_by_role("button", name="Save the service"))
    expect(page.get_by_role("heading", level=1)).to_have_text("1:1 aide")

    # The aide came on October 4 and was there until November 14.
    page.get_by_label("Delivered").check()
    page.get_by_label("Date (or first day)").fill("2024-10-04")
    page.get_by_label("Last day, for a period").fill("2024-11-14")
    click_and_wait(page, page.get_by_role("button", name="Log it"))
    expect(page.get_by_text("Logged.", exact=True)).to_be_visible()
    expect(page.locator(".nb-gaps")).to_contain_text(
        "first delivered October 4, 2024: 31 days (23 school days) late")
    check_page(page, axe, js)

    # The removal and the refused mediation, in two entries.
    page.goto(notebook_url)
    add_entry(page, "Aide absent or removed", "2024-11-15", "the case manager",
              "The aide was removed today.")
    page.goto(notebook_url)
    add_entry(page, "Request sent", "2024-11-20", "the district",
              "Asked for mediation; it was refused.")
    check_page(page, axe, js)

    # One tap on the phone: the buttons are big enough to hit.
    page.goto(notebook_url)
    tap = page.get_by_role("button", name=re.compile("^Missed today"))
    box = tap.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 120, box
    click_and_wait(page, tap)
    expect(page.get_by_text("1:1 aide: missed today (360 min).")).to_be_visible()

    # The printout for the advocate: the shortfall in days and minutes.
    click_and_wait(page, page.get_by_role("navigation", name="Notebook")
                   .get_by_role("link", name="Print"))
    expect(page.locator(".nb-summary")).to_contain_text("29 school days, 10,440 min")
    expect(page.locator(".nb-timeline")).to_contain_text("Asked for mediation; it was refused.")
    print_button = page.get_by_role("button", name="Print")
    expect(print_button).to_be_visible() if js else expect(print_button).to_be_hidden()
    page.emulate_media(media="print")
    expect(page.get_by_role("link", name="Download as PDF")).to_be_hidden()
    page.emulate_media(media="screen")
    pdf = page.request.get(page.get_by_role("link", name="Download as PDF").get_attribute("href"))
    assert pdf.ok and pdf.body().startswith(b"%PDF-")

    # A link for the advocate, who sees the record and nothing else.
    page.goto(notebook_url + "/share")
    click_and_wait(page, page.get_by_role("button", name="Make a link"))
    link = page.get_by_label("Read-only link").input_value()
    advocate = open_tab(None, viewport="phone", js=js)
    response = advocate.page.goto(link)
    assert response.status == 200
    assert "no-store" in response.headers["cache-control"]
    expect(advocate.page.get_by_role("heading", level=1)).to_have_text(f"IEP notebook: {nickname}")
    expect(advocate.page.locator(".nb-timeline")).to_contain_text("The aide was removed today.")
    assert "maple_mom" not in advocate.page.content()

    # Another member, and an admin, find nothing at the notebook's address.
    for role in ("second_member", "admin"):
        other = open_tab(role, viewport="phone", js=js)
        assert other.page.goto(notebook_url).status == 404
        assert "The aide was removed" not in other.page.content()
        other.watch.assert_quiet(other.page)
    for watched in (tab, advocate):
        watched.watch.assert_quiet(watched.page)
