"""`flask db backup PATH` while members post, then a restore into a fresh instance.

Runs on its own SQLite file whatever --db says; PostgreSQL gets pg_dump instructions.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

from flask_migrate.cli import db as db_group

from forum.extensions import db
from tests import factories as f
from tests.conftest import make_config
from tests.hostile.faults import invariants
from tests.hostile.snapshot import counts
from tests.hostile.test_disk import _signed_in, sqlite_app

ROOT = Path(__file__).resolve().parents[2]


def _seed():
    from forum.accounts.services import start_session

    category = f.make_category("backup")
    member = f.make_user("backup_member")
    thread = f.make_thread(member, category, title="Thread that gets backed up")
    start_session(member, "pytest")
    return member.get_id(), thread.id


def _backup(app, dest: Path, *extra: str):
    return app.test_cli_runner().invoke(db_group, ["backup", str(dest), *extra])


def _restored(backup: Path, tmp_path: Path) -> Path:
    """Restore = put the file where a fresh instance keeps its database."""
    instance = tmp_path / "restored-instance"
    instance.mkdir()
    shutil.copy(backup, instance / "forum.sqlite3")
    return instance / "forum.sqlite3"


def test_backup_while_posting_then_restore(tmp_path):
    source = tmp_path / "forum.sqlite3"
    dest = tmp_path / "backup.sqlite3"
    with sqlite_app(f"sqlite:///{source}", create=True) as app:
        login, thread_id = _seed()
        before = counts()
        started, done = threading.Event(), threading.Event()
        errors: list = []

        def write():
            client = _signed_in(app, login)
            try:
                for n in range(40):
                    response = client.post(
                        f"/threads/{thread_id}/reply",
                        data={"body": f"Written during the backup {n}", "token": ""},
                    )
                    if response.status_code != 302:
                        errors.append(response.status_code)
                    started.set()
            finally:
                done.set()

        writer = threading.Thread(target=write)
        writer.start()
        assert started.wait(30)
        result = _backup(app, dest)
        writer.join(60)
        assert not errors, errors
        assert result.exit_code == 0, result.output
        assert "integrity check ok" in result.output
        after = counts()

    assert dest.exists() and not dest.with_name(dest.name + ".partial").exists()
    restored = _restored(dest, tmp_path)
    with sqlite3.connect(restored) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with sqlite_app(f"sqlite:///{restored}") as fresh:
        copy = counts()
        # A consistent snapshot from somewhere during the writes, whole posts only.
        assert before["posts"] <= copy["posts"] <= after["posts"]
        assert {k: v for k, v in copy.items() if k != "posts"} == {
            k: v for k, v in after.items() if k != "posts"
        }
        assert not invariants()
        client = _signed_in(fresh, login)
        assert client.get("/").status_code == 200
        assert client.get(f"/threads/{thread_id}").status_code == 200
        assert (
            client.post(
                f"/threads/{thread_id}/reply",
                data={"body": "Posted on the restored copy.", "token": ""},
            ).status_code
            == 302
        )


def test_quiet_backup_has_the_same_counts(tmp_path):
    source, dest = tmp_path / "forum.sqlite3", tmp_path / "quiet.sqlite3"
    with sqlite_app(f"sqlite:///{source}", create=True) as app:
        _seed()
        expected = counts()
        assert _backup(app, dest).exit_code == 0
        # An existing file is never overwritten by accident.
        again = _backup(app, dest)
        assert again.exit_code != 0 and "--force" in again.output
        assert _backup(app, dest, "--force").exit_code == 0
    with sqlite_app(f"sqlite:///{_restored(dest, tmp_path)}"):
        assert counts() == expected


def test_real_cli_command(tmp_path):
    # `flask db backup` resolves inside Flask-Migrate's group in a real `flask` process.
    source, dest = tmp_path / "forum.sqlite3", tmp_path / "cli.sqlite3"
    with sqlite_app(f"sqlite:///{source}", create=True):
        _seed()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FORUM_", "FLASK_"))}
    env.update(FORUM_DATABASE_URL=f"sqlite:///{source}", FORUM_ENV="testing")
    flask = [sys.executable, "-m", "flask", "--app", "app"]
    done = subprocess.run(
        [*flask, "db", "backup", str(dest)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "Backed up" in done.stdout
    with sqlite3.connect(dest) as conn:
        assert conn.execute("SELECT count(*) FROM posts").fetchone()[0] == 1


def test_postgresql_gets_pg_dump_instructions(tmp_path):
    from forum import create_app

    app = create_app(make_config("postgresql+psycopg://forum:s3cret@db.example:5432/forum"))
    with app.app_context():
        result = app.test_cli_runner().invoke(db_group, ["backup", str(tmp_path / "forum.dump")])
        db.engine.dispose()
    assert result.exit_code == 1  # no backup was made: scripts must not think otherwise
    assert "pg_dump --format=custom" in result.output
    assert "pg_restore" in result.output
    assert "s3cret" not in result.output
    assert not (tmp_path / "forum.dump").exists()
