"""Thread pages: thin views over forum.threads.services."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup
from wtforms import SelectChoice

from forum.accounts.services import find_user
from forum.assembly import guest_page, panels, render_page
from forum.errors import or_abort
from forum.extensions import limiter, login_manager
from forum.params import int_arg
from forum.security import noindex_if_members_only
from forum.services import ForumError, NotFound
from forum.text import quote_reference
from forum.threads import blocks, bp, composer, parts, services
from forum.threads.authors import AliasBook, display_author
from forum.threads.diff import revision_diffs
from forum.threads.forms import AnonymityForm, EditPostForm, ReplyForm
from forum.threads.models import AnonymousPolicy, Category, PostStatus, Thread
from forum.threads.privacy_review import review_or_none
from forum.threads.quotes import QuoteBook
from forum.threads.titles import REMOVED_TITLE, display_title, title_removed


def _user_key() -> str:
    return f"user:{current_user.get_id() if current_user.is_authenticated else request.remote_addr}"


def _post_limit() -> str:
    return current_app.config["RATELIMIT_POST"]


def _form_steps_limit() -> str:
    return current_app.config["RATELIMIT_POST_STEPS"]


def _published(response) -> bool:
    """Only a published post counts against RATELIMIT_POST: privacy review steps and
    validation errors don't, so fixing a draft never locks a parent out of posting."""
    return response.status_code == 302


def _page() -> int:
    return int_arg("page", 1)


def readable_thread(thread_id: int) -> Thread:
    """The thread if the viewer may read it; guests are sent to sign in for members-only."""
    return _readable(or_abort(services.get_thread, thread_id))


def _readable(thread: Thread) -> Thread:
    noindex_if_members_only(thread.category)
    if not services.can_read_category(current_user, thread.category):
        abort(login_manager.unauthorized())
    if not services.can_see_thread(current_user, thread):
        abort(404)
    return thread


def default_anonymous(category: Category) -> bool:
    if category.anonymous_policy == AnonymousPolicy.REQUIRE:
        return True
    if category.anonymous_policy == AnonymousPolicy.FORBID:
        return False
    return bool(current_user.post_anonymously)


def _default_category(categories: list[Category]) -> str:
    """The first category where a parent may post anonymously, so the box is never
    disabled on arrival (issue 16); the first one when none allows it."""
    usable = [c for c in categories if c.anonymous_policy != AnonymousPolicy.FORBID]
    return (usable or categories)[0].slug if categories else ""


def _form_failed(form, exc: ForumError) -> int:
    form.form_errors.append(str(exc))
    return getattr(exc, "status", 400)


@bp.get("/")
@guest_page
def index():
    page = _page()
    return render_page(
        "threads/index.html",
        blocks={"top": panels("home.top"), "list": blocks.recent_block(page),
                "categories": blocks.categories_block()},
        frame=("index", page),
    )


@bp.get("/categories/<slug>")
@guest_page
def category(slug: str):
    category = or_abort(services.get_category, slug)
    noindex_if_members_only(category)
    if not services.can_read_category(current_user, category):
        return render_template("threads/category_locked.html", category=category)
    page = _page()
    return render_page("threads/category.html", category=category,
                       blocks={"list": blocks.category_block(category, page)},
                       frame=("category", category.id, page), frame_objects=("category",))


@bp.route("/threads/new", methods=["GET", "POST"])
@login_required
@limiter.limit(_post_limit, key_func=_user_key, methods=["POST"], deduct_when=_published)
@limiter.limit(_form_steps_limit, key_func=_user_key, methods=["POST"])
def new():
    categories = [c for c in services.categories_for(current_user)]
    form = parts.new_thread_form()
    form.category.choices = [
        SelectChoice(c.slug, c.name, render_kw={"data-anonymous": str(c.anonymous_policy)})
        for c in categories
    ]
    step = None
    status = 200
    if request.method == "GET":
        chosen = request.args.get("category") or _default_category(categories)
        form.category.data = chosen
        chosen_category = next((c for c in categories if c.slug == chosen), None)
        form.hide_author.data = default_anonymous(chosen_category) if chosen_category else False
        composer.restore_draft(form, current_user)  # a draft kept on the server (forum.engage)
        form.ensure_token()
    elif (step := parts.run_step(current_user, form, request.form)) is not None:
        pass  # a step of the form (e.g. "Check for similar stories"): nothing is posted
    # A privacy review re-renders the form (200, text kept) instead of posting.
    elif form.validate_on_submit() and review_or_none(form) is None:
        category = next(c for c in categories if c.slug == form.category.data)
        try:
            thread = services.create_thread(
                current_user, category, form.title.data, form.body.data,
                hide_author=form.hide_author.data, idempotency_key=form.token.data or None,
            )
        except ForumError as exc:
            status = _form_failed(form, exc)
        else:
            try:
                parts.save_parts(current_user, thread, form)
            except ForumError as exc:
                flash(f"Your thread is posted, but its topics weren't saved: {exc}", "error")
            if thread.status == PostStatus.HELD:
                flash("Your thread is waiting for a moderator. Only you can see it until then.",
                      "info")
            else:
                flash("Your thread is posted.", "success")
            return redirect(url_for("threads.show", thread_id=thread.id))
    elif form.errors:
        status = 422
    composer.keep_draft(form, current_user)  # not posted: the text survives as a draft
    policies = {c.slug: c.anonymous_policy for c in categories}
    page = render_template("threads/new.html", form=form, policies=policies, **(step or {}))
    return page, status


