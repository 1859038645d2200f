"""`make bench-write`: members posting replies at once, then every count checked.

    python -m bench.write [--clients 16] [--seconds 30] [--instances 1]

Each client signs in through the login form, scrapes its CSRF token, then posts
replies through HTTP as fast as the server answers. Every tenth reply is sent
twice with the same form token (a double submit), the second time to the other
instance when there are two: it must not create a second post. Afterwards:
no failed request (no 5xx, no "database is locked"), every reply stored exactly
once, and every counter equal to the real count.

With --instances 2 (PostgreSQL only) two gunicorn servers share one database
and a Redis rate-limit store; clients alternate between them with one session
cookie, which shows any server can answer any member. Then `flask digests send`
runs with both instances' settings at once (bench/cluster_digests.py): every
member with news must get exactly one digest, none twice, none lost.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import threading
import time
import uuid
from collections import Counter
from datetime import datetime
from statistics import quantiles

from sqlalchemy import create_engine, text

from bench import cluster_digests, report, servers
from bench.checks import counter_problems
from bench.client import Browser, csrf_token, sign_in
from bench.dataset import Params, install, sqlite_target

MARK = "bench-write"
FILLER = (
    "Thank you all, this thread helped. We asked for the meeting notes in writing and "
    "the team agreed to add the speech minutes back. "
).split()


class Client(threading.Thread):
    """One member posting replies until the deadline."""

    def __init__(
        self,
        number: int,
        ports: list[int],
        info: dict,
        start: threading.Barrier,
        seconds: float,
        rng: random.Random,
    ):
        super().__init__(daemon=True)
        self.number, self.ports, self.info = number, ports, info
        self.start_line, self.seconds, self.rng = start, seconds, rng
        self.latencies: list[float] = []
        self.statuses: Counter = Counter()
        self.failures: list[str] = []
        self.markers: list[str] = []  # one per reply the server accepted
        self.double_submits = 0

    def run(self) -> None:
        username = self.info["writers"][self.number]
        threads = self.info["hot_thread_ids"]
        try:
            browser = sign_in(
                self.ports[self.number % len(self.ports)], username, self.info["password"]
            )
            page = browser.get(self.ports[0], f"/threads/{threads[0]}")
            token = csrf_token(page.body)
        except Exception as exc:  # noqa: BLE001 -- reported, never hidden
            self.failures.append(f"client {self.number} could not start: {exc}")
            return
        finally:
            self.start_line.wait()  # the measured part starts when every client has signed in
        deadline = time.monotonic() + self.seconds
        sequence = 0
        while time.monotonic() < deadline:
            sequence += 1
            marker = f"{MARK}-{self.number}-{sequence}"
            words = " ".join(self.rng.choices(FILLER, k=self.rng.randint(20, 80)))
            form = {"csrf_token": token, "body": f"{marker} {words}", "token": uuid.uuid4().hex}
            if self.rng.random() < 0.2:
                form["hide_author"] = "y"
            thread_id = self.rng.choice(threads)
            port = self.ports[sequence % len(self.ports)]
            location = self._post(browser, port, thread_id, form)
            if location is None:
                continue
            self.markers.append(marker)
            if sequence % 10 == 0:  # the same form again, on the other server if there is one
                self.double_submits += 1
                again = self._post(
                    browser, self.ports[(sequence + 1) % len(self.ports)], thread_id, form
                )
                if again is not None and again != location:
                    self.failures.append(f"double submit of {marker} made a second post: {again}")
        browser.close()

    def _post(self, browser, port, thread_id, form) -> str | None:
        """The accepted reply's location, or None (recorded as a failure)."""
        try:
            reply = browser.post(port, f"/threads/{thread_id}/reply", form)
        except Exception as exc:  # noqa: BLE001
            self.failures.append(f"{type(exc).__name__}: {exc}")
            return None
        self.statuses[reply.status] += 1
        location = reply.header("Location") or ""
        if reply.status == 302 and "/posts/" in location:
            self.latencies.append(reply.seconds)
            return location
        page = reply.body.decode("utf-8", "replace")
        snippet = " ".join(page[page.find("<main") :][:400].split())
        self.failures.append(f"HTTP {reply.status} on port {port}: {snippet}")
        return None


def shared_limit_check(ports: list[int], attempts: int = 30) -> dict:
    """Failed sign-ins alternating between instances: the limit must count them together.

    RATELIMIT_LOGIN allows 20 failures a minute per address; with a shared store
    the 21st is refused wherever it lands, with per-process stores only the 41st
    or later would be.
    """
    browser = Browser()
    token = csrf_token(browser.get(ports[0], "/login").body)
    form = {"csrf_token": token, "username": "no_such_member", "password": "wrong-password-1"}
    for attempt in range(1, attempts + 1):
        status = browser.post(ports[attempt % len(ports)], "/login", form).status
        if status == 429:
            return {"first_refused_attempt": attempt, "shared": attempt == 21}
    return {"first_refused_attempt": None, "shared": False}


