"""The resource library: import, pages, thread resources, legal note, admin, link checker."""

from __future__ import annotations

import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.resources import library
from forum.resources.models import Resource, ResourceTag, Tag, ThreadTag
from forum.threads.models import Thread
from tests import factories as f


@pytest.fixture
def starter(app):
    """The starter tags and resources from forum/data."""
    library.import_library()
    return {t.slug: t.id for t in db.session.scalars(select(Tag))}


def test_import_keeps_ids_and_is_idempotent(starter):
    assert db.session.scalar(select(func.count()).select_from(Resource)) == 39
    assert db.session.scalar(select(func.count()).select_from(Tag)) == 27
    idea = db.session.get(Resource, "idea-site")
    assert idea.url == "https://sites.ed.gov/idea/" and idea.verification == "confirmed"
    assert db.session.get(Resource, "cfr-part-300").alt_url.startswith(
        "https://www.parentcenterhub.org"
    )
    links = db.session.scalar(select(func.count()).select_from(ResourceTag))
    assert "0 new tags, 0 new resources" in library.import_library()
    assert db.session.scalar(select(func.count()).select_from(ResourceTag)) == links
    placement = db.session.scalar(select(Tag).where(Tag.slug == "placement-lre"))
    assert placement.legal
    assert not db.session.scalar(select(Tag).where(Tag.slug == "parent-wellbeing")).legal


def test_library_page_by_topic(client_as, starter):
    html = client_as().get("/resources").get_data(as_text=True)
    assert '<a href="https://sites.ed.gov/idea/" rel="noopener noreferrer">' in html
    assert "U.S. Department of Education, OSERS" in html
    assert 'id="topic-placement-lre"' in html
    # One badge per resource, and only what an automatic check showed (none ran here).
    assert html.count('class="badge') == html.count('class="resource"') > 30
    assert html.count("Link not checked yet") == html.count('class="resource"')
    assert "Link checked" not in html
    # Each resource's anchor appears once even when it is under several topics.
    assert html.count('id="idea-site"') == 1
    external = re.findall(r'<a href="https?://[^"]+"[^>]*>', html)
    assert external and all('rel="noopener noreferrer"' in a for a in external)


def test_retired_resources_leave_the_library(client_as, starter):
    db.session.get(Resource, "988").retired = True
    db.session.commit()
    assert "988lifeline.org" not in client_as().get("/resources").get_data(as_text=True)


def tagged_thread(world, *slugs, starter):
    thread = f.make_thread(world["member"], world["public"], title="A thread with topics here")
    for slug in slugs:
        db.session.add(ThreadTag(thread_id=thread.id, tag_id=starter[slug]))
    db.session.commit()
    return thread


def test_thread_shows_resources_for_its_topics_and_legal_note(client_as, world, starter):
    thread = tagged_thread(
        world, "one-to-one-aide", "placement-lre", "parent-rights-notice", starter=starter
    )
    html = client_as().get(f"/threads/{thread.id}").get_data(as_text=True)
    assert "Resources for this topic" in html
    for url in (
        "https://sites.ed.gov/idea/regs/b/e/300.503",  # prior written notice
        "https://sites.ed.gov/idea/regs/b/b/300.114",  # placement / LRE
        "https://www.wrightslaw.com/info/relsvc.aide.steedman.htm",
    ):
        assert f'href="{url}" rel="noopener noreferrer"' in html
    assert "Rules vary by state" in html and "not legal advice" in html
    assert 'href="/resources#cpir-hub"' in html


def test_no_legal_note_on_other_topics(client_as, world, starter):
    thread = tagged_thread(world, "parent-wellbeing", starter=starter)
    html = client_as().get(f"/threads/{thread.id}").get_data(as_text=True)
    assert "Rules vary by state" not in html
    assert "988lifeline.org" in html


def test_thread_without_tags_has_no_resources(client_as, world, starter):
    html = client_as().get(f"/threads/{world['named'].id}").get_data(as_text=True)
    assert "Resources for this topic" not in html and "Rules vary by state" not in html


# --- moderators edit the library ------------------------------------------------------------


def resource_form(**over):
    data = {
        "id": "parent-center-finder",
        "title": "Find your Parent Center",
        "url": "https://www.parentcenterhub.org/find-your-center/",
        "publisher": "CPIR",
        "description": "Every state's parent centers.",
        "verification": "unconfirmed",
    }
    data.update(over)
    return data


@pytest.mark.parametrize("who", ["guest", "member", "author"])
@pytest.mark.parametrize(
    "path,data",
    [
        ("/admin/resources/new", resource_form()),
        ("/admin/resources/idea-site/edit", resource_form(title="Changed")),
        ("/admin/resources/idea-site/retire", {"retired": "1"}),
    ],
)
def test_resource_admin_refuses_members_and_guests(client_as, world, starter, who, path, data):
    before = [
        (r.id, r.title, r.retired)
        for r in db.session.scalars(select(Resource).order_by(Resource.id))
    ]
    client = client_as(None if who == "guest" else world[who])
    response = client.post(path, data=data)
    assert response.status_code == (302 if who == "guest" else 403)
    assert client.get("/admin/resources").status_code in (302, 403)
    db.session.remove()
    after = [
        (r.id, r.title, r.retired)
        for r in db.session.scalars(select(Resource).order_by(Resource.id))
    ]
    assert after == before


