"""Every text field a member controls, through HTTP: never a 500, never unsafe HTML.

The fields, their forms and the pages that show them are listed in tables.FIELDS.
"""

from __future__ import annotations

from collections import Counter

import pytest

from tests.hostile import corpora
from tests.hostile.support import report, response_problems
from tests.hostile.tables import FIELDS

CLEAR_STATUSES = {200, 302, 400, 403, 404, 413, 422, 429}


@pytest.mark.parametrize("field", FIELDS, ids=lambda f: f.name)
def test_hostile_text_in_field(field, hostile, client_as, unchanged):
    payloads = corpora.http_sample(field.name, field.size, markdown=field.markdown)
    if field.prepare:
        field.prepare(hostile, len(payloads))
    actor = hostile[field.actor] if field.actor else None
    others_unchanged = unchanged(actor, admin=field.actor == "admin")
    client = client_as(actor)
    failures: list[tuple[str, str]] = []
    statuses: Counter[int] = Counter()
    for index, payload in enumerate(payloads):
        url, data = field.submit(hostile, payload, index)
        sender = client_as(actor) if field.fresh_client else client
        if field.method == "GET":
            response = sender.get(url, query_string=data)
        else:
            response = sender.post(url, data=data)
        statuses[response.status_code] += 1
        if response.status_code not in CLEAR_STATUSES:
            failures.append((payload, f"POST {url}: status {response.status_code}"))
        failures += [(payload, f"POST {url}: {p}") for p in response_problems(response, payload)]
    pages = field.pages(hostile)
    viewer = client_as(
        actor if field.viewer == "actor" else hostile[field.viewer] if field.viewer else None
    )
    for url in pages:
        response = viewer.get(url)
        if response.status_code != 200:
            failures.append((url, f"GET status {response.status_code}"))
        failures += [(url, f"GET: {p}") for p in response_problems(response)]
    assert not failures, report(failures, f"failures in {field.name} (statuses {dict(statuses)})")
    if field.stores:
        assert statuses[302] >= len(payloads) // 2, f"{field.name} stored too few: {dict(statuses)}"
    others_unchanged(field.name)
    print(f"{field.name}: {len(payloads)} payloads, statuses {dict(statuses)}, {len(pages)} pages")


def test_search_snippets_are_checked_as_member_text(hostile, client_as):
    """The snippet container really holds highlighted member text, and only a bare <mark>."""
    from tests.hostile import htmlcheck
    from tests.hostile.tables import _prepare_search_targets

    _prepare_search_targets(hostile, 3)
    # The three posts share a thread: search lists a thread once, so look within it.
    thread = hostile["named"].id
    page = client_as(hostile["member"]).get(f"/search?q=searchable+alert&thread={thread}")
    assert page.status_code == 200
    snippets = htmlcheck.find(page.data, cls="search-result__snippet")
    assert len(snippets) == 3
    assert htmlcheck.find(page.data, "mark"), "no highlighted words"
    assert not response_problems(page)
    # The same markup with an attribute, or another tag, is caught in a snippet.
    bad = page.data.replace(b"<mark>", b'<mark class="x"><b>', 1)
    assert htmlcheck.problems(bad)
