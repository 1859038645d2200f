"""Markdown to safe HTML: the only module that imports bleach.

Three layers keep script out of pages: markdown-it renders with raw HTML off,
bleach keeps an allowlist of tags, attributes and URL schemes, and the
Content-Security-Policy forbids inline script.

A quote is a reference, not a copy: the line `[quote=post:123]` stores an
empty `<aside data-quote="123"></aside>` placeholder, and whoever shows the
post fills it (forum.threads.quotes) with the quoted post's author and words
as they are at that moment.

`@username` links to the member's profile (`_mention`); forum.notifications reads
the same tokens (`mentioned_usernames`) to tell the members named.
"""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Callable

import bleach
from markdown_it import MarkdownIt
from markupsafe import Markup

ALLOWED_TAGS = frozenset({
    "p", "br", "strong", "em", "a", "ul", "ol", "li", "blockquote", "code", "pre", "h3", "h4",
    "hr", "aside",  # asides: quote placeholders only (_quote_attribute)
})
MAX_POST_ID_DIGITS = 12


def _quote_attribute(tag: str, name: str, value: str) -> bool:
    """An aside keeps one thing: a post id (only the quote rule below writes asides)."""
    return name == "data-quote" and value.isascii() and value.isdigit() and (
        len(value) <= MAX_POST_ID_DIGITS
    )


ALLOWED_ATTRIBUTES = {"a": ["href", "title", "rel"], "aside": _quote_attribute}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow ugc noopener"

QUOTE_LINE = re.compile(rf"\[quote=post:([0-9]{{1,{MAX_POST_ID_DIGITS}}})\]")


def _quote_block(state, start: int, end: int, silent: bool) -> bool:
    """`[quote=post:123]` alone on a line, outside lists, quotes and code: a quote reference.

    Only top-level lines count, so a reference is never nested in another
    quote; it also ends a paragraph it directly follows.
    """
    if state.level != 0 or state.sCount[start] - state.blkIndent >= 4:
        return False
    line = state.src[state.bMarks[start] + state.tShift[start] : state.eMarks[start]]
    match = QUOTE_LINE.fullmatch(line.strip())
    if match is None:
        return False
    if not silent:
        token = state.push("quote_ref", "aside", 0)
        token.meta = {"post_id": int(match.group(1))}
        token.map = [start, start + 1]
        state.line = start + 1
    return True


def _render_quote(self, tokens, idx, options, env) -> str:
    return f'<aside data-quote="{tokens[idx].meta["post_id"]}"></aside>\n'


def add_quote_rule(md: MarkdownIt) -> MarkdownIt:
    """Teach a parser quote references (every parser render_markdown uses needs it)."""
    md.block.ruler.before("paragraph", "quote_ref", _quote_block, {"alt": ["paragraph"]})
    md.add_render_rule("quote_ref", _render_quote)
    return md

# A mention: "@" and a username (forum.accounts: 3-30 letters, digits, ".", "-", "_"),
# not inside a word or an address ("me@example.org"); a trailing "." or "-" ends the
# sentence, not the name.
_MENTION_NAME = re.compile(r"[A-Za-z0-9_.-]{3,30}")
_NOT_BEFORE_MENTION = frozenset("_.-@/+")
PROFILE_PATH = "/users/"  # forum.threads.routes.profile (tests check they agree)


def _mention(state, silent: bool) -> bool:
    pos = state.pos
    if state.src[pos] != "@" or state.linkLevel > 0:
        return False
    before = state.src[pos - 1] if pos > 0 else " "
    if before.isalnum() or before in _NOT_BEFORE_MENTION:
        return False
    match = _MENTION_NAME.match(state.src, pos + 1)
    name = match.group(0).rstrip(".-") if match else ""
    if len(name) < 3:
        return False
    if not silent:
        token = state.push("mention", "a", 0)
        token.meta = {"name": name}
    state.pos = pos + 1 + len(name)
    return True


def _render_mention(self, tokens, idx, options, env) -> str:
    name = html.escape(tokens[idx].meta["name"])
    return f'<a href="{PROFILE_PATH}{name}">@{name}</a>'


