"""Public pages: search, tags, the resource library, story details and thread links."""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from forum.accounts.forms import EmptyForm
from forum.assembly import CONTENT, guest_page
from forum.extensions import limiter, login_manager
from forum.forms import form_status
from forum.resources import bp, library_search, search, services
from forum.resources.forms import LinkForm, StoryForm
from forum.resources.related import similar_to_draft
from forum.resources.thread_extras import set_tag_choices
from forum.services import ForumError, NotAllowed, NotFound
from forum.threads import services as threads
from forum.threads.models import Thread, Visibility
from forum.threads.views import thread_rows


def _page() -> int:
    return max(request.args.get("page", 1, type=int) or 1, 1)


def _readable_thread(thread_id: int) -> Thread:
    try:
        thread = threads.get_thread(thread_id)
    except NotFound:
        abort(404)
    if not threads.can_read_category(current_user, thread.category):
        abort(login_manager.unauthorized())
    if not threads.can_see_thread(current_user, thread):
        abort(404)
    return thread


# --- search ------------------------------------------------------------------------


@bp.get("/search")
@guest_page(scopes=(CONTENT,))
def search_page():
    q = request.args.get("q", "")
    category = request.args.get("category", "")
    tag = request.args.get("tag", "")
    sort = request.args.get("sort", "")
    thread_id = request.args.get("thread", type=int)
    results = search.search(
        current_user,
        q,
        category=category,
        tag=tag,
        page=_page(),
        sort=sort,
        thread_id=thread_id if thread_id is not None and 0 < thread_id < 2**31 else None,
    )
    categories = [
        c
        for c in threads.categories_for(current_user)
        if c.visibility == Visibility.PUBLIC or current_user.is_authenticated
    ]
    tags = services.active_tags()
    # The library's topics and resources: a section each, on the first page of a search.
    library = (
        library_search.search_library(results.parsed, tags, tag)
        if results.parsed and results.page == 1 and thread_id is None
        else None
    )
    return render_template(
        "resources/search.html",
        q=q,
        category=category,
        tag=tag,
        sort=results.sort,
        thread_id=thread_id,
        results=results,
        library=library,
        categories=categories,
        tags=tags,
        searched=bool(q.strip()),
    )


@bp.get("/api/similar")
@limiter.limit("60 per minute")
def similar():
    """Threads like a title being typed; only titles and links the viewer may see."""
    title = request.args.get("title", "")[:300]
    found = similar_to_draft(current_user, title) if len(title.strip()) >= 3 else []
    return jsonify(
        threads=[
            {
                "title": t.title,
                "url": url_for("threads.show", thread_id=t.id),
                "category": t.category.name,
                "replies": t.reply_count,
            }
            for t in found
        ]
    )


# --- tags ----------------------------------------------------------------------------


@bp.get("/tags")
@guest_page(scopes=(CONTENT,))
def tags():
    return render_template("resources/tags.html", tags=services.active_tags())


@bp.get("/tags/<slug>")
@guest_page(scopes=(CONTENT,))
def tag(slug: str):
    try:
        tag = services.get_tag(slug)
    except NotFound:
        abort(404)
    page = services.tag_threads(current_user, tag, _page())
    return render_template(
        "resources/tag.html", tag=tag, threads=page, rows=thread_rows(page.items, current_user)
    )


# --- the library -------------------------------------------------------------------------


@bp.get("/resources")
def index():
    view = library_search.library_page(request.args.get("q", ""), request.args.get("topic", ""))
    return render_template("resources/index.html", view=view)


# --- a thread's topics, details and links ---------------------------------------------------


@bp.route("/threads/<int:thread_id>/story", methods=["GET", "POST"])
@login_required
def story(thread_id: int):
    thread = _readable_thread(thread_id)
    if not services.can_edit_story(current_user, thread):
        abort(403)
    current = services.thread_tags(thread)
    form = StoryForm()
    if request.method == "GET":
        form.tags.data = [t.id for t in current]
        form.state.data = thread.state or ""
        form.school_stage.data = thread.school_stage or ""
        form.outcome.data = thread.outcome or ""
    set_tag_choices(form, current)
    is_author = services.is_author(current_user, thread)

    def save():
        details = services.StoryDetails(
            **form.story_values(),
            outcome=(form.outcome.data or None) if is_author else thread.outcome,
        )
        try:
            services.save_story(current_user, thread, details)
        except NotAllowed:
            abort(403)  # an error page, not a message on the form like other ForumErrors

    status = form_status(form, save, refused=422)
    if status is None:
        flash("Topics and details saved.", "success")
        return redirect(url_for("threads.show", thread_id=thread.id))
    return render_template(
        "resources/story.html", form=form, thread=thread, is_author=is_author
    ), status


@bp.post("/threads/<int:thread_id>/outcome/later")
@login_required
def outcome_later(thread_id: int):
    thread = _readable_thread(thread_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        services.put_off_outcome(current_user, thread)
    except NotAllowed:
        abort(403)
    flash("We'll ask again in a month.", "info")
    if request.form.get("back") == "home":
        return redirect(url_for("threads.index"))
    return redirect(url_for("threads.show", thread_id=thread.id))


@bp.post("/threads/<int:thread_id>/links")
@login_required
def link(thread_id: int):
    thread = _readable_thread(thread_id)
    form = LinkForm()
    if not form.validate_on_submit():
        flash(
            " ".join(e for errors in form.errors.values() for e in errors) or "Please try again.",
            "error",
        )
    else:
        try:
            services.link_threads(current_user, thread, form.url.data)
        except NotAllowed:
            abort(403)
        except ForumError as exc:
            flash(str(exc), "error")
        else:
            flash("The stories are linked.", "success")
    return redirect(url_for("threads.show", thread_id=thread.id, _anchor="linked-stories"))


@bp.post("/links/<int:link_id>/delete")
@login_required
def unlink(link_id: int):
    try:
        link = services.get_link(link_id)
    except NotFound:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    back = request.form.get("thread_id", type=int)
    if back not in (link.from_thread_id, link.to_thread_id):
        back = link.from_thread_id
    try:
        services.remove_link(current_user, link)
    except NotAllowed:
        abort(403)
    flash("The link is removed.", "info")
    return redirect(url_for("threads.show", thread_id=back, _anchor="linked-stories"))
