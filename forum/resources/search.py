"""Full-text search: one service interface, a SQLite FTS5 and a PostgreSQL backend.

Whatever a visitor types is first parsed here into plain word tokens, quoted
phrases and OR groups; only that structure is turned into the database's query
syntax, so quotes, NEAR(, *, column filters, SQL or NUL bytes are just text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from flask import current_app
from markupsafe import Markup, escape
from sqlalchemy import (
    ColumnElement,
    Float,
    FromClause,
    Integer,
    Select,
    String,
    bindparam,
    column,
    exists,
    func,
    literal_column,
    select,
    table,
    text,
    true,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import joinedload

from forum.extensions import db
from forum.resources.models import Tag, ThreadTag
from forum.text import plain_text
from forum.threads.authors import AliasBook, AuthorView, display_author
from forum.threads.models import Category, Post, PostStatus, Thread, Visibility
from forum.threads.titles import display_title

MAX_QUERY_CHARS = 500
MAX_TERMS = 16
MAX_TOKEN_CHARS = 40
PER_PAGE = 20
MAX_RESULTS = 1000  # ranked and listed at most: the newest this many matches
SLUG = re.compile(r"^[a-z0-9-]{1,60}$")

_WORD = re.compile(r"[^\W_]+")
_CHUNK = re.compile(r'"([^"]*)"?|(\S+)')
# Common English words carry no meaning for matching; PostgreSQL drops them too.
STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself
    yourselves s t don im ive id""".split()
)


@dataclass
class ParsedQuery:
    """Groups joined by AND; each group is alternatives joined by OR; each is a phrase."""

    groups: list[list[tuple[str, ...]]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.groups)

    @property
    def words(self) -> list[str]:
        return [token for group in self.groups for phrase in group for token in phrase]


def _tokens(chunk: str) -> tuple[str, ...]:
    return tuple(t.casefold() for t in _WORD.findall(chunk) if len(t) <= MAX_TOKEN_CHARS)


def parse_query(raw: str | None) -> ParsedQuery:
    """Words, "quoted phrases" and `a OR b`; everything else is ignored."""
    raw = (raw or "")[:MAX_QUERY_CHARS]
    groups: list[list[tuple[str, ...]]] = []
    pending_or = False
    for match in _CHUNK.finditer(raw):
        quoted, bare = match.group(1), match.group(2)
        if bare is not None and bare.casefold() == "or":
            pending_or = bool(groups)
            continue
        phrase = _tokens(quoted if quoted is not None else bare)
        if bare is not None and len(phrase) == 1 and phrase[0] in STOPWORDS:
            continue
        if not phrase:
            continue
        if pending_or:
            groups[-1].append(phrase)
        else:
            groups.append([phrase])
        pending_or = False
        if len(groups) >= MAX_TERMS:
            break
    return ParsedQuery(groups)


def any_of(words: list[str]) -> ParsedQuery:
    """One OR group of single words: for "stories like this" similarity."""
    seen = list(dict.fromkeys(w for w in words if w))
    return ParsedQuery([[(w,) for w in seen[:MAX_TERMS]]] if seen else [])


# --- highlighting --------------------------------------------------------------

_SUFFIXES = ("ings", "ing", "ies", "ied", "es", "ed", "s", "ly")


def _stem(token: str) -> str:
    for suffix in _SUFFIXES:
        if token.endswith(suffix) and len(token) - len(suffix) >= 3:
            return token[: -len(suffix)]
    return token


