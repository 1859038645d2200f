"""Thread and post use cases: who may read and write what, and the writes themselves."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from blinker import Namespace
from flask import current_app
from sqlalchemy import Select, bindparam, case, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from forum.accounts.models import SUSPENDED_INDEFINITELY, User
from forum.assembly import CONTENT, HOME, category_scope, changed, thread_scope
from forum.extensions import attach, columns_of, db, now_utc
from forum.fixed import FixedStatement
from forum.services import ForumError, NotAllowed, NotFound, check_storable
from forum.text import render_markdown
from forum.threads.models import (
    AnonymousPolicy,
    Category,
    Post,
    PostRevision,
    PostStatus,
    Thread,
    Visibility,
)
from forum.threads.paging import NumberedPage, OpenEndedPage

TITLE_MIN, TITLE_MAX = 5, 150
BODY_MAX = 20_000
IDEMPOTENCY_KEY_MAX = 64


class SuspendedError(NotAllowed):
    """The member is suspended or banned and cannot write."""


_signals = Namespace()
# Sent before a new thread or reply is saved, and before an author's edit is.
# Moderation connects here (it may import threads, never the reverse); a receiver
# returning True holds the post for a moderator's approval. Receivers get author,
# body=, first_post=, hide_author= and editing= (the id of the post being edited, or
# None): an edit is judged as if the post were submitted now, without the post itself.
post_submitted = _signals.signal("post-submitted")


# Sent inside the transaction that makes a post visible to readers -- a new thread or reply
# that is not held, or a held one a moderator approves -- just before its commit, with the
# post as sender (its id and number are set). Receivers (notifications) add rows to the
# session and never commit: the post and what it causes are one transaction.
post_published = _signals.signal("post-published")
# Sent when a member reacts to a post (sender: the post; member_id=, kind=), before the
# commit, like post_published: notifications tell the post's author, grouped.
reaction_added = _signals.signal("reaction-added")


def should_hold(
    author: User, body: str, *, first_post: bool, hide_author: bool = False,
    editing: int | None = None,
) -> bool:
    results = post_submitted.send(
        author, body=body, first_post=first_post, hide_author=hide_author, editing=editing
    )
    return any(result for _receiver, result in results)


@dataclass
class PostInput:
    body: str
    hide_author: bool


# --- reading -----------------------------------------------------------------


def can_read_category(viewer, category: Category) -> bool:
    return category.visibility == Visibility.PUBLIC or viewer.is_authenticated


def categories_for(viewer) -> list[Category]:
    """Every category (members-only ones show to guests as a sign-in prompt)."""
    return list(db.session.scalars(select(Category).order_by(Category.position, Category.id)))


def get_category(slug: str) -> Category:
    category = db.session.scalar(select(Category).where(Category.slug == slug))
    if category is None:
        raise NotFound("No such category.")
    return category


def visible_threads_query(viewer) -> Select:
    """Threads the viewer may list: visible, in categories they may read."""
    stmt = (
        select(Thread)
        .join(Thread.category)
        .where(Thread.status == PostStatus.VISIBLE)
        # One query: the category from the join above, the starter from a LEFT JOIN.
        .options(contains_eager(Thread.category), joinedload(Thread.author))
    )
    if not viewer.is_authenticated:
        stmt = stmt.where(Category.visibility == Visibility.PUBLIC)
    return stmt


def recent_threads(viewer, page: int) -> OpenEndedPage:
    stmt = visible_threads_query(viewer).order_by(Thread.last_activity_at.desc(), Thread.id.desc())
    return OpenEndedPage(stmt, page, current_app.config["THREADS_PER_PAGE"])


def category_threads(viewer, category: Category, page: int) -> OpenEndedPage:
    stmt = (
        visible_threads_query(viewer)
        .where(Thread.category_id == category.id)
        .order_by(Thread.pinned.desc(), Thread.last_activity_at.desc(), Thread.id.desc())
    )
    return OpenEndedPage(stmt, page, current_app.config["THREADS_PER_PAGE"])


def can_see_thread(viewer, thread: Thread) -> bool:
    if not can_read_category(viewer, thread.category):
        return False
    if thread.status == PostStatus.VISIBLE or viewer.is_moderator:
        return True
    return (
        thread.status == PostStatus.HELD
        and viewer.is_authenticated
        and viewer.id == thread.author_id
    )


# The starter is shown on every page of the thread, not only where their post is.
THREAD_LOAD = (joinedload(Thread.author),)


def get_thread(thread_id: int) -> Thread:
    thread = db.session.get(Thread, thread_id, options=THREAD_LOAD)
    if thread is None:
        raise NotFound("No such thread.")
    return thread


def add_thread_fact(app, name: str, expression) -> None:
    """A fact about a signed-in viewer and a thread that the thread page needs (whether they
    follow it, whether they wrote anonymously in it), loaded with the thread itself:
    `expression(user_id)` gives a SQL expression correlated with Thread (`user_id` is a
    bound parameter; so are `first` and `last`, the numbers of the page's first and last
    posts)."""
    app.extensions.setdefault("thread_facts", {})[name] = expression
    for member in (False, True):
        app.extensions.pop(f"thread_statement_{member}", None)


def _thread_statement(member: bool) -> tuple[FixedStatement, tuple[str, ...]]:
    """The thread page's statement, read with Core (forum.extensions.attach: the ORM cost
    more than the statement) on the driver's cursor (forum.fixed). Built once per app:
    composing it cost a millisecond."""
    key = f"thread_statement_{member}"
    if key not in current_app.extensions:
        facts = current_app.extensions.get("thread_facts", {}) if member else {}
        viewer_id = bindparam("viewer_id")
        stmt = (
            select(*columns_of(Thread), *columns_of(Category, "category__"),
                   *(expr(viewer_id).label(name) for name, expr in facts.items()))
            .join(Category, Category.id == Thread.category_id)
            .where(Thread.id == bindparam("thread_id"))
        )
        given = ("thread_id", "viewer_id", "first", "last")
        current_app.extensions[key] = (FixedStatement(stmt, given), tuple(facts))
    return current_app.extensions[key]


def get_thread_for(viewer, thread_id: int, page: int = 1) -> tuple[Thread, dict]:
    """The thread and the registered facts about this viewer and it (on this page of it),
    in one statement; a guest gets no facts. Unlike get_thread, the starter is not loaded:
    the thread page never reads it (its posts come from the posts block)."""
    stmt, facts = _thread_statement(viewer.is_authenticated)
    per_page = current_app.config["POSTS_PER_PAGE"]
    params = {"thread_id": thread_id, "viewer_id": viewer.id if viewer.is_authenticated else 0,
              "first": (page - 1) * per_page + 1, "last": page * per_page}
    values = stmt.first(db.session.connection(), params)
    if values is None:
        raise NotFound("No such thread.")
    thread = attach(Thread, values)
    if "category" not in thread.__dict__:
        set_committed_value(thread, "category", attach(Category, values, "category__"))
    return thread, {name: values[name] for name in facts}


@cache
def _posts_statement() -> Select:
    """A page of a thread's posts by number (built once: composing it cost more than
    running it)."""
    return (
        select(Post)
        .where(Post.thread_id == bindparam("thread_id"),
               Post.number.between(bindparam("first"), bindparam("last")))
        .order_by(Post.number)
        .options(joinedload(Post.author))
    )


def thread_posts(thread: Thread, page: int) -> NumberedPage:
    per_page = current_app.config["POSTS_PER_PAGE"]
    return NumberedPage(_posts_statement(), {"thread_id": thread.id}, thread.post_count, page,
                        per_page)


def get_post(post_id: int) -> Post:
    post = db.session.get(
        Post, post_id, options=[selectinload(Post.thread), selectinload(Post.author)]
    )
    if post is None:
        raise NotFound("No such post.")
    return post


def opening_post(thread: Thread) -> Post:
    return db.session.scalar(select(Post).where(Post.thread_id == thread.id, Post.number == 1))


def can_see_post(viewer, post: Post) -> bool:
    """Whether the viewer may see this post's text (not just a placeholder)."""
    if not can_see_thread(viewer, post.thread):
        return False
    if post.status == PostStatus.VISIBLE or viewer.is_moderator:
        return True
    return (
        post.status in (PostStatus.HELD, PostStatus.FLAG_HIDDEN)
        and viewer.is_authenticated
        and viewer.id == post.author_id
    )


