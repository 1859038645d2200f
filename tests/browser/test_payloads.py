"""Hostile payloads posted through the real form never run in a real browser (issue 10).

The sanitiser must stop them: a dialog means script ran, and a Content-Security-
Policy violation means the sanitiser let markup through that only the CSP stopped.
"""

from __future__ import annotations

import pytest

from tests.hostile.corpora import markdown_vectors, owasp, payloadbox, sample

pytestmark = pytest.mark.browser

PAYLOADS = sample("browser-payloads", 24, set(owasp() + markdown_vectors() + payloadbox()))


@pytest.fixture(scope="module")
def payload_thread(live_server) -> int:
    """An empty thread to reply into, made directly in the live server's database."""
    from forum.accounts.services import find_user
    from forum.threads import services
    from forum.threads.models import Category

    with live_server.app.app_context():
        from forum.extensions import db

        author = find_user(live_server.world["users"]["second_member"])
        category = db.session.scalar(db.select(Category).where(Category.slug == "iep-meetings"))
        thread = services.create_thread(author, category, "Payloads in the browser", "Start.",
                                        hide_author=False)
        return thread.id


@pytest.mark.parametrize("js", [True], ids=["js"])
def test_posted_payloads_never_run(open_tab, payload_thread, js):
    tab = open_tab("member", js=js)
    page = tab.page
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    posted = 0
    for payload in PAYLOADS:
        page.goto(f"/threads/{payload_thread}/reply")
        page.get_by_label("Your post").fill(payload.replace("\x00", ""))
        with page.expect_navigation():
            page.locator("main").get_by_role("button", name="Post reply").click()
        anyway = page.get_by_role("button", name="Post anyway")
        if anyway.count():  # the privacy review spotted something: publish it as it is
            with page.expect_navigation():
                anyway.first.click()
        posted += "/threads/" in page.url and "/reply" not in page.url
    assert posted >= len(PAYLOADS) // 2, "most payloads should have been published"
    last_page = 1 + (posted // 20)
    for number in range(1, last_page + 1):
        page.goto(f"/threads/{payload_thread}?page={number}")
        page.wait_for_load_state("load")
    for path in ("/", "/categories/iep-meetings", "/search?q=payload"):
        page.goto(path)
    assert dialogs == [], f"script ran: {dialogs}"
    tab.watch.assert_quiet(page)