def test_moderator_adds_edits_and_retires_a_resource(client_as, world, starter):
    client = client_as(world["moderator"])
    assert client.get("/admin/resources").status_code == 200
    response = client.post(
        "/admin/resources/new", data=resource_form(tags=[str(starter["lawyers-advocates"])])
    )
    assert response.status_code == 302
    client.post(
        "/admin/resources/idea-site/edit",
        data=resource_form(id="", title="IDEA website (federal)", url="https://sites.ed.gov/idea/"),
    )
    client.post("/admin/resources/988/retire", data={"retired": "1"})
    db.session.remove()
    new = db.session.get(Resource, "parent-center-finder")
    assert new.title == "Find your Parent Center" and not new.retired
    assert (
        db.session.scalar(select(ResourceTag.tag_id).where(ResourceTag.resource_id == new.id))
        == starter["lawyers-advocates"]
    )
    assert db.session.get(Resource, "idea-site").title == "IDEA website (federal)"
    assert db.session.get(Resource, "988").retired


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "ftp://example.org/x", "not a url", "https://", "https://exa mple.org"],
)
def test_resource_urls_must_be_web_addresses(client_as, world, starter, url):
    response = client_as(world["moderator"]).post(
        "/admin/resources/new", data=resource_form(url=url)
    )
    assert response.status_code == 422
    assert "Find your Parent Center" in response.get_data(as_text=True)  # typed text kept
    db.session.remove()
    assert db.session.get(Resource, "parent-center-finder") is None


# --- the link checker -------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        if self.path == "/ok":
            self.send_response(200)
        elif self.path == "/moved":
            self.send_response(301)
            self.send_header("Location", "/ok")
        elif self.path == "/missing":
            self.send_response(404)
        elif self.path == "/slow":
            time.sleep(2)
            self.send_response(200)
        else:
            self.send_response(500)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def local_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_check_links_against_a_local_server(app, local_server):
    for rid in ("ok", "moved", "missing", "slow"):
        db.session.add(
            Resource(id=rid, title=rid.title(), url=f"{local_server}/{rid}", publisher="Test")
        )
    db.session.commit()
    result = app.test_cli_runner().invoke(
        args=["resources", "check-links", "--timeout", "0.5", "--delay", "0"]
    )
    assert result.exit_code == 0, result.output
    assert "Checked 4 links: 1 ok, 1 redirected, 1 broken, 1 failed." in result.output
    assert "missing: HTTP 404" in result.output
    assert "slow: no answer within 0.5 s" in result.output
    db.session.remove()
    checked = {r.id: r for r in db.session.scalars(select(Resource))}
    assert checked["ok"].last_status == 200 and checked["ok"].check_ok
    assert checked["moved"].last_status == 200
    assert checked["moved"].last_final_url == f"{local_server}/ok"
    assert checked["missing"].last_status == 404 and checked["missing"].check_ok is False
    assert checked["slow"].last_status is None and "no answer" in checked["slow"].last_error
    assert all(r.last_checked_at is not None and not r.retired for r in checked.values())


def test_check_results_show_but_hide_nothing(client_as, world, app, local_server):
    db.session.add(
        Resource(id="missing", title="Gone page", url=f"{local_server}/missing", publisher="Test")
    )
    db.session.commit()
    library.check_links(timeout=1, delay=0)
    html = client_as().get("/resources").get_data(as_text=True)
    assert "Gone page" in html and "Link didn't work when checked on" in html
    admin = client_as(world["moderator"]).get("/admin/resources").get_data(as_text=True)
    assert "HTTP 404" in admin


def test_check_links_waits_between_requests_to_one_host(app):
    db.session.add_all(
        [
            Resource(id="a1", title="A1", url="https://a.example/1", publisher="A"),
            Resource(id="a2", title="A2", url="https://a.example/2", publisher="A"),
            Resource(id="b1", title="B1", url="https://b.example/1", publisher="B"),
        ]
    )
    db.session.commit()
    waits: list[float] = []
    results = library.check_links(
        delay=5, fetch=lambda url, timeout, agent: (200, url, None), sleep=waits.append
    )
    assert [r.outcome for r in results] == ["ok", "ok", "ok"]
    assert len(waits) == 1 and 4 < waits[0] <= 5  # only before the second a.example request


# --- the demo site: "done when" -------------------------------------------------------------------


def test_seeded_aide_thread_has_stories_rules_and_parent_centers(app, client_as):
    from forum.dev.seed import seed

    seed()
    assert "0 new threads" in seed()  # idempotent
    aide = db.session.scalar(
        select(Thread).where(Thread.title.like("%remove my son's one-to-one aide"))
    )
    assert aide.school_stage == "elementary-k2"
    html = client_as().get(f"/threads/{aide.id}").get_data(as_text=True)
    like_this = html.split("Stories like this")[1].split("</section>")[0]
    assert "aide" in like_this.lower()
    assert like_this.count("<li>") == 5
    assert "300.503" in html and ("300.116" in html or "300.114" in html)  # PWN, placement
    assert 'href="/resources#cpir-hub"' in html  # the parent-center finder
    titles = re.findall(
        r'<h3 class="search-result__title"><a [^>]+>(.*?)</a>',
        client_as().get("/search?q=one-to-one+aide").get_data(as_text=True),
    )
    assert "aide" in re.sub(r"</?mark>", "", titles[0])
