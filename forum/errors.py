"""Error pages in the site's layout; never a traceback."""

from __future__ import annotations

from flask import Flask, current_app, g, render_template
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

MESSAGES = {
    400: ("Something was wrong with that request", "Please go back and try again."),
    403: ("You can't do that here", "Your account doesn't have access to this page or action."),
    404: ("Page not found", "It may have been moved or removed, or the link is mistyped."),
    405: ("That didn't work", "This page can't be used that way."),
    409: (
        "That was already saved",
        "The same form arrived twice at once (a double click, or two tabs), and one copy was "
        "saved. Reload the page to see the result.",
    ),
    413: ("That was too large", "Please shorten it (posts can be up to 20,000 characters)."),
    429: (
        "Please slow down",
        "You've done that many times in a short while. Take a breath and try again in a minute.",
    ),
    500: ("Something went wrong on our side", "Your text was not lost if you go back. Sorry."),
    503: (
        "We're briefly unavailable",
        "The forum couldn't reach its database. Please try again in a moment; "
        "go back to keep what you typed.",
    ),
}
RETRY_AFTER_SECONDS = 30


def or_abort(fn, *args, **kwargs):
    """Call a service from a view: its NotFound becomes the 404 page, NotAllowed the 403."""
    from flask import abort

    from forum.services import NotAllowed, NotFound

    try:
        return fn(*args, **kwargs)
    except NotFound:
        abort(404)
    except NotAllowed:
        abort(403)


def render_error(code: int, detail: str | None = None):
    title, message = MESSAGES.get(code, MESSAGES[500])
    return render_template("errors/error.html", code=code, title=title,
                           message=detail or message), code


def render_unavailable():
    """The 503 page, the same for guests and members, rendered without the database.

    The sign-in loader needs the database too, so when it is down the member can't be
    loaded: the request goes on as a guest's (the header hooks then ask nothing of the
    database either) and the page uses a layout with nothing per viewer in it.
    """
    g._login_user = current_app.login_manager.anonymous_user()
    title, message = MESSAGES[503]
    body = render_template("errors/unavailable.html", title=title, message=message)
    return body, 503, {
        "Retry-After": str(RETRY_AFTER_SECONDS),
        "Cache-Control": "no-store",
    }


def _rollback() -> None:
    """Forget the failed transaction; with the database gone, that may fail too."""
    from forum.extensions import db

    try:
        db.session.rollback()
    except DBAPIError:
        db.session.close()


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return render_error(
            400, "Your form expired or came from another site. Go back, reload and send it again."
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        response = render_error(error.code if error.code in MESSAGES else 400)
        return response

    @app.errorhandler(OperationalError)
    @app.errorhandler(PoolTimeout)
    def database_unavailable(error: Exception):
        _rollback()
        app.logger.error("database error: %s", error)
        return render_unavailable()

    @app.errorhandler(IntegrityError)
    def already_saved(error: IntegrityError):
        """A unique rule refused a row that two identical requests raced to write.

        Each use case that can meet such a race answers it itself with a form message;
        this is the net under the ones that don't: a clear 409, never a 500.
        """
        _rollback()
        app.logger.warning("integrity error answered with 409: %s", error.orig)
        return render_error(409)

    @app.errorhandler(Exception)
    def server_error(error: Exception):
        if isinstance(error, HTTPException):
            return http_error(error)
        if isinstance(error, DBAPIError) and error.connection_invalidated:
            # The connection died (server restart, killed backend): not our bug, retry later.
            return database_unavailable(error)
        _rollback()
        app.logger.exception("unhandled error")
        return render_error(500)
