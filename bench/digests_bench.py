"""Benchmark: build and send a weekly digest to many members through a local SMTP server.

    .venv/bin/python bench/digests_bench.py                 # 10,000 members, 500 threads, SQLite
    .venv/bin/python bench/digests_bench.py --members 1000  # quicker
    .venv/bin/python bench/digests_bench.py --workers 1     # one process
    .venv/bin/python bench/digests_bench.py --database-url postgresql+psycopg://localhost/scratch

It creates the schema in a throwaway SQLite file (or DROPS AND RECREATES every table
of the PostgreSQL database you name: use a scratch database), seeds members and
threads with bulk inserts, starts an aiosmtpd server on 127.0.0.1, runs
`forum.digests.sending` as `flask digests send --period weekly --workers 2` does, and
prints the time, the CPU used and the SQL statement count. A second run shows
the cost of a rerun (every member already claimed).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, insert  # noqa: E402

from config import Config  # noqa: E402
from forum import create_app  # noqa: E402
from forum.accounts.models import User  # noqa: E402
from forum.digests import sending  # noqa: E402
from forum.digests.models import DigestCategoryChoice, ThreadFollow  # noqa: E402
from forum.extensions import db, now_utc  # noqa: E402
from forum.text import render_markdown  # noqa: E402
from forum.threads.models import Category, Post, Thread  # noqa: E402
from tests.digest_support import free_port  # noqa: E402

WORDS = (
    "school aide meeting evaluation goals services teacher speech therapy plan "
    "behavior reading math accommodations district parent progress report team "
    "placement transition support classroom schedule sensory anxiety"
).split()


def start_smtp_server(port: int) -> subprocess.Popen:
    """aiosmtpd in its own process (as a real local MTA would be), discarding what it gets."""
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "aiosmtpd",
            "-n",
            "-c",
            "aiosmtpd.handlers.Sink",
            "-l",
            f"127.0.0.1:{port}",
        ],
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise SystemExit("the SMTP server did not start")


def sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words))


def seed(members: int, threads: int, rng: random.Random) -> None:
    """Bulk inserts: categories, verified members, threads with first posts, replies, follows."""
    now = now_utc()
    db.session.execute(
        insert(Category),
        [
            {
                "slug": f"category-{i}",
                "name": f"Category {i}",
                "position": i,
                "visibility": "members" if i in (3, 7) else "public",
                "sensitive": i == 9,
            }
            for i in range(10)
        ],
    )
    hashed = "pbkdf2:sha256:1000$x$y"
    db.session.execute(
        insert(User),
        [
            {
                "username": f"member{i:05d}",
                "username_key": f"member{i:05d}",
                "email": f"member{i:05d}@example.org",
                "email_verified_at": now - timedelta(days=30),
                "password_hash": hashed,
                "role": "member",
            }
            for i in range(members)
        ],
    )
    user_ids = list(db.session.scalars(db.select(User.id)))
    category_ids = list(db.session.scalars(db.select(Category.id)))
    db.session.execute(
        insert(Thread),
        [
            {
                "category_id": rng.choice(category_ids),
                "author_id": rng.choice(user_ids),
                "hide_author": rng.random() < 0.3,
                "title": sentence(rng, 6).capitalize(),
                "created_at": now - timedelta(minutes=threads - i),
                "last_activity_at": now,
                "post_count": 3,
            }
            for i in range(threads)
        ],
    )
    thread_rows = db.session.execute(
        db.select(Thread.id, Thread.author_id, Thread.hide_author)
    ).all()
    bodies = [sentence(rng, 60) for _ in range(20)]
    rendered = {b: str(render_markdown(b)) for b in bodies}
    posts = []
    for thread_id, author_id, hide in thread_rows:
        for number in (1, 2, 3):
            body = rng.choice(bodies)
            posts.append(
                {
                    "thread_id": thread_id,
                    "number": number,
                    "author_id": author_id if number == 1 else rng.choice(user_ids),
                    "hide_author": hide if number == 1 else rng.random() < 0.3,
                    "body": body,
                    "body_html": rendered[body],
                    "created_at": now - timedelta(minutes=10 - number),
                }
            )
    db.session.execute(insert(Post), posts)
    thread_ids = [t[0] for t in thread_rows]
    follows = {(u, t) for u in user_ids for t in rng.sample(thread_ids, 3)}
    db.session.execute(
        insert(ThreadFollow),
        [{"user_id": u, "thread_id": t, "following": True} for u, t in follows],
    )
    # A tenth of the members narrowed their categories; some opted into the sensitive one.
    db.session.execute(
        insert(DigestCategoryChoice),
        [
            {"user_id": u, "category_id": c, "included": c == category_ids[9]}
            for u in user_ids[::10]
            for c in rng.sample(category_ids, 4)
        ],
    )
    db.session.commit()


def server_cpu(server: subprocess.Popen) -> float:
    """CPU seconds the SMTP server process has used (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{server.pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measured_run(when, index: int, workers: int) -> dict:
    """One worker: the same Run as `flask digests send`, with its statements counted."""
    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    sizes: list[int] = []
    real_send = sending.send_email

    def measured_send(*args, **kwargs):
        message = real_send(*args, **kwargs)
        if len(sizes) < 100:
            sizes.append(len(message.data))
        return message

    event.listen(db.engine, "before_cursor_execute", count)
    sending.send_email = measured_send
    cpu, started = time.process_time(), time.perf_counter()
    try:
        shard = (index, workers) if workers > 1 else None
        with sending.Run("weekly", now=when, shard=shard) as digest_run:
            loading, load_statements = time.perf_counter() - started, len(statements)
            digest_run.deliver(digest_run.recipients)
    finally:
        sending.send_email = real_send
        event.remove(db.engine, "before_cursor_execute", count)
    return {
        "summary": digest_run.summary,
        "statements": len(statements),
        "load_statements": load_statements,
        "loading": loading,
        "cpu": time.process_time() - cpu,
        "sizes": sizes,
    }


_app = None  # for forked workers


def _worker(when, index: int, workers: int) -> dict:
    with _app.app_context():
        db.engine.dispose(close=False)
        return measured_run(when, index, workers)


def run(label: str, app, when, workers: int, server: subprocess.Popen) -> None:
    global _app
    started, server_started = time.perf_counter(), server_cpu(server)
    if workers == 1:
        results = [measured_run(when, 0, 1)]
    else:  # as forum.digests.parallel does for `--workers`
        _app = app
        db.session.remove()
        db.engine.dispose()
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            results = pool.starmap(_worker, [(when, i, workers) for i in range(workers)])
    elapsed = time.perf_counter() - started
    summary = sum((r["summary"] for r in results), sending.Summary())
    statements = sum(r["statements"] for r in results)
    load_statements = sum(r["load_statements"] for r in results)
    members = summary.sent + summary.skipped + summary.failed + summary.taken
    sizes = [size for r in results for size in r["sizes"]]
    print(f"{label}, {workers} worker(s): {summary.line()}, {summary.taken} already sent")
    if sizes:
        print(f"  messages: {sum(sizes) / len(sizes) / 1024:.0f} KiB on average")
    print(
        f"  time: {elapsed:.1f} s wall (loading {max(r['loading'] for r in results):.2f} s); "
        f"CPU: {sum(r['cpu'] for r in results):.1f} s in the workers, "
        f"{server_cpu(server) - server_started:.1f} s in the SMTP server; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    print(
        f"  SQL statements: {statements:,} in all: {load_statements} to load members and "
        f"candidates ({load_statements // workers} per worker), then "
        f"{(statements - load_statements) / max(members, 1):.2f} per member"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--threads", type=int, default=500)
    parser.add_argument(
        "--database-url", help="default: a new SQLite file in a temporary directory"
    )
    parser.add_argument("--workers", type=int, default=2, help="as `flask digests send --workers`")
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args()

    workdir = tempfile.TemporaryDirectory(prefix="digests-bench-")
    url = args.database_url or f"sqlite:///{Path(workdir.name) / 'bench.sqlite3'}"
    port = free_port()
    smtp = start_smtp_server(port)
    config = type(
        "BenchConfig",
        (Config,),
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "bench-secret-key-long-enough-for-signing",
            "MAIL_BACKEND": "smtp",
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": port,
            "BASE_URL": "https://forum.example.org",
        },
    )
    app = create_app(config)
    app.instance_path = workdir.name
    try:
        with app.app_context():
            db.drop_all()
            db.create_all()
            t0 = time.perf_counter()
            seed(args.members, args.threads, random.Random(args.seed))
            print(
                f"{db.engine.dialect.name}: seeded {args.members:,} verified members and "
                f"{args.threads} new threads in {time.perf_counter() - t0:.1f} s"
            )
            when = now_utc() + timedelta(days=7)
            run("first run", app, when, args.workers, smtp)
            run("second run (rerun)", app, when, args.workers, smtp)
            db.session.remove()
            db.drop_all()
    finally:
        smtp.terminate()
        smtp.wait()
        workdir.cleanup()


if __name__ == "__main__":
    main()
