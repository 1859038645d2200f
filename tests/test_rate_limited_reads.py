"""Reads that no rate limit applies to skip the limiter (forum.security.unlimited_reads)."""

from __future__ import annotations

import pytest


@pytest.fixture
def config_overrides():
    return {"RATELIMIT_ENABLED": True}


def test_reads_without_limits_skip_the_limiter_and_limited_reads_keep_theirs(app):
    """forum.security.unlimited_reads: a GET that no limit applies to never consults the
    limiter; a GET with a limit of its own (similar threads while typing a title) keeps it."""
    from flask_limiter.util import get_qualified_name

    from forum.extensions import limiter
    from forum.security import unlimited_reads

    with app.test_request_context("/"):
        free = unlimited_reads(app)
    assert {"threads.show", "threads.index", "notifications.count"} <= free
    assert "resources.similar" not in free
    assert "accounts.login" in free  # its limits count POSTs only
    for endpoint in free:  # nothing in the list has a limit for reads
        view = app.view_functions[endpoint]
        for limit in limiter.limit_manager.decorated_limits(get_qualified_name(view)):
            assert limit.methods and "get" not in limit.methods
    client = app.test_client()
    codes = [client.get("/api/similar?title=ab").status_code for _ in range(61)]
    assert codes[:60] == [200] * 60 and codes[60] == 429


def test_the_limiters_check_runs_only_for_requests_a_limit_may_apply_to(app, monkeypatch):
    """forum.security.skip_limiter_on_free_reads: the limiter's before-request check is
    skipped for a free read, and still runs for a limited read and for every POST."""
    from forum.extensions import limiter

    hooks = app.before_request_funcs[None]
    [wrapper] = [h for h in hooks if h.__defaults__ and
                 getattr(h.__defaults__[0], "__self__", None) is limiter]
    assert all(getattr(h, "__self__", None) is not limiter for h in hooks)
    checked = []
    original = wrapper.__defaults__[0]
    monkeypatch.setattr(wrapper, "__defaults__",
                        (lambda: checked.append(1) or original(),))
    client = app.test_client()
    assert client.get("/").status_code == 200
    assert checked == []
    client.get("/api/similar?title=ab")
    assert checked == [1]
    client.post("/login", data={})
    assert checked == [1, 1]
