"""A member's private IEP notebook: what the IEP promises, what happened, and when.

Nobody but the owner sees a notebook (not other members, moderators or admins);
a read-only share link that expires is the only way out. Pages are rendered per
request for the owner and never go through a page cache.
"""

from flask import Blueprint

bp = Blueprint("notebook", __name__, cli_group="notebook")

from forum.notebook import (  # noqa: E402,F401
    cli,
    models,
    routes,
    routes_entries,
    routes_services,
    routes_share,
)
