"""What the notebook's views share: the owner check, "today", the submit step, headers."""

from __future__ import annotations

from datetime import date

from flask import abort, current_app
from flask_login import current_user

from forum.extensions import limiter
from forum.notebook import bp
from forum.notebook.minutes import local_today, member_zone
from forum.notebook.models import DATE_KIND_LABELS, ENTRY_KIND_LABELS, Notebook
from forum.notebook.review import review_or_none
from forum.notebook.services import get_notebook
from forum.notebook.timeline import gap_sentence
from forum.services import ForumError, NotFound

WRITE_LIMIT = "60 per minute;1000 per hour"


def _user_key() -> str:
    return f"notebook-write:{current_user.get_id()}"


# Every notebook form is rate-limited per member (nothing is public, but nothing is free).
write_limit = limiter.limit(
    lambda: current_app.config.get("RATELIMIT_NOTEBOOK_WRITE", WRITE_LIMIT),
    key_func=_user_key, methods=["POST"])


def own_notebook(notebook_id: int) -> Notebook:
    """The signed-in member's notebook, else 404 (never 403: nobody learns it exists)."""
    try:
        return get_notebook(current_user, notebook_id)
    except NotFound:
        abort(404)


def today() -> date:
    """The member's local date (their time zone setting, when the account has one)."""
    return local_today(member_zone(current_user))


def submit(form, save, review_fields: dict[str, str] | None = None) -> int | None:
    """None once saved; else the status to show the form with (text kept).

    200 for a GET or a privacy review step; 422 for invalid input or a refusal.
    """
    if not form.validate_on_submit():
        return 422 if form.is_submitted() else 200
    if review_fields and review_or_none(form, review_fields) is not None:
        return 200
    try:
        save()
    except ForumError as exc:
        form.form_errors.append(str(exc))
        return 422 if exc.status == 400 else exc.status
    return None


@bp.after_request
def never_stored(response):
    """No browser, proxy or search engine keeps a notebook page (the share link included)."""
    response.headers["Cache-Control"] = "no-store, private"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Vary"] = "Cookie"
    return response


@bp.app_template_filter("notebook_entry_kind")
def entry_kind_label(kind: str) -> str:
    return ENTRY_KIND_LABELS.get(kind, kind)


@bp.app_template_filter("notebook_date_kind")
def date_kind_label(kind: str) -> str:
    return DATE_KIND_LABELS.get(kind, kind)


@bp.app_template_filter("notebook_gap")
def gap_label(gap, summary) -> str:
    return gap_sentence(summary, gap)
