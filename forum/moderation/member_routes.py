"""Member-facing moderation pages: flag a post, acknowledge a private notice, page banners."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.exc import SQLAlchemyError

from forum.accounts.forms import EmptyForm
from forum.extensions import db, limiter
from forum.forms import form_status
from forum.moderation import flags_bp, services
from forum.moderation.forms import FlagForm
from forum.moderation.models import FLAG_REASONS, MemberNotice
from forum.security import safe_next
from forum.services import NotFound
from forum.threads.authors import AliasBook, display_author
from forum.threads.services import can_see_post, get_post


def _user_key() -> str:
    return f"flag:{current_user.get_id()}"


def _flag_limit() -> str:
    return current_app.config["RATELIMIT_FLAG"]


@flags_bp.route("/posts/<int:post_id>/flag", methods=["GET", "POST"])
@login_required
@limiter.limit(_flag_limit, key_func=_user_key, methods=["POST"])
def new(post_id: int):
    try:
        post = get_post(post_id)
    except NotFound:
        abort(404)
    if not can_see_post(current_user, post):
        abort(404)
    if post.author_id == current_user.id:
        abort(403)  # nobody flags their own post: no form that can only fail
    form = FlagForm()
    status = form_status(
        form, lambda: services.flag_post(current_user, post, form.reason.data, form.note.data or "")
    )
    if status is None:
        flash(
            "Thank you. Moderators will look at this post. Its author won't know who flagged it.",
            "success",
        )
        return redirect(url_for("threads.permalink", post_id=post.id))
    aliases = AliasBook.for_threads([post.thread_id])
    author = display_author(post, current_user, aliases, post.thread)
    return render_template(
        "moderation/flag.html",
        form=form,
        post=post,
        author=author,
        excerpt=services.excerpt(post),
        reasons=FLAG_REASONS,
    ), status


@flags_bp.post("/notices/<int:notice_id>/acknowledge")
@login_required
def acknowledge(notice_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        services.acknowledge_notice(current_user, notice_id)
    except NotFound:
        abort(404)
    return redirect(safe_next(request.form.get("next"), url_for("threads.index")))


# --- banners on every page: private notices, suspension, the queue count ------------------


@dataclass
class Banner:
    notices: list[MemberNotice] = field(default_factory=list)
    flagged: int = 0
    held: int = 0
    resources_url: str = "/guidelines#section-10"

    @property
    def queue_count(self) -> int:
        return self.flagged + self.held


def resources_url() -> str:
    """The resource library if this build has one, else the guidelines' crisis section."""
    if "moderation.resources_url" not in current_app.extensions:
        library = next(
            (
                r.rule
                for r in current_app.url_map.iter_rules()
                if r.rule in ("/resources", "/resources/")
            ),
            None,
        )
        current_app.extensions["moderation.resources_url"] = library or url_for(
            "pages.guidelines", _anchor="section-10"
        )
    return current_app.extensions["moderation.resources_url"]


@flags_bp.app_template_global()
def moderation_banner() -> Banner:
    """What the page header shows this member; loaded once per request (two queries at most)."""
    if "moderation_banner" in g:
        return g.moderation_banner
    banner = Banner(resources_url=resources_url())
    if current_user.is_authenticated:
        try:
            if current_user.has_open_notices:  # known from the sign-in query (accounts)
                banner.notices = services.open_notices(current_user)
            if current_user.is_moderator:
                banner.flagged, banner.held = services.open_item_counts()
        except SQLAlchemyError:  # an error page must still render when the database is down
            db.session.rollback()
    g.moderation_banner = banner
    return banner
