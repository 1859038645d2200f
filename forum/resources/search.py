"""Full-text search: one service interface, a SQLite FTS5 and a PostgreSQL backend.

Whatever a visitor types is first parsed here into plain word tokens, quoted
phrases and OR groups; only that structure is turned into the database's query
syntax, so quotes, NEAR(, *, column filters, SQL or NUL bytes are just text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import cache, lru_cache

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
    case,
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
from forum.resources.synonyms import Synonyms, current_synonyms
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
    """Groups joined by AND; each group is alternatives joined by OR; each is a phrase.

    `prefix` is the (group, alternative) of the last word typed, which matches any
    word it starts ("parapro" finds "paraprofessional"); None when there is none.
    `loose` alternatives match their words anywhere, not as a phrase: words typed
    apart that together name a synonym ("speech therapy", which also finds "slp").
    """

    groups: list[list[tuple[str, ...]]] = field(default_factory=list)
    prefix: tuple[int, int] | None = None
    # How many of each group's alternatives were typed; the rest are synonyms.
    typed: list[int] = field(default_factory=list)
    loose: frozenset[tuple[int, int]] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.groups)

    @property
    def words(self) -> list[str]:
        return [token for group in self.groups for phrase in group for token in phrase]

    @property
    def prefix_word(self) -> str | None:
        if self.prefix is None:
            return None
        group, alternative = self.prefix
        return self.groups[group][alternative][0]

    def is_prefix(self, group: int, alternative: int) -> bool:
        return self.prefix == (group, alternative)

    def is_loose(self, group: int, alternative: int) -> bool:
        return (group, alternative) in self.loose

    def needed(self, group: int) -> list[int]:
        """The alternatives of a group the database must look for: not a phrase that
        holds a word the group looks for anyway ("section 504" next to "504"), which
        finds nothing more and costs a pass over its words' positions."""
        alternatives = self.groups[group]
        words = {p[0] for p in alternatives if len(p) == 1}
        return [
            a for a, p in enumerate(alternatives) if len(p) == 1 or not words.intersection(p)
        ]


def _tokens(chunk: str) -> tuple[str, ...]:
    return tuple(t.casefold() for t in _WORD.findall(chunk) if len(t) <= MAX_TOKEN_CHARS)


MIN_PREFIX_CHARS = 3  # "sp*" would match half the dictionary
MAX_ALTERNATIVES = 12  # per group, synonyms included
MAX_PHRASES = 48  # in the whole query, synonyms included
_OR = object()


def _chunks(raw: str) -> list:
    """The query as (phrase, typed bare, loose) items and _OR markers."""
    items: list = []
    for match in _CHUNK.finditer(raw):
        quoted, bare = match.group(1), match.group(2)
        if bare is not None and bare.casefold() == "or":
            items.append(_OR)
            continue
        phrase = _tokens(quoted if quoted is not None else bare)
        if phrase:
            items.append((phrase, bare is not None, False))
    return items


def _join_synonym_phrases(items: list, synonyms: Synonyms) -> list:
    """Consecutive bare words that together are a synonym ("special ed") become one
    loose alternative: those words anywhere (as typed), or the synonyms."""
    longest = synonyms.longest
    out: list = []
    i = 0
    while i < len(items):
        joined = None
        for size in range(min(longest, len(items) - i), 1, -1):
            window = items[i : i + size]
            if all(item is not _OR and item[1] for item in window):
                phrase = tuple(t for item in window for t in item[0])
                if phrase in synonyms:
                    joined = (phrase, True, size)
                    break
        if joined:
            out.append((joined[0], True, True))
            i += joined[2]
        else:
            out.append(items[i])
            i += 1
    return out