def add_mention_rule(md: MarkdownIt) -> MarkdownIt:
    md.inline.ruler.before("emphasis", "mention", _mention)
    md.add_render_rule("mention", _render_mention)
    return md


def _set_rel(attrs: dict, new: bool = False) -> dict:
    """Mark every link as user content the site does not vouch for."""
    attrs[(None, "rel")] = LINK_REL
    return attrs


class _Renderers(threading.local):
    """One parser, cleaner and linker per thread.

    bleach documents that neither Cleaner nor Linker is thread-safe: shared
    between request threads, they mixed one post's HTML into another's. Each
    is built once per thread (a Cleaner costs about a millisecond to make).
    """

    def __init__(self) -> None:
        self.md = MarkdownIt("commonmark", {"html": False, "breaks": True, "linkify": False})
        self.md.disable("image")  # no remote images: they would leak readers' addresses
        add_quote_rule(self.md)
        add_mention_rule(self.md)
        self.cleaner = bleach.Cleaner(
            tags=ALLOWED_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            protocols=ALLOWED_PROTOCOLS,
            strip=True,
            strip_comments=True,
        )
        self.linker = bleach.Linker(callbacks=[_set_rel], parse_email=False)


_renderers = _Renderers()


def sanitise(rendered_html: str) -> str:
    """The allowlist and link marking applied to HTML (this thread's cleaner and linker)."""
    return _renderers.linker.linkify(_renderers.cleaner.clean(rendered_html))


def render_markdown(source: str) -> Markup:
    """Render member Markdown to sanitised HTML, stored once on save."""
    md = _renderers.md
    tokens = md.parse(source)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = "h3" if token.tag in ("h1", "h2", "h3") else "h4"
    return Markup(sanitise(md.renderer.render(tokens, md.options, {})))


def mentioned_usernames(source: str) -> list[str]:
    """The usernames a post's Markdown mentions, in order, each once (never in code)."""
    found: dict[str, None] = {}
    for token in _renderers.md.parse(source):
        for child in token.children or ():
            if child.type == "mention":
                found.setdefault(child.meta["name"], None)
    return list(found)


_TAG = re.compile(r"<[^>]*>")


def plain_text(rendered_html: str, limit: int | None = None) -> str:
    """Visible text of stored HTML, for excerpts, emails and feeds."""
    # split() breaks at the same whitespace as a regex \s (str.isspace) and drops it
    # at both ends; it is three times faster than re.sub over every single space.
    text = " ".join(html.unescape(_TAG.sub(" ", rendered_html)).split())
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rsplit(" ", 1)[0] + "…"
    return text


def quote_markdown(author_label: str, source: str) -> str:
    """The text quotes were before they were references: "<author> wrote:" and a
    blockquote. Nothing writes it any more; posts from then keep it (see
    forum.mydata, which still unnames such headers when an account goes)."""
    quoted = "\n".join("> " + line for line in source.strip().splitlines())
    return f"{author_label} wrote:\n{quoted}\n\n"


def quote_reference(post_id: int) -> str:
    """The Markdown a reply box gets for "Quote": a reference to the post, never its
    author's name or words (they are filled in whenever the reply is shown)."""
    return f"[quote=post:{int(post_id)}]\n\n"


# Exactly what render_markdown stores for a reference (bleach and linkify keep it as is).
_PLACEHOLDER = re.compile(r'<aside data-quote="([0-9]+)"></aside>\n?')


def quote_ids(rendered_html: str) -> list[int]:
    """The posts that stored HTML quotes, in order."""
    return [int(found) for found in _PLACEHOLDER.findall(rendered_html)]


def fill_quotes(rendered_html: str, quote: Callable[[int], str]) -> Markup:
    """Stored HTML with each quote placeholder replaced by `quote(post_id)`, which
    must return safe HTML."""
    if "<aside" not in rendered_html:  # most posts: no regex pass
        return Markup(rendered_html)
    return Markup(_PLACEHOLDER.sub(lambda m: str(quote(int(m.group(1)))), rendered_html))
