"""Share links (read-only, expiring, revocable, guess-limited), the PDF, and reminders."""

from __future__ import annotations

import io
import re
from datetime import date, datetime, time, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select, update

from forum.extensions import db, now_utc
from forum.mail import MailError
from forum.notebook import promises, reminders, services, sharing
from forum.notebook.models import KeyDate, ShareLink
from tests import factories as f
from tests.leakcheck import message_text
from tests.notebook_support import MARKER, TODAY, nb_world  # noqa: F401


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


# --- share links -----------------------------------------------------------------------


def test_only_the_tokens_hash_is_stored(client_as, nb_world):
    w = nb_world
    response = client_as(w["owner"]).post(f"/notebook/{w['values']['notebook_id']}/share",
                                          data={"days": "7"})
    assert response.status_code == 200
    url = re.search(r'id="share-url"[^>]*value="([^"]+)"', response.get_data(True))[1]
    assert url.startswith("http://forum.test/notebook/shared/")
    token = url.rsplit("/", 1)[1]
    assert len(token) >= 40
    db.session.remove()
    hashes = set(db.session.scalars(select(ShareLink.token_hash)))
    assert sharing.hash_token(token) in hashes and token not in hashes
    link = db.session.scalar(select(ShareLink).where(
        ShareLink.token_hash == sharing.hash_token(token)))
    assert link.expires_at - link.created_at == timedelta(days=7)
    # Shown once: the share page no longer has it.
    again = client_as(w["owner"]).get(f"/notebook/{w['values']['notebook_id']}/share")
    assert token not in again.get_data(True)
    assert client_as(None).get(f"/notebook/shared/{token}").status_code == 200


def test_a_link_expires(client_as, nb_world):
    w = nb_world
    guest = client_as(None)
    assert guest.get(f"/notebook/shared/{w['token']}").status_code == 200
    db.session.execute(update(ShareLink).values(expires_at=now_utc() - timedelta(seconds=1)))
    db.session.commit()
    for path in ("", "/notebook.pdf"):
        response = guest.get(f"/notebook/shared/{w['token']}{path}")
        assert response.status_code == 404
        assert MARKER not in response.get_data().decode("utf-8", "replace").lower()


def test_a_revoked_link_stops_working(client_as, nb_world):
    w = nb_world
    v = w["values"]
    owner, guest = client_as(w["owner"]), client_as(None)
    response = owner.post(f"/notebook/{v['notebook_id']}/share/{v['share_id']}/revoke")
    assert response.headers["Location"] == f"/notebook/{v['notebook_id']}/share"
    assert guest.get(f"/notebook/shared/{w['token']}").status_code == 404
    # Revoking twice, or another notebook's link, is a 404.
    assert owner.post(f"/notebook/{v['notebook_id']}/share/{v['share_id']}/revoke"
                      ).status_code == 404
    assert "revoked" in owner.get(f"/notebook/{v['notebook_id']}/share").get_data(True)


@pytest.mark.parametrize("days", ["0", "365", "x"])
def test_link_lifetimes_are_from_the_list(client_as, nb_world, days):
    w = nb_world
    response = client_as(w["owner"]).post(f"/notebook/{w['values']['notebook_id']}/share",
                                          data={"days": days})
    assert response.status_code == 422


@pytest.mark.parametrize("config_overrides", [{
    "RATELIMIT_ENABLED": True, "RATELIMIT_NOTEBOOK_SHARE": "5 per minute"}])
def test_guessing_tokens_is_rate_limited(client_as, nb_world, config_overrides):
    w = nb_world
    guest = client_as(None)
    for attempt in range(5):
        assert guest.get(f"/notebook/shared/guess{attempt}").status_code == 404
    assert guest.get("/notebook/shared/guess-again").status_code == 429
    assert guest.get(f"/notebook/shared/{w['token']}").status_code == 429


@pytest.mark.parametrize("config_overrides", [{
    "RATELIMIT_ENABLED": True, "RATELIMIT_NOTEBOOK_SHARE": "3 per minute"}])
def test_the_right_token_does_not_count_as_a_guess(client_as, nb_world, config_overrides):
    w = nb_world
    guest = client_as(None)
    for _ in range(6):
        assert guest.get(f"/notebook/shared/{w['token']}").status_code == 200


# --- the PDF ------------------------------------------------------------------------


