"""Extension objects, bound to the app in create_app()."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps

from flask import current_app, request
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, inspect
from sqlalchemy.orm import DeclarativeBase, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def per_thread(build: Callable) -> Callable:
    """Memoise a statement builder per server thread: built once per thread and arguments,
    never shared between threads. A statement with aliased entities, built once and shared
    by a server's threads, was seen to load rows by the wrong columns under concurrent
    first use on PostgreSQL (NoSuchColumnError, tests/test_http_sharing.py); building it on
    every call instead cost a fifth of an uncached thread page."""
    local = threading.local()

    @wraps(build)
    def get(*args):
        memo = local.__dict__.setdefault("memo", {})
        if (statement := memo.get(args)) is None:
            statement = memo[args] = build(*args)
        return statement

    return get


def columns_of(model, prefix: str = "") -> list:
    """A model's mapped columns, each labelled with its attribute's name after `prefix`: to
    read rows with Core that `attach` turns into objects."""
    return [prop.columns[0].label(prefix + prop.key) for prop in inspect(model).column_attrs]


def attach(model, row, prefix: str = ""):
    """An object of `model` from a row read with Core (its `columns_of(model, prefix)`
    columns; other columns are ignored), persistent in the request's session as if the ORM
    had loaded it; the object the session already holds for that row, if any (its expired
    attributes filled from the row, as an ORM load would). For the
    statements of every signed-in page: loading through the ORM cost about three times the
    statement itself."""
    mapper = inspect(model)
    values = {prop.key: row[prefix + prop.key] for prop in mapper.column_attrs}
    session = db.session()
    key = mapper.identity_key_from_primary_key(
        [values[mapper.get_property_by_column(c).key] for c in mapper.primary_key])
    held = session.identity_map.get(key)
    if held is not None:  # as the ORM would: what it had expired is filled from the row
        for name in inspect(held).unloaded & values.keys():
            set_committed_value(held, name, values[name])
        return held
    obj = mapper.class_manager.new_instance()
    obj.__dict__.update(values)
    make_transient_to_detached(obj)  # every value given counts as loaded, the rest expired
    session.add(obj)
    return obj


def now_utc() -> datetime:
    """Timezone-naive UTC now: both databases store it the same way."""
    return datetime.now(UTC).replace(tzinfo=None)


def client_address() -> str:
    """The client's address, trusting X-Forwarded-For only behind configured proxies."""
    hops = current_app.config.get("TRUSTED_PROXIES", 0)
    if hops:
        forwarded = [p.strip() for p in request.headers.get("X-Forwarded-For", "").split(",")]
        forwarded = [p for p in forwarded if p]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.remote_addr or "unknown"


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=client_address)


@limiter.request_filter
def _read_without_limits() -> bool:
    from forum.security import read_without_limits

    return read_without_limits()
