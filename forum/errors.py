"""Error pages in the site's layout; never a traceback."""

from __future__ import annotations

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException

MESSAGES = {
    400: ("Something was wrong with that request", "Please go back and try again."),
    403: ("You can't do that here", "Your account doesn't have access to this page or action."),
    404: ("Page not found", "It may have been moved or removed, or the link is mistyped."),
    405: ("That didn't work", "This page can't be used that way."),
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


def render_error(code: int, detail: str | None = None):
    title, message = MESSAGES.get(code, MESSAGES[500])
    return render_template("errors/error.html", code=code, title=title,
                           message=detail or message), code


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
    def database_unavailable(error: OperationalError):
        from forum.extensions import db

        db.session.rollback()
        app.logger.error("database error: %s", error)
        return render_error(503)

    @app.errorhandler(Exception)
    def server_error(error: Exception):
        from forum.extensions import db

        if isinstance(error, HTTPException):
            return http_error(error)
        if isinstance(error, DBAPIError) and error.connection_invalidated:
            # The connection died (server restart, killed backend): not our bug, retry later.
            return database_unavailable(error)
        db.session.rollback()
        app.logger.exception("unhandled error")
        return render_error(500)