def parse_query(
    raw: str | None, synonyms: Synonyms | None = None, *, prefix_last: bool = False
) -> ParsedQuery:
    """Words, "quoted phrases" and `a OR b`; everything else is ignored.

    With `synonyms`, each word or phrase not in quotes also matches the others
    of its group ("para" also finds "aide"); with `prefix_last`, the last word
    typed (not quoted, at least MIN_PREFIX_CHARS long, no synonym itself) matches
    any word it starts.
    """
    raw = (raw or "")[:MAX_QUERY_CHARS]
    items = _chunks(raw)
    if synonyms:
        items = _join_synonym_phrases(items, synonyms)
    groups: list[list[tuple[str, ...]]] = []
    quoted: set[tuple[int, int]] = set()  # "exactly this": no synonyms, no prefix
    loose: set[tuple[int, int]] = set()
    pending_or = False
    last_bare: tuple[int, int] | None = None
    for item in items:
        if item is _OR:
            pending_or = bool(groups)
            continue
        phrase, bare, is_loose = item
        if bare and len(phrase) == 1 and phrase[0] in STOPWORDS:
            continue
        if pending_or and phrase not in groups[-1]:
            groups[-1].append(phrase)
        elif not pending_or:
            if len(groups) >= MAX_TERMS:
                break
            groups.append([phrase])
        pending_or = False
        at = (len(groups) - 1, groups[-1].index(phrase))
        if not bare:
            quoted.add(at)
        if is_loose:
            loose.add(at)
        last_bare = at if bare else None
    prefix = None
    if prefix_last and last_bare is not None:
        phrase = groups[last_bare[0]][last_bare[1]]
        # A word the synonyms know ("para", "esy") is whole: not "paranoid" or "essay".
        known = synonyms is not None and phrase in synonyms
        if len(phrase) == 1 and len(phrase[0]) >= MIN_PREFIX_CHARS and not known:
            prefix = last_bare
    typed = [len(group) for group in groups]
    if synonyms:
        _add_synonyms(groups, synonyms, quoted)
    return ParsedQuery(groups, prefix, typed, frozenset(loose))


def _add_synonyms(
    groups: list[list[tuple[str, ...]]], synonyms: Synonyms, quoted: set[tuple[int, int]]
) -> None:
    """Append each phrase's synonyms to its group, within MAX_ALTERNATIVES and MAX_PHRASES."""
    budget = MAX_PHRASES - sum(len(g) for g in groups)
    for g, group in enumerate(groups):
        for a, phrase in enumerate(list(group)):
            if (g, a) in quoted:
                continue
            for other in synonyms.of(phrase):
                if budget <= 0:
                    return
                if len(group) >= MAX_ALTERNATIVES:
                    break
                if other not in group:
                    group.append(other)
                    budget -= 1


def any_of(words: list[str]) -> ParsedQuery:
    """One OR group of single words: for "stories like this" similarity."""
    seen = list(dict.fromkeys(w for w in words if w))[:MAX_TERMS]
    return ParsedQuery([[(w,) for w in seen]], typed=[len(seen)]) if seen else ParsedQuery()


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

    def __init__(
        self,
        words: list[str],
        prefixes: tuple[str, ...] = (),
        phrases: tuple[tuple[str, ...], ...] = (),
    ):
        words = [w for w in words if w not in STOPWORDS]
        self._exact = {w for w in words if len(w) < 4}  # no prefix matching ("to" is not "told")
        # `prefixes`: words the database matched as prefixes (the last word typed).
        self._stems = tuple({_stem(w) for w in words if len(w) >= 4} | set(prefixes))
        # `phrases`: marked only as a whole ("section 504", not every "section").
        pattern = _hit_pattern(self._exact, self._stems, phrases)
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


def _word_pattern(word: str) -> str:
    """One phrase word, by the same rule as single words."""
    if len(word) >= 4:
        return rf"{re.escape(_stem(word))}[^\W_]*"
    return re.escape(word) + ("" if word.endswith("s") else "s*") + r"(?![^\W_])"


# Between a phrase's words: spaces and punctuation, but never "&" or "#", so a word
# after it can't be an entity name in escaped text (&amp; &#39;).
_PHRASE_GAP = r"[^\w&#;]+"


def _hit_pattern(
    exact: set[str], stems: tuple[str, ...], phrases: tuple[tuple[str, ...], ...] = ()
) -> str | None:
    """A regex matching exactly the ASCII words Highlighter.is_hit accepts, or None.

    A stem matches any word it starts; a short word matches itself and, unless
    it ends in "s" itself, itself plus any run of "s" (is_hit strips them).
    Words with other characters can never hit an ASCII word and are left out.
    Phrases come first, so "section 504" is marked whole.
    """

    def either(words) -> str:
        return "|".join(sorted(re.escape(w) for w in words if w.isascii()))

    branches = [
        _PHRASE_GAP.join(_word_pattern(w) for w in phrase)
        for phrase in sorted(set(phrases), key=len, reverse=True)
        if len(phrase) > 1 and all(w.isascii() for w in phrase)
    ]
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
    """How a backend finds posts: FROM `source` WHERE `condition`, scored by `score`
    (None: the backend scores the newest matches afterwards, `SqliteBackend.scored`).

    The query itself is a bound parameter (MATCH_QUERY), so a statement built
    from a Match serves every query.
    """

    source: FromClause
    post_id: ColumnElement
    score: ColumnElement | None
    condition: ColumnElement


