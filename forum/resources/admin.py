"""Moderators' pages for tags and the resource library (add, edit, retire)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from forum.accounts.forms import EmptyForm
from forum.extensions import db
from forum.forms import form_status
from forum.permissions import moderator_required
from forum.resources import bp, library, services
from forum.resources.forms import ResourceForm, TagForm, options
from forum.resources.models import Tag
from forum.services import NotFound


@bp.get("/admin/tags")
@moderator_required
def admin_tags():
    return render_template("resources/admin_tags.html", tags=services.all_tags(), form=EmptyForm())


@bp.route("/admin/tags/new", methods=["GET", "POST"])
@bp.route("/admin/tags/<int:tag_id>/edit", methods=["GET", "POST"])
@moderator_required
def edit_tag(tag_id: int | None = None):
    tag = db.get_or_404(Tag, tag_id) if tag_id else None
    form = TagForm(obj=tag)

    def save():
        services.save_tag(
            tag,
            slug=form.slug.data,
            label=form.label.data,
            description=form.description.data or "",
            legal=form.legal.data,
        )

    status = form_status(form, save, form.slug, refused=422)
    if status is None:
        flash("Tag saved.", "success")
        return redirect(url_for("resources.admin_tags"))
    return render_template("resources/tag_form.html", form=form, tag=tag), status


@bp.post("/admin/tags/<int:tag_id>/retire")
@moderator_required
def retire_tag(tag_id: int):
    tag = db.get_or_404(Tag, tag_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    retire = request.form.get("retired") != "0"
    services.set_tag_retired(tag, retire)
    flash(f"“{tag.label}” is {'retired' if retire else 'back in use'}.", "success")
    return redirect(url_for("resources.admin_tags"))


@bp.get("/admin/resources")
@moderator_required
def admin_resources():
    topics = library.library_by_topic(include_retired=True)
    seen, resources = set(), []
    for topic in topics:
        for resource in topic.resources:
            if resource.id not in seen:
                seen.add(resource.id)
                resources.append(resource)
    resources.sort(key=lambda r: (r.retired, r.check_ok is not False, r.title.casefold()))
    return render_template("resources/admin_resources.html", resources=resources, form=EmptyForm())


def _resource_or_404(resource_id: str):
    try:
        return library.get_resource(resource_id)
    except NotFound:
        abort(404)


@bp.route("/admin/resources/new", methods=["GET", "POST"])
@bp.route("/admin/resources/<resource_id>/edit", methods=["GET", "POST"])
@moderator_required
def edit_resource(resource_id: str | None = None):
    resource = _resource_or_404(resource_id) if resource_id else None
    form = ResourceForm(obj=resource)
    form.tags.choices = options((t.id, t.label) for t in services.all_tags())
    if request.method == "GET" and resource is not None:
        form.tags.data = library.resource_tag_ids(resource)

    def save():
        library.save_resource(
            resource,
            id=form.id.data,
            title=form.title.data,
            url=form.url.data,
            alt_url=form.alt_url.data or None,
            publisher=form.publisher.data,
            description=form.description.data,
            tag_ids=form.tags.data or [],
            verification=form.verification.data,
            verification_note=form.verification_note.data or "",
        )

    status = form_status(form, save, refused=422)
    if status is None:
        flash("Resource saved.", "success")
        return redirect(url_for("resources.admin_resources"))
    return render_template("resources/resource_form.html", form=form, resource=resource), status


@bp.post("/admin/resources/<resource_id>/retire")
@moderator_required
def retire_resource(resource_id: str):
    resource = _resource_or_404(resource_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    retire = request.form.get("retired") != "0"
    library.set_resource_retired(resource, retire)
    flash(f"“{resource.title}” is {'retired' if retire else 'back in the library'}.", "success")
    return redirect(url_for("resources.admin_resources"))
