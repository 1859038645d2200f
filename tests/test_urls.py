"""Template URLs (forum/urls.py) are exactly what url_for builds."""

from __future__ import annotations

import pytest
from flask import url_for

from forum.urls import TemplateUrls

CASES = [
    ("threads.show", {"thread_id": 12}),
    ("threads.show", {"thread_id": 12, "page": 3}),
    ("threads.show", {"thread_id": 12, "page": None}),
    ("threads.permalink", {"post_id": 987}),
    ("threads.reply", {"thread_id": 4, "quote": 55}),
    ("threads.category", {"slug": "iep-meetings"}),
    ("threads.category", {"slug": "iep-meetings", "page": 2}),
    ("threads.category", {"slug": "with space"}),  # needs quoting: built by url_for
    ("threads.category", {"slug": "ünï"}),
    ("threads.profile", {"username": "maple_mom"}),
    ("threads.index", {}),
    ("threads.index", {"page": 2}),
    ("resources.search_page", {"q": "para 504"}),
    ("resources.search_page", {"q": "aide", "page": 2}),
    ("resources.search_page", {"q": "speech therapy minutes", "thread": 12}),
    ("resources.search_page", {"q": "a&b=c #1 50% +x ünï “quoted” {x}", "page": 3}),
    ("resources.search_page", {"q": "!$'()*,/:;?@~", "category": "with space"}),
    ("threads.show", {"thread_id": 12, "_anchor": "post-4"}),
    ("threads.show", {"thread_id": 12, "_external": True}),
    ("threads.show", {"thread_id": True}),
]


@pytest.mark.parametrize(("endpoint", "values"), CASES)
def test_same_as_url_for_twice(app, endpoint, values):
    urls = TemplateUrls()
    with app.test_request_context("/"):
        expected = url_for(endpoint, **values)
        assert urls(endpoint, **values) == expected  # learns the shape
        assert urls(endpoint, **values) == expected  # fills it in


def test_a_shape_serves_other_values(app):
    urls = TemplateUrls()
    with app.test_request_context("/"):
        for thread_id in (1, 22, 333_333):
            for page in (None, 2, 10):
                assert urls("threads.show", thread_id=thread_id, page=page) == url_for(
                    "threads.show", thread_id=thread_id, page=page)


def test_script_root_is_part_of_the_shape(app):
    urls = TemplateUrls()
    with app.test_request_context("/"):
        urls("threads.show", thread_id=1)
    with app.test_request_context("/", base_url="http://forum.test/parents"):
        assert urls("threads.show", thread_id=2) == "/parents/threads/2" == url_for(
            "threads.show", thread_id=2)


def test_templates_use_it(app):
    assert isinstance(app.jinja_env.globals["url_for"], TemplateUrls)


def test_pattern_fills_in_like_url_for(app):
    urls = TemplateUrls()
    with app.test_request_context("/", base_url="http://forum.test/parents"):
        pattern = urls.pattern("engage.react", post_id=0)
        assert pattern == "/parents/posts/{post_id}/react"
        for post_id in (1, 4_321):
            assert pattern.format(post_id=post_id) == url_for("engage.react", post_id=post_id)
        assert urls.pattern("threads.show", thread_id=1.5) is None  # not a shape: no pattern