# Relevance on SQLite, in points: each group of the query (a word typed with its
# synonyms) found in the thread's title (opening posts), and each group with
# synonyms found as typed rather than only through a synonym.
TITLE_POINTS = 2
TYPED_POINTS = 1


class SqliteBackend:
    """FTS5 over the post_fts table.

    Relevance is not bm25: bm25 first counts every post that has each phrase of
    the query (a pass over each phrase's whole posting list, 20-30 ms for common
    words on 100,000 posts, however few matches are ranked). The newest matches
    are scored instead by which groups of the query their thread title has and
    whether they have the words as typed (TITLE_POINTS, TYPED_POINTS): a few
    look-ups bounded to the id range of those matches (`scored`).
    """

    name = "sqlite"
    scores_afterwards = True  # matches() has no score: see scored()
    _table = table("post_fts", column("rowid", Integer))

    @staticmethod
    def _phrase(query: ParsedQuery, g: int, a: int) -> str:
        tokens = query.groups[g][a]  # letters and digits only: safe inside quotes
        if query.is_loose(g, a):
            return "(" + " AND ".join(f'"{t}"' for t in tokens) + ")"
        return '"' + " ".join(tokens) + '"' + ("*" if query.is_prefix(g, a) else "")

    @classmethod
    def _group(cls, query: ParsedQuery, g: int, alternatives=None) -> str:
        chosen = query.needed(g) if alternatives is None else alternatives
        return "(" + " OR ".join(cls._phrase(query, g, a) for a in chosen) + ")"

    @classmethod
    def render(cls, query: ParsedQuery) -> str:
        # Explicit AND: FTS5 does not AND a parenthesised group implicitly.
        return " AND ".join(cls._group(query, g) for g in range(len(query.groups)))

    def matches(self) -> Match:
        """The index, its post ids in id order, no score (see `scored`) and the condition."""
        fts = self._table
        return Match(
            source=fts,
            post_id=fts.c.rowid,
            score=None,
            condition=literal_column("post_fts").op("MATCH")(_match_query()),
        )

    @staticmethod
    def score_shape(query: ParsedQuery) -> tuple[int, tuple[int, ...]]:
        """(groups, the groups with synonyms): what the scoring statement depends on."""
        typed = []
        for g in range(len(query.groups)):
            needed = query.needed(g)
            if any(a < query.typed[g] for a in needed) and any(
                a >= query.typed[g] for a in needed
            ):
                typed.append(g)
        return len(query.groups), tuple(typed)

    @classmethod
    def score_params(cls, query: ParsedQuery) -> dict[str, str]:
        """The MATCH expressions of `scored`: each group in titles, each group as typed."""
        groups, typed = cls.score_shape(query)
        params = {f"title_{g}": "{title}: " + cls._group(query, g) for g in range(groups)}
        for g in typed:
            as_typed = [a for a in query.needed(g) if a < query.typed[g]]
            params[f"typed_{g}"] = cls._group(query, g, as_typed)
        return params

    def scored(self, newest, shape: tuple[int, tuple[int, ...]]) -> ColumnElement:
        """The score of each of the `newest` matches (a CTE of post ids).

        Each term is `post_id IN (posts between the newest matches' lowest and
        highest id that match one MATCH expression)`: FTS5 reads only that
        stretch of each posting list, so the cost follows the number of
        matches ranked, not the size of the forum.
        """
        groups, typed = shape
        bounds = select(
            func.min(newest.c.post_id).label("lo"), func.max(newest.c.post_id).label("hi")
        ).cte("bounds")

        def hits(name: str):
            fts = table("post_fts", column("rowid", Integer))  # one per CTE, unaliased
            return (
                select(fts.c.rowid)
                .select_from(bounds)
                .join(fts, fts.c.rowid.between(bounds.c.lo, bounds.c.hi))
                .where(literal_column("post_fts").op("MATCH")(bindparam(name, type_=String)))
                .cte(f"hits_{name}")
            )

        def points(name: str, worth: int) -> ColumnElement:
            return case((newest.c.post_id.in_(select(hits(name))), worth), else_=0)

        terms = [points(f"title_{g}", TITLE_POINTS) for g in range(groups)]
        terms += [points(f"typed_{g}", TYPED_POINTS) for g in typed]
        score = terms[0]
        for term in terms[1:]:
            score = score + term
        return score

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
    """tsvector documents in post_search (GIN index), queried with to_tsquery, ranked
    by ts_rank (the title weighted A, the body B)."""

    name = "postgresql"
    scores_afterwards = False  # ts_rank in the same pass as the matching
    _table = table(
        "post_search", column("post_id", Integer), column("document", postgresql.TSVECTOR)
    )

    @staticmethod
    def render(query: ParsedQuery) -> str:
        """to_tsquery syntax: each token single-quoted (tokens are letters and digits
        only, so nothing in them is an operator), phrases joined by <->, the last word
        typed followed by :* for prefix matching."""

        def phrase(g: int, a: int) -> str:
            tokens = [f"'{t}'" for t in query.groups[g][a]]
            if query.is_prefix(g, a):
                tokens[-1] += ":*"
            joiner = " & " if query.is_loose(g, a) else " <-> "
            return "(" + joiner.join(tokens) + ")" if len(tokens) > 1 else tokens[0]

        return " & ".join(
            "(" + " | ".join(phrase(g, a) for a in query.needed(g)) + ")"
            for g in range(len(query.groups))
        )

    @classmethod
    def _tsquery(cls, query: ParsedQuery):
        return func.to_tsquery(ENGLISH, cls.render(query))

    def matches(self) -> Match:
        """The index, its post ids in id order, a score (higher = better) and the condition."""
        doc = self._table.c.document
        tsquery = func.to_tsquery(ENGLISH, _match_query())
        # ts_rank, not ts_rank_cd: the cover density walks every position of every
        # query word in each document (16 ms for 1,000 matches against 2 ms).
        return Match(
            source=self._table,
            post_id=self._table.c.post_id,
            score=func.ts_rank(doc, tsquery, 32),
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


class Sort(StrEnum):
    RELEVANCE = "relevance"
    DATE = "date"


def thread_title(thread: Thread, viewer) -> str:
    """The title a search result shows for its thread (the one place search reads it):
    "[removed]" when its opening post is out of sight (forum.threads.titles)."""
    return display_title(thread, viewer)


@dataclass
class SearchResult:
    """A thread's best match (or newest, sorted by date) and how many more it has."""

    post: Post
    thread: Thread
    author: AuthorView
    title: Markup
    snippet: Markup
    more: int = 0  # other matching posts in the same thread


@dataclass
class SearchPage:
    query: str
    results: list[SearchResult]
    total: int  # results (threads; posts when searching within one thread)
    page: int
    per_page: int
    matches: int = 0  # matching posts ranked, at most MAX_RESULTS + 1
    sort: Sort = Sort.RELEVANCE
    parsed: ParsedQuery = field(default_factory=ParsedQuery)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def more_than_max(self) -> bool:
        return self.matches > MAX_RESULTS

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
    match: Match,
    *,
    guest: bool,
    by_category: bool,
    by_tag: bool,
    max_results: int,
    by_thread: bool = False,
    scored: bool = True,
) -> Select:
    """SELECT (post_id, thread_id[, score]) of the newest `max_results` + 1 matching
    posts a viewer may read: a guest only public categories; `category`, `tag` and
    `thread` are parameters. The score is there when the backend scores in the same
    pass (`Match.score`) and `scored` is true.

    Both indexes hand out matches in post id (= time) order, so this stops after
    max_results + 1 rows instead of scoring every match: "speech therapy" can match
    a third of a forum, and scoring all of it would cost a full pass per search.
    """
    columns = [match.post_id.label("post_id"), Post.thread_id.label("thread_id")]
    if scored and match.score is not None:
        columns.append(match.score.label("score"))
    stmt = (
        select(*columns)
        .select_from(match.source)
        .join(Post, Post.id == match.post_id)
        .join(Thread, Thread.id == Post.thread_id)
        .join(Category, Category.id == Thread.category_id)
        .where(match.condition, Post.status == PostStatus.VISIBLE)
        .where(Thread.status == PostStatus.VISIBLE)
        .order_by(match.post_id.desc())
        .limit(max_results + 1)
        # SQLite looks posts up by their primary key (the table's row, body and all)
        # unless told: the narrow index has the thread and status.
        .with_hint(Post, "INDEXED BY ix_posts_search", dialect_name="sqlite")
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
    if by_thread:
        stmt = stmt.where(Post.thread_id == bindparam("thread", type_=Integer))
    return stmt


# Bounded: on SQLite the shape follows the query (how many groups, which have synonyms),
# and a visitor chooses the query.
@lru_cache(maxsize=256)
def _ranked_statement(
    backend,
    guest: bool,
    by_category: bool,
    by_tag: bool,
    by_thread: bool,
    sort: Sort,
    max_results: int,
    shape: tuple | None = None,
) -> Select:
    """The statement of ranked_page, built once per shape: composing it anew cost
    SQLAlchemy about a millisecond per search. The query, the filters, the page
    size and the offset are parameters; `shape` is the backend's `score_shape` of
    the query when it scores afterwards (SQLite, sorted by relevance).

    Matches are grouped by thread (by post within one thread): a window numbers
    each thread's matches best first (newest first, sorted by date), and the
    page takes every thread's first with its thread's count.
    """
    match = backend.matches()
    relevance = sort == Sort.RELEVANCE
    newest = newest_matches(
        match,
        guest=guest,
        by_category=by_category,
        by_tag=by_tag,
        by_thread=by_thread,
        max_results=max_results,
        scored=relevance,
    ).cte("newest")
    if not relevance:
        score = literal_column("0", Float)
    elif match.score is None:
        score = backend.scored(newest, shape)
    else:
        score = newest.c.score
    ranked = (
        select(newest.c.post_id, newest.c.thread_id, score.label("score"))
        .order_by(newest.c.post_id.desc())
        .limit(max_results)
        .subquery("ranked")
    )
    if sort == Sort.DATE:
        order = (ranked.c.post_id.desc(),)
    else:  # best score first; among equal scores the newest (post ids are unique)
        order = (ranked.c.score.desc(), ranked.c.post_id.desc())
    key = ranked.c.post_id if by_thread else ranked.c.thread_id
    grouped = select(
        ranked.c.post_id,
        ranked.c.score,
        func.row_number().over(partition_by=key, order_by=order).label("nth"),
        func.count().over(partition_by=key).label("hits"),
    ).cte("grouped")
    firsts = select(grouped).where(grouped.c.nth == 1)
    totals = select(
        select(func.count()).select_from(newest).scalar_subquery().label("matches"),
        select(func.count()).select_from(firsts.subquery()).scalar_subquery().label("total"),
    ).subquery("totals")
    page_order = (
        (grouped.c.post_id.desc(),)
        if sort == Sort.DATE
        else (grouped.c.score.desc(), grouped.c.post_id.desc())
    )
    page = (
        firsts.order_by(*page_order)
        .limit(bindparam("limit", type_=Integer))
        .offset(bindparam("offset", type_=Integer))
        .subquery("page")
    )
    final_order = (
        (page.c.post_id.desc(),)
        if sort == Sort.DATE
        else (page.c.score.desc(), page.c.post_id.desc())
    )
    return (
        select(totals.c.matches, totals.c.total, page.c.post_id, page.c.hits)
        .select_from(totals.outerjoin(page, true()))
        .order_by(*final_order)
    )


@dataclass
class Ranked:
    ids: list[int]
    hits: dict[int, int]  # post id -> matches in its thread (1 when grouped by post)
    total: int  # threads (or posts within a thread) among the ranked matches
    matches: int  # matching posts, at most MAX_RESULTS + 1


def ranked_page(
    viewer,
    query: ParsedQuery,
    category: str,
    tag: str,
    offset: int,
    limit: int,
    *,
    thread_id: int | None = None,
    sort: Sort = Sort.RELEVANCE,
) -> Ranked:
    """One page of results, best first, in one query: each thread's best matching
    post id, how many matches the thread has, how many threads matched, and how
    many posts (at most MAX_RESULTS + 1, which means "more than MAX_RESULTS").

    The database ranks the newest MAX_RESULTS matches and sends back one page of
    ids, not the thousand rows it chose them from. The page is LEFT JOINed to a
    one-row count, so a page past the end still learns the totals.
    """
    index = backend()
    guest = not viewer.is_authenticated
    params = {MATCH_QUERY: index.render(query), "limit": limit, "offset": offset}
    shape = None
    if sort == Sort.RELEVANCE and index.scores_afterwards:
        shape = index.score_shape(query)
        params.update(index.score_params(query))
    stmt = _ranked_statement(
        index, guest, bool(category), bool(tag), thread_id is not None, sort, MAX_RESULTS, shape
    )
    if category:
        params["category"] = category
    if tag:
        params["tag"] = tag
    if thread_id is not None:
        params["thread"] = thread_id
    rows = db.session.execute(stmt, params).all()
    ids = [row.post_id for row in rows if row.post_id is not None]
    hits = {row.post_id: row.hits for row in rows if row.post_id is not None}
    return Ranked(ids, hits, rows[0].total, rows[0].matches)


@cache
def _word_statement(backend, guest: bool) -> Select:
    """Whether the viewer may read a post with one word (MATCH_QUERY): LIMIT 1."""
    return newest_matches(
        backend.matches(),
        guest=guest,
        by_category=False,
        by_tag=False,
        max_results=0,
        scored=False,
    )


def settle_prefix(viewer, query: ParsedQuery) -> ParsedQuery:
    """The query without its prefix when the last word is already a whole word of a
    post the viewer may read ("minutes", not "minut"): then it finds that word and
    its other forms (stemming), not every longer word it starts.

    A prefix of a common word costs a merge of the posting lists of every word it
    starts ("minutes"* 7 ms against 1 ms on SQLite with 100,000 posts); the check
    costs one look-up that stops at the first post. It asks only about posts the
    viewer may read, so it tells nothing about the others.
    """
    word = query.prefix_word
    if word is None:
        return query
    index = backend()
    whole = ParsedQuery([[(word,)]], typed=[1])
    stmt = _word_statement(index, not viewer.is_authenticated)
    if db.session.execute(stmt, {MATCH_QUERY: index.render(whole)}).first() is None:
        return query
    return replace(query, prefix=None)


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


def parse_search(q: str | None) -> ParsedQuery:
    """A visitor's query with the synonyms added and the last word matched as a prefix."""
    return parse_query(q, current_synonyms(), prefix_last=True)


def highlighter(query: ParsedQuery) -> Highlighter:
    """Marks what the database matched: the words typed, their synonyms (a phrase as a
    whole: not every "plan" for "504 plan"), the prefix."""
    words, phrases = [], []
    for g, group in enumerate(query.groups):
        for a, phrase in enumerate(group):
            if a < query.typed[g] or len(phrase) == 1:
                words.extend(w for w in phrase if len(w) > 1)  # not the "1" of "1:1"
            else:
                phrases.append(phrase)
    prefix = query.prefix_word
    return Highlighter(words, (prefix,) if prefix else (), tuple(phrases))


def search(
    viewer,
    q: str | None,
    *,
    category: str | None = None,
    tag: str | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
    sort: str | None = None,
    thread_id: int | None = None,
) -> SearchPage:
    """Threads with posts matching `q` that `viewer` may read, best first (or newest
    first), each with its best post's snippet and how many more posts matched.

    Up to MAX_RESULTS matching posts are ranked, all of them when there are fewer;
    past that, the newest MAX_RESULTS are (the page says so). With `thread_id`,
    the matching posts of that one thread, one result each.
    """
    query = parse_search(q)
    page = max(1, page)
    order = Sort(sort) if sort in set(Sort) else Sort.RELEVANCE
    category, tag = clean_slug(category), clean_slug(tag)
    empty = SearchPage(q or "", [], 0, page, per_page, sort=order, parsed=query)
    if not query or category is None or tag is None or (page - 1) * per_page >= MAX_RESULTS:
        return empty
    query = settle_prefix(viewer, query)
    ranked = ranked_page(
        viewer,
        query,
        category,
        tag,
        (page - 1) * per_page,
        per_page,
        thread_id=thread_id,
        sort=order,
    )
    posts = load_posts(ranked.ids)
    aliases = AliasBook.for_posts(posts)
    marker = highlighter(query)
    length = current_app.config.get("SEARCH_SNIPPET_CHARS", 240)
    results = [
        SearchResult(
            post=p,
            thread=p.thread,
            author=display_author(p, viewer, aliases, p.thread),
            title=marker.mark(thread_title(p.thread, viewer)),
            snippet=marker.mark(plain_text(p.body_html), length=length),
            more=ranked.hits.get(p.id, 1) - 1,
        )
        for p in posts
    ]
    return SearchPage(q or "", results, ranked.total, page, per_page, ranked.matches, order, query)
