"""A notebook full of text that must never reach anyone but its owner (and a share link).

Every field holds the marker "zqnb", so a crawler can look for it on every page.
"""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from forum.extensions import db
from forum.notebook import promises, services, sharing
from forum.resources.models import Resource, ResourceTag, Tag
from tests import factories as f

MARKER = "zqnb"
TODAY = date.today()


def make_tag(slug: str = "one-to-one-aide", label: str = "One-to-one aide") -> Tag:
    tag = Tag(slug=slug, label=label)
    db.session.add(tag)
    db.session.flush()
    resource = Resource(id=f"{slug}-guide", title=f"Guide: {label}", url="https://example.org/g")
    db.session.add(resource)
    db.session.flush()
    db.session.add(ResourceTag(resource_id=resource.id, tag_id=tag.id, position=1))
    db.session.commit()
    return tag


def fill_notebook(owner, tag: Tag | None = None) -> dict:
    """A notebook with every kind of thing in it, each carrying the marker."""
    tag = tag or make_tag()
    notebook = services.create_notebook(owner, "Zqnb")
    start = TODAY - timedelta(days=60)
    service = promises.save_service(
        notebook, None, name=f"{MARKER} aide", minutes=None, per="school-day", full_day=True,
        session_minutes=None, starts_on=start, ends_on=None)
    log = promises.log_session(notebook, service, "missed", on=TODAY - timedelta(days=3),
                               today=TODAY)
    promises.log_session(notebook, service, "delivered", on=start + timedelta(days=14),
                         until=start + timedelta(days=30), today=TODAY)
    entry = services.save_entry(
        notebook, None, kind="aide", occurred_on=TODAY - timedelta(days=2),
        occurred_at=time(9, 30), roles=f"the {MARKER} case manager",
        text=f"The aide was removed, {MARKER} said mediation is refused.",
        service_id=service.id, tag_ids=[tag.id])
    school_break = services.add_break(notebook, TODAY - timedelta(days=20),
                                      TODAY - timedelta(days=18), f"{MARKER} break")
    key_date = services.save_date(notebook, None, kind="annual-review",
                                  due_on=TODAY + timedelta(days=5), note=f"{MARKER} note",
                                  remind=True, remind_days=7)
    share, token = sharing.create_share(notebook)
    return {"notebook": notebook, "service": service, "entry": entry, "log": log,
            "break": school_break, "date": key_date, "share": share, "token": token, "tag": tag}


@pytest.fixture
def nb_world(app):
    """The owner's notebook, and everyone who must not see it."""
    owner = f.make_user("owner_olive", email="olive.owner@example.org")
    world = {
        "owner": owner,
        "member": f.make_user("member_maya"),
        "moderator": f.make_user("mod_river", role="moderator"),
        "admin": f.make_user("admin_harbor", role="admin"),
        "category": f.make_category("iep-meetings", name="IEP meetings"),
    }
    world.update(fill_notebook(owner))
    world["values"] = route_values(world)  # plain ids: usable after db.session.remove()
    return world


def route_values(w: dict) -> dict:
    """URL parameters pointing at the world's notebook objects."""
    return {"notebook_id": w["notebook"].id, "entry_id": w["entry"].id,
            "service_id": w["service"].id, "date_id": w["date"].id, "share_id": w["share"].id,
            "log_id": w["log"].id, "break_id": w["break"].id, "token": "not-a-real-token",
            "tag_id": w["tag"].id}
