"""Query plans of the benchmark pages' SQL: `python -m bench.explain [--save]`.

Runs each page once (guest cache off) on the benchmark database (SQLite, or
PostgreSQL with FORUM_DATABASE_URL) and prints EXPLAIN QUERY PLAN / EXPLAIN
ANALYZE for every statement it sent.
"""

from __future__ import annotations

import argparse
import os
from datetime import datetime

from sqlalchemy import event

from bench.dataset import Params, install, sqlite_target
from bench.pages import PAGES, route_exists
from bench.profile import make_app, signed_in_client
from bench.report import RESULTS_DIR


def plans(app, client, path: str, postgres: bool) -> list[str]:
    from forum.extensions import db

    sent: list[tuple] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        sent.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    client.get(path, base_url="https://localhost")  # warm: the second request is measured
    event.listen(engine, "before_cursor_execute", record)
    try:
        client.get(path, base_url="https://localhost")
    finally:
        event.remove(engine, "before_cursor_execute", record)
    lines = []
    prefix = "EXPLAIN (ANALYZE, COSTS OFF) " if postgres else "EXPLAIN QUERY PLAN "
    with engine.connect() as conn:
        for statement, parameters in sent:
            lines.append("    " + " ".join(statement.split())[:160] + " ...")
            for row in conn.exec_driver_sql(prefix + statement, parameters):
                lines.append("        " + str(row[0] if postgres else row[-1]))
    return lines


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--save", action="store_true", help="write bench/results/...-plans-*.txt")
    args = parser.parse_args(argv)
    url = os.environ.get("FORUM_DATABASE_URL") or sqlite_target("profile.sqlite3")
    postgres = url.startswith("postgres")
    info = install(Params.scaled(args.scale), url)
    app = make_app(url)
    info["posts_per_page"] = app.config["POSTS_PER_PAGE"]
    guest, member = app.test_client(), signed_in_client(app, info["reader"], info["password"])
    database = "postgresql" if postgres else "sqlite"
    out = [f"# Query plans, {datetime.now():%Y-%m-%d %H:%M}, {database}"]
    for page in PAGES:
        path = page.path(info)
        if not route_exists(app, path):
            continue
        out.append(f"\n{page.name}: GET {path}")
        out += plans(app, member if page.signed_in else guest, path, postgres)
    text = "\n".join(out) + "\n"
    print(text)
    if args.save:
        name = f"{datetime.now():%Y-%m-%d}-plans-{'postgresql' if postgres else 'sqlite'}.txt"
        (RESULTS_DIR / name).write_text(text)


if __name__ == "__main__":
    main()
