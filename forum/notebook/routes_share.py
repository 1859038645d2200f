"""Print, PDF, and the read-only share link."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import login_required

from forum.errors import or_abort
from forum.extensions import client_address, limiter, now_utc
from forum.notebook import bp, sharing
from forum.notebook.forms import ButtonForm, ShareForm
from forum.notebook.minutes import local_today, member_zone
from forum.notebook.pdf import render_pdf
from forum.notebook.timeline import full_timeline
from forum.notebook.views import own_notebook, submit, today, write_limit
from forum.services import NotFound

GUESS_LIMIT = "30 per minute;300 per hour"


def _pdf_response(notebook, page, now):
    body = render_pdf(notebook, page, now, current_app.config["SITE_NAME"])
    response = current_app.response_class(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = 'attachment; filename="iep-notebook.pdf"'
    return response


@bp.get("/notebook/<int:notebook_id>/print")
@login_required
def print_view(notebook_id: int):
    """The timeline and service summary on one clean page for printing."""
    notebook = own_notebook(notebook_id)
    now = today()
    return render_template("notebook/print.html", notebook=notebook, page=full_timeline(
        notebook, now), today=now, shared=False)


@bp.get("/notebook/<int:notebook_id>/notebook.pdf")
@login_required
def pdf(notebook_id: int):
    notebook = own_notebook(notebook_id)
    now = today()
    return _pdf_response(notebook, full_timeline(notebook, now), now)


@bp.route("/notebook/<int:notebook_id>/share", methods=["GET", "POST"])
@login_required
@write_limit
def share(notebook_id: int):
    """Make a read-only link (shown once), and see or revoke the links that work."""
    notebook = own_notebook(notebook_id)
    form = ShareForm()
    made = []
    status = submit(form, lambda: made.append(sharing.create_share(notebook, form.days.data)))
    link = None
    if status is None:
        share_link, token = made[0]
        # Shown on this response only: the token is not stored, so it is never shown again.
        base = current_app.config["BASE_URL"].rstrip("/")
        link = (base + url_for("notebook.shared", token=token), share_link)
        form = ShareForm(formdata=None)
        status = 200
    return render_template("notebook/share.html", notebook=notebook, form=form, link=link,
                           links=sharing.shares_of(notebook), button=ButtonForm(),
                           now=now_utc()), status


@bp.post("/notebook/<int:notebook_id>/share/<int:share_id>/revoke")
@login_required
@write_limit
def revoke(notebook_id: int, share_id: int):
    notebook = own_notebook(notebook_id)
    if ButtonForm().validate_on_submit():
        try:
            sharing.revoke_share(notebook, share_id)
        except NotFound:
            abort(404)
        flash("The link is revoked: it no longer works.", "success")
    return redirect(url_for("notebook.share", notebook_id=notebook.id))


def _not_found(response) -> bool:
    """Only a wrong, expired or revoked token counts toward the guessing limit."""
    return response.status_code == 404


def _guess_key() -> str:
    return f"notebook-share:{client_address()}"


_guess_limit = limiter.limit(lambda: current_app.config.get("RATELIMIT_NOTEBOOK_SHARE",
                                                            GUESS_LIMIT),
                             key_func=_guess_key, deduct_when=_not_found)


@bp.get("/notebook/shared/<token>")
@_guess_limit
def shared(token: str):
    """What a share link shows: the notebook's record, nothing else of the member."""
    notebook = or_abort(sharing.shared_notebook, token)
    now = local_today(member_zone(sharing.owner_of(notebook)))
    return render_template("notebook/print.html", notebook=notebook, page=full_timeline(
        notebook, now), today=now, shared=True, token=token)


@bp.get("/notebook/shared/<token>/notebook.pdf")
@_guess_limit
def shared_pdf(token: str):
    notebook = or_abort(sharing.shared_notebook, token)
    now = local_today(member_zone(sharing.owner_of(notebook)))
    return _pdf_response(notebook, full_timeline(notebook, now), now)
