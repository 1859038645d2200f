"""Admin pages: categories (create, edit, reorder)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from forum.accounts.forms import EmptyForm
from forum.extensions import db
from forum.forms import form_status
from forum.permissions import admin_required
from forum.threads import services
from forum.threads.forms import CategoryForm
from forum.threads.models import Category

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/categories")
@admin_required
def categories():
    return render_template(
        "admin/categories.html", categories=services.categories_for(None), form=EmptyForm()
    )


@bp.route("/categories/new", methods=["GET", "POST"])
@bp.route("/categories/<int:category_id>/edit", methods=["GET", "POST"])
@admin_required
def edit_category(category_id: int | None = None):
    category = db.get_or_404(Category, category_id) if category_id else None
    form = CategoryForm(obj=category)

    def save():
        fields = {name: getattr(form, name).data for name in
                  ("name", "slug", "description", "visibility", "anonymous_policy", "sensitive")}
        fields["slug"] = fields["slug"].strip().lower()
        services.save_category(category, **fields)

    status = form_status(form, save, form.slug, refused=422)
    if status is None:
        flash("Category saved.", "success")
        return redirect(url_for("admin.categories"))
    return render_template("admin/category_form.html", form=form, category=category), status


@bp.post("/categories/<int:category_id>/move")
@admin_required
def move_category(category_id: int):
    category = db.get_or_404(Category, category_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.move_category(category, -1 if request.form.get("direction") == "up" else 1)
    return redirect(url_for("admin.categories"))
