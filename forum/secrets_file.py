"""Signing keys that are never a public constant.

Production takes FORUM_SECRET_KEY and refuses a weak one. Everywhere else a
missing key is generated at random: for development (`make run`) once, into
the git-ignored instance/ folder (mode 0600), and reused on every start so
sessions and anonymous aliases survive a restart; for tests, per app. No
configuration shipped with the code holds a key, so nobody can compute the
aliases of a site from its source.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask

MIN_LENGTH = 32
MIN_DISTINCT = 12  # "k" * 40 is long but not random
FILES = {"SECRET_KEY": "secret_key", "ALIAS_KEY": "alias_key"}


def weak(key: str | None) -> bool:
    key = key or ""
    return len(key) < MIN_LENGTH or len(set(key)) < MIN_DISTINCT or key.startswith("dev-")


def configure(app: Flask) -> None:
    """Fill SECRET_KEY and ALIAS_KEY, or refuse to start in production with a weak key."""
    if app.config.get("PRODUCTION"):
        if weak(app.config.get("SECRET_KEY")):
            raise RuntimeError(
                f"FORUM_SECRET_KEY must be set to a random string of at least {MIN_LENGTH} "
                'characters (python -c "import secrets; print(secrets.token_urlsafe(48))")'
            )
        return
    for name, filename in FILES.items():
        if app.config.get(name):
            continue
        if app.config.get("TESTING"):
            app.config[name] = secrets.token_urlsafe(48)
        else:
            app.config[name] = read_or_create(Path(app.instance_path) / filename)


def read_or_create(path: Path) -> str:
    """The key kept in `path`, made at random (mode 0600) the first time.

    Several processes may start at once (gunicorn workers): each writes a
    candidate beside the file and links it into place; link fails if another
    process won, and everyone reads the winner's key.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        candidate = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_urlsafe(48))
                out.flush()
                os.fsync(out.fileno())
            try:
                os.link(candidate, path)
            except FileExistsError:
                pass
        finally:
            candidate.unlink(missing_ok=True)
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)
    key = path.read_text().strip()
    if weak(key):
        raise RuntimeError(f"{path} holds a weak key: delete it to have a new one made")
    return key
