"""The privacy review before posting, its live JSON check, and indexing of members-only pages."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.threads.models import Post, PostRevision, Thread
from tests import factories as f

BLAKE = "Yesterday my son Blake cried before school. Principal Moore never called us back."


def _thread_count() -> int:
    db.session.remove()
    return db.session.scalar(select(func.count()).select_from(Thread))


def _new(client, **data):
    form = {"category": "iep-meetings", "title": "Rough week at school", "body": BLAKE, **data}
    return client.post("/threads/new", data=form)


def _textarea(html: str) -> str:
    import html as html_lib

    found = re.search(r"<textarea[^>]*>\r?\n?(.*?)</textarea>", html, re.S)
    return html_lib.unescape(found.group(1))


def _title_value(html: str) -> str:
    import html as html_lib

    return html_lib.unescape(re.search(r'<input[^>]*id="title"[^>]*value="([^"]*)"', html).group(1))


def test_new_thread_with_a_name_shows_the_review_and_publishes_nothing(client_as, world):
    client = client_as(world["member"])
    before = _thread_count()
    response = _new(client)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Before you post" in page
    assert _textarea(page) == BLAKE  # the text survives
    assert "<mark>my son Blake</mark>" in page
    assert "<mark>Principal Moore</mark>" in page
    assert "Replace “my son Blake” with “my son”" in page
    assert "name can identify your family" in page  # Finding.reason
    assert 'name="apply" value="0"' in page and 'name="apply_all"' in page
    assert 'name="reviewed" value="1"' in page
    assert _thread_count() == before


def test_apply_all_then_post_publishes_without_the_name(client_as, world):
    client = client_as(world["member"])
    response = _new(client, apply_all="1")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Every suggestion is applied" in page
    fixed = _textarea(page)
    assert "Blake" not in fixed and "Moore" not in fixed
    assert fixed == "Yesterday my son cried before school. The principal never called us back."
    assert _thread_count() == 3  # still nothing new: the parent reads it over first
    response = _new(client, body=fixed)
    assert response.status_code == 302
    db.session.remove()
    post = db.session.scalar(select(Post).order_by(Post.id.desc()))
    assert post.body == fixed and "Blake" not in post.body_html


def test_apply_one_replaces_only_that_finding(client_as, world):
    client = client_as(world["member"])
    page = _new(client).get_data(as_text=True)
    seen = re.search(r'name="privacy_seen" value="([0-9a-f]+)"', page).group(1)
    response = _new(client, apply="1", privacy_seen=seen)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert _textarea(page) == BLAKE.replace("Principal Moore", "The principal")
    assert "Replace “my son Blake” with “my son”" in page  # the other one is still listed
    assert "Moore" not in _textarea(page)


def test_apply_after_a_hand_edit_replaces_nothing(client_as, world):
    client = client_as(world["member"])
    page = _new(client).get_data(as_text=True)
    seen = re.search(r'name="privacy_seen" value="([0-9a-f]+)"', page).group(1)
    edited = BLAKE.replace("my son Blake", "my son")  # fixed by hand; index 0 is now Moore
    response = _new(client, body=edited, apply="0", privacy_seen=seen)
    page = response.get_data(as_text=True)
    assert "nothing was replaced" in page
    assert _textarea(page) == edited


@pytest.mark.parametrize("value", ["99", "-1", "x", ""])
def test_apply_with_a_bad_index_is_harmless(client_as, world, value):
    response = _new(client_as(world["member"]), apply=value)
    assert response.status_code == 200
    assert _textarea(response.get_data(as_text=True)) == BLAKE


def test_post_anyway_publishes_the_text_as_written(client_as, world):
    response = _new(client_as(world["member"]), reviewed="1")
    assert response.status_code == 302
    db.session.remove()
    assert db.session.scalar(select(Post).order_by(Post.id.desc())).body == BLAKE


def test_hand_edit_is_checked_again(client_as, world):
    client = client_as(world["member"])
    response = _new(client, body="Update: my daughter Emma starts at Jefferson Middle School.")
    assert response.status_code == 200 and "<mark>" in response.get_data(as_text=True)
    response = _new(client, body="Update: my daughter starts at her new school.")
    assert response.status_code == 302


def test_title_is_checked_and_fixed_too(client_as, world):
    client = client_as(world["member"])
    title = "Trouble at Lincoln Elementary"
    page = _new(client, title=title, body="Nothing identifying here.").get_data(as_text=True)
    assert "in the title" in page and "<mark>Lincoln Elementary</mark>" in page
    page = _new(client, title=title, body="Nothing identifying here.", apply="0")
    page = page.get_data(as_text=True)
    assert _title_value(page) == "Trouble at [the school]"


def test_text_is_escaped_in_the_review(client_as, world):
    body = '<script>alert(1)</script> my son Blake <b>"hi"</b>'
    page = _new(client_as(world["member"]), body=body).get_data(as_text=True)
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; <mark>my son Blake</mark> &lt;b&gt;" in page


def test_clean_text_posts_at_once(client_as, world):
    response = _new(client_as(world["member"]), body="The meeting went better than I feared.")
    assert response.status_code == 302


def test_validation_errors_come_before_the_review(client_as, world):
    response = _new(client_as(world["member"]), title="abc")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Before you post" not in page and _textarea(page) == BLAKE


def test_reply_review_apply_all_and_post(client_as, world):
    client = client_as(world["member"])
    path = f"/threads/{world['named'].id}/reply"
    response = client.post(path, data={"body": "Our son Blake had the same teacher, Ms. Kim."})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Post anyway" in page
    fixed = _textarea(client.post(path, data={"body": _textarea(page), "apply_all": "1"})
                      .get_data(as_text=True))
    assert "Blake" not in fixed and "Kim" not in fixed
    assert client.post(path, data={"body": fixed}).status_code == 302
    db.session.remove()
    assert db.session.scalar(select(Post).order_by(Post.id.desc())).body == fixed


def test_edit_review_keeps_text_and_save_anyway_works(client_as, world):
    post = f.first_post(world["named"])
    post_id = post.id
    client = client_as(world["author"])
    data = {"title": "Named thread about an IEP meeting",
            "body": "Edit: call me at (555) 201-3344 about my son Blake."}
    response = client.post(f"/posts/{post_id}/edit", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Save anyway" in page
    assert _textarea(page) == data["body"]
    db.session.remove()
    assert db.session.get(Post, post_id).body == "What happened at the meeting today."
    page = client.post(f"/posts/{post_id}/edit", data={**data, "apply_all": "1"})
    page = page.get_data(as_text=True)
    assert "555" not in _textarea(page) and "Blake" not in _textarea(page)
    assert client.post(f"/posts/{post_id}/edit", data={**data, "reviewed": "1"}).status_code == 302
    db.session.remove()
    assert db.session.get(Post, post_id).body == data["body"]
    assert db.session.scalar(select(func.count()).select_from(PostRevision)) == 1


def test_edit_of_a_reply_ignores_the_title(client_as, world):
    reply = world["reply"]
    client = client_as(world["member"])
    response = client.post(f"/posts/{reply.id}/edit", data={"body": "Thanks, it helped."})
    assert response.status_code == 302


@pytest.mark.parametrize("config_overrides", [{"WTF_CSRF_ENABLED": True}])
def test_review_steps_with_csrf_on(client_as, world, config_overrides):
    client = client_as(world["member"])
    form_page = client.get("/threads/new").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form_page).group(1)
    data = {"category": "iep-meetings", "title": "Rough week at school", "body": BLAKE,
            "csrf_token": token}
    assert client.post("/threads/new", data={**data, "csrf_token": ""}).status_code == 400
    page = client.post("/threads/new", data=data).get_data(as_text=True)
    assert "Before you post" in page and 'name="csrf_token"' in page
    applied = client.post("/threads/new", data={**data, "apply_all": "1"})
    fixed = _textarea(applied.get_data(as_text=True))
    assert client.post("/threads/new", data={**data, "body": fixed}).status_code == 302
    db.session.remove()
    assert "Blake" not in db.session.scalar(select(Post).order_by(Post.id.desc())).body


def test_pages_load_the_live_check_script_under_the_csp(client_as, world):
    response = client_as(world["member"]).get("/threads/new")
    page = response.get_data(as_text=True)
    assert '<script src="/static/privacy.js" defer></script>' in page
    assert 'data-privacy-endpoint="/api/privacy-check"' in page
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert not re.search(r"<script(?![^>]*\ssrc=)", page)  # no inline script
    assert client_as().get("/static/privacy.js").status_code == 200


# --- the JSON endpoint ---------------------------------------------------------------


def test_check_endpoint_returns_findings(client_as, world):
    response = client_as(world["member"]).post(
        "/api/privacy-check", json={"title": "At Lincoln Elementary", "body": BLAKE})
    assert response.status_code == 200
    data = response.get_json()
    kinds = [(item["field"], item["kind"], item["text"]) for item in data["findings"]]
    assert ("title", "school", "Lincoln Elementary") in kinds
    assert ("body", "kin_name", "my son Blake") in kinds
    assert ("body", "staff_name", "Principal Moore") in kinds
    first = next(i for i in data["findings"] if i["kind"] == "kin_name")
    assert BLAKE[first["start"]:first["end"]] == "my son Blake"
    assert first["suggestion"] == "my son" and first["reason"]
    assert data["total"] == len(data["findings"])
    clean = client_as(world["member"]).post("/api/privacy-check", json={"body": "All fine."})
    assert clean.get_json() == {"findings": [], "total": 0}


def test_check_endpoint_needs_a_member(client_as, world):
    response = client_as().post("/api/privacy-check", json={"body": BLAKE})
    assert response.status_code == 401
    assert "Blake" not in response.get_data(as_text=True)


@pytest.mark.parametrize("payload", [None, [], "text", {"body": 5}, {"title": ["x"]}])
def test_check_endpoint_rejects_bad_input(client_as, world, payload):
    client = client_as(world["member"])
    if payload is None:
        response = client.post("/api/privacy-check", data="not json",
                               content_type="application/json")
    else:
        response = client.post("/api/privacy-check", json=payload)
    assert response.status_code == 400


def test_check_endpoint_rejects_oversized_text(client_as, world):
    response = client_as(world["member"]).post("/api/privacy-check", json={"body": "a" * 20_001})
    assert response.status_code == 413


@pytest.mark.parametrize("config_overrides", [{"WTF_CSRF_ENABLED": True}])
def test_check_endpoint_needs_the_csrf_token(client_as, world, config_overrides):
    client = client_as(world["member"])
    page = client.get("/threads/new").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post("/api/privacy-check", json={"body": BLAKE}).status_code == 400
    response = client.post("/api/privacy-check", json={"body": BLAKE},
                           headers={"X-CSRFToken": token})
    assert response.status_code == 200 and response.get_json()["total"] >= 2


def test_check_endpoint_stores_nothing(app, client_as, world, count_queries, caplog):
    client = client_as(world["member"])
    client.get("/")  # the sign-in session's bookkeeping happens here, not below
    with count_queries() as statements:
        response = client.post("/api/privacy-check", json={"body": BLAKE})
    assert response.status_code == 200
    writes = [s for s in statements if not s.lstrip().upper().startswith("SELECT")]
    assert writes == []
    assert "Blake" not in caplog.text
    assert response.headers["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize("config_overrides", [{"RATELIMIT_ENABLED": True,
                                               "RATELIMIT_PRIVACY_CHECK": "3 per minute"}])
def test_check_endpoint_is_rate_limited(client_as, world, config_overrides):
    client = client_as(world["member"])
    codes = [client.post("/api/privacy-check", json={"body": "hi"}).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


# --- indexing --------------------------------------------------------------------------


@pytest.mark.parametrize("config_overrides", [{"NOINDEX_SITE": False}])
def test_members_only_pages_are_noindex_even_when_the_site_is_indexed(client_as, world,
                                                                      config_overrides):
    guest = client_as()
    thread = world["members_thread"]
    post = f.first_post(thread)
    for path in (f"/categories/{world['private'].slug}", f"/threads/{thread.id}",
                 f"/posts/{post.id}"):
        assert guest.get(path).headers.get("X-Robots-Tag") == "noindex, nofollow", path
    member = client_as(world["member"])
    for path in (f"/threads/{thread.id}", f"/posts/{post.id}/edit", f"/posts/{post.id}/revisions",
                 f"/threads/{thread.id}/reply"):
        response = member.get(path)
        assert response.status_code in (200, 302, 403), path
        assert response.headers.get("X-Robots-Tag") == "noindex, nofollow", path
    # Anything shown to a signed-in member may list members-only threads: never indexed.
    assert member.get("/").headers.get("X-Robots-Tag") == "noindex, nofollow"
    # Public pages seen by a guest are indexable when the setting is off.
    for path in ("/", f"/categories/{world['public'].slug}", f"/threads/{world['named'].id}"):
        assert "X-Robots-Tag" not in guest.get(path).headers, path


def test_whole_site_is_noindex_by_default(client_as, world):
    guest = client_as()
    for path in ("/", f"/threads/{world['named'].id}", "/guidelines"):
        assert guest.get(path).headers.get("X-Robots-Tag") == "noindex, nofollow", path


def test_robots_txt_follows_the_setting(app, client_as):
    assert client_as().get("/robots.txt").get_data(as_text=True) == "User-agent: *\nDisallow: /\n"
    app.config["NOINDEX_SITE"] = False
    text = client_as().get("/robots.txt").get_data(as_text=True)
    assert "Disallow: /\n" not in text and "Disallow: /settings" in text


def test_no_link_preview_metadata_on_members_only_threads(client_as, world):
    thread = world["members_thread"]
    page = client_as(world["member"]).get(f"/threads/{thread.id}").get_data(as_text=True)
    assert page.count(thread.title) >= 1
    head = page.split("</head>")[0]
    assert not re.search(r'property="og:|name="twitter:|name="description"', head)
    assert 'rel="alternate"' not in head


@pytest.mark.parametrize("config_overrides", [{"RATELIMIT_ENABLED": True,
                                               "RATELIMIT_POST": "2 per minute",
                                               "RATELIMIT_POST_STEPS": "12 per minute"}])
def test_review_steps_do_not_use_up_the_posting_limit(client_as, world, config_overrides):
    client = client_as(world["member"])
    for _ in range(2):
        assert _new(client).status_code == 200  # review
        assert _new(client, apply="0").status_code == 200
        assert _new(client, apply_all="1").status_code == 200
        assert _new(client, title="abc").status_code == 422
        assert _new(client, reviewed="1").status_code == 302
    assert _new(client, reviewed="1").status_code == 429  # two posts a minute, as configured
    statuses = [_new(client).status_code for _ in range(3)]
    assert statuses[-1] == 429  # every step is still limited, more generously


# --- issue 16: apply all, then check again; every mention, in every field ---------------------

STORY = ("My son Blake is in first grade. Blake was doing well with his aide until they pulled "
         "her. Ms. Jenkins was the aide; Jenkins told me privately she disagreed.")


def test_apply_all_removes_every_mention_of_the_names(client_as, world):
    client = client_as(world["member"])
    page = _new(client, body=STORY, apply_all="1").get_data(as_text=True)
    fixed = _textarea(page)
    assert "Blake" not in fixed and "Jenkins" not in fixed
    assert "Every suggestion is applied" in page
    assert _new(client, body=fixed).status_code == 302
    db.session.remove()
    post = db.session.scalar(select(Post).order_by(Post.id.desc()))
    assert "Blake" not in post.body and "Jenkins" not in post.body


def test_apply_all_says_applied_only_when_the_check_again_finds_nothing(client_as, world):
    # The age is found only once "kaylee" is gone ("my daughter is 6"): the second check.
    body = "my daughter kaylee is 6 and the school wants to hold her back in kindergarten."
    client = client_as(world["member"])
    page = _new(client, body=body, apply_all="1").get_data(as_text=True)
    assert "Every suggestion is applied" not in page
    assert "still finds 1 detail" in page and "<mark>6</mark>" in page
    assert _textarea(page) == body.replace("my daughter kaylee", "my daughter")
    page = _new(client, body=_textarea(page), apply_all="1").get_data(as_text=True)
    assert "Every suggestion is applied" in page
    assert "6" not in _textarea(page) and "early-elementary" in _textarea(page)


def test_a_name_in_the_body_is_found_in_the_title_too(client_as, world):
    client = client_as(world["member"])
    title = "Blake's IEP meeting went badly"
    page = _new(client, title=title, body="My son Blake cried all evening.").get_data(as_text=True)
    assert "in the title" in page and "<mark>Blake</mark>" in page
    page = _new(client, title=title, body="My son Blake cried all evening.", apply_all="1")
    page = page.get_data(as_text=True)
    assert "Blake" not in _title_value(page) and "Blake" not in _textarea(page)


def test_check_endpoint_finds_the_body_name_in_the_title(client_as, world):
    response = client_as(world["member"]).post(
        "/api/privacy-check", json={"title": "Blake's IEP", "body": "My son Blake cried."})
    kinds = [(item["field"], item["text"]) for item in response.get_json()["findings"]]
    assert ("title", "Blake") in kinds and ("body", "My son Blake") in kinds
