"""Browser fixtures: one live forum and one Chromium per session, a new context per test.

The live server has its own app object and its own SQLite file, so the
function-scoped `app` fixture (which clears its tables after every test) never
touches it. Fixtures that write to it use `with live_server.app.app_context():`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.browser.live import (
    CHROMIUM_ARGS,
    CHROMIUM_PATH,
    VIEWPORTS,
    LiveServer,
    sign_in,
    start_live_server,
)
from tests.conftest import missing_tool

CHROMIUM = os.environ.get("FORUM_TEST_CHROMIUM", CHROMIUM_PATH)

# Runs in every page before its own scripts (allowed under the CSP: it is not page content).
WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI}`);
});
"""


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[LiveServer]:
    root = tmp_path_factory.mktemp("live")
    server = start_live_server(root / "forum.sqlite3", root / "instance")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        missing_tool(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - a test dependency
        missing_tool("the playwright Python package is not installed (make install)")
    from playwright.sync_api import expect

    expect.set_options(timeout=10_000)  # a shared 2-core machine can be slow
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class Watch:
    """What a page did that it should not: leave the server, log errors, break the CSP."""

    origin: str
    foreign_requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    server_errors: list[str] = field(default_factory=list)
    error_documents: set[str] = field(default_factory=set)

    def attach(self, page) -> None:
        page.on("request", self._request)
        page.on("response", self._response)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.console_errors.append(f"uncaught: {error}"))

    def _request(self, request) -> None:
        if not (request.url == self.origin or request.url.startswith(self.origin + "/")):
            self.foreign_requests.append(request.url)

    def _response(self, response) -> None:
        if response.status >= 500:
            self.server_errors.append(f"{response.status} {response.url}")
        if response.status >= 400 and response.request.resource_type == "document":
            self.error_documents.add(response.url)

    def _console(self, message) -> None:
        if message.type != "error":
            return
        # An expected 404/422 document logs "Failed to load resource"; anything else counts.
        if message.text.startswith("Failed to load resource") and (
            message.location.get("url") in self.error_documents
        ):
            return
        self.console_errors.append(f"{message.text} ({message.location.get('url')})")

    def problems(self, page=None) -> list[str]:
        found = [f"request left the server: {url}" for url in self.foreign_requests]
        found += [f"console error: {text}" for text in self.console_errors]
        found += [f"server error: {text}" for text in self.server_errors]
        if page is not None and not page.is_closed():
            try:
                violations = page.evaluate("window.__cspViolations || []")
            except Exception:  # JavaScript off: CSP reports still reach the console
                violations = []
            found += [f"CSP violation: {text}" for text in violations]
        return found

    def assert_quiet(self, page=None) -> None:
        problems = self.problems(page)
        assert not problems, "\n".join(problems)


@dataclass
class Tab:
    """A page in its own browser context, with its watch."""

    page: object
    context: object
    watch: Watch


@pytest.fixture(scope="session")
def role_states(browser, live_server) -> dict:
    """Signed-in storage state per role, each made once through the real sign-in form."""
    return {}


@pytest.fixture
def open_tab(browser, live_server, role_states) -> Iterator:
    """open_tab(role=None, viewport="desktop", scheme="light", js=True) -> Tab."""
    tabs: list[Tab] = []

    def _state(role: str) -> dict:
        if role not in role_states:
            context = browser.new_context(base_url=live_server.url)
            page = context.new_page()
            sign_in(page, live_server.world["users"][role], live_server.world["password"])
            role_states[role] = context.storage_state()
            context.close()
        return role_states[role]

    def _open(
        role: str | None = None, viewport: str = "desktop", scheme: str = "light", js: bool = True
    ) -> Tab:
        context = browser.new_context(
            base_url=live_server.url,
            viewport=VIEWPORTS[viewport],
            color_scheme=scheme,
            java_script_enabled=js,
            storage_state=_state(role) if role else None,
        )
        context.set_default_timeout(10_000)
        context.add_init_script(WATCH_CSP)
        page = context.new_page()
        watch = Watch(origin=live_server.url)
        watch.attach(page)
        tab = Tab(page=page, context=context, watch=watch)
        tabs.append(tab)
        return tab

    yield _open
    for tab in tabs:
        tab.context.close()
