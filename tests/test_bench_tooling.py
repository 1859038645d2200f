"""Smoke tests of the benchmark's own tools (the benchmark itself runs with `make bench`)."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, event, text

from bench.checks import counter_problems, table_counts
from bench.dataset import Params, forum_metadata, generate, sample_render_problems
from bench.pages import PAGES, route_exists


def test_tiny_dataset_has_exact_counters(tmp_path):
    params = Params(members=40, threads=6, posts=90, big_thread_posts=30)
    metadata = forum_metadata()
    engine = create_engine(f"sqlite:///{tmp_path / 'tiny.sqlite3'}")
    metadata.create_all(engine)
    info = generate(params, metadata, engine)
    with engine.connect() as conn:
        assert counter_problems(conn) == []
        assert sample_render_problems(conn, count=90) == []
        counts = table_counts(conn)
        big = conn.execute(
            text("SELECT post_count FROM threads WHERE id = :id"), {"id": info["big_thread_id"]}
        ).scalar_one()
        anonymous = conn.execute(text("SELECT COUNT(*) FROM posts WHERE hide_author")).scalar_one()
        forbidden = conn.execute(
            text(
                "SELECT COUNT(*) FROM posts p JOIN threads t ON t.id = p.thread_id "
                "JOIN categories c ON c.id = t.category_id "
                "WHERE p.hide_author AND c.anonymous_policy = 'forbid'"
            )
        ).scalar_one()
        tags_per_thread = list(
            conn.execute(text("SELECT COUNT(*) FROM thread_tags GROUP BY thread_id")).scalars()
        )
        tag_slugs = set(conn.execute(text("SELECT slug FROM tags")).scalars())
    engine.dispose()
    assert counts["users"] == 40 and counts["threads"] == 6 and counts["posts"] == 90
    assert big == 30
    assert anonymous > 0 and forbidden == 0
    assert tags_per_thread and max(tags_per_thread) <= 3
    assert info["tag_slug"] in tag_slugs and "what-worked" in tag_slugs


def test_counter_check_catches_a_wrong_count(tmp_path):
    params = Params(members=40, threads=3, posts=10, big_thread_posts=5)
    metadata = forum_metadata()
    engine = create_engine(f"sqlite:///{tmp_path / 'wrong.sqlite3'}")
    metadata.create_all(engine)
    generate(params, metadata, engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE threads SET post_count = post_count + 1 WHERE id = 2"))
        conn.execute(text("UPDATE categories SET thread_count = 0"))
        problems = counter_problems(conn)
    engine.dispose()
    assert len(problems) == 2


@pytest.fixture
def config_overrides():
    return {"BENCH_COUNT_QUERIES": True}


@pytest.mark.parametrize("viewer", [None, "member"])
def test_query_count_header_counts_every_statement(client_as, world, count_queries, viewer):
    from forum.extensions import db

    client = client_as(world[viewer] if viewer else None)
    path = f"/threads/{world['named'].id}"
    db.session.remove()
    with count_queries() as statements:
        response = client.get(path)
    assert response.status_code == 200
    assert int(response.headers["X-Query-Count"]) == len(statements) > 0


def test_pages_not_built_yet_are_recognised(app):
    facts = {
        "category_slug": "iep-meetings",
        "thread_id": 1,
        "big_thread_id": 1,
        "big_thread_posts": 400,
        "posts_per_page": 20,
        "tag_slug": "iep-meetings",
    }
    built = {page.name: route_exists(app, page.path(facts)) for page in PAGES}
    assert built["home"] and built["thread page 1"] and built["thread last page (400 posts)"]
    assert route_exists(app, "/no/such/page") is False


def test_cluster_digest_check_reads_what_the_command_prints(app, world):
    from datetime import timedelta

    from bench.cluster_digests import PLANNED, _outcome
    from forum.extensions import db, now_utc

    world["author"].email_verified_at = now_utc() - timedelta(days=30)
    db.session.commit()
    author_id = world["author"].id
    now = (now_utc() + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    runner = app.test_cli_runner()
    command = ["digests", "send", "--period", "weekly", "--now", now]
    dry = runner.invoke(args=[*command, "--dry-run"])
    assert [int(m) for m in PLANNED.findall(dry.output)] == [author_id]
    first, second = runner.invoke(args=command), runner.invoke(args=command)
    assert _outcome(first.output) == {"sent": 1, "skipped": 0, "failed": 0, "taken": 0}
    assert _outcome(second.output) == {"sent": 0, "skipped": 0, "failed": 0, "taken": 1}


def test_targets_are_judged_on_the_lower_ratio():
    from bench import report

    def run(rps):
        return {"rps": rps, "p50_ms": 1.0, "p99_ms": 2.0, "errors": {}}

    # A page at 1,000 req/s: 12.5% of the ceiling right before it, but 5% of the mean
    # ceiling of the whole benchmark (the ceiling swung between runs).
    page = {"name": "home, signed in", "signed_in": True, "queries": 2,
            "rounds": [run(1000)]}
    page["summary"] = report.summarise(page, [run(8000)], [run(8000), run(32000)])
    assert page["summary"]["ratio"] == 0.125 and page["summary"]["ratio_overall"] == 0.05
    assert report.target_for(page).startswith("MISSED")
    page["summary"] = report.summarise(page, [run(8000)], [run(8000), run(8000)])
    assert report.target_for(page).startswith("met")


def test_uncached_search_is_judged_on_the_median_at_one_connection():
    from bench import report
    from bench.run import unloaded

    def run(p50):
        return {"rps": 50, "p50_ms": p50, "p99_ms": 2 * p50, "errors": {}, "kb_per_response": 9}

    page = {"name": "search, uncached", "signed_in": False, "queries": 7,
            "server": "forum-nocache", "rounds": [run(140), run(150)]}
    assert unloaded(page) and not unloaded({**page, "server": "forum"})
    page["summary"] = report.summarise(page, [run(1)] * 2, [run(1)] * 2)
    assert page["summary"]["p50_c1_ms"] is None
    assert report.target_for(page).startswith("MISSED")  # no unloaded runs: p50 under load
    page["unloaded_rounds"] = [run(16), run(18)]
    page["summary"] = report.summarise(page, [run(1)] * 2, [run(1)] * 2)
    assert page["summary"]["p50_c1_ms"] == 17 and page["summary"]["p50_ms"] == 145
    assert report.target_for(page).startswith("met (p50 at 1 conn. < 20 ms")
    assert report.target_for(page, "postgresql").startswith("met")
    page["unloaded_rounds"] = [run(25)]
    page["summary"] = report.summarise(page, [run(1)] * 2, [run(1)] * 2)
    assert report.target_for(page).startswith("MISSED")
    result = {"ceiling": {"rounds": [run(1)]}, "pages": [page]}
    assert "| 145 (1 conn.: 25) |" in report.table(result)


def test_a_run_where_one_worker_did_everything_is_recognised():
    from bench.run import UNBALANCED_SHARE, busiest_share

    even = busiest_share({1: 100, 2: 100}, {1: 600, 2: 550})
    lopsided = busiest_share({1: 100, 2: 100}, {1: 1000, 2: 110})
    assert even <= 1 - UNBALANCED_SHARE < lopsided
    assert busiest_share({1: 5}, {1: 50}) == 1.0  # one worker: nothing to balance


def test_every_bench_module_imports_and_the_digest_bench_runs_tiny(tmp_path):
    """A bench must not rot unseen: each module imports, and the digest bench runs end to
    end (seed, a real SMTP server, two runs, the JSON) at a tiny scale."""
    import importlib
    import json
    from pathlib import Path

    for path in sorted((Path(__file__).resolve().parent.parent / "bench").glob("*.py")):
        importlib.import_module(f"bench.{path.stem}")
    from bench import digests_bench

    report = digests_bench.main(
        ["--members", "40", "--threads", "6", "--workers", "1", "--results", str(tmp_path)]
    )
    first, rerun = report["runs"]
    assert first["sent"] > 0 and first["failed"] == 0
    assert first["sent"] + first["skipped"] == first["members_in_run"] < 40  # some unverified
    assert rerun["sent"] == 0 and rerun["taken"] == first["sent"]
    assert 0 < first["distinct_bodies"] < first["sent"]
    assert first["statements_per_member"] < 1
    saved = json.loads(next(tmp_path.glob("*-digests-sqlite-40.json")).read_text())
    assert saved["runs"][0]["sent"] == first["sent"]


def test_the_floor_routes_run_the_sign_in_and_the_thread_statement(app, world, login):
    """bench/floor_app.py: a signed-in member gets the fixed page after the sign-in and the
    thread statement (two statements, nothing else); a guest is refused; no such thread is
    a 404."""
    from bench import floor_app
    from forum.extensions import db
    from tests.conftest import make_config

    floor = floor_app.create(make_config(app.config["SQLALCHEMY_DATABASE_URI"]))
    guest, member = floor.test_client(), login(floor.test_client(), world["member"])
    thread_id = world["named"].id
    assert guest.get("/bench-floor/sign-in").status_code == 403
    assert guest.get(f"/bench-floor/thread/{thread_id}").status_code == 403
    member.get("/bench-floor/sign-in")  # the sign-in session's first use may update it
    statements = []
    with floor.app_context():
        engine = db.engine
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        page = member.get(f"/bench-floor/thread/{thread_id}")
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert page.status_code == 200 and len(page.data) == floor_app.BODY_KIB * 1024
    assert len(statements) == 2, statements
    assert member.get("/bench-floor/thread/999999").status_code == 404
