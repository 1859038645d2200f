"""`next` after a real sign-in always lands on this site."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import pytest

from tests import factories as f
from tests.hostile import htmlcheck

HOSTILE_NEXT = [
    "//evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "/\\/evil.example",
    "https:evil.example",
    "http:evil.example",
    "https:/evil.example",
    "%2F%2Fevil.example",
    "/%2F/evil.example",
    "%2f%5cevil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "https://localhost@evil.example",
    "https://forum.test@evil.example",
    "//localhost@evil.example",
    "https://evil.example",
    "http://evil.example/login",
    "///evil.example",
    "////evil.example",
    " //evil.example",
    "\t//evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "\x0b//evil.example",
    "//evil.example/%2e%2e",
    "/.//evil.example",
    "/..//evil.example",
    "//evil.example\\@localhost",
    "http://[::1]@evil.example",
    "ftp://evil.example",
    "／／evil.example",
    "/／evil.example",
    "https://evil.example#@localhost",
    "evil.example",
    "@evil.example",
    ".evil.example",
    "http:\\\\evil.example",
    "/\\\\evil.example",
]
BASE = "http://localhost/login"


def browser_resolve(location: str) -> str:
    """Resolve a Location header as a WHATWG-URL browser would (the quirks that matter)."""
    location = location.strip(
        "\x00\x01\x02\x03\x04\x05\x06\x07\x08\t\n\x0b\x0c\r\x0e\x0f"
        "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f "
    )
    location = re.sub(r"[\t\n\r]", "", location).replace("\\", "/")
    scheme = re.match(r"^([a-zA-Z][a-zA-Z0-9+.-]*):", location)
    if scheme and scheme.group(1).lower() != "http":
        rest = location[len(scheme.group(0)) :].lstrip("/")
        return f"{scheme.group(1).lower()}://{rest}"
    if scheme:  # "http:evil" is relative to an http page, "http://evil" is not
        rest = location[len(scheme.group(0)) :]
        location = rest if not rest.startswith("//") else location
    return urljoin(BASE, location)


def _lands_here(location: str) -> bool:
    resolved = urlsplit(browser_resolve(location))
    return (
        resolved.scheme == "http"
        and resolved.hostname == "localhost"
        and "@" not in resolved.netloc
    )


def test_the_resolver_catches_what_browsers_do():
    # The checks below are only as good as this helper: it must call these offsite.
    for offsite in (
        "//evil.example",
        "/\\evil.example",
        "https:evil.example",
        "https://site@evil.example",
        " //evil.example",
        "/\t/evil.example",
    ):
        assert not _lands_here(offsite), offsite
    assert _lands_here("/threads/3?page=2")


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_next_after_sign_in_stays_on_site(target, app, client_as):
    member = f.make_user("redirect_me")
    for how in ("form", "query"):
        client = client_as()
        if how == "query":
            page = client.get("/login", query_string={"next": target})
            assert page.status_code in (200, 400)
            if page.status_code == 400:  # refused outright (e.g. a NUL): lands nowhere
                continue
            next_value = htmlcheck.input_value(page.data, "next")
        else:
            next_value = target
        response = client.post(
            "/login", data={"username": member.username, "password": f.PASSWORD, "next": next_value}
        )
        assert response.status_code == 302, (how, response.status_code)
        location = response.headers["Location"]
        assert _lands_here(location), f"{how}: next={target!r} sent the browser to {location!r}"


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_next_after_typing_the_password_again_stays_on_site(target, app, client_as):
    member = f.make_user("confirm_me")
    client = client_as(member)
    page = client.get("/settings/confirm-password", query_string={"next": target})
    assert page.status_code in (200, 400)
    response = client.post(
        "/settings/confirm-password", data={"password": f.PASSWORD, "next": target}
    )
    assert response.status_code in (302, 400), response.status_code
    if response.status_code == 302:
        location = response.headers["Location"]
        assert _lands_here(location), f"next={target!r} sent the browser to {location!r}"


@pytest.mark.parametrize(
    "target", ["/threads/1", "/settings?tab=privacy", "/categories/iep-meetings"]
)
def test_ordinary_next_still_works(target, app, client_as):
    member = f.make_user("back_to_page")
    response = client_as().post(
        "/login", data={"username": member.username, "password": f.PASSWORD, "next": target}
    )
    assert response.headers["Location"] == target