def test_the_pdf_opens_and_holds_the_timeline(client_as, nb_world):
    w = nb_world
    v = w["values"]
    services.save_entry(w["notebook"], None, kind="request", occurred_on=date(2024, 10, 20),
                        occurred_at=time(14, 5), roles="the principal",
                        text="Asked for mediation; they said “no” — café, naïve, Zoë, 漢字, 😀")
    owner = client_as(w["owner"])
    response = owner.get(f"/notebook/{v['notebook_id']}/notebook.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == 'attachment; filename="iep-notebook.pdf"'
    assert response.data.startswith(b"%PDF-")
    text = pdf_text(response.data)
    assert "IEP notebook: Zqnb" in text
    assert "October 20, 2024 14:05 Request sent With: the principal" in text
    assert "“no” — café, naïve, Zoë, ??" in text  # as typed; a glyph the font lacks is "?"
    assert "Aide absent or removed" in text and "mediation is refused" in text
    assert "Shortfall" in text and "school days" in text
    assert "Coming up" in text and "annual review due" in text
    shared = client_as(None).get(f"/notebook/shared/{w['token']}/notebook.pdf")
    assert shared.status_code == 200 and "mediation is refused" in pdf_text(shared.data)


def test_the_pdf_of_an_empty_notebook(client_as, app):
    owner = f.make_user("new_parent")
    notebook = services.create_notebook(owner, "K")
    text = pdf_text(client_as(owner).get(f"/notebook/{notebook.id}/notebook.pdf").data)
    assert "Nothing recorded yet." in text


def test_the_print_page_shows_the_shortfall_in_days_and_minutes(client_as, app):
    """The story: an aide promised from Sept 3, first there Oct 4, removed Nov 15."""
    owner = f.make_user("story_mom")
    notebook = services.create_notebook(owner, "R")
    aide = promises.save_service(notebook, None, name="1:1 aide", minutes=None,
                                 per="school-day", full_day=True, session_minutes=None,
                                 starts_on=date(2024, 9, 3), ends_on=date(2024, 11, 22))
    promises.log_session(notebook, aide, "delivered", on=date(2024, 10, 4),
                         until=date(2024, 11, 14), today=TODAY)
    services.save_entry(notebook, None, kind="aide", occurred_on=date(2024, 11, 15),
                        occurred_at=None, roles="the case manager", text="Aide removed.")
    services.save_entry(notebook, None, kind="request", occurred_on=date(2024, 11, 20),
                        occurred_at=None, roles="the district", text="Mediation refused.")
    page = client_as(owner).get(f"/notebook/{notebook.id}/print").get_data(True)
    assert ("1:1 aide promised from September 3, 2024, first delivered October 4, 2024: "
            "31 days (23 school days) late") in page
    assert ("No 1:1 aide delivered from November 15, 2024 to the end of the promise on "
            "November 22, 2024: 8 days (6 school days)") in page
    assert "29 school days, 10,440 min (174 h)" in page  # 23 + 6 school days of 360 min
    assert "Aide removed." in page and "Mediation refused." in page


# --- reminders ----------------------------------------------------------------------


def _verified(user):
    user.email_verified_at = now_utc()
    db.session.commit()


def test_a_reminder_is_sent_once_and_says_only_the_kind_and_date(app, nb_world, outbox):
    w = nb_world
    _verified(w["owner"])
    runner = app.test_cli_runner()
    result = runner.invoke(args=["notebook", "send-reminders"])
    assert result.exit_code == 0, result.output
    assert "Sent 1 notebook reminder" in result.output
    (message,) = outbox
    assert message["To"] == "olive.owner@example.org"
    assert message["Subject"] == "A date in your notebook is coming up"
    text = message_text(message)
    due = w["date"].due_on
    assert f"annual review due on {due:%B} {due.day}, {due.year}" in text
    for secret in (MARKER, "Zqnb", "owner_olive"):
        assert secret.lower() not in text.lower()
    assert "http://forum.test/notebook" in text
    again = runner.invoke(args=["notebook", "send-reminders"])
    assert "Sent 0 notebook reminder" in again.output and len(outbox) == 1


def test_reminders_wait_for_their_day_and_skip_unverified_addresses(app, nb_world, outbox):
    w = nb_world
    runner = app.test_cli_runner()
    runner.invoke(args=["notebook", "send-reminders"])
    assert outbox == []  # the address is not confirmed
    _verified(w["owner"])
    due = w["date"].due_on
    early = (datetime.combine(due - timedelta(days=8), time(12))).strftime("%Y-%m-%dT%H:%M")
    runner.invoke(args=["notebook", "send-reminders", "--now", early])
    assert outbox == []  # 8 days before a 7-day reminder
    late = (datetime.combine(due + timedelta(days=2), time(12))).strftime("%Y-%m-%dT%H:%M")
    runner.invoke(args=["notebook", "send-reminders", "--now", late])
    assert outbox == []  # past: no point any more
    runner.invoke(args=["notebook", "send-reminders"])
    assert len(outbox) == 1


def test_a_moved_date_gets_a_new_reminder(app, nb_world, outbox):
    w = nb_world
    _verified(w["owner"])
    assert reminders.send_reminders().sent == 1
    key_date = db.session.get(KeyDate, w["values"]["date_id"])
    services.save_date(w["notebook"], key_date, kind="annual-review",
                       due_on=key_date.due_on + timedelta(days=1), note="", remind=True,
                       remind_days=7)
    assert reminders.send_reminders().sent == 1 and len(outbox) == 2


def test_a_refused_message_is_tried_again_next_run(app, nb_world, outbox, monkeypatch):
    w = nb_world
    _verified(w["owner"])

    def refuse(*args, **kwargs):
        raise MailError("server said no")

    monkeypatch.setattr(reminders, "send_email", refuse)
    result = app.test_cli_runner().invoke(args=["notebook", "send-reminders"])
    assert result.exit_code == 1 and "1 failed" in result.output
    db.session.remove()
    assert db.session.get(KeyDate, w["values"]["date_id"]).reminded_at is None
    monkeypatch.undo()
    assert reminders.send_reminders().sent == 1
