"""Private conversations between members, with anonymous parents, and moderators' notes.

Pages here are per member and rendered per request; nothing goes into a kept block
except the plain "Message privately" link on posts. Other features hear new messages
through the `message_sent` signal (forum.conversations.services).
"""

from flask import Blueprint

bp = Blueprint("conversations", __name__, url_prefix="/messages", cli_group="conversations")

from forum.conversations import emails, models, notes, routes, routes_safety, setup  # noqa: E402,F401

bp.record_once(lambda state: setup.register(state.app))
