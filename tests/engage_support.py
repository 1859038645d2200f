"""Fixtures shared by the engagement tests (issue 18)."""

from __future__ import annotations

import pytest

from forum.extensions import db


@pytest.fixture
def ids(world) -> dict:
    """Ids and names of the world's objects (tests remove the session between requests)."""
    return {key: getattr(value, "id", None) for key, value in world.items()} | {
        "author_name": world["author"].username}


@pytest.fixture
def as_(client_as, ids):
    """as_("member"): a client signed in as that member of the world; as_(None): a guest."""
    from forum.accounts.models import User

    return lambda key: client_as(db.session.get(User, ids[key]) if key else None)


def page(client, path: str) -> str:
    db.session.remove()
    return client.get(path).get_data(as_text=True)
