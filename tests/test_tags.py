"""Tags and story details: admin pages, choosing tags, tag pages, the outcome invitation."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from forum.extensions import db, now_utc
from forum.resources.models import Tag, ThreadTag
from forum.threads.models import Thread


@pytest.fixture
def tags(world):
    made = [Tag(slug=f"topic-{n}", label=f"Topic {n}", position=n) for n in range(5)]
    made.append(Tag(slug="old-topic", label="Old topic", retired=True, position=9))
    db.session.add_all(made)
    db.session.commit()
    # Plain values: tests remove the session to read what requests committed.
    return [SimpleNamespace(id=t.id, slug=t.slug, label=t.label) for t in made]


def tag_ids_of(thread_id: int) -> set[int]:
    return set(db.session.scalars(select(ThreadTag.tag_id).where(ThreadTag.thread_id == thread_id)))


# --- admin pages ----------------------------------------------------------------------------

ADMIN_POSTS = [
    ("/admin/tags/new", {"label": "Sneaky", "slug": "sneaky", "description": ""}),
    ("/admin/tags/{tag}/edit", {"label": "Renamed", "slug": "renamed", "description": ""}),
    ("/admin/tags/{tag}/retire", {"retired": "1"}),
]


@pytest.mark.parametrize("path,data", ADMIN_POSTS)
@pytest.mark.parametrize("who", ["guest", "member", "author"])
def test_tag_admin_refuses_members_and_guests(client_as, world, tags, path, data, who):
    tag_id = tags[0].id
    before = [
        (t.slug, t.label, t.retired) for t in db.session.scalars(select(Tag).order_by(Tag.id))
    ]
    client = client_as(None if who == "guest" else world[who])
    url = path.format(tag=tag_id)
    response = client.post(url, data=data)
    if who == "guest":
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    else:
        assert response.status_code == 403
    assert client.get("/admin/tags").status_code in (302, 403)
    db.session.remove()
    after = [(t.slug, t.label, t.retired) for t in db.session.scalars(select(Tag).order_by(Tag.id))]
    assert after == before


@pytest.mark.parametrize("who", ["moderator", "admin"])
def test_moderators_and_admins_manage_tags(client_as, world, tags, who):
    client = client_as(world[who])
    assert client.get("/admin/tags").status_code == 200
    response = client.post(
        "/admin/tags/new",
        data={
            "label": "Assistive tech",
            "slug": "assistive-tech",
            "description": "AAC and devices",
            "legal": "y",
        },
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/tags")
    tag_id = tags[0].id
    client.post(f"/admin/tags/{tag_id}/edit", data={"label": "Renamed", "slug": "renamed"})
    client.post(f"/admin/tags/{tag_id}/retire", data={"retired": "1"})
    db.session.remove()
    new = db.session.scalar(select(Tag).where(Tag.slug == "assistive-tech"))
    assert new.label == "Assistive tech" and new.legal
    edited = db.session.get(Tag, tag_id)
    assert (edited.slug, edited.label, edited.retired) == ("renamed", "Renamed", True)
    client.post(f"/admin/tags/{tag_id}/retire", data={"retired": "0"})
    db.session.remove()
    assert not db.session.get(Tag, tag_id).retired


def test_nul_bytes_in_admin_forms_are_refused(client_as, world, tags):
    response = client_as(world["moderator"]).post(
        "/admin/tags/new", data={"label": "Nul\x00 tag", "slug": "nul-tag", "description": "a\x00b"}
    )
    assert response.status_code == 400
    db.session.remove()
    assert db.session.scalar(select(Tag).where(Tag.slug == "nul-tag")) is None


def test_duplicate_tag_slug_is_a_clear_error(client_as, world, tags):
    response = client_as(world["moderator"]).post(
        "/admin/tags/new", data={"label": "Copy", "slug": tags[1].slug}
    )
    assert response.status_code == 422
    assert "already uses that slug" in response.get_data(as_text=True)
    assert 'value="Copy"' in response.get_data(as_text=True)


# --- choosing tags ------------------------------------------------------------------------------


def new_thread(client, world, **extra):
    data = {
        "category": world["public"].slug,
        "title": "Our tagged story here",
        "body": "Body of the tagged story.",
        "token": extra.pop("token", "t1"),
    }
    data.update(extra)
    return client.post("/threads/new", data=data)


def test_new_thread_with_tags_and_details(client_as, world, tags):
    chosen = [str(tags[0].id), str(tags[2].id)]
    response = new_thread(
        client_as(world["member"]), world, tags=chosen, state="OH", school_stage="middle"
    )
    assert response.status_code == 302
    db.session.remove()
    thread = db.session.scalar(select(Thread).where(Thread.title == "Our tagged story here"))
    assert tag_ids_of(thread.id) == {tags[0].id, tags[2].id}
    assert (thread.state, thread.school_stage, thread.outcome) == ("OH", "middle", None)
    page = client_as().get(f"/threads/{thread.id}").get_data(as_text=True)
    assert "Topic 0" in page and "Ohio" in page and "Middle school" in page


def test_new_thread_without_tags_or_details(client_as, world, tags):
    assert new_thread(client_as(world["member"]), world).status_code == 302
    db.session.remove()
    thread = db.session.scalar(select(Thread).where(Thread.title == "Our tagged story here"))
    assert tag_ids_of(thread.id) == set() and thread.state is None and thread.school_stage is None


def test_more_than_three_tags_keeps_the_text(client_as, world, tags):
    response = new_thread(client_as(world["member"]), world, tags=[str(t.id) for t in tags[:4]])
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Choose up to 3 topics." in html and "Body of the tagged story." in html
    db.session.remove()
    assert (
        db.session.scalar(select(func.count()).where(Thread.title == "Our tagged story here")) == 0
    )


@pytest.mark.parametrize(
    "field,value",
    [("tags", "999999"), ("tags", "abc"), ("state", "XX"), ("school_stage", "college")],
)
def test_bad_choices_are_422_not_500(client_as, world, tags, field, value):
    response = new_thread(client_as(world["member"]), world, **{field: value})
    assert response.status_code == 422
    assert "Body of the tagged story." in response.get_data(as_text=True)


def test_retired_tags_are_not_offered(client_as, world, tags):
    html = client_as(world["member"]).get("/threads/new").get_data(as_text=True)
    assert "Topic 0" in html and "Old topic" not in html
    response = new_thread(client_as(world["member"]), world, tags=[str(tags[-1].id)])
    assert response.status_code == 422


def test_state_field_explains_privacy(client_as, world, tags):
    html = client_as(world["member"]).get("/threads/new").get_data(as_text=True)
    assert "Prefer not to say" in html and "protects" in html and "privacy" in html


# --- editing tags and details later ---------------------------------------------------------------


@pytest.mark.parametrize(
    "who,status", [("author", 302), ("moderator", 302), ("member", 403), ("guest", 302)]
)
def test_who_may_edit_a_threads_tags(client_as, world, tags, who, status):
    thread_id = world["anon"].id
    client = client_as(None if who == "guest" else world[who])
    response = client.post(
        f"/threads/{thread_id}/story",
        data={"tags": [str(tags[1].id)], "state": "", "school_stage": "high"},
    )
    assert response.status_code == status
    db.session.remove()
    changed = tag_ids_of(thread_id) == {tags[1].id}
    assert changed is (who in ("author", "moderator"))
    if who == "guest":
        assert "/login" in response.headers["Location"]


def test_author_sets_outcome_moderator_cannot(client_as, world, tags):
    thread_id = world["anon"].id
    author, moderator = client_as(world["author"]), client_as(world["moderator"])
    author.post(
        f"/threads/{thread_id}/story",
        data={"outcome": "mediation", "state": "", "school_stage": ""},
    )
    db.session.remove()
    assert db.session.get(Thread, thread_id).outcome == "mediation"
    moderator_page = moderator.get(f"/threads/{thread_id}/story")
    assert 'name="outcome"' not in moderator_page.get_data(as_text=True)
    moderator.post(
        f"/threads/{thread_id}/story", data={"outcome": "other", "state": "", "school_stage": ""}
    )
    db.session.remove()
    assert db.session.get(Thread, thread_id).outcome == "mediation"


def test_retired_tag_can_stay_on_a_thread(client_as, world, tags):
    thread_id, old = world["named"].id, tags[-1].id
    db.session.add(ThreadTag(thread_id=thread_id, tag_id=old))
    db.session.commit()
    response = client_as(world["author"]).post(
        f"/threads/{thread_id}/story", data={"tags": [str(old), str(tags[0].id)]}
    )
    assert response.status_code == 302
    db.session.remove()
    assert tag_ids_of(thread_id) == {old, tags[0].id}


# --- tag pages ------------------------------------------------------------------------------------


def test_tag_page_lists_threads_the_viewer_may_see(client_as, world, tags):
    for thread in (world["named"], world["anon"], world["members_thread"]):
        db.session.add(ThreadTag(thread_id=thread.id, tag_id=tags[0].id))
    db.session.commit()
    guest = client_as().get("/tags/topic-0").get_data(as_text=True)
    assert (
        "Named thread about an IEP meeting" in guest and "Anonymous thread about an aide" in guest
    )
    assert "Members only thread here" not in guest
    assert world["author"].username not in guest.split("Anonymous thread about an aide")[1][:400]
    member = client_as(world["member"]).get("/tags/topic-0").get_data(as_text=True)
    assert "Members only thread here" in member
    assert client_as().get("/tags/nope").status_code == 404
    assert "Topic 0" in client_as().get("/tags").get_data(as_text=True)


# --- "how did it turn out?" ---------------------------------------------------------------------


def age(thread_id: int, days: int) -> None:
    db.session.execute(
        Thread.__table__.update()
        .where(Thread.id == thread_id)
        .values(created_at=now_utc() - timedelta(days=days))
    )
    db.session.commit()


def test_outcome_invitation_after_thirty_days_for_the_author_only(client_as, world):
    thread_id = world["anon"].id
    author = client_as(world["author"])
    assert "How did it turn out?" not in author.get(f"/threads/{thread_id}").get_data(as_text=True)
    age(thread_id, 31)
    assert "How did it turn out?" in author.get(f"/threads/{thread_id}").get_data(as_text=True)
    assert "How did it turn out?" in author.get("/").get_data(as_text=True)
    for other in (client_as(), client_as(world["member"]), client_as(world["moderator"])):
        assert "How did it turn out?" not in other.get(f"/threads/{thread_id}").get_data(
            as_text=True
        )
        assert "How did it turn out?" not in other.get("/").get_data(as_text=True)


def test_not_now_and_answering_stop_the_invitation(client_as, world):
    thread_id = world["anon"].id
    age(thread_id, 40)
    author = client_as(world["author"])
    assert client_as(world["member"]).post(f"/threads/{thread_id}/outcome/later").status_code == 403
    response = author.post(f"/threads/{thread_id}/outcome/later", data={"back": "home"})
    assert response.headers["Location"].endswith("/")
    assert "How did it turn out?" not in author.get("/").get_data(as_text=True)
    # A month after "not now" it asks again; answering with an outcome ends it.
    db.session.execute(
        Thread.__table__.update()
        .where(Thread.id == thread_id)
        .values(outcome_checked_at=now_utc() - timedelta(days=31))
    )
    db.session.commit()
    assert "How did it turn out?" in author.get("/").get_data(as_text=True)
    author.post(
        f"/threads/{thread_id}/story",
        data={"outcome": "resolved-with-school", "state": "", "school_stage": ""},
    )
    assert "How did it turn out?" not in author.get("/").get_data(as_text=True)
    assert "Resolved with the school" in author.get(f"/threads/{thread_id}").get_data(as_text=True)
