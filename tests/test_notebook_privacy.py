"""Nobody but the owner sees notebook text: a crawler over every page, caches, headers,
the data export and account deletion."""

from __future__ import annotations

import io
import json
from collections.abc import Mapping

import pytest
from sqlalchemy import delete, func, select

from forum.accounts.models import User
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
from tests import factories as f
from tests.leakcheck import response_text
from tests.notebook_support import MARKER, nb_world  # noqa: F401
from tests.routes_util import build, param_values, rules

NOTEBOOK_TABLES = (Notebook, Entry, EntryTag, Service, ServiceLog, SchoolBreak, KeyDate,
                   ShareLink)


def _paths(app, w) -> list[str]:
    thread = f.make_thread(w["member"], w["category"], title="A thread about services")
    values = param_values(thread=thread, post=f.first_post(thread), category=w["category"],
                          user=w["owner"], extra=w["values"])
    paths = {build(rule, values) for rule in rules(app, "GET")}
    paths |= {"/users/owner_olive", "/search?q=aide", "/?page=1",
              "/resources", "/notebook?all=1"}
    return sorted(paths)


def page_text(response) -> str:
    """Headers and body; a PDF's text as a reader extracts it (its streams are compressed)."""
    if response.mimetype != "application/pdf":
        return response_text(response).lower()
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(response.data))
    return "\n".join(page.extract_text() for page in reader.pages).lower()


def _cached_text(app) -> str:
    """Everything the page caches hold (any mapping an extension keeps), as text."""
    blobs = []
    for extension in app.extensions.values():
        for value in vars(extension).values() if hasattr(extension, "__dict__") else ():
            if isinstance(value, Mapping):
                blobs += [repr(k) + repr(v) for k, v in value.items()]
    return "\n".join(blobs).lower()


@pytest.mark.parametrize("config_overrides", [{"GUEST_CACHE_SIZE": 200}])
def test_no_page_but_the_owners_and_the_share_link_shows_notebook_text(
        app, client_as, nb_world, config_overrides):
    """The owner visits every page first (so any cache that could keep their text would),
    then guests, members, moderators and admins visit every page: none sees a word."""
    w = nb_world
    paths = _paths(app, w)
    owner = client_as(w["owner"])
    shown_to_owner = []
    for path in paths:
        response = owner.get(path)
        assert response.status_code < 500, path
        if MARKER in page_text(response):
            shown_to_owner.append(path)
            # The notebook's own pages, and the owner's data download.
            assert path.startswith("/notebook") or path == "/settings/data/export.json", path
    assert len(shown_to_owner) >= 8  # the crawler did reach the notebook's pages
    checked = 0
    for viewer in ("guest", "member", "moderator", "admin"):
        client = client_as(None if viewer == "guest" else w[viewer])
        for path in paths:
            response = client.get(path)
            assert response.status_code < 500, path
            assert MARKER not in page_text(response), f"{path} as {viewer}"
            checked += 1
    assert checked >= 4 * 40
    assert MARKER not in _cached_text(app)


def test_the_share_link_shows_the_notebook_and_nothing_else_of_the_member(client_as, nb_world):
    w = nb_world
    for client in (client_as(None), client_as(w["member"]), client_as(w["admin"])):
        response = client.get(f"/notebook/shared/{w['token']}")
        text = response_text(response)
        assert response.status_code == 200
        assert MARKER in text.lower()  # the record itself
        for secret in ("owner_olive", "olive.owner@example.org"):
            assert secret not in text
        assert "no-store" in response.headers["Cache-Control"]
        assert "noindex" in response.headers["X-Robots-Tag"]
        assert '<meta name="referrer" content="no-referrer">' in text
        assert "<form" not in text  # read-only: nothing to press


