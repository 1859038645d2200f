"""The main pages render for a guest and a member."""

import pytest


@pytest.mark.parametrize("path", ["/", "/guidelines", "/anonymity", "/login", "/register"])
def test_pages_render_for_guest(client_as, world, path):
    response = client_as().get(path)
    assert response.status_code == 200
    assert b"<h1" in response.data


def test_thread_page_shows_posts(client_as, world):
    response = client_as(world["member"]).get(f"/threads/{world['named'].id}")
    assert response.status_code == 200
    assert b"A reply from another member." in response.data
