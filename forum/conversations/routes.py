"""Conversation pages for members: list, start, read, reply, reveal, block, report."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from forum.accounts.services import find_user
from forum.conversations import bp, safety, services, views
from forum.conversations.forms import MessageForm, ReportForm, StartForm
from forum.extensions import limiter
from forum.forms import form_status
from forum.params import MAX_ID, int_arg
from forum.services import NotFound
from forum.threads.authors import AliasBook, display_author
from forum.threads.services import can_see_post, get_post


def _start_key() -> str:
    return f"conversation-start:{current_user.id}"  # per account, whatever the session


def _start_limit() -> str:
    return current_app.config["RATELIMIT_CONVERSATION_START"]


def _started(response) -> bool:
    return response.status_code == 302


def target_post_id() -> int | None:
    """?post= from the query string or the form, inside what a primary key can be."""
    value = int_arg("post") or request.form.get("post", type=int)
    return value if value is not None and 0 < value <= MAX_ID else None


def _conversation(conversation_id: int):
    try:
        return services.get_conversation(conversation_id, current_user)
    except NotFound:
        abort(404)


def _aliases(conversations) -> AliasBook:
    return AliasBook.for_threads(c.thread_id for c in conversations if c.thread_id)


@bp.get("")
@login_required
def index():
    page = int_arg("page", 1)
    rows, more = services.conversations_for(current_user, page)
    aliases = _aliases(c for c, _ in rows)
    last = services.last_messages([c.id for c, _ in rows])
    items = [{"conversation": c, "title": views.title(c, current_user, aliases),
              "unread": c.last_message_at > read, "last": last.get(c.id)} for c, read in rows]
    return render_template("conversations/index.html", items=items, page=page, more=more)


def _target():
    """(post or None, recipient user or None, label shown) from ?post= or ?to= (the
    query string, or the form's hidden fields)."""
    post_id = target_post_id()
    username = request.values.get("to", "")
    if post_id:
        try:
            post = get_post(post_id)
        except NotFound:
            abort(404)
        if not can_see_post(current_user, post) or post.author_id == current_user.id:
            abort(404)
        label = display_author(post, current_user, AliasBook.for_posts([post])).label
        return post, None, label
    user = find_user(username) if username else None
    if user is None or user.id == current_user.id:
        abort(404)
    return None, user, user.username


@bp.route("/new", methods=["GET", "POST"])
@login_required
@limiter.limit(_start_limit, key_func=_start_key, methods=["POST"], deduct_when=_started)
def new():
    post, recipient, label = _target()
    form = StartForm()
    own_alias = None
    if post is not None and services.has_posted_in(current_user, post.thread_id):
        own_alias = AliasBook.for_threads([post.thread_id]).alias(post.thread_id, current_user.id)
    created = []
    status = form_status(form, lambda: created.append(services.start_conversation(
        current_user, form.body.data, recipient=recipient, post=post,
        as_alias=bool(form.as_alias.data and own_alias))), refused=422)
    if status is None:
        flash("Sent.", "success")
        return redirect(url_for("conversations.show", conversation_id=created[0].id))
    return render_template("conversations/new.html", form=form, label=label, post=post,
                           own_alias=own_alias, waiting=services.may_start(current_user)), status


@bp.get("/<int:conversation_id>")
@login_required
def show(conversation_id: int):
    conversation = _conversation(conversation_id)
    aliases = _aliases([conversation])
    mine = views.own_participant(conversation, current_user)
    messages = views.message_views(conversation, services.messages_of(conversation),
                                   current_user, aliases)
    if mine is not None and mine.last_read_at < conversation.last_message_at:
        services.mark_read(conversation, current_user)
        current_user.unread_conversations = max(
            (getattr(current_user, "unread_conversations", 1) or 1) - 1, 0)
    me = views.party(mine, conversation, aliases) if mine is not None else None
    return render_template(
        "conversations/show.html", conversation=conversation, messages=messages, mine=mine,
        me=me, parties=views.others(conversation, current_user, aliases),
        title=views.title(conversation, current_user, aliases), form=MessageForm())


@bp.post("/<int:conversation_id>/reply")
@login_required
def reply(conversation_id: int):
    conversation = _conversation(conversation_id)
    form = MessageForm()
    status = form_status(form, lambda: services.reply(current_user, conversation, form.body.data))
    if status is None:
        return redirect(url_for("conversations.show", conversation_id=conversation.id,
                                _anchor="latest"))
    for error in form.form_errors or form.body.errors:
        flash(error, "error")
    return redirect(url_for("conversations.show", conversation_id=conversation.id,
                            _anchor="reply"))


@bp.post("/<int:conversation_id>/reveal")
@login_required
def reveal(conversation_id: int):
    conversation = _conversation(conversation_id)
    if views.own_participant(conversation, current_user) is None:
        abort(404)
    services.reveal(current_user, conversation)
    flash("Your username is now shown in this conversation.", "success")
    return redirect(url_for("conversations.show", conversation_id=conversation.id))


@bp.post("/<int:conversation_id>/block")
@login_required
def block(conversation_id: int):
    conversation = _conversation(conversation_id)
    try:
        safety.block_others(current_user, conversation)
    except NotFound:
        abort(404)
    flash(safety.BLOCKED, "success")
    return redirect(url_for("conversations.show", conversation_id=conversation.id))


@bp.route("/<int:conversation_id>/messages/<int:message_id>/report", methods=["GET", "POST"])
@login_required
def report(conversation_id: int, message_id: int):
    conversation = _conversation(conversation_id)
    try:
        message = safety.reportable(current_user, conversation, message_id)
    except NotFound:
        abort(404)
    form = ReportForm()
    status = form_status(form, lambda: safety.report_message(
        current_user, conversation, message, form.reason.data or ""))
    if status is None:
        flash("Thank you. Moderators will read this message (only this one).", "success")
        return redirect(url_for("conversations.show", conversation_id=conversation.id))
    aliases = _aliases([conversation])
    shown = views.message_views(conversation, [message], current_user, aliases)[0]
    return render_template("conversations/report.html", form=form, item=shown,
                           conversation=conversation), status
