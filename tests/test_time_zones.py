"""A member's time zone: the setting, the browser's cookie, emails' times, and shared pages
that never carry anyone's zone."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from forum.accounts.models import User
from forum.extensions import db
from forum.templating import format_in_zone, fulldate
from tests import factories as f


def fresh_user(user_id: int) -> User:
    db.session.remove()
    return db.session.get(User, user_id)


def test_format_in_zone_follows_daylight_saving():
    winter, summer = datetime(2026, 1, 15, 18, 5), datetime(2026, 7, 15, 18, 5)
    assert format_in_zone(winter, "America/Chicago") == "January 15, 2026 at 12:05 PM CST"
    assert format_in_zone(summer, "America/Chicago") == "July 15, 2026 at 1:05 PM CDT"
    assert format_in_zone(summer, None) == fulldate(summer) == "July 15, 2026 at 6:05 PM UTC"
    assert format_in_zone(summer, "Not/AZone") == fulldate(summer)
    assert format_in_zone(summer, "../../etc/passwd") == fulldate(summer)


@pytest.mark.parametrize("viewer", [None, "member", "moderator", "admin"])
def test_time_zone_page_needs_a_member(client_as, world, viewer):
    client = client_as(world[viewer] if viewer else None)
    response = client.get("/settings/time-zone")
    if viewer is None:
        assert response.status_code == 302 and "/login" in response.headers["Location"]
        assert client.post("/settings/time-zone", data={"time_zone": "UTC"}).status_code == 302
    else:
        assert response.status_code == 200 and "Not chosen: show times in UTC" in response.text


def test_member_saves_a_zone_and_bad_ones_are_refused(client_as, world):
    member = world["member"]
    client = client_as(member)
    response = client.post("/settings/time-zone", data={"time_zone": "America/Chicago"})
    assert response.status_code == 302 and response.headers["Location"] == "/settings/time-zone"
    assert fresh_user(member.id).time_zone == "America/Chicago"
    page = client.get("/settings/time-zone").text
    assert re.search(r"(CST|CDT)</strong>", page)
    assert '<option value="America/Chicago" selected>' in page
    for bad in ("Mars/Olympus", "../../etc/passwd", "x" * 300, "America/Chicago\x00"):
        refused = client.post("/settings/time-zone", data={"time_zone": bad})
        assert refused.status_code in (400, 422), bad
    assert "Please choose" in client.post("/settings/time-zone", data={"time_zone": "Nope/No"}).text
    assert fresh_user(member.id).time_zone == "America/Chicago"
    cleared = client.post("/settings/time-zone", data={"time_zone": ""})
    assert cleared.status_code == 302 and fresh_user(member.id).time_zone is None


def test_the_offer_returns_to_the_page_and_never_elsewhere(client_as, world):
    client = client_as(world["member"])
    back = client.post(
        "/settings/time-zone", data={"time_zone": "Europe/Berlin", "next": "/threads?page=2"}
    )
    assert back.headers["Location"] == "/threads?page=2"
    for outside in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        away = client.post(
            "/settings/time-zone", data={"time_zone": "Europe/Berlin", "next": outside}
        )
        assert away.headers["Location"] == "/settings/time-zone", outside


def test_browser_cookie_follows_the_account(client_as, world):
    member = world["member"]
    client = client_as(member)

    def zone_cookie(response) -> str | None:
        found = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("forum_tz=")]
        return found[0] if found else None

    first = zone_cookie(client.get("/settings/time-zone"))
    assert first.startswith("forum_tz=-;")  # not chosen: the script may offer one
    assert "HttpOnly" not in first and "SameSite=Lax" in first
    assert zone_cookie(client.get("/settings/time-zone")) is None  # already in step
    saved = client.post("/settings/time-zone", data={"time_zone": "America/Denver"})
    assert zone_cookie(saved).startswith("forum_tz=America/Denver;")
    assert zone_cookie(client.get("/")) is None
    guest = client_as()
    guest.set_cookie("forum_tz", "America/Denver")
    gone = zone_cookie(guest.get("/"))
    assert gone.startswith("forum_tz=;") and "Max-Age=0" in gone  # signed out: not left behind


def test_shared_pages_carry_utc_never_a_members_zone(client_as, world):
    chicago = f.make_user("chicago_parent")
    chicago.time_zone = "America/Chicago"
    db.session.commit()
    thread = world["named"]
    for viewer in (chicago, world["member"]):  # the second is served the shared copy
        html = client_as(viewer).get(f"/threads/{thread.id}").text
        assert "Chicago" not in html and not re.search(r"\bC[SD]T\b", html)
        assert re.search(r'<time datetime="[^"]+Z" title="[^"]+ UTC">', html)


def test_time_zone_form_needs_a_csrf_token(app, client_as, world):
    app.config["WTF_CSRF_ENABLED"] = True
    client = client_as(world["member"])
    assert client.post("/settings/time-zone", data={"time_zone": "UTC"}).status_code == 400
    page = client.get("/settings/time-zone").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    saved = client.post("/settings/time-zone", data={"time_zone": "UTC", "csrf_token": token})
    assert saved.status_code == 302 and fresh_user(world["member"].id).time_zone == "UTC"