def test_notebook_pages_are_never_stored(client_as, nb_world):
    w = nb_world
    owner = client_as(w["owner"])
    for path in ("", "/timeline", "/print", "/notebook.pdf", "/share"):
        response = owner.get(f"/notebook/{w['values']['notebook_id']}{path}")
        assert "no-store" in response.headers["Cache-Control"], path
        assert "private" in response.headers["Cache-Control"], path
        assert "noindex" in response.headers["X-Robots-Tag"], path
    guest = client_as(None)
    response = guest.get(f"/notebook/shared/{w['token']}")
    assert response.headers["Cache-Control"] == "no-store, private"
    assert "Set-Cookie" not in response.headers  # a guest gets no session from it
    assert "ETag" not in response.headers


def test_two_members_never_see_each_others_notebook(client_as, nb_world):
    from forum.notebook import services

    w = nb_world
    second = f.make_user("second_sam")
    notebook = services.create_notebook(second, "Kiddo")
    services.save_entry(notebook, None, kind="note", occurred_on=w["entry"].occurred_on,
                        occurred_at=None, roles="", text="zqsam private words")
    owner, sam = client_as(w["owner"]), client_as(second)
    for client, own, foreign, secret in (
        (owner, w["values"]["notebook_id"], notebook.id, "zqsam"),
        (sam, notebook.id, w["values"]["notebook_id"], MARKER),
    ):
        assert client.get(f"/notebook/{own}/timeline").status_code == 200
        for path in ("", "/timeline", "/print", "/notebook.pdf"):
            response = client.get(f"/notebook/{foreign}{path}")
            assert response.status_code == 404
            assert secret not in page_text(response)
        listing = client.get("/notebook?all=1").get_data(as_text=True).lower()
        assert secret not in listing


def test_the_export_holds_every_notebook(client_as, nb_world):
    w = nb_world
    from tests.test_mydata import _export

    data = _export(client_as(w["owner"]))  # the password typed again, then the download
    (notebook,) = data["iep_notebooks"]
    assert notebook["nickname"] == "Zqnb"
    assert notebook["services"][0]["name"] == f"{MARKER} aide"
    assert notebook["entries"][0]["roles"] == f"the {MARKER} case manager"
    assert notebook["entries"][0]["topics"] == ["One-to-one aide"]
    assert {s["status"] for s in notebook["sessions"]} == {"delivered", "missed"}
    assert notebook["school_breaks"][0]["label"] == f"{MARKER} break"
    assert notebook["dates"][0]["note"] == f"{MARKER} note"
    assert notebook["share_links"] and "token" not in json.dumps(notebook["share_links"])
    other = _export(client_as(w["member"]))
    assert other["iep_notebooks"] == []


def _notebook_rows() -> int:
    db.session.remove()
    return sum(db.session.scalar(select(func.count()).select_from(model))
               for model in NOTEBOOK_TABLES)


@pytest.mark.parametrize("posts", ["delete", "keep"])
def test_deleting_the_account_deletes_its_notebooks(client_as, nb_world, posts):
    w = nb_world
    client = client_as(w["owner"])
    token = w["token"]
    assert _notebook_rows() > 8
    response = client.post("/settings/delete", data={"posts": posts, "password": f.PASSWORD})
    assert response.status_code == 302
    assert _notebook_rows() == 0
    assert client_as(None).get(f"/notebook/shared/{token}").status_code == 404


def test_the_database_cascades_from_the_user_row(app, nb_world):
    """ON DELETE CASCADE all the way down, on SQLite and PostgreSQL alike."""
    owner_id = nb_world["owner"].id
    assert _notebook_rows() > 8
    db.session.execute(delete(User).where(User.id == owner_id))
    db.session.commit()
    assert _notebook_rows() == 0


def test_the_anonymity_page_explains_the_notebook(client_as, app):
    page = client_as(None).get("/anonymity").get_data(as_text=True)
    assert 'id="claim-notebook"' in page
    for promise in ("nobody but you can open it", "not moderators, not admins",
                    "no cache keeps them", "revoked", "deleted with your account"):
        assert promise in page
