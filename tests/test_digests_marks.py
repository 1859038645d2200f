""""Sent" marks, DIGEST_MARK_SENT_EVERY at a time: a run killed outright may send at most
that many messages twice; an exception on the way out still records what went out."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import update

from forum.digests import sending
from forum.digests.models import Delivery
from forum.extensions import db, now_utc
from tests import factories as f
from tests.digest_support import (  # noqa: F401 (fixtures)
    config_overrides,
    inbox,
    later,
    reader,
    site,
    smtp,
)

MEMBERS = 12


class Killed(BaseException):
    """kill -9: nothing runs after it, not even `finally` (the marks are dropped too)."""


@pytest.mark.parametrize("mark_every", [1, 10])
def test_a_killed_run_resends_at_most_the_unmarked_messages(
    app, site, inbox, monkeypatch, mark_every
):
    app.config["DIGEST_MARK_SENT_EVERY"] = mark_every
    members = [reader(f"killed_{i:02d}").email for i in range(MEMBERS)]
    f.make_thread(site["author"], site["public"])
    when, real_send, calls = later(), sending.send_message, []

    def dies_on_the_fifth(*args, **kwargs):
        calls.append(args[0])
        if len(calls) == 5:
            monkeypatch.setattr(sending.Run, "_mark_sent", lambda run: None)  # dead process
            raise Killed()
        return real_send(*args, **kwargs)

    monkeypatch.setattr(sending, "send_message", dies_on_the_fifth)
    with pytest.raises(Killed):
        sending.send("weekly", now=when)
    monkeypatch.undo()
    app.config["DIGEST_MARK_SENT_EVERY"] = mark_every
    db.session.remove()
    lease = app.config["DIGEST_CLAIM_LEASE_SECONDS"]
    db.session.execute(
        update(Delivery)
        .where(Delivery.status == "claimed")
        .values(claimed_at=now_utc() - timedelta(seconds=lease + 1))
    )
    db.session.commit()
    sending.send("weekly", now=when)
    received = Counter(m["To"] for m in inbox.messages)
    assert set(received) == set(members)
    twice = sum(n - 1 for n in received.values())
    assert twice == (0 if mark_every == 1 else 4) and twice < mark_every


def test_an_exception_still_records_what_went_out(app, site, inbox, monkeypatch):
    app.config["DIGEST_MARK_SENT_EVERY"] = 10
    for i in range(MEMBERS):
        reader(f"stopped_{i:02d}")
    f.make_thread(site["author"], site["public"])
    assert _interrupted_run(monkeypatch, "send_message", on_call=5)["sent"] == 4
    assert len(inbox.messages) == 4


def test_an_interruption_while_the_next_batch_renders_records_the_last_batch(
    app, site, inbox, monkeypatch
):
    """A batch's last marks wait for the next claim; Ctrl-C before it still writes them."""
    app.config["DIGEST_CLAIM_BATCH"] = 5
    app.config["DIGEST_MARK_SENT_EVERY"] = 5
    for i in range(MEMBERS):
        reader(f"between_{i:02d}")
    f.make_thread(site["author"], site["public"])
    # The seventh message is rendered in the second batch of five.
    assert _interrupted_run(monkeypatch, "outgoing", on_call=7)["sent"] == 5
    assert len(inbox.messages) == 5


def _interrupted_run(monkeypatch, name: str, on_call: int) -> Counter:
    """A weekly run stopped by Ctrl-C at the `on_call`-th call of sending.<name>: the
    delivery statuses it left."""
    real, calls = getattr(sending, name), []

    def interrupted(*args, **kwargs):
        calls.append(1)
        if len(calls) == on_call:
            raise KeyboardInterrupt()
        return real(*args, **kwargs)

    monkeypatch.setattr(sending, name, interrupted)
    with pytest.raises(KeyboardInterrupt):
        sending.send("weekly", now=later())
    db.session.remove()
    return Counter(db.session.scalars(db.select(Delivery.status)))
