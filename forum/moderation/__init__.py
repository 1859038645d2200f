"""Moderation: flags, the review queue, moderator actions and the audit log."""

from flask import Blueprint

bp = Blueprint("moderation", __name__, cli_group="moderation")
