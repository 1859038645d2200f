"""Members whose digests are identical share one rendered body; nobody gets anyone
else's: each message is exactly what rendering it alone gives, with their own link."""

from __future__ import annotations

import pytest

from forum.digests import sending
from forum.digests.building import build_digest
from forum.digests.messages import Bodies, body_key, compose
from forum.digests.tokens import read_unsubscribe_token
from forum.extensions import db
from tests import factories as f
from tests.digest_support import (  # noqa: F401 (fixtures)
    config_overrides,
    inbox,
    later,
    reader,
    site,
    smtp,
    text_and_html,
)


@pytest.fixture
def world(site):
    """Members who see the same digest, and members who each see it their own way."""
    same = [reader(f"same_{i}") for i in range(4)]
    starter = reader("starter_anon")
    replier = reader("replier_anon")
    zoned = reader("zoned_one", time_zone="America/Chicago")
    sensitive = reader("sensitive_optin")
    f.make_thread(site["author"], site["public"], title="A public question")
    f.make_thread(site["author"], site["members"], title="For members only")
    f.make_thread(site["author"], site["sensitive"], title="A hard day")
    mine = f.make_thread(starter, site["public"], title="My anonymous thread", hide_author=True)
    f.make_reply(replier, mine, hide_author=True)
    f.make_reply(site["author"], mine)
    from forum.digests.services import save_preferences

    save_preferences(
        sensitive,
        frequency="weekly",
        category_ids={site["public"].id, site["members"].id, site["sensitive"].id},
        tag_slugs=set(),
        titles_in_subject=False,
        notify_replies=False,
    )
    return {"same": same, "starter": starter, "replier": replier, "zoned": zoned,
            "sensitive": sensitive}  # fmt: skip


def _run_digests(when):
    with sending.Run("weekly", now=when, dry_run=True) as run:
        digests = [build_digest(r, run.candidates, run.kind) for r in run.recipients]
        shared = Bodies()
        pairs = [(compose(d, shared), compose(d, Bodies())) for d in digests if not d.is_empty]
        keys = {body_key(d) for d in digests if not d.is_empty}
    return digests, shared, pairs, keys


def test_identical_digests_share_one_body_and_each_keeps_its_own_link(app, world):
    digests, shared, pairs, keys = _run_digests(later())
    by_name = {d.recipient.user.username: d for d in digests}
    # The four alike (and the anonymous replier, who sees what they see); the starter,
    # the member in another zone and the one who opted into more, apart.
    same_keys = {body_key(by_name[f"same_{i}"]) for i in range(4)}
    assert len(same_keys) == 1
    assert body_key(by_name["replier_anon"]) in same_keys
    for name in ("starter_anon", "zoned_one", "sensitive_optin"):
        assert body_key(by_name[name]) not in same_keys, name
    assert len(shared) == len(keys) < len(pairs)
    for grouped, alone in pairs:
        assert grouped.text == alone.text.replace(_link(alone), _link(grouped))
        assert grouped.html == alone.html.replace(_link(alone), _link(grouped))
    links = {_link(grouped) for grouped, _ in pairs}
    assert len(links) == len(pairs)  # everyone's own unsubscribe link


def test_a_full_cache_drops_the_oldest_body_and_renders_it_again(app, world):
    with sending.Run("weekly", now=later(), dry_run=True) as run:
        digests = [build_digest(r, run.candidates, run.kind) for r in run.recipients]
        digests = [d for d in digests if not d.is_empty]
        small = Bodies(keep=1)
        for d in digests + digests:
            grouped, alone = compose(d, small), compose(d, Bodies())
            assert grouped.text == alone.text.replace(_link(alone), _link(grouped))
        distinct = len({body_key(d) for d in digests})
    assert len(small) == 1 and small.rendered > distinct > 1


def _link(message) -> str:
    return message.headers["List-Unsubscribe"].strip("<>")


def test_sent_digests_carry_each_members_view(app, world, inbox):
    summary = sending.send("weekly", now=later())
    assert summary.failed == 0 and summary.sent == len(inbox.messages) == 8
    bodies = {}
    for message in inbox.messages:
        text, html = text_and_html(message)
        link = message["List-Unsubscribe"].strip("<>")
        assert link in text and link in html
        user_id, _scope = read_unsubscribe_token(link.rsplit("/", 1)[1])
        bodies[db.session.get(type(world["starter"]), user_id).username] = text
    # The anonymous starter never gets their own thread as news, the others do.
    assert "My anonymous thread" not in bodies["starter_anon"].split("New replies")[0]
    assert "My anonymous thread" in bodies["same_0"]
    # Only the member who opted in gets the sensitive category.
    assert "A hard day" in bodies["sensitive_optin"] and "A hard day" not in bodies["same_0"]
    # Times in the member's own zone.
    assert " UTC" in bodies["same_0"] and (
        " CST" in bodies["zoned_one"] or " CDT" in bodies["zoned_one"]
    )
    assert " UTC" not in bodies["zoned_one"].split("--")[0]
