"""Moderation: flags, the review queue, moderator actions and the audit log.

Two blueprints: `moderation` (/moderation/..., moderators and admins only) and
`flags` (what members use: the flag form, acknowledging a private notice).
"""

from flask import Blueprint

bp = Blueprint("moderation", __name__, url_prefix="/moderation", cli_group="moderation")
flags_bp = Blueprint("flags", __name__)

from forum.moderation import admin_routes, cli, member_routes, routes, setup  # noqa: E402,F401

flags_bp.record_once(lambda state: setup.register(state.app))
