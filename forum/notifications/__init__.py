"""On-site notifications (the bell), unread marks on threads, "new since your last visit"."""

from flask import Blueprint

bp = Blueprint("notifications", __name__)

from forum.notifications import models, routes, setup  # noqa: E402,F401

bp.record_once(lambda state: setup.register(state.app))
