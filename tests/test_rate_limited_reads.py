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