def stored_markers(url: str) -> tuple[Counter, list[str]]:
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT body FROM posts WHERE body LIKE :p"), {"p": f"{MARK}-%"}
        ).scalars()
        found = Counter(body.split(" ", 1)[0] for body in rows)
        problems = counter_problems(conn)
    engine.dispose()
    return found, problems


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4, help="gunicorn --threads")
    parser.add_argument("--instances", type=int, default=1, choices=[1, 2])
    parser.add_argument(
        "--redis",
        default="redis://127.0.0.1:6379/11",
        help="rate-limit store shared by the instances (with --instances 2)",
    )
    parser.add_argument("--no-save", action="store_true")
    args = parser.parse_args(argv)
    url = os.environ.get("FORUM_DATABASE_URL") or sqlite_target("write.sqlite3")
    database = "postgresql" if url.startswith("postgres") else "sqlite"
    if args.instances > 1 and database != "postgresql":
        raise SystemExit("--instances 2 needs FORUM_DATABASE_URL pointing at PostgreSQL")
    params = Params.scaled(args.scale)
    info = install(params, url)
    if args.clients > len(info["writers"]):
        raise SystemExit(f"at most {len(info['writers'])} clients")
    secret = servers.new_secret()
    # Every member posts far faster than a person would: lift the per-member post limits
    # (posts, and form submits; with Redis these count across every process and instance).
    extra = {
        "FORUM_RATELIMIT_POST": "100000 per minute",
        "FORUM_RATELIMIT_POST_STEPS": "100000 per minute",
    }
    if args.instances > 1:
        extra["FORUM_RATELIMIT_STORAGE_URI"] = args.redis
        import redis

        redis.Redis.from_url(args.redis).flushdb()  # a benchmark-only database index
    env = servers.forum_env(url, secret, **extra)
    started_servers = [
        servers.start(f"write-{i}", "app:app", env, args.workers, args.threads)
        for i in range(args.instances)
    ]
    ports = [s.port for s in started_servers]
    rng = random.Random(7)
    try:
        start_line = threading.Barrier(args.clients + 1)
        clients = [
            Client(i, ports, info, start_line, args.seconds, random.Random(rng.random()))
            for i in range(args.clients)
        ]
        for client in clients:
            client.start()
        start_line.wait()
        begun = time.monotonic()
        for client in clients:
            client.join(args.seconds + 120)
        elapsed = time.monotonic() - begun
        limit_check = shared_limit_check(ports) if args.instances > 1 else None
        logs = "".join(s.log_text() for s in started_servers)
    finally:
        for server in started_servers:
            server.stop()
    sent = Counter(m for c in clients for m in c.markers)
    found, problems = stored_markers(url)
    envs = [servers.forum_env(url, secret, **extra) for _ in started_servers]
    digests = cluster_digests.run(url, envs) if args.instances > 1 else None
    latencies = sorted(x for c in clients for x in c.latencies)
    cuts = quantiles(latencies, n=100) if len(latencies) > 1 else [0] * 99
    result = {
        "started": datetime.now().isoformat(timespec="minutes"),
        "database": database,
        "machine": report.machine(),
        "clients": args.clients,
        "instances": args.instances,
        "gunicorn": " ".join(servers.gunicorn_settings(args.workers, args.threads)),
        "seconds": round(elapsed, 1),
        "replies": len(sent),
        "replies_per_second": round(len(sent) / elapsed, 1),
        "p50_ms": round(cuts[49] * 1000, 1),
        "p99_ms": round(cuts[98] * 1000, 1),
        "statuses": dict(sum((c.statuses for c in clients), Counter())),
        "double_submits": sum(c.double_submits for c in clients),
        "failures": [f for c in clients for f in c.failures][:20],
        "failure_count": sum(len(c.failures) for c in clients),
        "lost": sorted(set(sent) - set(found))[:20],
        "duplicates": sorted(m for m, n in found.items() if n > 1)[:20],
        "unexpected": sorted(set(found) - set(sent))[:20],
        "counter_problems": problems,
        "database_locked_in_logs": "database is locked" in logs,
        "tracebacks_in_logs": logs.count("Traceback"),
        "shared_rate_limit": limit_check,
        "digests": digests,
    }
    result["ok"] = not (
        result["failure_count"]
        or result["lost"]
        or result["duplicates"]
        or result["unexpected"]
        or problems
        or result["database_locked_in_logs"]
        or result["tracebacks_in_logs"]
        or (limit_check is not None and not limit_check["shared"])
        or (digests is not None and not digests["ok"])
    )
    print(json.dumps(result, indent=1))
    print(summary_line(result))
    if digests is not None:
        print(cluster_digests.summary_line(digests))
    if not args.no_save:
        report.RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now().strftime("%Y-%m-%d-%H%M")
        kind = "cluster" if args.instances > 1 else "write"
        path = report.RESULTS_DIR / f"{stamp}-{kind}-{database}.json"
        path.write_text(json.dumps(result, indent=1) + "\n")
        print(f"Saved bench/results/{path.name}")
    if not result["ok"]:
        raise SystemExit(1)
    return result


def summary_line(r: dict) -> str:
    verdict = "OK" if r["ok"] else "FAILED"
    return (
        f"{verdict}: {r['database']}, {r['instances']} instance(s) x `{r['gunicorn']}`, "
        f"{r['clients']} clients: {r['replies']} replies in {r['seconds']} s = "
        f"{r['replies_per_second']}/s, p50 {r['p50_ms']} ms, p99 {r['p99_ms']} ms; "
        f"{r['failure_count']} failed, {len(r['lost'])} lost, {len(r['duplicates'])} duplicated, "
        f"{r['double_submits']} double submits absorbed, "
        f"counters {'exact' if not r['counter_problems'] else 'WRONG'}"
    )


if __name__ == "__main__":
    main()
