"""forum.extensions.attach: objects from Core rows, as the ORM would have loaded them."""

from __future__ import annotations

from sqlalchemy import select

from forum.accounts.models import User
from forum.extensions import attach, columns_of, db
from tests import factories as f


def _row(user_id: int):
    return db.session.connection().execute(
        select(*columns_of(User), *columns_of(User, "again__")).where(User.id == user_id)
    ).first()._mapping


def test_an_attached_object_is_persistent_and_saves_changes(app, count_queries):
    user_id = f.make_user("attached_ann").id
    db.session.remove()
    row = _row(user_id)
    with count_queries() as statements:
        user = attach(User, row)
        assert (user.username, user.id) == ("attached_ann", user_id)
    assert statements == []  # no load of its own
    assert attach(User, row, "again__") is user  # one object per row in a session
    user.time_zone = "America/Chicago"
    db.session.commit()
    db.session.remove()
    assert db.session.get(User, user_id).time_zone == "America/Chicago"


def test_an_expired_object_held_by_the_session_is_filled_from_the_row(app, count_queries):
    user = f.make_user("attached_bo")
    user_id = user.id
    db.session.execute(User.__table__.update().where(User.__table__.c.id == user_id)
                       .values(time_zone="Europe/Paris"))
    db.session.commit()  # `user` is expired now
    row = _row(user_id)
    with count_queries() as statements:
        held = attach(User, row)
        assert held is user and held.time_zone == "Europe/Paris"
    assert statements == []