def page_of(post: Post) -> int:
    return (post.number - 1) // current_app.config["POSTS_PER_PAGE"] + 1


def member_posts(user: User, page: int, viewer):
    """A member's named posts that `viewer` may read; anonymous ones never appear on a
    profile. The page's `total` is the profile's post count, so the count never
    includes a post the list would not show this viewer (members-only, hidden)."""
    stmt = (
        select(Post)
        .join(Post.thread)
        .join(Thread.category)
        .where(
            Post.author_id == user.id,
            Post.hide_author.is_(False),
            Post.status == PostStatus.VISIBLE,
            Thread.status == PostStatus.VISIBLE,
        )
        .options(selectinload(Post.thread))
        .order_by(Post.created_at.desc(), Post.id.desc())
    )
    if not viewer.is_authenticated:
        stmt = stmt.where(Category.visibility == Visibility.PUBLIC)
    return db.paginate(stmt, page=page, per_page=current_app.config["THREADS_PER_PAGE"])


def revisions_of(post: Post) -> list[PostRevision]:
    return list(
        db.session.scalars(
            select(PostRevision)
            .where(PostRevision.post_id == post.id)
            .order_by(PostRevision.id.desc())
        )
    )


# --- writing -----------------------------------------------------------------


def ensure_can_write(user: User) -> None:
    """Suspended and banned members read but do not write, anonymously or not."""
    if user.is_banned:
        raise SuspendedError("This account is banned.")
    if user.is_suspended:
        until = (
            "a moderator lifts it"
            if user.suspended_until >= SUSPENDED_INDEFINITELY
            else user.suspended_until.strftime("%B %-d, %Y at %H:%M UTC")
        )
        reason = f" Reason: {user.suspension_reason}" if user.suspension_reason else ""
        raise SuspendedError(f"Your account is suspended until {until}.{reason}")


