"""What the IEP promises: services, one-tap sessions, and promised versus delivered."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import login_required

from forum.errors import or_abort
from forum.notebook import bp, promises
from forum.notebook.forms import ButtonForm, LogForm, ServiceForm, TapForm
from forum.notebook.models import LogStatus, Per
from forum.notebook.views import own_notebook, submit, today, write_limit
from forum.security import safe_next
from forum.services import ForumError


@bp.route("/notebook/<int:notebook_id>/services/new", methods=["GET", "POST"],
          defaults={"service_id": None})
@bp.route("/notebook/<int:notebook_id>/services/<int:service_id>/edit", methods=["GET", "POST"])
@login_required
@write_limit
def edit_service(notebook_id: int, service_id: int | None):
    notebook = own_notebook(notebook_id)
    service = or_abort(promises.get_service, notebook, service_id) if service_id else None
    form = ServiceForm(obj=service)
    if request.method == "GET" and service is None:
        form.starts_on.data = today()
    saved = []
    status = submit(form, lambda: saved.append(promises.save_service(
        notebook, service, name=form.name.data, minutes=form.minutes.data, per=form.per.data,
        full_day=form.full_day.data, session_minutes=form.session_minutes.data,
        starts_on=form.starts_on.data, ends_on=form.ends_on.data)))
    if status is None:
        flash("Service saved.", "success")
        return redirect(url_for("notebook.service", notebook_id=notebook.id,
                                service_id=saved[0].id))
    return render_template("notebook/service_form.html", notebook=notebook, form=form,
                           service=service, button=ButtonForm()), status


@bp.route("/notebook/<int:notebook_id>/services/<int:service_id>", methods=["GET", "POST"])
@login_required
@write_limit
def service(notebook_id: int, service_id: int):
    """Promised versus delivered, the gaps, the sessions logged, and a form to log one."""
    notebook = own_notebook(notebook_id)
    chosen = or_abort(promises.get_service, notebook, service_id)
    now = today()
    form = LogForm()
    if request.method == "GET":
        form.on.data = now
    status = submit(form, lambda: promises.log_session(
        notebook, chosen, form.status.data, on=form.on.data, until=form.until.data,
        minutes=form.minutes.data, today=now))
    if status is None:
        flash("Logged.", "success")
        return redirect(url_for("notebook.service", notebook_id=notebook.id,
                                service_id=chosen.id))
    record = promises.load_record(notebook)
    summary = next(s for s in promises.summarize(notebook, record, now)
                   if s.service.id == chosen.id)
    return render_template("notebook/service.html", notebook=notebook, summary=summary,
                           logs=promises.recent_logs(record, chosen), form=form,
                           button=ButtonForm(), today=now, daily=chosen.per == Per.SCHOOL_DAY
                           ), status


@bp.post("/notebook/<int:notebook_id>/services/<int:service_id>/tap")
@login_required
@write_limit
def tap(notebook_id: int, service_id: int):
    """One tap on a phone: delivered or missed today, the usual minutes."""
    notebook = own_notebook(notebook_id)
    chosen = or_abort(promises.get_service, notebook, service_id)
    form = TapForm()
    if not form.validate_on_submit() or form.status.data not in set(LogStatus):
        abort(400)
    now = today()
    try:
        log = promises.log_session(notebook, chosen, form.status.data, on=now, today=now)
    except ForumError as exc:
        flash(str(exc), "error")
    else:
        word = "delivered" if log.status == LogStatus.DELIVERED else "missed"
        flash(f"{chosen.name}: {word} today ({log.minutes} min).", "success")
    back = url_for("notebook.show", notebook_id=notebook.id, _anchor=f"service-{chosen.id}")
    return redirect(safe_next(request.form.get("next"), back))


@bp.post("/notebook/<int:notebook_id>/services/<int:service_id>/delete")
@login_required
@write_limit
def delete_service(notebook_id: int, service_id: int):
    notebook = own_notebook(notebook_id)
    chosen = or_abort(promises.get_service, notebook, service_id)
    if ButtonForm().validate_on_submit():
        promises.delete_service(chosen)
        flash("Service deleted, with its logged sessions.", "info")
    return redirect(url_for("notebook.show", notebook_id=notebook.id))


@bp.post("/notebook/<int:notebook_id>/logs/<int:log_id>/delete")
@login_required
@write_limit
def delete_log(notebook_id: int, log_id: int):
    notebook = own_notebook(notebook_id)
    if not ButtonForm().validate_on_submit():
        return redirect(url_for("notebook.show", notebook_id=notebook.id))
    log = or_abort(promises.delete_log, notebook, log_id)
    flash("Session removed.", "info")
    return redirect(url_for("notebook.service", notebook_id=notebook.id,
                            service_id=log.service_id))
