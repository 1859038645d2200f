"""In-process profile of the benchmark pages: CPU time per request and where it goes.

    python -m bench.profile [--scale 1] [--requests 200] [--cprofile "thread page 1"]
                            [--search "aide,504,meeting notes"] [--only search]

CPU time (not wall time) of requests through Flask's test client in one
process, so the numbers stay useful on a busy machine where wrk's are noisy.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import secrets
import time
from urllib.parse import quote_plus

from bench.dataset import Params, install, sqlite_target
from bench.pages import PAGES, Page, route_exists


def make_app(url: str, cached: bool = False):
    from config import ProductionConfig
    from forum import create_app

    overrides = {
        "DATABASE_URL": url,
        "SECRET_KEY": secrets.token_urlsafe(48),
        "BENCH_COUNT_QUERIES": True,
        "GUEST_CACHE_SIZE": 500 if cached else 0,
        "BLOCK_CACHE_SIZE": 500 if cached else 0,
    }
    return create_app(type("ProfileConfig", (ProductionConfig,), overrides))


def signed_in_client(app, username: str, password: str):
    """A test client signed in through the real sign-in form, so its session holds what a
    member's does (the "recent password" mark among it): a session made by hand had missed
    that a member's cookie was decoded on every request (forum/sessions.py)."""
    from bench.client import csrf_token

    client = app.test_client()
    base = "https://localhost"
    form = client.get("/login", base_url=base)
    reply = client.post("/login", base_url=base, headers={"Referer": f"{base}/login"}, data={
        "csrf_token": csrf_token(form.data), "username": username, "password": password})
    if reply.status_code != 302:
        raise RuntimeError(f"signing {username} in failed: HTTP {reply.status_code}")
    return client


def hello_cpu_ms(requests: int) -> float:
    """CPU time per request of the minimal Flask app through the same test client."""
    from bench.hello_app import app

    client = app.test_client()
    for _ in range(50):
        client.get("/")
    cpu = time.process_time()
    for _ in range(requests):
        client.get("/")
    return (time.process_time() - cpu) / requests * 1000


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--cprofile", help="page name to profile with cProfile")
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--lines", type=int, default=45, help="cProfile lines to print")
    parser.add_argument("--cached", action="store_true",
                        help="measure with the guest page and block caches on (default: off)")
    parser.add_argument("--search", default="",
                        help="comma-separated queries: the search page for each, as more rows")
    parser.add_argument("--only", help="comma-separated page names (prefix match)")
    args = parser.parse_args(argv)
    url = os.environ.get("FORUM_DATABASE_URL") or sqlite_target("profile.sqlite3")
    info = install(Params.scaled(args.scale), url)
    app = make_app(url, args.cached)
    info["posts_per_page"] = app.config["POSTS_PER_PAGE"]
    guest, member = app.test_client(), signed_in_client(app, info["reader"], info["password"])
    ceiling = hello_cpu_ms(args.requests * 5)
    print(f"{'hello (ceiling)':34} {ceiling:6.2f} ms CPU")
    extra = [
        Page(f"search: {q.strip()}", lambda d, q=q: "/search?q=" + quote_plus(q.strip()))
        for q in args.search.split(",")
        if q.strip()
    ]
    wanted = [
        p
        for p in [*PAGES, *extra]
        if not args.only or any(p.name.startswith(o.strip()) for o in args.only.split(","))
    ]
    for page in wanted:
        path = page.path(info)
        if not route_exists(app, path):
            print(f"{page.name:34} not built yet")
            continue
        client = member if page.signed_in else guest
        for _ in range(5):
            response = client.get(path, base_url="https://localhost")
        if response.status_code != 200:
            print(f"{page.name:34} HTTP {response.status_code}")
            continue
        profiler = cProfile.Profile() if page.name == args.cprofile else None
        started, cpu = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        for _ in range(args.requests):
            client.get(path, base_url="https://localhost")
        if profiler:
            profiler.disable()
        cpu_ms = (time.process_time() - cpu) / args.requests * 1000
        wall_ms = (time.perf_counter() - started) / args.requests * 1000
        print(
            f"{page.name:34} {cpu_ms:6.2f} ms CPU {wall_ms:6.2f} ms wall "
            f"{ceiling / cpu_ms:6.1%} of ceiling "
            f"{response.headers.get('X-Query-Count')} queries {len(response.data) // 1024} KiB"
        )
        if profiler:
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(args.sort).print_stats(args.lines)
            print(out.getvalue())


if __name__ == "__main__":
    main()