def resolve_anonymity(category: Category, requested: bool) -> bool:
    """Apply the category's anonymity policy to the member's choice."""
    if category.anonymous_policy == AnonymousPolicy.REQUIRE:
        return True
    if category.anonymous_policy == AnonymousPolicy.FORBID:
        if requested:
            raise ForumError("Anonymous posting isn't available in this category.")
        return False
    return requested


def clean_title(title: str) -> str:
    """Whitespace-normalised title: runs of spaces and line breaks become one space."""
    title = " ".join(check_storable(title or "").split())
    if not TITLE_MIN <= len(title) <= TITLE_MAX:
        raise ForumError(f"Titles need {TITLE_MIN}-{TITLE_MAX} characters.")
    return title


def check_body(body: str) -> str:
    if not (body or "").strip():
        raise ForumError("Please write something first.")
    if len(body) > BODY_MAX:
        raise ForumError(f"Posts can be up to {BODY_MAX:,} characters; this one has {len(body):,}.")
    return check_storable(body)


def check_idempotency_key(key: str | None) -> str | None:
    """The form's one-time token, or None; never longer than its column."""
    if key is not None and not (1 <= len(key) <= IDEMPOTENCY_KEY_MAX):
        raise ForumError("This form is out of date. Please reload the page and send it again.")
    return key


def _existing_by_key(author: User, key: str | None) -> Post | None:
    if not key:
        return None
    return db.session.scalar(
        select(Post).where(Post.author_id == author.id, Post.idempotency_key == key)
    )


