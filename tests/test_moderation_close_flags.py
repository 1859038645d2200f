"""A warning or a moderator's edit can answer the flags it dealt with, in the same step
(issue 19): the flags close as "actioned"; without the box they stay open."""

from __future__ import annotations

import pytest

from forum.extensions import db
from forum.moderation.models import Flag
from tests import factories as f
from tests.moderation_support import count, flag, open_flag_count


def _flagged_post(world):
    post = f.first_post(world["anon"])
    flag(post, "harassment")
    flag(post, "harassment")
    return post.id


def _warn(client, post_id, **extra):
    return client.post(f"/moderation/posts/{post_id}/actions",
                       data={"action": "warn", "reason": "Please keep it kind.", **extra})


def _edit(client, post_id, **extra):
    return client.post(f"/moderation/posts/{post_id}/edit",
                       data={"body": "A kinder version of the post.", "reason": "", **extra})


@pytest.mark.parametrize("send", [_warn, _edit], ids=["warning", "edit"])
def test_the_box_closes_the_flags_the_action_answered(client_as, world, send):
    post_id = _flagged_post(world)
    response = send(client_as(world["moderator"]), post_id, close_flags="y")
    assert response.status_code == 302, response.data.decode()[:1000]
    assert open_flag_count(post_id) == 0
    assert count(Flag, Flag.post_id == post_id, Flag.resolution == "actioned") == 2


@pytest.mark.parametrize("send", [_warn, _edit], ids=["warning", "edit"])
def test_without_the_box_the_flags_stay_open(client_as, world, send):
    post_id = _flagged_post(world)
    assert send(client_as(world["moderator"]), post_id).status_code == 302
    assert open_flag_count(post_id) == 2


def test_the_redacting_edit_closes_them_too(client_as, world):
    post_id = _flagged_post(world)
    response = _edit(client_as(world["moderator"]), post_id, redact="y", close_flags="y")
    assert response.status_code == 302
    assert open_flag_count(post_id) == 0


def test_a_refused_warning_closes_nothing(client_as, world):
    post_id = _flagged_post(world)
    response = client_as(world["moderator"]).post(
        f"/moderation/posts/{post_id}/actions",
        data={"action": "warn", "reason": " ", "close_flags": "y"})
    assert response.status_code == 400
    assert open_flag_count(post_id) == 2


def test_the_box_shows_only_where_flags_are_open(client_as, world):
    moderator = client_as(world["moderator"])
    quiet = f.first_post(world["named"]).id
    assert 'name="close_flags"' not in moderator.get(f"/moderation/posts/{quiet}").text
    post_id = _flagged_post(world)
    db.session.rollback()
    for url in (f"/moderation/posts/{post_id}", f"/moderation/posts/{post_id}/edit"):
        assert 'name="close_flags"' in moderator.get(url).text
