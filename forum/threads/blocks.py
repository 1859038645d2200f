"""The blocks of thread pages and thread lists, declared for forum.assembly.

Each `load` computes, for the viewer at hand, only what is the same for
everyone in the block's audience (forum.assembly.blocks.audience); what is
an author's own is theirs because the block names its authors.
"""

from __future__ import annotations

from flask_login import current_user

from forum.assembly import HOME, Block, Loaded, Share, category_scope, thread_scope
from forum.threads import services
from forum.threads.authors import AliasBook
from forum.threads.models import Category, Thread
from forum.threads.views import post_views, thread_rows


def posts_block(thread: Thread, page: int, can_reply: bool) -> Block:
    """A page of a thread's posts."""

    def load() -> Loaded:
        posts = services.thread_posts(thread, page)
        aliases = AliasBook.for_threads([thread.id])
        # The viewer once, not through flask-login's proxy for each post (about 5% of the
        # function calls of an uncached thread page: 18,400 -> 17,400).
        items = post_views(posts.items, thread, current_user._get_current_object(), aliases)
        return Loaded(
            {"thread": thread, "posts": posts, "items": items, "can_reply": can_reply},
            authors=[thread.author_id, *(p.author_id for p in posts.items)],
        )

    return Block("threads/_posts.html", ("posts", thread.id, page, can_reply), load,
                 scopes=(thread_scope(thread.id),))


def reply_box_block(thread: Thread, default, build_form) -> Block:
    """The reply box of a plain thread page: the same for every member who starts with the
    same anonymity choice (`default`, forum.threads.composer.reply_default), so kept; the
    CSRF and one-time tokens come through slots. `build_form()` runs only when it is
    rendered. (A box holding a draft is the member's own: the view renders it instead.)"""
    policy = thread.category.anonymous_policy

    def load() -> Loaded:
        form = build_form()
        return Loaded({"thread": thread, "form": form, "kept": True,
                       "own_alias": form.own_alias})

    return Block("threads/_reply_box.html", ("reply_box", thread.id, str(policy), str(default)),
                 load, scopes=(thread_scope(thread.id),), share=Share.EVERYONE)


def _list(key: tuple, scopes: tuple[str, ...], threads, endpoint: str, **options) -> Block:
    """A page of a thread list with its pager; `threads()` runs only on a miss."""
    settings = {"pager_args": {}, "show_category": True, "empty": "No threads yet.", **options}

    def load() -> Loaded:
        found = threads()
        viewer = current_user._get_current_object()  # once, not through the proxy per row
        context = {"threads": found, "rows": thread_rows(found.items, viewer),
                   "endpoint": endpoint, **settings}
        return Loaded(context, authors=[t.author_id for t in found.items])

    return Block("threads/_thread_list.html", key, load, scopes=scopes)


def recent_block(page: int) -> Block:
    return _list(("recent", page), (HOME,),
                 lambda: services.recent_threads(current_user, page), "threads.index")


def category_block(category: Category, page: int) -> Block:
    return _list(
        ("category", category.id, page), (category_scope(category.id),),
        lambda: services.category_threads(current_user, category, page), "threads.category",
        pager_args={"slug": category.slug}, show_category=False,
        empty="No threads here yet. You could start the first one.",
    )


def categories_block() -> Block:
    """The list of categories beside the front page's threads."""
    return Block(
        "threads/_category_list.html", ("categories",),
        lambda: Loaded({"categories": services.categories_for(current_user)}), scopes=(HOME,),
    )