@bp.get("/threads/<int:thread_id>")
@guest_page
def show(thread_id: int):
    thread, facts = or_abort(services.get_thread_for, current_user, thread_id, _page())
    _readable(thread)
    can_reply = services.can_reply(current_user, thread)
    areas = {area: panels(f"thread.{area}", thread=thread, facts=facts)
             for area in ("top", "tools", "bottom")}
    form, reply = _reply_box(thread, facts) if can_reply else (None, None)
    note, page = _title_note(thread), _page()
    return render_page(
        "threads/show.html", thread=thread, can_reply=can_reply, form=form,
        own_alias=bool(form and form.own_alias), title=display_title(thread, current_user),
        title_note=note,
        blocks={"posts": blocks.posts_block(thread, page, can_reply), "reply": reply,
                **areas},
        # The page around the blocks is kept unless the reply box holds the member's own
        # draft or the title note is theirs.
        frame=("show", thread.id, page) if form is None and note is None else None,
        frame_objects=("thread",),
    )


def _reply_box(thread: Thread, facts: dict) -> tuple[ReplyForm | None, object]:
    """The reply box under a thread: a kept block when it holds nothing of the member's own
    (its form built only when the block is rendered), else the member's form, draft and all,
    rendered for the request. A member who wrote anonymously here keeps that name by default
    (forum.threads.composer)."""
    default = composer.reply_default(current_user, thread.category,
                                     bool(facts.get("anonymous_here")))
    if not composer.restores_draft(current_user, thread, facts):
        return None, blocks.reply_box_block(thread, default,
                                            lambda: _reply_form(thread, facts, default))
    return _reply_form(thread, facts, default), None


def _reply_form(thread: Thread, facts: dict, default) -> ReplyForm:
    form = ReplyForm(formdata=None, hide_author=bool(default))
    form.default = default
    form.own_alias = default == composer.OWN_ALIAS
    composer.restore_draft(form, current_user, thread, facts)
    form.ensure_token()
    return form


def _title_note(thread: Thread) -> dict | None:
    """For the starter and moderators of a thread whose opening post is removed: others
    see "[removed]" (the starter gets a link to edit the title). Part of the page layout,
    rendered for each request."""
    if not title_removed(thread) or display_title(thread, current_user) == REMOVED_TITLE:
        return None
    if current_user.id != thread.author_id:
        return {"edit_url": None}
    opening = services.opening_post(thread)
    return {"edit_url": url_for("threads.edit", post_id=opening.id)}


@bp.route("/threads/<int:thread_id>/reply", methods=["GET", "POST"])
@login_required
@limiter.limit(_post_limit, key_func=_user_key, methods=["POST"], deduct_when=_published)
@limiter.limit(_form_steps_limit, key_func=_user_key, methods=["POST"])
def reply(thread_id: int):
    thread = readable_thread(thread_id)
    form = ReplyForm()
    status = 200
    if request.method == "GET" and not services.can_reply(current_user, thread):
        abort(403)  # closed thread: no form that can only fail
    anonymous_here = composer.wrote_anonymously(current_user, thread)
    quoting = None
    if request.method == "GET":
        default = composer.reply_default(current_user, thread.category, anonymous_here)
        form.hide_author.data = bool(default)
        composer.restore_draft(form, current_user, thread)
        form.ensure_token()
        quoted_id = int_arg("quote")
        if quoted_id:
            reference, quoting = _quote(thread, quoted_id)
            form.body.data = "\n\n".join(t for t in (form.body.data, reference) if t)
    # Then a member who wrote anonymously here confirms a reply under their username.
    elif (form.validate_on_submit() and review_or_none(form) is None
          and not composer.needs_named_confirmation(form, thread, anonymous_here)):
        try:
            post = services.create_reply(
                current_user, thread, form.body.data,
                hide_author=form.hide_author.data, idempotency_key=form.token.data or None,
            )
        except ForumError as exc:
            status = _form_failed(form, exc)
        else:
            if post.status == PostStatus.HELD:
                flash("Your reply is waiting for a moderator. Only you can see it until then.",
                      "info")
            return redirect(url_for("threads.permalink", post_id=post.id))
    elif form.errors:
        status = 422
    composer.keep_draft(form, current_user, thread)  # not posted: the text survives
    return render_template("threads/reply.html", thread=thread, form=form,
                           own_alias=anonymous_here, quoting=quoting), status