def create_thread(
    author: User,
    category: Category,
    title: str,
    body: str,
    *,
    hide_author: bool,
    idempotency_key: str | None = None,
) -> Thread:
    """Start a thread with its first post, in one transaction."""
    ensure_can_write(author)
    if not can_read_category(author, category):
        raise NotAllowed("You can't post in this category.")
    title, body = clean_title(title), check_body(body)
    idempotency_key = check_idempotency_key(idempotency_key)
    hide_author = resolve_anonymity(category, hide_author)
    if (existing := _existing_by_key(author, idempotency_key)) is not None:
        return get_thread(existing.thread_id)
    html = str(render_markdown(body))  # before the first write: write locks last until commit
    now = now_utc()
    held = should_hold(author, body, first_post=True, hide_author=hide_author)
    status = PostStatus.HELD if held else PostStatus.VISIBLE
    thread = Thread(
        category_id=category.id,
        author_id=author.id,
        hide_author=hide_author,
        title=title,
        created_at=now,
        last_activity_at=now,
        post_count=1,
        status=status,
    )
    db.session.add(thread)
    try:
        db.session.flush()
        post = _new_post(thread.id, 1, author, body, html, hide_author, now, idempotency_key)
        post.status = status
        db.session.add(post)
        db.session.execute(
            update(Category)
            .where(Category.id == category.id)
            .values(thread_count=Category.thread_count + 1)
        )
        _touched(thread, listed=True)
        if status == PostStatus.VISIBLE:
            db.session.flush()  # receivers need the post's id
            post_published.send(post)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        if (existing := _existing_by_key(author, idempotency_key)) is not None:
            return get_thread(existing.thread_id)
        raise
    return thread


def _touched(thread: Thread, *, listed: bool = False) -> None:
    """What kept blocks this transaction changes (forum.assembly): the thread's page, search,
    and with `listed` the lists it appears in. Writes that declare nothing clear everything
    (an opening post removed or retitled is on other threads' pages too)."""
    scopes = [thread_scope(thread.id), CONTENT]
    if listed:
        scopes += [HOME, category_scope(thread.category_id)]
    changed(*scopes)


def _new_post(thread_id, number, author, body, html, hide_author, now, key) -> Post:
    return Post(
        thread_id=thread_id,
        number=number,
        author_id=author.id,
        hide_author=hide_author,
        body=body,
        body_html=html,
        created_at=now,
        idempotency_key=key,
    )


def can_reply(user, thread: Thread) -> bool:
    return (
        user.is_authenticated
        and thread.status == PostStatus.VISIBLE
        and (not thread.locked or user.is_moderator)
        and can_read_category(user, thread.category)
    )


def create_reply(
    author: User,
    thread: Thread,
    body: str,
    *,
    hide_author: bool,
    idempotency_key: str | None = None,
) -> Post:
    """Add a reply; the post number and counters come from one SQL update."""
    ensure_can_write(author)
    if not can_reply(author, thread):
        raise NotAllowed("This thread is closed to new replies.")
    body = check_body(body)
    idempotency_key = check_idempotency_key(idempotency_key)
    hide_author = resolve_anonymity(thread.category, hide_author)
    if (existing := _existing_by_key(author, idempotency_key)) is not None:
        return existing
    html = str(render_markdown(body))  # before the first write: write locks last until commit
    now = now_utc()
    held = should_hold(author, body, first_post=False, hide_author=hide_author)
    status = PostStatus.HELD if held else PostStatus.VISIBLE
    try:
        number = db.session.execute(
            update(Thread)
            .where(Thread.id == thread.id)
            # A held reply takes its number now but bumps the thread only when approved;
            # never backwards: a reply that read the clock earlier may commit after a later one.
            .values(post_count=Thread.post_count + 1,
                    **({"last_activity_at": case((Thread.last_activity_at > now,
                                                  Thread.last_activity_at), else_=now)}
                       if status == PostStatus.VISIBLE else {}))
            .returning(Thread.post_count)
        ).scalar_one()
        post = _new_post(thread.id, number, author, body, html, hide_author, now, idempotency_key)
        post.status = status
        db.session.add(post)
        _touched(thread, listed=True)
        if status == PostStatus.VISIBLE:
            db.session.flush()  # receivers need the post's id
            post_published.send(post)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        if (existing := _existing_by_key(author, idempotency_key)) is not None:
            return existing
        raise
    return post


