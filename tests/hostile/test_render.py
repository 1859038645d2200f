"""forum.text.render_markdown on every corpus entry (about 7,300 payloads), no HTTP."""

from __future__ import annotations

from functools import cache

import pytest
from markupsafe import Markup

from forum.text import plain_text, render_markdown, sanitise
from tests.hostile import corpora, htmlcheck


@cache
def rendered() -> dict[str, str]:
    return {payload: str(render_markdown(payload)) for payload in corpora.everything()}


def _report(failures: list, what: str) -> str:
    lines = [f"{len(failures)} payloads {what}; first ones:"]
    lines += [f"  {payload!r:.120} -> {detail}" for payload, detail in failures[:15]]
    return "\n".join(lines)


def test_corpora_are_all_there():
    # A corpus that failed to load would make every test below pass vacuously.
    assert len(corpora.blns()) == 515
    assert len(corpora.owasp()) == 94
    assert len(corpora.payloadbox()) > 6500
    assert len(corpora.markdown_vectors()) >= 70
    assert len(corpora.bleach_inputs()) == 20
    assert len(rendered()) > 7200


def test_no_executable_markup_survives_rendering():
    failures = [
        (p, problems)
        for p, out in rendered().items()
        if (problems := htmlcheck.problems(out, fragment=True))
    ]
    assert not failures, _report(failures, "rendered to unsafe HTML")


def test_sanitised_output_is_a_fixed_point():
    # Cleaning the stored HTML again changes nothing: no parse/serialise round trip can
    # turn it into something else (the root of mutation XSS).
    failures = [
        (p, out) for p, out in rendered().items() if sanitise(out) != out
    ]
    assert not failures, _report(failures, "changed when sanitised again")


def test_rendering_rendered_html_is_still_safe():
    # A member pasting the site's own HTML (or a quote of a quote) renders it as text.
    failures = []
    for payload, out in list(rendered().items())[::7]:
        twice = str(render_markdown(out))
        if problems := htmlcheck.problems(twice, fragment=True):
            failures.append((payload, problems))
    assert not failures, _report(failures, "became unsafe when rendered twice")


def test_render_returns_markup_and_never_raises_on_odd_text():
    for payload in ("", " ", "\n" * 50, "\u202e\u200b\ufeff", "a" * 20_000, "\x00", "\ud800"):
        assert isinstance(render_markdown(payload), Markup)


@pytest.mark.parametrize("payload", corpora.TEMPLATE_INJECTION)
def test_template_syntax_renders_literally(payload):
    out = str(render_markdown(payload))
    assert not htmlcheck.problems(out, fragment=True)
    # The text comes back as typed (modulo Markdown's own emphasis and escapes), never evaluated.
    text = plain_text(out)
    assert "49" not in text or "49" in payload
    assert "SECRET" not in text.upper() or "SECRET" in payload.upper()


@pytest.mark.parametrize(
    ("source", "href"),
    [
        ("[ok](https://example.org/a?b=c)", "https://example.org/a?b=c"),
        ("[mail](mailto:someone@example.org)", "mailto:someone@example.org"),
        ("<https://example.org>", "https://example.org"),
        ("[rel](/threads/1)", "/threads/1"),
    ],
)
def test_safe_links_still_work(source, href):
    # The checks above would pass for a renderer that drops every link: this one can't.
    (link,) = htmlcheck.find(str(render_markdown(source)), "a")
    assert link.attrs["href"] == href
    assert link.attrs["rel"] == "nofollow ugc noopener"
