"""The floor of a signed-in page: the forum app with two routes that do only what every
signed-in thread page must (the sign-in statement; the sign-in and the thread statement)
and send a fixed body the size of a signed-in thread page, with none of the page assembly.

Measured beside the real pages (`make bench`, the "floor" rows): the distance between a
floor row and "thread page 1, signed in" is what assembling the page costs, and a floor row
is as fast as a signed-in thread page can get while it runs both statements. Not part of
the product: only the benchmark serves it (gunicorn "bench.floor_app:create()").
"""

from __future__ import annotations

from flask import Blueprint, Flask, abort
from flask_login import current_user

from forum.assembly import reads_only
from forum.errors import or_abort
from forum.threads import services

BODY_KIB = 69  # a signed-in thread page of the benchmark's dataset
BODY = ("<p>" + "x" * 1016 + "</p>\n") * BODY_KIB

bp = Blueprint("bench_floor", __name__, url_prefix="/bench-floor")


@bp.get("/sign-in")
@reads_only  # on PostgreSQL without BEGIN and ROLLBACK, as the thread page reads
def sign_in_only() -> str:
    if not current_user.is_authenticated:  # the member's sign-in statement runs here
        abort(403)
    return BODY


@bp.get("/thread/<int:thread_id>")
@reads_only
def thread_statement(thread_id: int) -> str:
    if not current_user.is_authenticated:
        abort(403)
    or_abort(services.get_thread_for, current_user, thread_id, 1)  # as the thread page
    return BODY


def create(config: type | None = None) -> Flask:
    from forum import create_app

    app = create_app(config)
    app.register_blueprint(bp)
    return app
