"""A realistic forum for the benchmark, built fast and cached.

`python -m bench.dataset [--scale S] [--database-url URL]`

The dataset is generated once into a SQLite file under bench/tmp/, named by a
hash of the parameters, the generator version and the schema, so reruns (and
runs after an unrelated code change) reuse it. Rows go in with executemany;
loading it into PostgreSQL uses COPY. Counters (threads.post_count,
categories.thread_count) are computed from the rows themselves and checked.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
import time
from dataclasses import asdict, dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.schema import CreateIndex, CreateTable

from bench.checks import counter_problems, table_counts

GENERATOR_VERSION = 1
BENCH_DIR = Path(__file__).resolve().parent
SEED_FILE = BENCH_DIR.parent / "forum" / "dev" / "seed_data.json"
TAGS_FILE = BENCH_DIR.parent / "forum" / "data" / "tags.json"
TMP_DIR = BENCH_DIR / "tmp"
PASSWORD = "bench-password-123"
READER = "bench_reader"
WRITERS = [f"bench_writer_{i:02d}" for i in range(1, 33)]
BIG_CATEGORY = "iep-meetings"
NAME_PARTS = [
    "maple",
    "heron",
    "tide",
    "cedar",
    "willow",
    "otter",
    "finch",
    "juniper",
    "lark",
    "aspen",
    "robin",
    "birch",
    "wren",
    "fern",
    "hazel",
    "clover",
    "sage",
    "rowan",
]


@dataclass(frozen=True)
class Params:
    members: int = 2000
    threads: int = 5000
    posts: int = 100_000
    big_thread_posts: int = 400
    seed: int = 1

    @classmethod
    def scaled(cls, scale: float, seed: int = 1) -> Params:
        base = cls()
        members = max(int(base.members * scale), len(WRITERS) + 10)
        threads = max(int(base.threads * scale), 2)
        posts = max(int(base.posts * scale), threads + 1)
        big = min(base.big_thread_posts, posts - threads + 1)
        return cls(members, threads, posts, big, seed)

    def digest(self, schema: str) -> str:
        # The generator's own source is part of the key: changing it rebuilds the cache.
        sources = [(BENCH_DIR / name).read_bytes() for name in ("corpus.py", "dataset.py")]
        sources += [SEED_FILE.read_bytes(), TAGS_FILE.read_bytes()]
        code = hashlib.sha256(b"".join(sources)).hexdigest()
        blob = json.dumps([asdict(self), GENERATOR_VERSION, schema, code], sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


def forum_metadata():
    """The app's metadata with every feature's tables registered (create_app imports them)."""
    from config import Config
    from forum import create_app
    from forum.extensions import db

    create_app(type("BenchMetaConfig", (Config,), {"DATABASE_URL": "sqlite://"}))
    return db.metadata


def schema_fingerprint(metadata) -> str:
    from sqlalchemy.dialects import sqlite

    dialect = sqlite.dialect()
    parts = []
    for table in metadata.sorted_tables:
        parts.append(str(CreateTable(table).compile(dialect=dialect)))
        parts += sorted(str(CreateIndex(ix).compile(dialect=dialect)) for ix in table.indexes)
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


# --- generation -------------------------------------------------------------------


def _spread(rng: random.Random, total: int, count: int, cap: int) -> list[int]:
    """`total` items over `count` bins with a long tail (most threads short, a few long)."""
    if count <= 0:
        return []
    weights = [rng.paretovariate(1.3) for _ in range(count)]
    scale = total / sum(weights)
    sizes = [min(int(w * scale), cap) for w in weights]
    short = total - sum(sizes)
    open_bins = [i for i, s in enumerate(sizes) if s < cap]
    while short > 0:
        i = rng.choice(open_bins)
        sizes[i] += 1
        short -= 1
        if sizes[i] >= cap:
            open_bins.remove(i)
    return sizes


TAGGED_SHARE = 0.8  # threads with at least one topic; the rest were never tagged
TAG_COUNT_WEIGHTS = (0.5, 0.35, 0.15)  # one, two or three topics (MAX_THREAD_TAGS)
BENCH_TAG = "eligibility-evaluation"  # the tag page measured: a popular, legal topic


def starter_tags(now) -> list[dict]:
    """The starter topics (forum/data/tags.json), as `flask resources import` adds them."""
    from forum.resources.library import LEGAL_TAG_SLUGS

    specs = json.loads(TAGS_FILE.read_text(encoding="utf-8"))
    return [
        {
            "id": position,
            "slug": spec["slug"],
            "label": spec["label"],
            "description": spec.get("description", ""),
            "legal": spec["slug"] in LEGAL_TAG_SLUGS,
            "retired": False,
            "position": position,
            "created_at": now - timedelta(days=400),
        }
        for position, spec in enumerate(specs, start=1)
    ]


def thread_tag_rows(
    seed: dict, tags: list[dict], threads: list[dict], categories: list[dict], rng: random.Random
) -> list[dict]:
    """Topics per thread, as members pick them: mostly those the demo's threads in the same
    category use (forum/dev/seed_data.json), sometimes any other."""
    tag_ids = {t["slug"]: t["id"] for t in tags}
    slug_of = {c["id"]: c["slug"] for c in categories}
    weights = {c["slug"]: dict.fromkeys(tag_ids.values(), 1.0) for c in categories}
    for spec in seed["threads"]:
        for slug in spec.get("tags", []):
            if spec["category"] in weights and slug in tag_ids:
                weights[spec["category"]][tag_ids[slug]] += 12
    rows = []
    for thread in threads:
        if rng.random() >= TAGGED_SHARE:
            continue
        pool = dict(weights[slug_of[thread["category_id"]]])
        for _ in range(rng.choices((1, 2, 3), TAG_COUNT_WEIGHTS)[0]):
            tag_id = rng.choices(list(pool), list(pool.values()))[0]
            del pool[tag_id]
            rows.append({"thread_id": thread["id"], "tag_id": tag_id})
    return rows


def generate(params: Params, metadata, engine: Engine) -> dict:
    """Fill an empty database; return facts the benchmark needs (ids, names)."""
    from werkzeug.security import generate_password_hash

    from bench.corpus import Corpus
    from forum.extensions import now_utc

    rng = random.Random(params.seed)
    corpus = Corpus(rng, size=min(3000, max(100, params.posts // 10)))
    seed = json.loads(SEED_FILE.read_text(encoding="utf-8"))
    now = now_utc().replace(microsecond=0)
    tables = metadata.tables

    categories = []
    for position, spec in enumerate(seed["categories"], start=1):
        categories.append(
            {
                "id": position,
                "slug": spec["slug"],
                "name": spec["name"],
                "description": spec.get("description", ""),
                "position": position,
                "visibility": spec.get("visibility", "public"),
                "anonymous_policy": spec.get("anonymous_policy", "allow"),
                "sensitive": spec.get("sensitive", False),
                "thread_count": 0,
            }
        )
    by_slug = {c["slug"]: c for c in categories}
    cat_weights = [0.3 if c["slug"] == "start-here" else 1.0 for c in categories]

    password_hash = generate_password_hash(PASSWORD)
    names = [READER, *WRITERS]
    names += [
        f"{rng.choice(NAME_PARTS)}_{rng.choice(NAME_PARTS)}{i}"
        for i in range(len(names) + 1, params.members + 1)
    ]
    users = []
    for i, name in enumerate(names[: params.members], start=1):
        users.append(
            {
                "id": i,
                "username": name,
                "username_key": name.casefold(),
                "email": f"{name}@example.org" if i % 2 else None,
                "email_verified_at": None,
                "password_hash": password_hash,
                "role": "admin"
                if i == params.members
                else "moderator"
                if i > params.members - 3
                else "member",
                "created_at": now - timedelta(days=420, minutes=i),
                "post_anonymously": rng.random() < 0.1,
                "suspended_until": None,
                "suspension_reason": None,
                "banned_at": None,
                "ban_reason": None,
            }
        )
    anon_pref = {u["id"]: u["post_anonymously"] for u in users}

    def hide(category: dict, author: int) -> bool:
        policy = category["anonymous_policy"]
        if policy != "allow":
            return policy == "require"
        return rng.random() < (0.6 if anon_pref[author] else 0.15)

    replies = _spread(
        rng,
        params.posts - params.threads - (params.big_thread_posts - 1),
        params.threads - 1,
        cap=min(300, params.big_thread_posts - 1) or 1,
    )
    sizes = [params.big_thread_posts] + [1 + r for r in replies]
    threads, pending = [], []
    for tid, size in enumerate(sizes, start=1):
        category = by_slug[BIG_CATEGORY] if tid == 1 else rng.choices(categories, cat_weights)[0]
        category["thread_count"] += 1
        author = rng.randint(1, params.members)
        started = now - timedelta(days=200 if tid == 1 else rng.uniform(0, 365))
        when, hidden = started, hide(category, author)
        for number in range(1, size + 1):
            if number > 1:
                when = min(
                    when + timedelta(hours=rng.expovariate(1 / 5)), now - timedelta(minutes=1)
                )
            poster = author if number == 1 else rng.randint(1, params.members)
            pending.append(
                (when, tid, number, poster, hidden if number == 1 else hide(category, poster))
            )
        threads.append(
            {
                "id": tid,
                "category_id": category["id"],
                "author_id": author,
                "hide_author": hidden,
                "title": corpus.title(),
                "created_at": started,
                "last_activity_at": when,
                "post_count": size,
                "status": "visible",
                "pinned": rng.random() < 0.002,
                "locked": rng.random() < 0.01,
            }
        )

    tags = starter_tags(now)
    # Their own generator, so tagging leaves every other row as it was.
    thread_tags = thread_tag_rows(seed, tags, threads, categories, random.Random(params.seed + 1))
    pending.sort()  # post ids follow time, as on a real site: a thread's posts are scattered
    statuses = ["visible"] * 992 + ["deleted"] * 5 + ["hidden"] * 2 + ["flag_hidden"]

    def posts():
        for pid, (when, tid, number, author, hidden) in enumerate(pending, start=1):
            body, html = corpus.body()
            yield {
                "id": pid,
                "thread_id": tid,
                "number": number,
                "author_id": author,
                "hide_author": hidden,
                "body": body,
                "body_html": html,
                "status": "visible" if number == 1 else rng.choice(statuses),
                "created_at": when,
                "edited_at": when + timedelta(hours=1) if rng.random() < 0.03 else None,
                "idempotency_key": None,
            }

    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA synchronous=OFF")
        conn.execute(tables["categories"].insert(), categories)
        conn.execute(tables["users"].insert(), users)
        conn.execute(tables["threads"].insert(), threads)
        conn.execute(tables["tags"].insert(), tags)
        conn.execute(tables["thread_tags"].insert(), thread_tags)
        batch = []
        for row in posts():
            batch.append(row)
            if len(batch) == 5000:
                conn.execute(tables["posts"].insert(), batch)
                batch = []
        if batch:
            conn.execute(tables["posts"].insert(), batch)

    public = {c["id"] for c in categories if c["visibility"] == "public"}
    typical = [t for t in threads[1:] if t["category_id"] in public and 20 <= t["post_count"] <= 60]
    fallback = max(threads[1:] or threads, key=lambda t: t["post_count"])
    # Replies in the write benchmark go to open threads where anonymous posting is allowed.
    allow = {c["id"] for c in categories if c["anonymous_policy"] == "allow"}
    hot = [t["id"] for t in threads[1:] if t["category_id"] in public & allow and not t["locked"]][
        :50
    ]
    return {
        "params": asdict(params),
        "password": PASSWORD,
        "reader": READER,
        "writers": WRITERS,
        "big_thread_id": 1,
        "big_thread_posts": params.big_thread_posts,
        "thread_id": (typical[0] if typical else fallback)["id"],
        "category_slug": BIG_CATEGORY,
        "hot_thread_ids": hot or [1],
        "tag_slug": BENCH_TAG,
    }


def sample_render_problems(conn, count: int = 50) -> list[int]:
    """Ids of sampled posts whose stored HTML differs from render_markdown(body)."""
    from forum.text import render_markdown

    rows = conn.execute(text("SELECT id, body, body_html FROM posts ORDER BY id")).fetchall()
    step = max(len(rows) // count, 1)
    return [r.id for r in rows[::step] if str(render_markdown(r.body)) != r.body_html]


# --- cache and install ------------------------------------------------------------


def ensure_cached(params: Params, rebuild: bool = False, log=print) -> tuple[Path, dict]:
    """The cached SQLite file for these parameters, built if missing."""
    metadata = forum_metadata()
    key = params.digest(schema_fingerprint(metadata))
    path, info_path = TMP_DIR / f"dataset-{key}.sqlite3", TMP_DIR / f"dataset-{key}.json"
    if path.exists() and info_path.exists() and not rebuild:
        return path, json.loads(info_path.read_text())
    TMP_DIR.mkdir(parents=True, exist_ok=True)
    building = path.with_suffix(".building")
    for leftover in TMP_DIR.glob(building.name + "*"):
        leftover.unlink()
    log(
        f"Building dataset {key}: {params.members:,} members, {params.threads:,} threads, "
        f"{params.posts:,} posts ..."
    )
    started = time.perf_counter()
    engine = create_engine(f"sqlite:///{building}")
    metadata.create_all(engine)
    info = generate(params, metadata, engine)
    with engine.begin() as conn:
        problems = counter_problems(conn)
        if bad := sample_render_problems(conn):
            problems.append(f"stored HTML differs from render_markdown for posts {bad}")
        info["counts"] = table_counts(conn)
    if problems:
        raise RuntimeError("dataset is inconsistent: " + "; ".join(problems))
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    info["build_seconds"] = round(time.perf_counter() - started, 1)
    building.rename(path)
    info_path.write_text(json.dumps(info, indent=1))
    for old in TMP_DIR.glob("dataset-*.json"):  # older builds of the same parameters
        if old != info_path and json.loads(old.read_text()).get("params") == asdict(params):
            old.with_suffix(".sqlite3").unlink(missing_ok=True)
            old.unlink()
    log(f"Dataset built in {info['build_seconds']} s: {path.name}")
    return path, info


def sqlite_target(name: str) -> str:
    return f"sqlite:///{TMP_DIR / name}"


def install(params: Params, url: str, log=print) -> dict:
    """Put a fresh copy of the dataset in the database at `url`; return its facts."""
    cached, info = ensure_cached(params, log=log)
    started = time.perf_counter()
    if url.startswith("sqlite:///"):
        target = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(cached, target)
    else:
        _copy_to_postgres(cached, url)
    engine = create_engine(url)
    with engine.connect() as conn:
        if problems := counter_problems(conn):
            raise RuntimeError("installed dataset is inconsistent: " + "; ".join(problems))
    engine.dispose()
    log(f"Dataset installed in {time.perf_counter() - started:.1f} s")
    return info


MARKER = "bench_dataset_marker"


def _copy_to_postgres(cached: Path, url: str) -> None:
    """Replace every forum table in a benchmark-only PostgreSQL database (COPY is fast)."""
    import sqlite3

    metadata = forum_metadata()
    url = (
        "postgresql+psycopg://" + url.split("://", 1)[1] if url.startswith("postgresql://") else url
    )
    engine = create_engine(url)
    with engine.begin() as conn:
        tables = set(
            conn.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
            ).scalars()
        )
        if tables and MARKER not in tables:
            raise SystemExit(
                f"Refusing to overwrite {engine.url.database!r}: it has tables and was not made by "
                "the benchmark. Point FORUM_DATABASE_URL at an empty database for benchmarks."
            )
        # Marked before the tables are made, so a failed copy can be retried.
        conn.execute(
            text(f"CREATE TABLE IF NOT EXISTS {MARKER} (built_at timestamp DEFAULT now())")
        )
    metadata.drop_all(engine)
    metadata.create_all(engine)
    source = sqlite3.connect(cached)
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        for table in metadata.sorted_tables:
            cols = [c.name for c in table.columns]
            rows = source.execute(f'SELECT {", ".join(cols)} FROM "{table.name}"')
            cursor.execute(f'DELETE FROM "{table.name}"')  # rows seeded by create_all
            with cursor.copy(f'COPY "{table.name}" ({", ".join(cols)}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
            if "id" in table.c and table.c.id.primary_key and table.c.id.type.python_type is int:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f'COALESCE((SELECT MAX(id) FROM "{table.name}"), 0) + 1, false)'
                )
        raw.commit()
        # As autovacuum would: statistics for the planner, visibility map for index-only scans.
        raw.driver_connection.autocommit = True
        cursor.execute("VACUUM ANALYZE")
    finally:
        raw.close()
        source.close()
        engine.dispose()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--database-url", help="install into this database (default: cache only)")
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args(argv)
    params = Params.scaled(args.scale)
    path, info = ensure_cached(params, rebuild=args.rebuild)
    print(json.dumps(info["counts"]), path)
    if args.database_url:
        install(params, args.database_url)


if __name__ == "__main__":
    main()
