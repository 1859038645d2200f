"""Benchmark: build and send a weekly digest to many members through a local SMTP server.

    make bench-digests                                       # the same, with the venv
    .venv/bin/python bench/digests_bench.py                 # 10,000 members, 500 threads, SQLite
    .venv/bin/python bench/digests_bench.py --members 1000  # quicker
    .venv/bin/python bench/digests_bench.py --workers 1     # one process
    FORUM_DATABASE_URL=postgresql+psycopg://localhost/scratch make bench-digests

It creates the schema in a throwaway SQLite file (or DROPS AND RECREATES every table
of the PostgreSQL database named by --database-url or FORUM_DATABASE_URL: use a
scratch database), seeds members with a spread of choices (daily, weekly, off;
narrowed categories, tags, the sensitive category, time zones; some unverified),
threads and replies with bulk inserts, starts an SMTP server on 127.0.0.1
(bench/smtp_sink.py: aiosmtpd, reading DATA in one piece as a real relay does),
runs `forum.digests.sending` as `flask digests send --period weekly --workers 2`
does, and prints the wall and CPU time, messages per second, the SQL statements
(in all and per member), the distinct bodies rendered and the peak memory; the
numbers also go to bench/results/. A second run shows the cost of a rerun (every
member already claimed). Each run checks that the server received exactly the
messages the run sent, and checks a sample of them (every SAMPLE_EVERY-th): addressed
to the member whose unsubscribe link it carries, in both parts, with RFC 8058 headers.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import resource
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, insert  # noqa: E402

from config import Config  # noqa: E402
from forum import create_app  # noqa: E402
from forum.accounts.models import User  # noqa: E402
from forum.digests import sending  # noqa: E402
from forum.digests.models import (  # noqa: E402
    DigestCategoryChoice,
    DigestPreference,
    DigestTagChoice,
    ThreadFollow,
)
from forum.digests.tokens import read_unsubscribe_token  # noqa: E402
from forum.extensions import db, now_utc  # noqa: E402
from forum.resources.models import Tag, ThreadTag  # noqa: E402
from forum.text import render_markdown  # noqa: E402
from forum.threads.models import Category, Post, Thread  # noqa: E402
from tests.digest_support import free_port  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
ZONES = (None, None, None, "America/New_York", "America/Chicago", "America/Los_Angeles")
SAMPLE_EVERY = 250  # the SMTP server keeps every 250th message for check_samples
TAGS = ("iep-meetings", "evaluations", "behavior", "reading", "transition", "autism")

WORDS = (
    "school aide meeting evaluation goals services teacher speech therapy plan "
    "behavior reading math accommodations district parent progress report team "
    "placement transition support classroom schedule sensory anxiety"
).split()


def start_smtp_server(port: int, samples: Path) -> subprocess.Popen:
    """The bench's relay (bench/smtp_sink.py: aiosmtpd) in its own process, as a real local
    MTA would be; it keeps every SAMPLE_EVERY-th message in `samples` for check_samples."""
    server = subprocess.Popen(
        [
            sys.executable,
            str(Path(__file__).with_name("smtp_sink.py")),
            "--port",
            str(port),
            "--samples",
            str(samples),
            "--keep-every",
            str(SAMPLE_EVERY),
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


def server_received(port: int) -> int:
    """Messages the server has accepted so far (its XSTATS command)."""
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
        code, reply = client.docmd("XSTATS")
    if code != 250:
        raise SystemExit(f"the SMTP server's XSTATS failed: {code} {reply!r}")
    return int(reply.split()[0])


def check_samples(samples: Path) -> int:
    """Each kept message is one member's: addressed to them, with their own unsubscribe
    link (a token for their id) in both parts and the RFC 8058 headers; returns how many
    were checked. Raises SystemExit on the first problem."""
    checked = 0
    for path in sorted(samples.glob("*.eml")):
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        rcpt = path.with_name(path.name + ".rcpt").read_text().split()
        problems = []
        if [str(message["To"])] != rcpt:
            problems.append(f"To {message['To']} but sent to {rcpt}")
        link = str(message["List-Unsubscribe"] or "").strip("<>")
        token = read_unsubscribe_token(link.rsplit("/", 1)[-1])
        user = db.session.get(User, token[0]) if token else None
        if user is None or user.email != str(message["To"]):
            problems.append(f"unsubscribe link {link!r} is not the recipient's")
        if message["List-Unsubscribe-Post"] != "List-Unsubscribe=One-Click":
            problems.append("no RFC 8058 List-Unsubscribe-Post")
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        if not text.startswith("Hello,") or link not in text or link not in html:
            problems.append("the body lacks the greeting or the member's link")
        if problems:
            raise SystemExit(f"sample {path.name}: " + "; ".join(problems))
        checked += 1
        path.unlink()
        path.with_name(path.name + ".rcpt").unlink()
    return checked


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
                # A twentieth never verified their address: no digest.
                "email_verified_at": None if i % 20 == 19 else now - timedelta(days=30),
                "password_hash": hashed,
                "role": "member",
                "time_zone": ZONES[i % len(ZONES)],
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
    db.session.execute(
        insert(Tag),
        [{"slug": slug, "label": slug.replace("-", " ").capitalize(), "position": n}
         for n, slug in enumerate(TAGS)],
    )  # fmt: skip
    tag_ids = list(db.session.scalars(db.select(Tag.id)))
    db.session.execute(
        insert(ThreadTag),
        [
            {"thread_id": t, "tag_id": tag}
            for t in thread_ids
            for tag in rng.sample(tag_ids, rng.choice((0, 1, 1, 2)))
        ],
    )
    follows = {(u, t) for u in user_ids for t in rng.sample(thread_ids, 3)}
    db.session.execute(
        insert(ThreadFollow),
        [{"user_id": u, "thread_id": t, "following": True} for u, t in follows],
    )
    # Most members keep the defaults (weekly, no row); a fifth chose weekly explicitly,
    # some daily, some turned it off.
    frequencies = ("weekly", "weekly", "daily", "off")
    db.session.execute(
        insert(DigestPreference),
        [
            {"user_id": u, "frequency": frequencies[n % 4], "titles_in_subject": n % 3 == 0,
             "notify_replies": False, "subscribed_at": now - timedelta(days=30),
             "updated_at": now - timedelta(days=30)}
            for n, u in enumerate(user_ids[::5])
        ],
    )  # fmt: skip
    # A tenth of the members narrowed their categories; some opted into the sensitive one.
    db.session.execute(
        insert(DigestCategoryChoice),
        [
            {"user_id": u, "category_id": c, "included": c == category_ids[9]}
            for u in user_ids[::10]
            for c in rng.sample(category_ids, 4)
        ],
    )
    # Of those, half also follow one or two tags from the categories they left out.
    db.session.execute(
        insert(DigestTagChoice),
        [
            {"user_id": u, "tag_slug": slug}
            for u in user_ids[::20]
            for slug in rng.sample(TAGS, rng.choice((1, 2)))
        ],
    )
    db.session.commit()


def server_cpu(server: subprocess.Popen) -> float:
    """CPU seconds the SMTP server process has used (Linux /proc; 0 elsewhere)."""
    return process_cpu(server.pid)


def process_cpu(pid: int) -> float:
    """CPU seconds a process on this machine has used (Linux /proc; 0 if gone or elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measured_run(when, index: int, workers: int) -> dict:
    """One worker: the same Run as `flask digests send`, with its statements counted."""
    statements: list[str] = []
    backends: list[int] = []  # PostgreSQL server processes of this run's connections

    def count(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    def connected(dbapi_connection, record) -> None:
        pid = getattr(getattr(dbapi_connection, "info", None), "backend_pid", None)
        if pid:
            backends.append(pid)

    sizes: list[int] = []
    real_send = sending.send_message

    def measured_send(*args, **kwargs):
        message = real_send(*args, **kwargs)
        if len(sizes) < 100:
            sizes.append(len(message.data))
        return message

    event.listen(db.engine, "before_cursor_execute", count)
    event.listen(db.engine, "connect", connected)
    sending.send_message = measured_send
    cpu, started = time.process_time(), time.perf_counter()
    try:
        shard = (index, workers) if workers > 1 else None
        with sending.Run("weekly", now=when, shard=shard) as digest_run:
            loading, load_statements = time.perf_counter() - started, len(statements)
            digest_run.deliver(digest_run.recipients)
            bodies = digest_run.bodies.rendered
    finally:
        sending.send_message = real_send
        event.remove(db.engine, "before_cursor_execute", count)
        event.remove(db.engine, "connect", connected)
    # The connections are still open (pooled): their server processes, started in this
    # run, are still there to read (a local PostgreSQL only).
    database = sum(process_cpu(pid) for pid in backends)
    return {
        "summary": digest_run.summary,
        "statements": len(statements),
        "load_statements": load_statements,
        "loading": loading,
        "cpu": time.process_time() - cpu,
        "database_cpu": database,
        "sizes": sizes,
        "bodies": bodies,
        "peak_mib": peak_mib(),
    }


def peak_mib() -> float:
    """This process's peak resident memory (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024 if sys.platform == "darwin" else 1024)


_app = None  # for forked workers


def _worker(when, index: int, workers: int) -> dict:
    with _app.app_context():
        db.engine.dispose(close=False)
        return measured_run(when, index, workers)


def run(
    label: str, app, when, workers: int, server: subprocess.Popen, port: int, samples: Path
) -> dict:
    global _app
    received_before = server_received(port)
    started, server_started = time.perf_counter(), server_cpu(server)
    if workers == 1:
        db.session.remove()
        db.engine.dispose()  # new connections: their server processes are the run's own
        results = [measured_run(when, 0, 1)]
    else:  # as forum.digests.parallel does for `--workers`
        _app = app
        db.session.remove()
        db.engine.dispose()
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            results = pool.starmap(_worker, [(when, i, workers) for i in range(workers)])
    elapsed = time.perf_counter() - started
    server_seconds = server_cpu(server) - server_started
    database_seconds = sum(r["database_cpu"] for r in results)
    summary = sum((r["summary"] for r in results), sending.Summary())
    received = server_received(port) - received_before
    if received != summary.sent:
        raise SystemExit(
            f"the SMTP server received {received} messages, the run sent {summary.sent}"
        )
    checked = check_samples(samples)
    statements = sum(r["statements"] for r in results)
    load_statements = sum(r["load_statements"] for r in results)
    members = summary.sent + summary.skipped + summary.failed + summary.taken
    sizes = [size for r in results for size in r["sizes"]]
    cpu = sum(r["cpu"] for r in results)
    out = {
        "run": label,
        "workers": workers,
        "members_in_run": members,
        "sent": summary.sent,
        "skipped": summary.skipped,
        "failed": summary.failed,
        "taken": summary.taken,
        "wall_s": round(elapsed, 2),
        "loading_s": round(max(r["loading"] for r in results), 2),
        "cpu_workers_s": round(cpu, 2),
        "cpu_smtp_server_s": round(server_seconds, 2),
        "cpu_database_server_s": round(database_seconds, 2),
        "received_by_server": received,
        "samples_checked": checked,
        "messages_per_s": round(summary.sent / elapsed, 1),
        "statements": statements,
        "load_statements": load_statements,
        "statements_per_member": round(statements / max(members, 1), 3),
        "distinct_bodies": sum(r["bodies"] for r in results),
        "peak_mib_per_worker": round(max(r["peak_mib"] for r in results), 1),
        "message_kib": round(sum(sizes) / len(sizes) / 1024, 1) if sizes else 0,
        "load_average": round(os.getloadavg()[0], 2),
    }
    print(
        f"{label}, {workers} worker(s): {summary.line()}, {summary.taken} already sent; "
        f"the SMTP server received {received}, {checked} checked"
    )
    print(
        f"  time: {out['wall_s']:.1f} s wall (loading {out['loading_s']:.2f} s), "
        f"{out['messages_per_s']:.0f} messages/s; CPU: {cpu:.1f} s in the workers, "
        f"{out['cpu_smtp_server_s']:.1f} s in the SMTP server, "
        f"{database_seconds:.1f} s in PostgreSQL (the run's connections); "
        f"load average {out['load_average']:.1f} on {os.cpu_count()} CPUs"
    )
    print(
        f"  SQL statements: {statements:,} in all, {out['statements_per_member']:.3f} per "
        f"member ({load_statements} to load members and candidates); "
        f"{out['distinct_bodies']:,} distinct bodies rendered; "
        f"peak memory {out['peak_mib_per_worker']:.0f} MiB per worker; "
        f"messages {out['message_kib']:.0f} KiB on average"
    )
    return out


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--threads", type=int, default=500)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("FORUM_DATABASE_URL"),
        help="default: FORUM_DATABASE_URL, else a new SQLite file in a temporary directory",
    )
    parser.add_argument("--workers", type=int, default=2, help="as `flask digests send --workers`")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--results", type=Path, default=RESULTS, help="where the JSON goes")
    parser.add_argument("--no-save", action="store_true", help="print only")
    args = parser.parse_args(argv)

    workdir = tempfile.TemporaryDirectory(prefix="digests-bench-")
    url = args.database_url or f"sqlite:///{Path(workdir.name) / 'bench.sqlite3'}"
    port = free_port()
    samples = Path(workdir.name) / "samples"
    smtp = start_smtp_server(port, samples)
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
                f"{db.engine.dialect.name}: seeded {args.members:,} members and "
                f"{args.threads} new threads in {time.perf_counter() - t0:.1f} s"
            )
            seconds = time.perf_counter() - t0
            when = now_utc() + timedelta(days=7)
            report = {
                "benchmark": "digests",
                "database": db.engine.dialect.name,
                "members": args.members,
                "threads": args.threads,
                "seed_s": round(seconds, 1),
                "cpus": os.cpu_count(),
                "load_average_before": [round(x, 2) for x in os.getloadavg()],
                "runs": [
                    run("first run", app, when, args.workers, smtp, port, samples),
                    run("second run (rerun)", app, when, args.workers, smtp, port, samples),
                ],
            }
            db.session.remove()
            db.drop_all()
    finally:
        smtp.terminate()
        smtp.wait()
        workdir.cleanup()
    if not args.no_save:
        args.results.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y-%m-%d-%H%M", time.gmtime())
        name = f"{stamp}-digests-{report['database']}-{args.members}.json"
        (args.results / name).write_text(json.dumps(report, indent=2) + "\n")
        print(f"results: {args.results / name}")
    return report


if __name__ == "__main__":
    main()
