"""Entries, the timeline, and "Ask other parents about this"."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from forum.errors import or_abort
from forum.notebook import asking, bp, services
from forum.notebook.forms import ButtonForm, EntryForm
from forum.notebook.promises import services_of
from forum.notebook.timeline import FILTER_LABELS, timeline_page
from forum.notebook.views import own_notebook, submit, today, write_limit
from forum.params import int_arg
from forum.resources.forms import options
from forum.resources.thread_extras import set_tag_choices

REVIEWED = {"roles": "People involved", "text": "What happened"}


def _entry_form(notebook, entry):
    form = EntryForm(obj=entry)
    form.service.choices = options([("", "None"), *((str(s.id), s.name)
                                                    for s in services_of(notebook))])
    set_tag_choices(form)
    if request.method == "GET":
        if entry is not None:
            form.service.data = str(entry.service_id or "")
            form.tags.data = services.entry_tag_ids(entry)
        else:
            form.occurred_on.data = today()
            form.kind.data = request.args.get("kind") or form.kind.data
            form.service.data = request.args.get("service") or ""
    return form


@bp.route("/notebook/<int:notebook_id>/entries/new", methods=["GET", "POST"],
          defaults={"entry_id": None})
@bp.route("/notebook/<int:notebook_id>/entries/<int:entry_id>", methods=["GET", "POST"])
@login_required
@write_limit
def edit_entry(notebook_id: int, entry_id: int | None):
    """Add or change an entry; the privacy check suggests roles for names."""
    notebook = own_notebook(notebook_id)
    entry = or_abort(services.get_entry, notebook, entry_id) if entry_id else None
    form = _entry_form(notebook, entry)
    saved = []
    status = submit(form, lambda: saved.append(services.save_entry(
        notebook, entry, kind=form.kind.data, occurred_on=form.occurred_on.data,
        occurred_at=form.occurred_at.data, roles=form.roles.data, text=form.text.data,
        service_id=form.service_id(), tag_ids=form.tags.data or [])), REVIEWED)
    if status is None:
        flash("Saved to your notebook.", "success")
        return redirect(url_for("notebook.timeline", notebook_id=notebook.id,
                                _anchor=f"entry-{saved[0].id}"))
    return render_template("notebook/entry_form.html", notebook=notebook, form=form, entry=entry,
                           button=ButtonForm()), status


@bp.post("/notebook/<int:notebook_id>/entries/<int:entry_id>/delete")
@login_required
@write_limit
def delete_entry(notebook_id: int, entry_id: int):
    notebook = own_notebook(notebook_id)
    entry = or_abort(services.get_entry, notebook, entry_id)
    if ButtonForm().validate_on_submit():
        services.delete_entry(entry)
        flash("Entry deleted.", "info")
    return redirect(url_for("notebook.timeline", notebook_id=notebook.id))


@bp.get("/notebook/<int:notebook_id>/timeline")
@login_required
def timeline(notebook_id: int):
    """Everything in date order, filterable by kind and service, with the gaps shown."""
    notebook = own_notebook(notebook_id)
    kind = request.args.get("kind") or None
    if kind is not None and kind not in FILTER_LABELS:
        abort(400)
    service_id = int_arg("service")
    page = timeline_page(notebook, today(), page=int_arg("page", 1), kind=kind,
                         service_id=service_id)
    if service_id is not None and service_id not in {s.id for s in page.record.services}:
        abort(404)
    return render_template("notebook/timeline.html", notebook=notebook, page=page, kind=kind,
                           service_id=service_id, filters=FILTER_LABELS)


@bp.get("/notebook/<int:notebook_id>/entries/<int:entry_id>/ask")
@login_required
def ask(notebook_id: int, entry_id: int):
    """"Ask other parents about this": the new-thread form, filled with a summary the
    member edits; it posts through the forum's own form, privacy review included."""
    notebook = own_notebook(notebook_id)
    entry = or_abort(services.get_entry, notebook, entry_id)
    form, policies = asking.thread_form(current_user, entry)
    return render_template("notebook/ask.html", form=form, policies=policies, similar=None,
                           notebook=notebook, entry=entry)