class Highlighter:
    """Marks one query's words in texts: built once per search, used for every result.

    A word hits when, case-folded, it is a short query word (maybe plural) or
    starts with a longer one's stem. Texts whose letters and digits are all
    ASCII (most posts; punctuation and emoji do not count) are searched with
    one compiled pattern, in C; any other text goes word by word in Python,
    where case-folding has no ASCII shortcut ("Straße" folds to "strasse").
    """

    def __init__(self, words: list[str]):
        words = [w for w in words if w not in STOPWORDS]
        self._exact = {w for w in words if len(w) < 4}  # no prefix matching ("to" is not "told")
        self._stems = tuple({_stem(w) for w in words if len(w) >= 4})
        pattern = _hit_pattern(self._exact, self._stems)
        # Escaped text also has entity names and numbers (&amp; &#39;): never hits.
        self._find = pattern and re.compile(pattern, re.IGNORECASE | re.ASCII)
        self._find_escaped = pattern and re.compile(
            r"(?<!&)(?<!&#)" + pattern, re.IGNORECASE | re.ASCII
        )

    def is_hit(self, word: str) -> bool:
        folded = word.casefold()
        exact = self._exact
        return folded in exact or folded.rstrip("s") in exact or folded.startswith(self._stems)

    def mark(self, text_value: str, *, length: int | None = None) -> Markup:
        """The text escaped, hits wrapped in <mark>; cut to about `length` around the
        first hit (with "…" where cut) when it is longer."""
        fast = not _NON_ASCII_WORD.search(text_value)
        if length is not None and len(text_value) > length:
            text_value = _window(text_value, self._first_hit(text_value, fast), length)
        if not fast:
            return self._mark_words(text_value)
        escaped = str(escape(text_value))  # every character escaped, so the whole is safe
        if self._find_escaped:
            escaped = self._find_escaped.sub(r"<mark>\g<0></mark>", escaped)
        return Markup(escaped)

    def _first_hit(self, text_value: str, fast: bool) -> int:
        if fast:
            found = self._find and self._find.search(text_value)
            return found.start() if found else 0
        words = _WORD.finditer(text_value)
        return next((m.start() for m in words if self.is_hit(m.group())), 0)

    def _mark_words(self, text_value: str) -> Markup:
        out: list[str] = []  # every piece escaped, so the whole is safe
        last = 0
        for match in _WORD.finditer(text_value):
            if self.is_hit(match.group()):
                out.append(escape(text_value[last : match.start()]))
                out.append(f"<mark>{escape(match.group())}</mark>")
                last = match.end()
        out.append(escape(text_value[last:]))
        return Markup("".join(out))


# Letters and digits outside ASCII: such a text is highlighted word by word.
_NON_ASCII_WORD = re.compile(r"[^\W_\x00-\x7f]")


def _hit_pattern(exact: set[str], stems: tuple[str, ...]) -> str | None:
    """A regex matching exactly the ASCII words Highlighter.is_hit accepts, or None.

    A stem matches any word it starts; a short word matches itself and, unless
    it ends in "s" itself, itself plus any run of "s" (is_hit strips them).
    Words with other characters can never hit an ASCII word and are left out.
    """

    def either(words) -> str:
        return "|".join(sorted(re.escape(w) for w in words if w.isascii()))

    branches = []
    if stem_words := either(stems):
        branches.append(rf"(?:{stem_words})[^\W_]*")
    if plural_words := either(w for w in exact if not w.endswith("s")):
        branches.append(rf"(?:{plural_words})s*(?![^\W_])")
    if s_words := either(w for w in exact if w.endswith("s")):
        branches.append(rf"(?:{s_words})(?![^\W_])")
    return rf"(?<![^\W_])(?:{'|'.join(branches)})" if branches else None


def highlight(text_value: str, words: list[str], *, length: int | None = None) -> Markup:
    """Escape the text, then wrap words that match the query in <mark>."""
    return Highlighter(words).mark(text_value, length=length)


