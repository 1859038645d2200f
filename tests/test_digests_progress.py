"""`flask digests send` draws a progress line on a terminal, and nothing but its summary
under cron."""

from __future__ import annotations

import io

import pytest

from forum.digests import progress
from tests import factories as f
from tests.digest_support import (  # noqa: F401 (fixtures)
    config_overrides,
    inbox,
    later,
    reader,
    site,
    smtp,
)


@pytest.fixture
def config_overrides(smtp):  # noqa: F811 (https: no warning line in the output)
    return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp[0].port, "MAIL_BACKEND": "smtp",
            "BASE_URL": "https://forum.example.org"}  # fmt: skip


def _args():
    return ["digests", "send", "--period", "weekly", "--now", later().strftime("%Y-%m-%dT%H:%M")]


def test_the_line_says_done_of_all_speed_and_time_left():
    bar = progress.Progress(io.StringIO())
    bar.update(250, 1000, 200, force=True)
    line = bar.line(10.0)
    assert line.startswith("members 250/1,000 (25%) · 200 sent · 20 messages/s · ETA 0:30")


def test_quiet_when_not_a_terminal(app, site, inbox):
    for i in range(3):
        reader(f"quiet_{i}")
    f.make_thread(site["author"], site["public"])
    result = app.test_cli_runner().invoke(args=_args())
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["sent 3, skipped 0 (nothing new), failed 0"]


def test_progress_on_a_terminal_then_the_summary(app, site, inbox, monkeypatch):
    for i in range(3):
        reader(f"watched_{i}")
    f.make_thread(site["author"], site["public"])
    monkeypatch.setattr(progress, "wanted", lambda stream=None: True)
    result = app.test_cli_runner().invoke(args=_args())
    assert result.exit_code == 0, result.output
    drawn, summary = result.output.rstrip("\n").rsplit("\n", 1)
    assert drawn.startswith("\rmembers 1/3 (33%) · 1 sent")  # the first, then every 0.5 s
    assert "\rmembers 3/3 (100%) · 3 sent · " in drawn and drawn.endswith("ETA 0:00\x1b[K")
    assert summary == "sent 3, skipped 0 (nothing new), failed 0"
