"""Digests delivered through a real SMTP server on 127.0.0.1: content, privacy, headers."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from markupsafe import escape
from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value

from forum.digests import sending
from forum.digests.models import Delivery, DigestCategoryChoice, DigestPreference, ThreadFollow
from forum.digests.tokens import read_unsubscribe_token
from forum.extensions import db, now_utc
from forum.threads.authors import AliasBook, display_author
from forum.threads.models import Post, Thread
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


def titles_in(text: str, titles: list[str]) -> list[str]:
    return [t for t in titles if t in text]


def test_digest_arrives_as_multipart_with_unsubscribe_headers_and_exact_threads(site, inbox):
    member = reader()
    a = f.make_thread(site["author"], site["public"], title="Aide missing from class")
    b = f.make_thread(site["author"], site["members"], title="Members only worry here")
    c = f.make_thread(site["author"], site["sensitive"], title="Sensitive topic thread")
    own = f.make_thread(member, site["public"], title="My own question thread")
    held = f.make_thread(site["author"], site["public"], title="Held for approval thread")
    db.session.execute(update(Thread).where(Thread.id == held.id).values(status="held"))
    db.session.commit()
    f.make_reply(member, a, body="A reply makes the count one.")

    summary = sending.send("weekly", now=later())

    assert summary.line() == "sent 1, skipped 0 (nothing new), failed 0"
    [message] = inbox.to("reader_lee@example.org")
    assert message["Subject"] == "Your weekly digest from IEP Parents Together"
    text, html = text_and_html(message)
    expected = ["Aide missing from class", "Members only worry here"]
    others = ["Sensitive topic thread", "My own question thread", "Held for approval thread"]
    assert titles_in(text, expected + others) == expected
    assert titles_in(html, expected + others) == expected
    assert "1 reply" in text
    assert (
        f"http://forum.test/threads/{a.id}" in text
        and f'href="http://forum.test/threads/{b.id}"' in html
    )
    assert "== IEP meetings ==" in text and "== Support ==" in text
    link = re.fullmatch(r"<(http://forum\.test/unsubscribe/([^>]+))>", message["List-Unsubscribe"])
    assert link and read_unsubscribe_token(link.group(2)) == (member.id, "digest")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # As sent: one plain header line each, no RFC 2047 encoding a mail client won't undo.
    assert f"List-Unsubscribe: <{link.group(1)}>\r\n".encode() in message.raw
    assert b"List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n" in message.raw
    assert link.group(1) in text and link.group(1) in html
    assert "<script" not in html.lower() and "<img" not in html.lower()
    assert "forum.css" not in html and "style=" in html
    assert c.id and own.id  # created, and left out above


def test_threads_are_newest_first_and_grouped_by_category(site, inbox):
    reader()
    first = f.make_thread(site["author"], site["public"], title="Older public thread")
    f.make_thread(site["author"], site["members"], title="Members thread between")
    last = f.make_thread(site["author"], site["public"], title="Newer public thread")
    db.session.execute(
        update(Thread)
        .where(Thread.id == first.id)
        .values(created_at=last.created_at - timedelta(minutes=5))
    )
    db.session.commit()
    sending.send("weekly", now=later())
    text, _ = text_and_html(inbox.messages[0])
    order = [
        text.index(t)
        for t in (
            "== IEP meetings ==",
            "Newer public thread",
            "Older public thread",
            "== Support ==",
            "Members thread between",
        )
    ]
    assert order == sorted(order)


def test_anonymous_thread_appears_under_its_alias_only(site, inbox):
    member = reader()
    author = site["author"]
    thread = f.make_thread(
        author,
        site["public"],
        title="Anonymous story about an aide",
        body="Our aide was pulled without notice.",
        hide_author=True,
    )
    f.make_reply(author, thread, body="Replying anonymously too.", hide_author=True)
    db.session.add(ThreadFollow(user_id=member.id, thread_id=thread.id))
    db.session.commit()
    alias = display_author(thread, member, AliasBook.for_threads([thread.id])).label

    sending.send("weekly", now=later())

    [message] = inbox.to(member.email)
    raw = message.as_string()
    text, html = text_and_html(message)
    assert alias.startswith("Anonymous parent · ") and alias in text and alias in html
    for secret in (author.username, author.email, f"/users/{author.username}"):
        assert secret not in raw and secret not in text and secret not in html
    token = re.search(r"/unsubscribe/([^>\s\"]+)", message["List-Unsubscribe"]).group(1)
    assert read_unsubscribe_token(token)[0] == member.id != author.id


def test_hidden_thread_disappears_from_a_digest_built_after(site, inbox):
    reader()
    shown = f.make_thread(site["author"], site["public"], title="Stays in the digest")
    hidden = f.make_thread(site["author"], site["public"], title="Hidden by a moderator")
    removed = f.make_thread(site["author"], site["public"], title="First post was deleted")
    db.session.execute(update(Thread).where(Thread.id == hidden.id).values(status="hidden"))
    db.session.execute(update(Post).where(Post.thread_id == removed.id).values(status="deleted"))
    db.session.commit()
    sending.send("weekly", now=later())
    text, html = text_and_html(inbox.messages[0])
    assert "Stays in the digest" in text and shown.title in html
    for gone in ("Hidden by a moderator", "First post was deleted"):
        assert gone not in text and gone not in html


def test_content_hidden_during_a_run_is_rechecked_before_sending(site, inbox):
    member = reader()
    f.make_thread(site["author"], site["public"], title="Still fine at send time")
    late = f.make_thread(site["author"], site["public"], title="Hidden while the run went on")
    with sending.Run("weekly", now=later()) as run:
        db.session.execute(
            update(Post).where(Post.thread_id == late.id).values(status="flag_hidden")
        )
        db.session.commit()
        run.deliver(run.recipients)
    text, _ = text_and_html(inbox.to(member.email)[0])
    assert "Still fine at send time" in text and "Hidden while the run went on" not in text


def test_nothing_new_sends_nothing(site, inbox):
    reader()
    old = f.make_thread(site["author"], site["public"], title="Posted before subscribing")
    db.session.execute(
        update(Thread).where(Thread.id == old.id).values(created_at=now_utc() - timedelta(days=1))
    )
    db.session.commit()
    summary = sending.send("weekly", now=later())
    assert (summary.sent, summary.skipped, summary.failed) == (0, 1, 0)
    assert inbox.messages == []
    assert db.session.scalars(db.select(Delivery)).all() == []


def test_only_verified_active_subscribers_get_digests(site, inbox):
    reader("verified_ok")
    reader("unverified_x", email_verified_at=None)
    reader("suspended_x", suspended_until=now_utc() + timedelta(days=30))
    reader("banned_x", banned_at=now_utc())
    daily = reader("daily_x")
    off = reader("off_x")
    db.session.add_all(
        [
            DigestPreference(user_id=daily.id, frequency="daily"),
            DigestPreference(user_id=off.id, frequency="off"),
        ]
    )
    db.session.commit()
    f.make_thread(site["author"], site["public"], title="Something new to read")
    sending.send("weekly", now=later())
    assert [m["To"] for m in inbox.messages] == ["verified_ok@example.org"]
    sending.send("daily", now=later(1))
    assert [m["To"] for m in inbox.messages][1:] == ["daily_x@example.org"]


def test_category_choices_and_sensitive_opt_in(site, inbox):
    member = reader()
    db.session.add_all(
        [
            DigestCategoryChoice(
                user_id=member.id, category_id=site["sensitive"].id, included=True
            ),
            DigestCategoryChoice(user_id=member.id, category_id=site["public"].id, included=False),
        ]
    )
    db.session.commit()
    f.make_thread(site["author"], site["public"], title="Public thread left out")
    f.make_thread(site["author"], site["sensitive"], title="Sensitive thread opted into")
    sending.send("weekly", now=later())
    text, _ = text_and_html(inbox.messages[0])
    assert "Sensitive thread opted into" in text and "Public thread left out" not in text


def test_new_replies_in_followed_threads_section(site, inbox):
    member = reader()
    other = f.make_user("other_parent")
    old = f.make_thread(member, site["public"], title="My older thread")
    followed = f.make_thread(site["author"], site["public"], title="A thread I follow")
    unfollowed = f.make_thread(site["author"], site["public"], title="Not followed by me")
    db.session.execute(
        update(Thread)
        .where(Thread.id.in_([old.id, followed.id, unfollowed.id]))
        .values(created_at=now_utc() - timedelta(days=3))
    )
    db.session.add(ThreadFollow(user_id=member.id, thread_id=followed.id))
    db.session.commit()
    f.make_reply(other, old, body="An answer to your question.")
    f.make_reply(other, followed, body="News in the followed thread.")
    f.make_reply(other, followed, body="More news.")
    f.make_reply(member, followed, body="My own reply is not news to me.")
    f.make_reply(other, unfollowed, body="Nobody told me.")
    sending.send("weekly", now=later())
    text, html = text_and_html(inbox.to(member.email)[0])
    section = text.split("New replies in threads you follow", 1)[1]
    assert "My older thread (IEP meetings): 1 new reply" in section
    assert "A thread I follow (IEP meetings): 2 new replies" in section
    assert "Not followed by me" not in text and "New replies in threads you follow" in html


def test_starter_who_unfollowed_gets_no_replies(site, inbox):
    member = reader()
    mine = f.make_thread(member, site["public"], title="Started then unfollowed")
    db.session.add(ThreadFollow(user_id=member.id, thread_id=mine.id, following=False))
    db.session.commit()
    f.make_reply(site["author"], mine, body="A reply.")
    summary = sending.send("weekly", now=later())
    assert summary.skipped == 1 and inbox.messages == []


def test_titles_in_subject_only_when_opted_in(site, inbox):
    member = reader()
    db.session.add(
        DigestPreference(
            user_id=member.id,
            frequency="weekly",
            titles_in_subject=True,
            subscribed_at=now_utc() - timedelta(hours=1),
        )
    )
    db.session.commit()
    f.make_thread(site["author"], site["public"], title="First new thread")
    f.make_thread(site["author"], site["public"], title="Second new thread")
    sending.send("weekly", now=later())
    assert inbox.messages[0]["Subject"] == (
        "Second new thread and 1 more · your weekly digest from IEP Parents Together"
    )


@pytest.mark.parametrize(
    "title",
    [
        "Line one\r\nBcc: victim@example.org\r\nX: y",
        "Long " * 400,
        "<script>alert('x')</script> & <b>bold</b>",
    ],
)
def test_hostile_titles_do_not_break_headers_or_the_run(site, inbox, title, database_url):
    first = reader("first_reader")
    second = reader("second_reader")
    for user in (first, second):
        db.session.add(
            DigestPreference(
                user_id=user.id,
                frequency="weekly",
                titles_in_subject=True,
                subscribed_at=now_utc() - timedelta(hours=1),
            )
        )
    thread = f.make_thread(site["author"], site["public"], title="A placeholder title")
    stored = len(title) <= 150 or not database_url.startswith("postgresql")
    if stored:
        db.session.execute(update(Thread).where(Thread.id == thread.id).values(title=title))
    db.session.commit()
    with sending.Run("weekly", now=later()) as run:
        if not stored:  # VARCHAR(150) on PostgreSQL: give the loaded thread the title instead
            [item] = run.candidates.threads_by_category[site["public"].id]
            set_committed_value(item.thread, "title", title)
        run.deliver(run.recipients)
    assert run.summary.line() == "sent 2, skipped 0 (nothing new), failed 0"
    flat = " ".join(title.split())
    for message in inbox.messages:
        assert message["Bcc"] is None and message["X"] is None
        assert message["Subject"].startswith(flat[:40])
        assert "\n" not in message["Subject"] and "\r" not in message["Subject"]
        assert len(message["Subject"]) < 200
        text, html = text_and_html(message)
        assert flat in " ".join(text.split()) and str(escape(flat)) in html
        assert "<script" not in html
    assert sorted(m["To"] for m in inbox.messages) == [first.email, second.email]


def test_a_refused_recipient_is_logged_and_the_run_goes_on(site, inbox, caplog):
    refused = reader("refused_one")
    reader("fine_one")
    inbox.refuse.add(refused.email)
    f.make_thread(site["author"], site["public"], title="Everyone should get this")
    summary = sending.send("weekly", now=later())
    assert summary.line() == "sent 1, skipped 0 (nothing new), failed 1"
    assert [m["To"] for m in inbox.messages] == ["fine_one@example.org"]
    assert f"mail to member {refused.id} failed" in caplog.text
    row = db.session.scalar(db.select(Delivery).where(Delivery.user_id == refused.id))
    assert row.status == "failed" and "550" in row.error
    inbox.refuse.clear()  # fixed: the next run retries it, and only it
    assert sending.send("weekly", now=later()).line() == "sent 1, skipped 0 (nothing new), failed 0"
    assert [m["To"] for m in inbox.messages] == ["fine_one@example.org", refused.email]


def test_building_takes_a_constant_number_of_queries(site, count_queries, app):
    """Loading and building is a fixed number of queries; then a re-check, a claim and a
    "sent" mark per batch of messages, nothing per member."""
    app.config["DIGEST_CLAIM_BATCH"] = app.config["DIGEST_MARK_SENT_EVERY"] = 10
    for i in range(3):
        f.make_thread(
            site["author"], [site["public"], site["members"]][i % 2], title=f"Thread {i} here"
        )

    def measure(members: int) -> tuple[int, int]:
        for i in range(members):
            reader(f"bulk_{members}_{i}")
        with count_queries() as queries, sending.Run("weekly", now=later(), dry_run=True) as run:
            run.deliver(run.recipients)
        built = len(queries)
        with count_queries() as queries:
            summary = sending.send("weekly", now=later())
        assert summary.sent == len(run.recipients) == len(run.summary.planned)
        db.session.execute(db.delete(Delivery))  # the next measure sends everyone again
        db.session.commit()
        return built, len(queries)

    built_few, sent_few = measure(3)  # one batch
    built_many, sent_many = measure(20)  # 23 members in all: three batches
    assert built_many == built_few + 2  # a re-check per batch, nothing per member
    assert sent_many - sent_few == 3 * 2  # a re-check, a claim and a sent mark per batch


def test_long_categories_list_a_few_and_link_the_rest(site, inbox, app):
    app.config["DIGEST_MAX_PER_CATEGORY"] = 2
    reader()
    for n in range(5):
        f.make_thread(site["author"], site["public"], title=f"Busy week thread {n}")
    sending.send("weekly", now=later())
    text, html = text_and_html(inbox.messages[0])
    assert titles_in(text, [f"Busy week thread {n}" for n in range(5)]) == [
        "Busy week thread 3",
        "Busy week thread 4",
    ]
    assert (
        "... and 3 more new threads in IEP meetings:\r\nhttp://forum.test/categories/iep-meetings"
        in text
    )
    assert "And 3 more new threads in IEP meetings</a>" in html


def test_over_the_cap_the_least_answered_threads_are_listed_newest_first(site, inbox, app):
    """A question posted early in a busy week, still unanswered, is not buried under
    "and N more" by newer threads that already have replies."""
    app.config["DIGEST_MAX_PER_CATEGORY"] = 2
    member = reader()
    other = f.make_user("other_parent")
    replies = [0, 1, 0, 2, 1]  # thread 0 is the oldest, thread 4 the newest
    threads = []
    for n, count in enumerate(replies):
        thread = f.make_thread(site["author"], site["public"], title=f"Busy week thread {n}")
        for _ in range(count):
            f.make_reply(other, thread)
        threads.append(thread)
    for n, thread in enumerate(threads):  # distinct creation times, oldest first
        db.session.execute(
            update(Thread)
            .where(Thread.id == thread.id)
            .values(created_at=now_utc() - timedelta(minutes=10 - n))
        )
    db.session.commit()
    sending.send("weekly", now=later())
    [message] = inbox.to(member.email)
    text, html = text_and_html(message)
    titles = [f"Busy week thread {n}" for n in range(5)]
    listed = ["Busy week thread 2", "Busy week thread 0"]  # unanswered, newest first
    assert sorted(titles_in(text, titles), key=text.index) == listed
    assert sorted(titles_in(html, titles), key=html.index) == listed
    assert "... and 3 more new threads in IEP meetings:" in text


def test_own_threads_are_left_out_of_a_list_others_share(site, inbox, app):
    app.config["DIGEST_MAX_PER_CATEGORY"] = 2
    starter, other = reader("starter_sam"), reader("reader_lee")
    for n in range(3):
        f.make_thread(site["author"], site["public"], title=f"Someone's thread {n}")
    f.make_thread(starter, site["public"], title="The starter's own thread")
    sending.send("weekly", now=later())
    titles = [f"Someone's thread {n}" for n in range(3)] + ["The starter's own thread"]
    mine, _ = text_and_html(inbox.to(starter.email)[0])
    theirs, _ = text_and_html(inbox.to(other.email)[0])
    assert sorted(titles_in(mine, titles), key=mine.index) == [titles[2], titles[1]]
    assert "... and 1 more new thread in IEP meetings:" in mine
    assert sorted(titles_in(theirs, titles), key=theirs.index) == [titles[3], titles[2]]
    assert "... and 2 more new threads in IEP meetings:" in theirs


def test_tags_bring_in_threads_from_categories_left_out(site, inbox, monkeypatch):
    """The tag piece (forum/digests/tags.py) with the tag lookup stubbed: no Tag model here yet."""
    from forum.digests import building
    from forum.digests.models import DigestTagChoice
    from forum.digests.tags import TagInfo

    member = reader()
    for category in (site["public"], site["sensitive"]):  # out: public; sensitive stays out
        db.session.add(
            DigestCategoryChoice(user_id=member.id, category_id=category.id, included=False)
        )
    db.session.add(DigestTagChoice(user_id=member.id, tag_slug="aides"))
    db.session.commit()
    tagged = f.make_thread(site["author"], site["public"], title="Tagged about aides")
    f.make_thread(site["author"], site["public"], title="Untagged public thread")
    sensitive = f.make_thread(site["author"], site["sensitive"], title="Sensitive but tagged")
    f.make_thread(site["author"], site["members"], title="Members category still in")
    aides = TagInfo("aides", "Aides & paras")
    monkeypatch.setattr(
        building, "tags_for_threads", lambda ids: {tagged.id: [aides], sensitive.id: [aides]}
    )
    sending.send("weekly", now=later())
    text, html = text_and_html(inbox.messages[0])
    titles = [
        "Tagged about aides",
        "Untagged public thread",
        "Sensitive but tagged",
        "Members category still in",
    ]
    assert sorted(titles_in(text, titles)) == ["Members category still in", "Tagged about aides"]
    assert "Aides & paras" in text and "Aides &amp; paras" in html


def test_tag_piece_degrades_to_nothing_without_a_tag_model(app):
    from importlib.util import find_spec

    from forum.digests.tags import all_tags, tags_available, tags_for_threads

    if find_spec("forum.resources") is not None:
        assert tags_available()  # the tags package arrived: the stubbed test above still applies
        return
    assert (tags_available(), all_tags(), tags_for_threads([1, 2])) == (False, [], {})
