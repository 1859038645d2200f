"""`flask db backup PATH`: a consistent copy of the SQLite database while the forum runs.

Attached to Flask-Migrate's `db` group in create_app(). SQLite is copied with its
online backup API (one step, so the copy is one consistent snapshot even while
members post); PostgreSQL is backed up with pg_dump, and the command says how.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy.engine import URL

from forum.extensions import db


def backup_sqlite(dest: Path, *, force: bool = False) -> int:
    """Copy the live SQLite database to `dest`; return its size in bytes."""
    dest = Path(dest)
    if dest.exists() and not force:
        raise click.ClickException(f"{dest} exists; use --force to replace it.")
    partial = dest.with_name(dest.name + ".partial")
    partial.unlink(missing_ok=True)
    raw = db.engine.raw_connection()
    try:
        target = sqlite3.connect(partial)
        try:
            raw.driver_connection.backup(target)  # pages=-1: the whole file in one step
            target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            check = target.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            target.close()
    finally:
        raw.close()
    if check != "ok":
        partial.unlink(missing_ok=True)
        raise click.ClickException(f"The copy failed its integrity check: {check}")
    os.replace(partial, dest)  # a reader of PATH never sees half a file
    return dest.stat().st_size


def pg_dump_instructions(url: URL, dest: Path) -> str:
    libpq = url.set(drivername="postgresql").render_as_string(hide_password=True)
    return (
        "This forum runs on PostgreSQL, which is backed up with its own tools, not by this "
        "command. Make a consistent backup (safe while the forum runs) with:\n"
        f"  pg_dump --format=custom --file '{dest}' '{libpq}'\n"
        "and restore it into a new, empty database with:\n"
        f"  pg_restore --no-owner --dbname 'postgresql://USER@HOST/NEW_DB' '{dest}'"
    )


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace PATH if it already exists.")
@with_appcontext
def backup_command(path: Path, force: bool) -> None:
    """Copy the database to PATH (SQLite; for PostgreSQL, prints the pg_dump steps)."""
    url = db.engine.url
    if url.get_backend_name() != "sqlite":
        raise click.ClickException(pg_dump_instructions(url, path))
    size = backup_sqlite(path, force=force)
    click.echo(f"Backed up the database to {path} ({size:,} bytes, integrity check ok).")
    click.echo("To restore: stop the forum, put this file in place of the database file, start it.")


def register(app: Flask) -> None:
    from flask_migrate.cli import db as db_group

    if "backup" not in db_group.commands:
        db_group.add_command(backup_command)
