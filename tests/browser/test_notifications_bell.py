"""The header bell's script: it asks for the count once a minute and shows it, no reload."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_bell_count_refreshes_once_a_minute(open_tab):
    tab = open_tab("member")
    page = tab.page
    asked: list[str] = []

    def answer(route):
        asked.append(route.request.url)
        route.fulfill(status=200, content_type="application/json",
                      body=json.dumps({"unread": 7 if len(asked) == 1 else 120}))

    page.clock.install()
    page.route("**/notifications/count", answer)
    page.goto("/")
    badge = page.locator("[data-bell-count]")
    page.clock.run_for(59_000)
    assert asked == []  # not before a minute
    page.clock.run_for(2_000)
    expect(badge).to_have_text(re.compile(r"^7"))
    assert badge.is_visible()
    page.clock.run_for(60_000)
    expect(badge).to_have_text(re.compile(r"^99\+"))
    assert len(asked) == 2
    tab.watch.assert_quiet(page)
