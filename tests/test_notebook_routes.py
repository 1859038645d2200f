"""Notebook pages: only the owner, every form with CSRF, clear refusals, the privacy check."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.notebook.models import (
    Entry,
    EntryTag,
    KeyDate,
    Notebook,
    SchoolBreak,
    Service,
    ServiceLog,
    ShareLink,
)
from tests.notebook_support import MARKER, TODAY, nb_world  # noqa: F401

VIEWERS = ["visitor", "member", "moderator", "admin"]
GETS = [
    "/notebook/{notebook_id}", "/notebook/{notebook_id}/timeline",
    "/notebook/{notebook_id}/print", "/notebook/{notebook_id}/notebook.pdf",
    "/notebook/{notebook_id}/share", "/notebook/{notebook_id}/settings",
    "/notebook/{notebook_id}/entries/new", "/notebook/{notebook_id}/entries/{entry_id}",
    "/notebook/{notebook_id}/entries/{entry_id}/ask", "/notebook/{notebook_id}/services/new",
    "/notebook/{notebook_id}/services/{service_id}",
    "/notebook/{notebook_id}/services/{service_id}/edit", "/notebook/{notebook_id}/dates/new",
    "/notebook/{notebook_id}/dates/{date_id}",
]
POSTS = {
    "/notebook/{notebook_id}/settings": {"nickname": "Bee", "school_day_minutes": "300",
                                         "weekdays": ["0", "1"]},
    "/notebook/{notebook_id}/delete": {},
    "/notebook/{notebook_id}/entries/new": {"kind": "note", "occurred_on": "2024-10-01",
                                            "text": "new", "reviewed": "1"},
    "/notebook/{notebook_id}/entries/{entry_id}": {"kind": "note", "occurred_on": "2024-10-01",
                                                   "text": "changed", "reviewed": "1"},
    "/notebook/{notebook_id}/entries/{entry_id}/delete": {},
    "/notebook/{notebook_id}/services/new": {"name": "Speech", "per": "week", "minutes": "60",
                                             "starts_on": "2024-09-03"},
    "/notebook/{notebook_id}/services/{service_id}/edit": {
        "name": "Speech", "per": "week", "minutes": "60", "starts_on": "2024-09-03"},
    "/notebook/{notebook_id}/services/{service_id}": {"status": "delivered",
                                                      "on": "2024-10-01"},
    "/notebook/{notebook_id}/services/{service_id}/tap": {"status": "delivered"},
    "/notebook/{notebook_id}/services/{service_id}/delete": {},
    "/notebook/{notebook_id}/logs/{log_id}/delete": {},
    "/notebook/{notebook_id}/breaks": {"starts_on": "2024-12-23", "ends_on": "2025-01-03",
                                       "reviewed": "1"},
    "/notebook/{notebook_id}/breaks/{break_id}/delete": {},
    "/notebook/{notebook_id}/dates/new": {"kind": "reevaluation", "due_on": "2025-05-01",
                                          "remind_days": "7", "reviewed": "1"},
    "/notebook/{notebook_id}/dates/{date_id}": {"kind": "reevaluation", "due_on": "2025-05-01",
                                                "remind_days": "7", "reviewed": "1"},
    "/notebook/{notebook_id}/dates/{date_id}/delete": {},
    "/notebook/{notebook_id}/share": {"days": "7"},
    "/notebook/{notebook_id}/share/{share_id}/revoke": {},
}
TABLES = (Notebook, Entry, EntryTag, Service, ServiceLog, SchoolBreak, KeyDate, ShareLink)


def snapshot() -> tuple:
    """Every notebook row, so a refused request provably changed nothing."""
    db.session.remove()
    return tuple(
        tuple(tuple(row) for row in db.session.execute(
            select(model.__table__).order_by(*model.__table__.primary_key.columns)))
        for model in TABLES)


def _client(client_as, w, viewer):
    return client_as(None if viewer == "visitor" else w["owner" if viewer == "owner" else viewer])


@pytest.mark.parametrize("viewer", VIEWERS)
@pytest.mark.parametrize("template", GETS)
def test_nobody_but_the_owner_opens_a_notebook_page(client_as, nb_world, template, viewer):
    path = template.format(**nb_world["values"])
    response = _client(client_as, nb_world, viewer).get(path)
    if viewer == "visitor":
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=")
    else:  # moderators and admins too: the same "not found" as a notebook that doesn't exist
        assert response.status_code == 404
    assert MARKER not in response.get_data(as_text=True).lower()


@pytest.mark.parametrize("template", GETS)
def test_the_owner_opens_every_page(client_as, nb_world, template):
    response = client_as(nb_world["owner"]).get(template.format(**nb_world["values"]))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] in ("no-store, private", "private, no-store")


@pytest.mark.parametrize("viewer", VIEWERS)
@pytest.mark.parametrize("template", list(POSTS))
def test_nobody_but_the_owner_changes_a_notebook(client_as, nb_world, template, viewer):
    client = _client(client_as, nb_world, viewer)
    before = snapshot()
    response = client.post(
        template.format(**nb_world["values"]), data=POSTS[template])
    if viewer == "visitor":
        assert response.headers["Location"].startswith("/login?next=")
    else:
        assert response.status_code == 404
    assert snapshot() == before, "a refused request changed something"


@pytest.mark.parametrize("template", list(POSTS))
def test_the_owner_changes_it(client_as, nb_world, template):
    client = client_as(nb_world["owner"])
    before = snapshot()
    response = client.post(template.format(**nb_world["values"]), data=POSTS[template])
    assert response.status_code in (200, 302), response.get_data(as_text=True)[-800:]
    assert snapshot() != before


@pytest.mark.parametrize("config_overrides", [{"WTF_CSRF_ENABLED": True}])
def test_notebook_forms_need_the_csrf_token(client_as, nb_world, config_overrides):
    w = nb_world
    v = w["values"]
    client = client_as(w["owner"])
    page = client.get(f"/notebook/{v['notebook_id']}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    tap = f"/notebook/{v['notebook_id']}/services/{v['service_id']}/tap"
    other = client_as(w["member"])
    before = snapshot()
    for data in ({"status": "missed"}, {"status": "missed", "csrf_token": "forged"}):
        refused = client.post(tap, data=data)
        assert refused.status_code == 400 and "form expired" in refused.get_data(as_text=True)
    assert other.post(tap, data={"status": "missed", "csrf_token": token}).status_code == 400
    assert snapshot() == before
    assert client.post(tap, data={"status": "missed", "csrf_token": token}).status_code == 302
    assert snapshot() != before


def test_one_tap_logs_today_with_the_usual_minutes(client_as, nb_world):
    w = nb_world
    v = w["values"]
    client = client_as(w["owner"])
    response = client.post(f"/notebook/{v['notebook_id']}/services/{v['service_id']}/tap",
                           data={"status": "delivered", "next": "//evil.example/"})
    assert response.headers["Location"] == f"/notebook/{v['notebook_id']}#service-{v['service_id']}"
    db.session.remove()
    log = db.session.scalars(select(ServiceLog).order_by(ServiceLog.id.desc())).first()
    assert (log.status, log.starts_on, log.ends_on, log.minutes) == ("delivered", TODAY, None, 360)
    page = client.get(f"/notebook/{v['notebook_id']}").get_data(as_text=True)
    assert "Logged today: delivered (360 min)" in page
    bad = client.post(f"/notebook/{v['notebook_id']}/services/{v['service_id']}/tap",
                      data={"status": "sideways"})
    assert bad.status_code == 400


@pytest.mark.parametrize(("data", "message"), [
    ({"kind": "note", "occurred_on": "not a date", "text": "kept text"}, "Please give a date"),
    ({"kind": "note", "occurred_on": "1901-01-01", "text": "kept text"}, "between 1990"),
    ({"kind": "bogus", "occurred_on": "2024-10-01", "text": "kept text"}, "Not a valid choice"),
    ({"kind": "note", "occurred_on": "2024-10-01", "text": "kept text", "tags": ["99999"]},
     "Not a valid choice"),
])
def test_bad_entries_are_refused_with_the_text_kept(client_as, nb_world, data, message):
    w = nb_world
    v = w["values"]
    client = client_as(w["owner"])
    before = snapshot()
    response = client.post(f"/notebook/{v['notebook_id']}/entries/new",
                                          data={**data, "reviewed": "1"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message.lower() in page.lower() and "kept text" in page
    assert snapshot() == before


@pytest.mark.parametrize(("path", "data", "message"), [
    ("services/new", {"name": "Speech", "per": "week", "minutes": "999999",
                      "starts_on": "2024-09-03"}, "Number must be between"),
    ("services/new", {"name": "Speech", "per": "week", "minutes": "5000",
                      "starts_on": "2024-09-03"}, "between 1 and 3,600"),
    ("services/new", {"name": "Speech", "per": "week", "minutes": "60", "starts_on": "2024-09-03",
                      "ends_on": "2024-01-01"}, "ends before it starts"),
    ("services/new", {"name": "Jenna Smith", "per": "week", "minutes": "60",
                      "starts_on": "2024-09-03"}, "holds a name"),
    ("services/{service_id}", {"status": "delivered", "on": "2099-01-01"}, "please give a date"),
    ("services/{service_id}", {"status": "delivered", "on": "2024-10-10", "until": "2024-10-01"},
     "before the first"),
    ("settings", {"nickname": "Jenna Smith", "school_day_minutes": "360", "weekdays": ["0"]},
     "full name"),
    ("settings", {"nickname": "Bee", "school_day_minutes": "360"}, "at least one weekday"),
    ("breaks", {"starts_on": "2024-12-23", "ends_on": "2024-12-01", "reviewed": "1"},
     "ends before it starts"),
    ("dates/new", {"kind": "other", "due_on": "2024-10-01", "remind_days": "90",
                   "reviewed": "1"}, "Between 0 and 60"),
])
def test_bad_input_gets_a_clear_message_and_422(client_as, nb_world, path, data, message):
    w = nb_world
    v = w["values"]
    client = client_as(w["owner"])
    before = snapshot()
    response = client.post(
        f"/notebook/{v['notebook_id']}/" + path.format(**w["values"]), data=data)
    assert response.status_code == 422
    assert message.lower() in response.get_data(as_text=True).lower()
    assert snapshot() == before


def test_a_full_name_as_nickname_is_refused(client_as, app):
    from tests import factories as f

    client = client_as(f.make_user("parent_p"))
    response = client.post("/notebook", data={"nickname": "Jenna Smith",
                                              "school_day_minutes": "360"})
    assert response.status_code == 422 and "nickname or an initial" in response.get_data(True)
    assert db.session.scalar(select(func.count()).select_from(Notebook)) == 0
    assert client.post("/notebook", data={"nickname": "J", "school_day_minutes": "360"}
                       ).status_code == 302


def test_the_privacy_check_suggests_roles_for_names(client_as, nb_world):
    w = nb_world
    v = w["values"]
    client = client_as(w["owner"])
    path = f"/notebook/{v['notebook_id']}/entries/new"
    data = {"kind": "meeting", "occurred_on": "2024-10-01", "roles": "Jenna Smith",
            "text": "Principal Moore said no. Call 555-123-4567."}
    before = snapshot()
    review = client.post(path, data=data)
    page = review.get_data(as_text=True)
    assert review.status_code == 200 and "Before you save" in page
    assert snapshot() == before  # nothing saved yet
    assert "Jenna Smith" in page  # the text is kept
    for role in ("the aide", "the case manager", "the principal"):
        assert f">{role}</button>" in page
    # Choose "the case manager" (second choice) for the name in "People involved".
    first = re.search(r'name="apply" value="(0):(\d+)"[^>]*>the case manager<', page)
    seen = re.search(r'name="privacy_seen" value="([^"]+)"', page).group(1)
    applied = client.post(path, data={**data, "apply": f"{first[1]}:{first[2]}",
                                      "privacy_seen": seen})
    assert 'value="the case manager"' in applied.get_data(as_text=True)
    assert snapshot() == before
    everything = client.post(path, data={**data, "roles": "the case manager", "apply_all": "1"})
    text = re.search(r"<textarea[^>]*>(.*?)</textarea>", everything.get_data(as_text=True), re.S)
    assert "Moore" not in text[1] and "555-123-4567" not in text[1]
    assert "the principal" in text[1].lower()
    saved = client.post(path, data={**data, "reviewed": "1"})
    assert saved.status_code == 302
    db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(Entry)) == 2


def test_ask_other_parents_prefills_an_anonymous_privacy_checked_thread(client_as, nb_world):
    w = nb_world
    v = w["values"]
    entry_path = f"/notebook/{v['notebook_id']}/entries/{v['entry_id']}"
    client = client_as(w["owner"])
    client.post(entry_path, data={"kind": "aide", "occurred_on": "2024-10-04",
                                  "roles": "Ms. Kim", "text": "Principal Moore removed the aide "
                                  "on October 4. Email me at olive@example.org",
                                  "reviewed": "1", "tags": [str(v["tag_id"])]})
    page = client.get(entry_path + "/ask").get_data(as_text=True)
    assert 'action="/threads/new"' in page
    body = re.search(r"<textarea[^>]*>(.*?)</textarea>", page, re.S)[1]
    assert "in early October" in body
    for secret in ("Moore", "Kim", "olive@example.org", "October 4", MARKER):
        assert secret not in body
    assert re.search(r'id="hide_author"[^>]*checked', page) or re.search(
        r'checked[^>]*id="hide_author"', page)
    assert re.search(rf'value="{v["tag_id"]}"[^>]*checked|checked[^>]*value="{v["tag_id"]}"', page)
    assert db.session.scalar(select(func.count()).select_from(Entry)) == 1  # nothing posted


def _bulk_entries(notebook_id: int, tag_id: int, count: int) -> None:
    start = TODAY - timedelta(days=count)
    entries = [Entry(notebook_id=notebook_id, kind="note", occurred_on=start + timedelta(days=i),
                     roles="", text=f"entry {i}") for i in range(count)]
    db.session.add_all(entries)
    db.session.flush()
    db.session.add_all(EntryTag(entry_id=e.id, tag_id=tag_id) for e in entries)
    db.session.commit()


def test_query_counts_do_not_grow_with_entries(client_as, nb_world, count_queries):
    w = nb_world
    v = w["values"]
    client = client_as(w["owner"])
    paths = [f"/notebook/{v['notebook_id']}{p}" for p in ("", "/timeline", "/print",
                                                          "/timeline?kind=note")]

    def measure(paths) -> list[int]:
        counts = []
        for path in paths:
            db.session.remove()  # as a new request would: nothing already loaded
            with count_queries() as statements:
                assert client.get(path).status_code == 200
            counts.append(len(statements))
        return counts

    _bulk_entries(v["notebook_id"], v["tag_id"], 9)  # 10 entries with the fixture's own
    small = measure(paths)
    _bulk_entries(v["notebook_id"], v["tag_id"], 90)
    second_page = measure([f"/notebook/{v['notebook_id']}/timeline?page=2"])
    _bulk_entries(v["notebook_id"], v["tag_id"], 900)  # 1,000
    assert measure(paths) == small
    assert measure([f"/notebook/{v['notebook_id']}/timeline?page=2"]) == second_page


def test_timeline_pages_hold_every_item_once(client_as, nb_world):
    w = nb_world
    v = w["values"]
    _bulk_entries(v["notebook_id"], v["tag_id"], 120)
    client = client_as(w["owner"])
    seen: list[str] = []
    for page in (1, 2, 3):
        html = client.get(f"/notebook/{v['notebook_id']}/timeline?page={page}").get_data(True)
        seen += re.findall(r'class="nb-item nb-item--([\w-]+)"', html)
    assert seen.count("note") == 120
    assert seen.count("missed") == 1 and seen.count("gap") >= 1 and seen.count("aide") == 1
    filtered = client.get(f"/notebook/{v['notebook_id']}/timeline?kind=missed").get_data(True)
    assert re.findall(r'class="nb-item nb-item--([\w-]+)"', filtered) == ["missed"]
    by_service = client.get(
        f"/notebook/{v['notebook_id']}/timeline?service={v['service_id']}").get_data(True)
    kinds = set(re.findall(r'class="nb-item nb-item--([\w-]+)"', by_service))
    assert kinds == {"aide", "missed", "gap"}
    assert client.get(f"/notebook/{v['notebook_id']}/timeline?kind=nope").status_code == 400
    assert client.get(f"/notebook/{v['notebook_id']}/timeline?service=99999").status_code == 404
