"""Each member gets each digest exactly once: concurrent runs, crashes, reruns, the CLI."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta
from types import SimpleNamespace

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
    text_and_html,
)

MEMBERS = 12


@pytest.fixture
def readers(site):
    members = [reader(f"reader_{i:02d}") for i in range(MEMBERS)]
    f.make_thread(site["author"], site["public"], title="News for every reader")
    # Plain values: the runs below end sessions, which would detach ORM objects.
    return [SimpleNamespace(id=m.id, email=m.email) for m in members]


def received(inbox) -> Counter:
    return Counter(m["To"] for m in inbox.messages)


def everyone_once(inbox, members) -> bool:
    return received(inbox) == Counter({m.email: 1 for m in members})


def test_two_concurrent_runs_send_each_member_one_digest(app, readers, inbox, monkeypatch):
    when = later()
    # Both runs load the same members before either claims one: a real race on every claim.
    barrier = threading.Barrier(2, timeout=30)
    load = sending.load_recipients

    def load_then_wait(*args):
        recipients = load(*args)
        barrier.wait()
        return recipients

    monkeypatch.setattr(sending, "load_recipients", load_then_wait)
    summaries, errors = [], []

    def run():
        try:
            with app.app_context():
                summaries.append(sending.send("weekly", now=when))
        except Exception as exc:  # surfaced below
            errors.append(exc)

    workers = [threading.Thread(target=run) for _ in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    assert errors == []
    assert everyone_once(inbox, readers)
    assert sum(s.sent for s in summaries) == MEMBERS
    assert sum(s.taken for s in summaries) == MEMBERS  # each member lost by one run
    assert (
        db.session.scalar(
            db.select(db.func.count()).select_from(Delivery).where(Delivery.status == "sent")
        )
        == MEMBERS
    )


class Crash(BaseException):
    """Stands for the process dying (kill -9, out of memory): nothing catches it."""


@pytest.mark.parametrize("batch", [1, 5, 50])
def test_rerun_after_a_crash_sends_the_rest_and_retries_the_stale_claims(
    app, readers, inbox, monkeypatch, batch
):
    app.config["DIGEST_CLAIM_BATCH"] = batch
    when = later()
    real_send = sending.send_message
    calls = []

    def dies_on_the_fifth(*args, **kwargs):
        calls.append(args[0])
        if len(calls) == 5:
            raise Crash()
        return real_send(*args, **kwargs)

    monkeypatch.setattr(sending, "send_message", dies_on_the_fifth)
    with pytest.raises(Crash):
        sending.send("weekly", now=when)
    monkeypatch.setattr(sending, "send_message", real_send)
    assert len(inbox.messages) == 4
    db.session.remove()

    # Run again at once: the rest go out; the claims of the one in flight and of the rest
    # of its batch are still leased.
    claimed = min((4 // batch + 1) * batch, MEMBERS)  # members the crashed run had claimed
    summary = sending.send("weekly", now=when)
    assert (summary.sent, summary.taken) == (MEMBERS - claimed, claimed)
    assert len(inbox.messages) == 4 + MEMBERS - claimed
    stale = db.session.scalars(db.select(Delivery).where(Delivery.status == "claimed")).all()
    assert sorted(d.user_id for d in stale) == [r.id for r in readers[4:claimed]]

    # After the lease, the next run retries them, and sends nobody anything twice.
    lease = app.config["DIGEST_CLAIM_LEASE_SECONDS"]
    db.session.execute(
        update(Delivery)
        .where(Delivery.status == "claimed")
        .values(claimed_at=now_utc() - timedelta(seconds=lease + 1))
    )
    db.session.commit()
    summary = sending.send("weekly", now=when)
    assert (summary.sent, summary.taken) == (claimed - 4, MEMBERS - claimed + 4)
    assert everyone_once(inbox, readers)
    assert sending.send("weekly", now=when).sent == 0
    assert everyone_once(inbox, readers)


def test_running_twice_in_a_row_from_cron_sends_one_digest(app, readers, inbox):
    runner = app.test_cli_runner()
    args = ["digests", "send", "--period", "weekly", "--now", later().strftime("%Y-%m-%dT%H:%M")]
    first = runner.invoke(args=args)
    assert first.exit_code == 0, first.output
    assert f"sent {MEMBERS}, skipped 0 (nothing new), failed 0" in first.output
    second = runner.invoke(args=args)
    assert second.exit_code == 0
    assert "sent 0, skipped 0 (nothing new), failed 0" in second.output
    assert f"{MEMBERS} already sent" in second.output
    assert everyone_once(inbox, readers)
    # Next week: a new window, and nothing new in it.
    third = runner.invoke(args=[*args[:-1], later(14).strftime("%Y-%m-%dT%H:%M")])
    assert f"sent 0, skipped {MEMBERS} (nothing new), failed 0" in third.output
    assert everyone_once(inbox, readers)


def test_dry_run_and_limit(app, readers, inbox):
    runner = app.test_cli_runner()
    when = later().strftime("%Y-%m-%dT%H:%M")
    dry = runner.invoke(args=["digests", "send", "--period", "weekly", "--dry-run", "--now", when])
    assert dry.exit_code == 0
    assert (
        "dry run, nothing sent" in dry.output
        and f"member {readers[0].id} (reader_00)" in dry.output
    )
    assert inbox.messages == [] and db.session.scalars(db.select(Delivery)).all() == []
    limited = runner.invoke(
        args=["digests", "send", "--period", "weekly", "--limit", "5", "--now", when]
    )
    assert "sent 5, " in limited.output and len(inbox.messages) == 5
    rest = runner.invoke(args=["digests", "send", "--period", "weekly", "--now", when])
    assert f"sent {MEMBERS - 5}, " in rest.output
    assert everyone_once(inbox, readers)


def test_workers_split_the_members_and_send_each_one_digest(app, readers, inbox):
    when = later().strftime("%Y-%m-%dT%H:%M")
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["digests", "send", "--period", "weekly", "--workers", "3", "--now", when]
    )
    assert result.exit_code == 0, result.output
    assert f"sent {MEMBERS}, skipped 0 (nothing new), failed 0" in result.output
    assert everyone_once(inbox, readers)
    again = runner.invoke(
        args=["digests", "send", "--period", "weekly", "--workers", "2", "--now", when]
    )
    assert f"{MEMBERS} already sent" in again.output
    assert everyone_once(inbox, readers)


@pytest.mark.parametrize(
    "args",
    [
        ["--period", "hourly"],
        [],
        ["--period", "weekly", "--limit", "0"],
        ["--period", "weekly", "--workers", "0"],
        ["--period", "weekly", "--workers", "2", "--limit", "3"],
    ],
)
def test_bad_arguments_are_refused(app, args):
    result = app.test_cli_runner().invoke(args=["digests", "send", *args])
    assert result.exit_code == 2


def test_a_run_reuses_its_smtp_connection(app, readers, inbox):
    app.config["DIGEST_SMTP_MESSAGES_PER_CONNECTION"] = 5
    summary = sending.send("weekly", now=later())
    assert summary.sent == MEMBERS and everyone_once(inbox, readers)
    assert inbox.sessions == -(-MEMBERS // 5)  # a new connection every 5 messages


def test_prune_deletes_old_records_but_never_one_being_sent(app):
    member = reader()
    now = now_utc()
    lease = timedelta(seconds=app.config["DIGEST_CLAIM_LEASE_SECONDS"])

    def record(days_ago: int, status: str, claimed: timedelta = timedelta(0)) -> int:
        end = now - timedelta(days=days_ago)
        row = Delivery(
            user_id=member.id,
            kind="weekly",
            window_start=end - timedelta(days=7),
            window_end=end,
            status=status,
            claimed_at=now - claimed,
        )
        db.session.add(row)
        db.session.commit()
        return row.id

    for days_ago, status in ((120, "sent"), (100, "failed")):
        record(days_ago, status)
    record(95, "claimed", claimed=lease + timedelta(minutes=1))  # a run died long ago
    kept = {
        record(91, "claimed", claimed=timedelta(minutes=1)),  # a late run is sending it now
        record(89, "sent"),
        record(0, "sent"),
    }
    runner = app.test_cli_runner()
    result = runner.invoke(args=["digests", "prune"])
    assert result.exit_code == 0, result.output
    assert "Deleted 3 delivery record(s) of windows that ended over 90 days ago." in result.output
    db.session.expire_all()
    assert set(db.session.scalars(db.select(Delivery.id))) == kept

    # Too short a history would let a rerun send this week's digest again.
    refused = runner.invoke(args=["digests", "prune", "--days", "3"])
    assert refused.exit_code == 2 and "Keep at least 15 days" in refused.output
    assert runner.invoke(args=["digests", "prune", "--days", "x"]).exit_code == 2
    assert set(db.session.scalars(db.select(Delivery.id))) == kept
    assert "Deleted 1 " in runner.invoke(args=["digests", "prune", "--days", "30"]).output
