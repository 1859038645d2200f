"""Notebooks: the list, the notebook page, settings and breaks, dates that matter."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from forum.errors import or_abort
from forum.notebook import bp, services
from forum.notebook.forms import BreakForm, ButtonForm, DateForm, NotebookForm, SettingsForm
from forum.notebook.promises import load_record, logs_today, summarize
from forum.notebook.timeline import dates_of
from forum.notebook.views import own_notebook, submit, today, write_limit

RECENT = 5


@bp.route("/notebook", methods=["GET", "POST"])
@login_required
@write_limit
def index():
    """The member's notebooks (one per child), and the form to start one."""
    notebooks = services.notebooks_of(current_user)
    if request.method == "GET" and len(notebooks) == 1 and "all" not in request.args:
        return redirect(url_for("notebook.show", notebook_id=notebooks[0].id))
    form = NotebookForm()
    created = []
    status = submit(form, lambda: created.append(services.create_notebook(
        current_user, form.nickname.data, school_day_minutes=form.school_day_minutes.data)))
    if status is None:
        flash("Your notebook is ready. Only you can see it.", "success")
        return redirect(url_for("notebook.show", notebook_id=created[0].id))
    return render_template("notebook/index.html", notebooks=notebooks, form=form), status


@bp.get("/notebook/<int:notebook_id>")
@login_required
def show(notebook_id: int):
    """The notebook's page: one-tap logging per service, what is coming up, the latest."""
    notebook = own_notebook(notebook_id)
    now = today()
    record = load_record(notebook)
    dates = dates_of(notebook)
    recent = services.recent_entries(notebook, RECENT)
    return render_template(
        "notebook/show.html", notebook=notebook, today=now, summaries=summarize(
            notebook, record, now), done_today=logs_today(record, now), recent=recent,
        upcoming=[d for d in dates if d.due_on >= now], button=ButtonForm(),
    )


@bp.route("/notebook/<int:notebook_id>/settings", methods=["GET", "POST"])
@login_required
@write_limit
def settings(notebook_id: int):
    notebook = own_notebook(notebook_id)
    form = SettingsForm(obj=notebook)
    if request.method == "GET":
        form.weekdays.data = sorted(notebook.weekdays)
    status = submit(form, lambda: services.update_notebook(
        notebook, form.nickname.data, form.school_day_minutes.data, form.weekdays.data or []))
    if status is None:
        flash("Settings saved.", "success")
        return redirect(url_for("notebook.settings", notebook_id=notebook.id))
    return _settings_page(notebook, form, BreakForm(formdata=None)), status


def _settings_page(notebook, form, break_form):
    return render_template("notebook/settings.html", notebook=notebook, form=form,
                           break_form=break_form, breaks=services.breaks_of(notebook),
                           button=ButtonForm())


@bp.post("/notebook/<int:notebook_id>/breaks")
@login_required
@write_limit
def add_break(notebook_id: int):
    notebook = own_notebook(notebook_id)
    form = BreakForm()
    status = submit(form, lambda: services.add_break(
        notebook, form.starts_on.data, form.ends_on.data, form.label.data),
        {"label": "Label"})
    if status is None:
        flash("Break added: its days are not counted as school days.", "success")
        return redirect(url_for("notebook.settings", notebook_id=notebook.id, _anchor="breaks"))
    settings_form = SettingsForm(formdata=None, obj=notebook)
    settings_form.weekdays.data = sorted(notebook.weekdays)
    return _settings_page(notebook, settings_form, form), status


@bp.post("/notebook/<int:notebook_id>/breaks/<int:break_id>/delete")
@login_required
@write_limit
def delete_break(notebook_id: int, break_id: int):
    notebook = own_notebook(notebook_id)
    if ButtonForm().validate_on_submit():
        or_abort(services.delete_break, notebook, break_id)
        flash("Break removed.", "success")
    return redirect(url_for("notebook.settings", notebook_id=notebook.id, _anchor="breaks"))


@bp.post("/notebook/<int:notebook_id>/delete")
@login_required
@write_limit
def delete(notebook_id: int):
    notebook = own_notebook(notebook_id)
    if ButtonForm().validate_on_submit():
        services.delete_notebook(notebook)
        flash("The notebook and everything in it are deleted.", "info")
    return redirect(url_for("notebook.index", all=1))


@bp.route("/notebook/<int:notebook_id>/dates/new", methods=["GET", "POST"],
          defaults={"date_id": None})
@bp.route("/notebook/<int:notebook_id>/dates/<int:date_id>", methods=["GET", "POST"])
@login_required
@write_limit
def edit_date(notebook_id: int, date_id: int | None):
    """A date that matters: annual review due, re-evaluation due, a promised response."""
    notebook = own_notebook(notebook_id)
    key_date = or_abort(services.get_date, notebook, date_id) if date_id else None
    form = DateForm(obj=key_date)
    status = submit(form, lambda: services.save_date(
        notebook, key_date, kind=form.kind.data, due_on=form.due_on.data, note=form.note.data,
        remind=form.remind.data, remind_days=form.remind_days.data), {"note": "Note"})
    if status is None:
        flash("Date saved.", "success")
        return redirect(url_for("notebook.show", notebook_id=notebook.id, _anchor="upcoming"))
    return render_template("notebook/date_form.html", notebook=notebook, form=form,
                           key_date=key_date, email_ok=_email_ok(), button=ButtonForm()), status


def _email_ok() -> bool:
    return bool(current_user.email and current_user.email_verified_at)


@bp.post("/notebook/<int:notebook_id>/dates/<int:date_id>/delete")
@login_required
@write_limit
def delete_date(notebook_id: int, date_id: int):
    notebook = own_notebook(notebook_id)
    key_date = or_abort(services.get_date, notebook, date_id)
    if ButtonForm().validate_on_submit():
        services.delete_date(key_date)
        flash("Date removed.", "success")
    return redirect(url_for("notebook.show", notebook_id=notebook.id, _anchor="upcoming"))