def ensure_author(user, post: Post, *, title_only: bool = False) -> None:
    """The user wrote this post and it is not deleted; with `title_only`, a deleted
    opening post is allowed too (its author may still edit the thread's title)."""
    if not user.is_authenticated or post.author_id != user.id:
        raise NotAllowed("Only the author can change this post.")
    if post.status == PostStatus.DELETED and not (title_only and post.number == 1):
        raise NotAllowed("This post was removed.")


def edit_post(
    editor: User, post: Post, body: str, title: str | None = None, *, by_moderator: bool = False
) -> Post:
    """Save a new text, keeping the old one as a revision.

    An author's edit of a visible post goes through the approval rules as a new
    post would (should_hold): held, it waits for a moderator again, so an account
    the rules still hold can't post "Hello" and then edit a link in.
    """
    if not by_moderator:
        ensure_author(editor, post, title_only=True)
        ensure_can_write(editor)
        if post.status == PostStatus.DELETED:  # a removed opening post: its title only
            body = post.body
    body = check_body(body)
    thread = post.thread
    new_title = clean_title(title) if (title is not None and post.number == 1) else None
    if body == post.body and (new_title is None or new_title == thread.title):
        return post
    hold = (
        not by_moderator
        and post.status == PostStatus.VISIBLE
        and should_hold(editor, body, first_post=post.number == 1, editing=post.id)
    )
    db.session.add(
        PostRevision(
            post_id=post.id,
            editor_id=editor.id,
            by_moderator=by_moderator,
            title=thread.title if post.number == 1 else None,
            body=post.body,
        )
    )
    post.body = body
    post.body_html = str(render_markdown(body))
    post.edited_at = now_utc()
    if hold:
        post.status = PostStatus.HELD
    if new_title is not None:
        thread.title = new_title
    if post.number != 1:
        _touched(thread)
    db.session.commit()
    return post


def delete_post(user: User, post: Post) -> None:
    """Soft delete: the post shows as removed and replies stay."""
    ensure_author(user, post)
    post.status = PostStatus.DELETED
    if post.number != 1:
        _touched(post.thread)
    db.session.commit()


def set_post_anonymity(user: User, post: Post, hide_author: bool) -> None:
    """Switch a post between named and anonymous; everything renders from this flag."""
    ensure_author(user, post)
    ensure_can_write(user)
    thread = post.thread
    hide_author = resolve_anonymity(thread.category, hide_author)
    post.hide_author = hide_author
    if post.number == 1:
        thread.hide_author = hide_author
    _touched(thread, listed=post.number == 1)
    db.session.commit()


# --- categories (admin) ----------------------------------------------------------


def save_category(category: Category | None, **fields) -> Category:
    for value in fields.values():
        if isinstance(value, str):
            check_storable(value)  # before anything is added to the session
    if category is None:
        position = db.session.scalar(select(func.coalesce(func.max(Category.position), 0))) + 1
        category = Category(position=position)
        db.session.add(category)
    for name, value in fields.items():
        setattr(category, name, value)
    try:
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise ForumError("Another category already uses that slug.") from exc
    return category


def move_category(category: Category, offset: int) -> None:
    """Swap a category with its neighbour above (-1) or below (+1)."""
    ordered = categories_for(None)
    index = next(i for i, c in enumerate(ordered) if c.id == category.id)
    other = index + offset
    if 0 <= other < len(ordered):
        ordered[index], ordered[other] = ordered[other], ordered[index]
        for position, item in enumerate(ordered, start=1):
            item.position = position
        db.session.commit()
