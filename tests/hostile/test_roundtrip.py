"""What a member typed is what they get back in the edit box, byte for byte.

Titles are the one deliberate exception: they are whitespace-normalised on save
(runs of spaces, tabs and line breaks become one space, ends trimmed; see
forum.threads.services.clean_title), so the edit box shows the normalised title.
"""

from __future__ import annotations

import pytest

from forum.services import ForumError
from forum.threads import services
from tests import factories as f
from tests.hostile import corpora, htmlcheck
from tests.hostile.support import report


def _typed() -> list[str]:
    return list(
        dict.fromkeys(
            corpora.blns()
            + corpora.markdown_vectors()
            + corpora.owasp()
            + corpora.TEMPLATE_INJECTION
        )
    )


def _normalised(title: str) -> str:
    return " ".join(title.split())


def test_every_accepted_string_round_trips_through_the_edit_form(hostile, client_as):
    member = hostile["member"]
    client = client_as(member)
    failures: list[tuple[str, str]] = []
    tried = accepted = 0
    for payload in _typed():
        tried += 1
        title = (
            payload
            if services.TITLE_MIN <= len(_normalised(payload)) <= services.TITLE_MAX
            else "A title of the usual kind"
        )
        try:
            thread = services.create_thread(
                member, hostile["public"], title, payload, hide_author=False
            )
        except ForumError:
            continue  # refused (empty, too long): nothing stored, nothing to round-trip
        accepted += 1
        post = f.first_post(thread)
        page = client.get(f"/posts/{post.id}/edit")
        if page.status_code != 200:
            failures.append((payload, f"edit page status {page.status_code}"))
            continue
        if (body := htmlcheck.textarea_value(page.data, "body")) != payload:
            failures.append((payload, f"edit box shows {body!r:.80}"))
        if (shown := htmlcheck.input_value(page.data, "title")) != _normalised(title):
            failures.append((payload, f"title box shows {shown!r:.80}"))
        (lead,) = htmlcheck.find(page.data, "p", "lead")
        if f"“{_normalised(title)}”" not in lead.text():
            failures.append((payload, f"title shown as {lead.text()!r:.80}"))
        if problems := htmlcheck.problems(page.data):
            failures.append((payload, problems))
    assert accepted > 0.9 * tried, f"only {accepted} of {tried} accepted"
    assert not failures, report(failures, f"of {accepted} strings did not round-trip")
    print(f"round trip: {accepted} of {tried} strings accepted and returned exactly")


@pytest.mark.parametrize("kind", ["new", "reply", "edit"])
def test_typed_text_survives_a_validation_error(kind, hostile, client_as):
    # The form comes back with 422 and the member's text in the box, exactly.
    client = client_as(hostile["member"])
    failures = []
    for payload in corpora.http_sample(f"survive-{kind}", 60, markdown=False):
        if not payload.strip():
            continue
        if kind == "new":
            url, data = (
                "/threads/new",
                {"category": hostile["public"].slug, "title": "abc", "body": payload, "token": ""},
            )
        elif kind == "reply":
            url, data = (
                f"/threads/{hostile['named'].id}/reply",
                {"body": payload, "token": "", "hide_author": "y"},
            )
            data["body"] = payload + "x" * (services.BODY_MAX + 1 - len(payload))
        else:
            url, data = (
                f"/posts/{hostile['member_thread_first'].id}/edit",
                {"title": "abc", "body": payload},
            )
        response = client.post(url, data=data)
        if response.status_code != 422:
            failures.append((payload, f"status {response.status_code}"))
        elif htmlcheck.textarea_value(response.data, "body") != data["body"]:
            failures.append((payload, "the typed text was not in the box"))
    assert not failures, report(failures, "lost the member's text")


def test_title_round_trip_through_http(hostile, client_as):
    # The whole path: typed into the form, stored, shown in the edit box and the page.
    client = client_as(hostile["member"])
    failures = []
    for payload in corpora.http_sample("title-http", 40, markdown=False):
        if not services.TITLE_MIN <= len(_normalised(payload)) <= services.TITLE_MAX:
            continue
        response = client.post(
            "/threads/new",
            data={
                "category": hostile["public"].slug,
                "title": payload,
                "body": "Body.",
                "token": "",
            },
        )
        if response.status_code != 302:
            failures.append((payload, f"status {response.status_code}"))
            continue
        page = client.get(response.headers["Location"])
        (h1,) = htmlcheck.find(page.data, "h1")
        if h1.text() != _normalised(payload):
            failures.append((payload, f"h1 shows {h1.text()!r:.80}"))
    assert not failures, report(failures, "titles shown differently from what was typed")