def _quote(thread: Thread, post_id: int) -> tuple[str, Markup | None]:
    """The reply box's text for quoting a post of this thread (a reference: the author
    and words are filled in whenever the reply is shown), and how the quote looks now."""
    try:
        post = services.get_post(post_id)
    except NotFound:
        return "", None
    if post.thread_id != thread.id or not post.is_visible:
        return "", None
    quotes = QuoteBook({post.id: post}, AliasBook.for_threads([thread.id]), current_user)
    return quote_reference(post.id), quotes.quote(post.id, thread.id)


@bp.get("/posts/<int:post_id>")
def permalink(post_id: int):
    post = or_abort(services.get_post, post_id)
    readable_thread(post.thread_id)
    page = services.page_of(post)
    return redirect(
        url_for("threads.show", thread_id=post.thread_id, page=page if page > 1 else None,
                _anchor=f"post-{post.id}")
    )


def _own_post(post_id: int, *, title_only: bool = False):
    post = or_abort(services.get_post, post_id)
    noindex_if_members_only(post.thread.category)
    or_abort(services.ensure_author, current_user, post, title_only=title_only)
    return post


@bp.route("/posts/<int:post_id>/edit", methods=["GET", "POST"])
@login_required
def edit(post_id: int):
    post = _own_post(post_id, title_only=True)
    thread = post.thread
    form = EditPostForm(obj=post) if request.method == "GET" else EditPostForm()
    removed = post.status == PostStatus.DELETED  # an opening post: only its title can change
    if removed:
        del form.body
    if post.number != 1:
        del form.title  # replies have no title: its validator would refuse every edit
    elif request.method == "GET":
        form.title.data = thread.title
    status = 200
    if request.method == "POST":
        if form.validate_on_submit() and review_or_none(form) is None:
            try:
                services.edit_post(current_user, post, post.body if removed else form.body.data,
                                   form.title.data if post.number == 1 else None)
            except ForumError as exc:
                status = _form_failed(form, exc)
            else:
                if post.status == PostStatus.HELD:
                    flash("Your changes are waiting for a moderator. Only you can see this post"
                          " until then.", "info")
                else:
                    flash("Your changes are saved.", "success")
                return redirect(url_for("threads.permalink", post_id=post.id))
        elif form.errors:
            status = 422
    return render_template("threads/edit.html", form=form, post=post, thread=thread), status


@bp.post("/posts/<int:post_id>/delete")
@login_required
def delete(post_id: int):
    post = _own_post(post_id)
    if AnonymityForm().validate_on_submit():
        services.delete_post(current_user, post)
        flash("Your post is removed. Replies to it stay.", "info")
    return redirect(url_for("threads.show", thread_id=post.thread_id))


@bp.post("/posts/<int:post_id>/anonymity")
@login_required
def anonymity(post_id: int):
    post = _own_post(post_id)
    form = AnonymityForm()
    if form.validate_on_submit():
        hide = form.hide_author.data == "1"
        try:
            services.set_post_anonymity(current_user, post, hide)
        except ForumError as exc:
            flash(str(exc), "error")
        else:
            flash("Your post now shows an anonymous name." if hide
                  else "Your post now shows your username.", "success")
    return redirect(url_for("threads.permalink", post_id=post.id))


@bp.get("/posts/<int:post_id>/revisions")
@login_required
def revisions(post_id: int):
    post = or_abort(services.get_post, post_id)
    readable_thread(post.thread_id)
    # Old versions may hold details the author removed on purpose: only they and moderators
    # see them.
    if post.author_id != current_user.id and not current_user.is_moderator:
        abort(403)
    aliases = AliasBook.for_threads([post.thread_id])
    author = display_author(post, current_user, aliases, post.thread)
    html = QuoteBook.for_posts([post], aliases, current_user).html(post)
    revisions = services.revisions_of(post)
    return render_template(
        "threads/revisions.html", post=post, author=author, html=html,
        revisions=revisions, diffs=revision_diffs(post, revisions),
    )


@bp.get("/users/<username>")
def profile(username: str):
    user = find_user(username)
    if user is None:
        abort(404)
    posts = services.member_posts(user, _page(), current_user)
    return render_template(
        "threads/profile.html", member=user, posts=posts, post_count=posts.total
    )