def _window(text_value: str, first: int, length: int) -> str:
    """About `length` characters from a little before `first`, cut at spaces."""
    start = max(0, first - length // 4)
    if start:
        space = text_value.find(" ", start)
        start = space + 1 if 0 <= space < first else start
    piece = text_value[start : start + length]
    if start + length < len(text_value):
        piece = piece.rsplit(" ", 1)[0] + " …"
    return ("… " if start else "") + piece


# --- backends --------------------------------------------------------------------


# The bound parameter holding a backend's render() of the query in Match.condition.
MATCH_QUERY = "match_query"


def _match_query():
    return bindparam(MATCH_QUERY, type_=String)


@dataclass(frozen=True)
class Match:
    """How a backend finds posts: FROM `source` WHERE `condition`, scored by `score`.

    The query itself is a bound parameter (MATCH_QUERY), so a statement built
    from a Match serves every query.
    """

    source: FromClause
    post_id: ColumnElement
    score: ColumnElement
    condition: ColumnElement


class SqliteBackend:
    """FTS5 over the post_fts table; bm25 with the title weighted above the body."""

    name = "sqlite"
    _table = table("post_fts", column("rowid", Integer))

    @staticmethod
    def render(query: ParsedQuery) -> str:
        def phrase(tokens: tuple[str, ...]) -> str:
            return '"' + " ".join(tokens) + '"'  # tokens are letters and digits only

        # Explicit AND: FTS5 does not AND a parenthesised group implicitly.
        return " AND ".join(
            "(" + " OR ".join(phrase(p) for p in group) + ")" for group in query.groups
        )

    def matches(self) -> Match:
        """The index, its post ids in id order, a score (higher = better) and the condition."""
        fts = self._table
        return Match(
            source=fts,
            post_id=fts.c.rowid,
            score=literal_column("-bm25(post_fts, 4.0, 1.0)", Float),
            condition=literal_column("post_fts").op("MATCH")(_match_query()),
        )

    def similar_titles(self, query: ParsedQuery, limit: int):
        """CTE of (thread_id, score): the `limit` threads whose titles match best."""
        return (
            text(
                "SELECT thread_fts.rowid AS thread_id, -bm25(thread_fts) AS score "
                "FROM thread_fts WHERE thread_fts MATCH :title_query "
                f"ORDER BY score DESC LIMIT {int(limit)}"
            )
            .bindparams(title_query=self.render(query))
            .columns(column("thread_id", Integer), column("score", Float))
            .cte("title_fts")
        )


ENGLISH = literal_column("'english'::regconfig")


class PostgresBackend:
    """tsvector documents in post_search (GIN index), queried with websearch_to_tsquery."""

    name = "postgresql"
    _table = table(
        "post_search", column("post_id", Integer), column("document", postgresql.TSVECTOR)
    )

    @staticmethod
    def render(query: ParsedQuery) -> str:
        def phrase(tokens: tuple[str, ...]) -> str:
            return '"' + " ".join(tokens) + '"' if len(tokens) > 1 else tokens[0]

        return " ".join(" or ".join(phrase(p) for p in group) for group in query.groups)

    @classmethod
    def _tsquery(cls, query: ParsedQuery):
        return postgresql.websearch_to_tsquery(ENGLISH, cls.render(query))

    def matches(self) -> Match:
        """The index, its post ids in id order, a score (higher = better) and the condition."""
        doc = self._table.c.document
        tsquery = postgresql.websearch_to_tsquery(ENGLISH, _match_query())
        return Match(
            source=self._table,
            post_id=self._table.c.post_id,
            score=func.ts_rank_cd(doc, tsquery, 32),
            condition=doc.op("@@")(tsquery),
        )

    def similar_titles(self, query: ParsedQuery, limit: int):
        """CTE of (thread_id, score): the `limit` threads whose titles match best."""
        # threads.title_search: generated from the title, GIN-indexed (search_schema.py).
        vector = literal_column("threads.title_search", postgresql.TSVECTOR)
        tsquery = self._tsquery(query)
        score = func.ts_rank_cd(vector, tsquery, 32).label("score")
        return (
            select(Thread.id.label("thread_id"), score)
            .select_from(Thread)
            .where(vector.op("@@")(tsquery))
            .order_by(score.desc())
            .limit(limit)
            .cte("title_fts")
        )


BACKENDS = {"sqlite": SqliteBackend(), "postgresql": PostgresBackend()}


def backend():
    """The backend for the app's database."""
    return BACKENDS[db.engine.dialect.name]


# --- the service -----------------------------------------------------------------


@dataclass
class SearchResult:
    post: Post
    thread: Thread
    author: AuthorView
    title: Markup
    snippet: Markup


@dataclass
class SearchPage:
    query: str
    results: list[SearchResult]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-min(self.total, MAX_RESULTS) // self.per_page))

    @property
    def more_than_max(self) -> bool:
        return self.total > MAX_RESULTS

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1

    def iter_pages(self, left_edge=1, right_edge=1, left_current=2, right_current=2):
        last = 0
        for number in range(1, self.pages + 1):
            if (
                number <= left_edge
                or number > self.pages - right_edge
                or self.page - left_current - 1 < number < self.page + right_current + 1
            ):
                if last + 1 != number:
                    yield None
                yield number
                last = number


def clean_slug(value: str | None) -> str | None:
    """A filter value: a well-formed slug, "" for none, or None when malformed."""
    value = (value or "").strip()
    if not value:
        return ""
    return value if SLUG.match(value) else None


def newest_matches(
    match: Match, *, guest: bool, by_category: bool, by_tag: bool, max_results: int
) -> Select:
    """SELECT (post_id, score) of the newest `max_results` + 1 matching posts a viewer
    may read: a guest only public categories; `category` and `tag` slugs are parameters.

    Both indexes hand out matches in post id (= time) order, so this stops after
    max_results + 1 rows instead of scoring every match: "speech therapy" can match
    a third of a forum, and scoring all of it would cost a full pass per search.
    """
    stmt = (
        select(match.post_id.label("post_id"), match.score.label("score"))
        .select_from(match.source)
        .join(Post, Post.id == match.post_id)
        .join(Thread, Thread.id == Post.thread_id)
        .join(Category, Category.id == Thread.category_id)
        .where(match.condition, Post.status == PostStatus.VISIBLE)
        .where(Thread.status == PostStatus.VISIBLE)
        .order_by(match.post_id.desc())
        .limit(max_results + 1)
    )
    if guest:
        stmt = stmt.where(Category.visibility == Visibility.PUBLIC)
    if by_category:
        stmt = stmt.where(Category.slug == bindparam("category"))
    if by_tag:
        stmt = stmt.where(
            exists().where(
                ThreadTag.thread_id == Thread.id,
                ThreadTag.tag_id == Tag.id,
                Tag.slug == bindparam("tag"),
            )
        )
    return stmt


@cache
def _ranked_statement(
    backend, guest: bool, by_category: bool, by_tag: bool, max_results: int
) -> Select:
    """The statement of ranked_page, built once per shape: composing it anew cost
    SQLAlchemy about a millisecond per search. The query, the filters' slugs, the
    page size and the offset are parameters.
    """
    newest = newest_matches(
        backend.matches(),
        guest=guest,
        by_category=by_category,
        by_tag=by_tag,
        max_results=max_results,
    ).cte("newest")
    totals = select(func.count().label("total")).select_from(newest).subquery("totals")
    ranked = (
        select(newest.c.post_id, newest.c.score)
        .order_by(newest.c.post_id.desc())
        .limit(max_results)
        .subquery("ranked")
    )
    # Best score first; among equal scores the newest (post ids are unique).
    best_first = (ranked.c.score.desc(), ranked.c.post_id.desc())
    page = (
        select(ranked)
        .order_by(*best_first)
        .limit(bindparam("limit", type_=Integer))
        .offset(bindparam("offset", type_=Integer))
        .subquery("page")
    )
    return (
        select(totals.c.total, page.c.post_id)
        .select_from(totals.outerjoin(page, true()))
        .order_by(page.c.score.desc(), page.c.post_id.desc())
    )


def ranked_page(
    viewer, query: ParsedQuery, category: str, tag: str, offset: int, limit: int
) -> tuple[list[int], int]:
    """One page of matching post ids, best first, and how many matched (at most
    MAX_RESULTS + 1, which means "more than MAX_RESULTS"), in one query.

    The database ranks the newest MAX_RESULTS matches and sends back one page of
    ids, not the thousand rows it chose them from. The page is LEFT JOINed to a
    one-row count, so a page past the end still learns the total.
    """
    index = backend()
    guest = not viewer.is_authenticated
    stmt = _ranked_statement(index, guest, bool(category), bool(tag), MAX_RESULTS)
    params = {MATCH_QUERY: index.render(query), "limit": limit, "offset": offset}
    if category:
        params["category"] = category
    if tag:
        params["tag"] = tag
    rows = db.session.execute(stmt, params).all()
    return [post_id for _total, post_id in rows if post_id is not None], rows[0].total


def load_posts(ids: list[int]) -> list[Post]:
    """These posts, in this order, with their thread, category and author (one query)."""
    if not ids:
        return []
    stmt = (
        select(Post)
        .where(Post.id.in_(ids))
        .options(joinedload(Post.thread, innerjoin=True), joinedload(Post.author))
    )
    by_id = {p.id: p for p in db.session.scalars(stmt).unique()}
    return [by_id[i] for i in ids if i in by_id]


def search(
    viewer,
    q: str | None,
    *,
    category: str | None = None,
    tag: str | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> SearchPage:
    """Ranked posts matching `q` that `viewer` may read, with highlighted snippets.

    Up to MAX_RESULTS matches are ranked by relevance, all of them when there
    are fewer; past that, the newest MAX_RESULTS are (the page says so).
    """
    query = parse_query(q)
    page = max(1, page)
    category, tag = clean_slug(category), clean_slug(tag)
    if not query or category is None or tag is None or (page - 1) * per_page >= MAX_RESULTS:
        return SearchPage(q or "", [], 0, page, per_page)
    ids, total = ranked_page(viewer, query, category, tag, (page - 1) * per_page, per_page)
    posts = load_posts(ids)
    aliases = AliasBook.for_posts(posts)
    marker = Highlighter(query.words)
    length = current_app.config.get("SEARCH_SNIPPET_CHARS", 240)
    results = [
        SearchResult(
            post=p,
            thread=p.thread,
            author=display_author(p, viewer, aliases, p.thread),
            title=marker.mark(display_title(p.thread, viewer)),
            snippet=marker.mark(plain_text(p.body_html), length=length),
        )
        for p in posts
    ]
    return SearchPage(q or "", results, total, page, per_page)
