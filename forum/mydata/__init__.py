"""A member's own data: download everything they wrote, or delete their account."""

from flask import Blueprint

bp = Blueprint("mydata", __name__)

from forum.mydata import cli, routes  # noqa: E402,F401
