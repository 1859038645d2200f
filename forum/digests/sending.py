"""Sending digests and reply notifications: claim each message in the database, then send.

Delivery guarantee
------------------
Every message is one row in `digest_deliveries`, unique on (member, kind,
window_end); `window_end` is a fixed boundary (start of the day, of the ISO
week, of the quarter hour), so every run in the same period computes the same
key. A run INSERTs and commits the rows of a batch of messages
(DIGEST_CLAIM_BATCH), status "claimed", *before* it hands them to the mail
server, and marks each one "sent" as soon as the server has accepted it:

* Two runs at once, on one machine or two: the INSERT skips rows that already
  exist (ON CONFLICT DO NOTHING ... RETURNING tells a run which rows it won), so
  the run that lost counts those members as taken and moves on. Only one sends.
* A run that dies: members it never reached have no row, and the next run sends
  them. Rows left "claimed" (the message being sent, and the rest of its batch)
  are retried once their lease (DIGEST_CLAIM_LEASE_SECONDS) has expired; a
  "failed" row (the server refused it) is retried up to DIGEST_MAX_ATTEMPTS
  times. Retaking a row is a compare-and-set UPDATE on `attempts`, so two runs
  can't both retake it.

This is at-least-once delivery for the messages a run has handed over but not yet
recorded when it dies. Accepted messages are marked "sent" DIGEST_MARK_SENT_EVERY
(50, a claim batch) at a time, in one statement (a batch's last marks go in the
next batch's claim transaction), and always before the run leaves on an exception
(Ctrl-C, SIGTERM, a lost mail connection): then only the message in flight can
go out twice. A run killed outright (kill -9, out of memory, power) may send up
to DIGEST_MARK_SENT_EVERY messages twice, once their lease expires. At-most-once
(never retry a claimed row) would instead drop digests without a trace. We chose
the rare duplicate: the window is a few SMTP conversations (digests are built,
re-checked and rendered before the claim), while a lost digest may be the one
with the answer a parent was waiting for. Setting DIGEST_MARK_SENT_EVERY to 1
gives the narrowest window (one duplicate at most) for a statement and a commit
per message: at 100,000 members on PostgreSQL, marks every 10 messages made the
run 40% slower than every 50 (a commit each; docs/scaling.md). Claiming in
batches costs only time: the rest of a crashed run's batch waits for the lease
instead of going out at the next run.

With a mail server that offers PIPELINING, each message's MAIL, RCPT and DATA go
out with the previous message's end of data (forum.mail.send_message's `then`):
one round trip a message. A message primed that way but never sent (the run
stopped) is dropped with its connection, so it is never delivered.

Cost: members whose digests are identical share one rendered body
(messages.Bodies); each message gets its own unsubscribe link and headers. A
batch of DIGEST_CLAIM_BATCH members costs one re-check query and one claim
INSERT (which also carries the previous batch's "sent" marks), whatever the
number of members.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import DateTime, Integer, and_, any_, bindparam, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from forum.digests.building import Candidates, Digest, Recipient, build_digest, window_end
from forum.digests.messages import Bodies, outgoing
from forum.digests.models import Delivery, DeliveryKind, DeliveryStatus
from forum.digests.recheck import recheck
from forum.digests.recipients import load_recipients
from forum.extensions import db, now_utc
from forum.mail import MailError, Outgoing, send_message, smtp_session

log = logging.getLogger("forum.digests")
_table = Delivery.__table__


@dataclass
class Summary:
    sent: int = 0
    skipped: int = 0  # nothing new
    failed: int = 0
    taken: int = 0  # already sent, or being sent by another run
    planned: list[str] = field(default_factory=list)  # --dry-run: what would be sent

    def line(self) -> str:
        return f"sent {self.sent}, skipped {self.skipped} (nothing new), failed {self.failed}"

    def __add__(self, other: Summary) -> Summary:
        return Summary(
            self.sent + other.sent,
            self.skipped + other.skipped,
            self.failed + other.failed,
            self.taken + other.taken,
            self.planned + other.planned,
        )


class Run:
    """One `flask digests send` (or send-notifications): load once, then deliver in batches."""

    def __init__(
        self,
        kind: DeliveryKind,
        *,
        now: datetime | None = None,
        dry_run: bool = False,
        shard: tuple[int, int] | None = None,
    ):
        self.kind = DeliveryKind(kind)
        self.shard = shard
        self.now = now or now_utc()
        self.end = window_end(self.kind, self.now)
        self.dry_run = dry_run
        self.summary = Summary()
        self.bodies = Bodies()  # one render per distinct digest in the run
        self.progress: Callable[[int], None] | None = None  # members done (the CLI bar)
        config = current_app.config
        self.lease = timedelta(seconds=config["DIGEST_CLAIM_LEASE_SECONDS"])
        self.max_attempts = config["DIGEST_MAX_ATTEMPTS"]
        self.batch_size = config["DIGEST_CLAIM_BATCH"]
        self.mark_every = max(1, config["DIGEST_MARK_SENT_EVERY"])
        self._sent_ids: list[int] = []
        self._stack = ExitStack()

    def __enter__(self) -> Run:
        config = current_app.config
        base = urlsplit(config["BASE_URL"])
        with ExitStack() as stack:
            # Links in mail are built from FORUM_BASE_URL, not from whatever request is current.
            stack.enter_context(
                current_app.test_request_context(
                    base_url=f"{base.scheme}://{base.netloc}{base.path}"
                )
            )
            stack.enter_context(smtp_session(config["DIGEST_SMTP_MESSAGES_PER_CONNECTION"]))
            # Claims and "sent" marks go through a connection of their own, in short
            # transactions, so the run's loaded objects stay valid; held for the run
            # rather than taken from the pool for every message.
            self._writer = stack.enter_context(db.engine.connect())
            self._load()
            self._stack = stack.pop_all()
        return self

    def _load(self) -> None:
        self.recipients = load_recipients(self.kind, self.end, self.now, self.shard)
        existing = select(Delivery).where(
            Delivery.kind == self.kind, Delivery.window_end == self.end
        )
        if self.shard is not None:  # this run's members' rows only
            existing = existing.where(Delivery.user_id % self.shard[1] == self.shard[0])
        self.existing = {d.user_id: d for d in db.session.scalars(existing)}
        self.candidates = None
        if self.recipients:
            start = min(r.since for r in self.recipients)
            self.candidates = Candidates(
                start, self.end, new_threads=self.kind != DeliveryKind.REPLIES, shard=self.shard
            )
            for r in self.recipients:
                r.follows = self.candidates.follows_by_user.get(r.user.id, {})

    def __exit__(self, *exc) -> None:
        self._stack.close()
        db.session.rollback()  # end the read transaction; nothing here was written through it

    def deliver(self, recipients: Iterable[Recipient], limit: int | None = None) -> None:
        """Send these members their messages, in batches; stop after `limit` sent or failed."""
        batch: list[tuple[Digest, Delivery | None]] = []
        for r in recipients:
            if limit is not None and self._done() + len(batch) >= limit:
                self._send_batch(batch)
                batch = []
                if self._done() >= limit:
                    break
            existing = self.existing.get(r.user.id)
            if existing is not None and not self._retryable(existing):
                self._count("taken")
                continue
            digest = build_digest(r, self.candidates, self.kind)
            if digest.is_empty:
                self._count("skipped")
                continue
            batch.append((digest, existing))
            if len(batch) >= self.batch_size:
                self._send_batch(batch)
                batch = []
        self._send_batch(batch)
        self._mark_sent()

    def _done(self) -> int:
        return self.summary.sent + self.summary.failed

    def _count(self, outcome: str) -> None:
        setattr(self.summary, outcome, getattr(self.summary, outcome) + 1)
        if self.progress is not None:
            self.progress(1)

    def _send_batch(self, batch: list[tuple[Digest, Delivery | None]]) -> None:
        """Re-check, render and claim a batch (a query and a transaction each), then send
        its messages one by one."""
        if not batch:
            return
        try:
            self._send_claimed(self._claim_ready(batch))
        except BaseException:
            # On the way out of an exception (Ctrl-C, SIGTERM, a lost connection), what
            # the server accepted is recorded before the run stops, this batch's and the
            # last marks of the one before.
            self._mark_sent()
            raise

    def _claim_ready(
        self, batch: list[tuple[Digest, Delivery | None]]
    ) -> list[tuple[int, int, Outgoing]]:
        """(delivery id, member id, message) of the batch's messages this run won."""
        ready = []
        for digest, (_, existing) in zip(recheck([d for d, _ in batch]), batch, strict=True):
            if digest.is_empty:
                self._count("skipped")
            elif self.dry_run:
                self.summary.planned.append(self._describe(digest))
                self._count("sent")
            else:
                try:
                    ready.append((digest, existing, outgoing(digest, self.bodies)))
                except Exception:
                    log.exception("digest for member %s could not be rendered", _member(digest))
                    self._count("failed")
        claimed = self._claim([(d, e) for d, e, _ in ready])
        sends = []
        for digest, _, message in ready:
            delivery_id = claimed.get(_member(digest))
            if delivery_id is None:
                self._count("taken")
            else:
                sends.append((delivery_id, _member(digest), message))
        return sends

    def _send_claimed(self, sends: list[tuple[int, int, Outgoing]]) -> None:
        for i, (delivery_id, member_id, message) in enumerate(sends):
            then = sends[i + 1][2] if i + 1 < len(sends) else None
            self._count(self._send(delivery_id, member_id, message, then))

    def _send(
        self, delivery_id: int, member_id: int, message: Outgoing, then: Outgoing | None
    ) -> str:
        """Send one message (`then`: the batch's next, which the connection may prime)."""
        try:
            send_message(message, then=then)
        except Exception as exc:  # MailError, or anything else: one member never stops the run
            if isinstance(exc, MailError):
                log.warning("%s mail to member %s failed: %s", self.kind, member_id, exc)
            else:
                log.exception("%s mail to member %s failed", self.kind, member_id)
            self._finish(delivery_id, DeliveryStatus.FAILED, error=str(exc)[:300])
            return "failed"
        self._sent_ids.append(delivery_id)
        if len(self._sent_ids) >= self.mark_every and then is not None:
            self._mark_sent()  # at a batch's end they go with the next claim instead
        return "sent"

    def _mark_sent(self) -> None:
        """Record the messages the server accepted since the last mark: one statement
        for DIGEST_MARK_SENT_EVERY messages (see the module docstring)."""
        if self._sent_ids:
            with self._writer.begin():
                self._write_marks()

    def _write_marks(self) -> None:
        ids, self._sent_ids = self._sent_ids, []
        dialect = self._writer.dialect.name
        self._writer.execute(
            _mark_sent_statement(dialect),
            {"ids": ids, "to_status": DeliveryStatus.SENT, "at": now_utc()},
        )

    def _retryable(self, d: Delivery) -> bool:
        if d.status == DeliveryStatus.FAILED:
            return d.attempts < self.max_attempts
        return d.status == DeliveryStatus.CLAIMED and d.claimed_at < now_utc() - self.lease

    def _claim(self, batch: list[tuple[Digest, Delivery | None]]) -> dict[int, int]:
        """Own these messages, committed before sending: {member id: delivery id} for
        those this run won (the others are another run's)."""
        if not batch:
            return {}
        now = now_utc()
        claim = {"status": DeliveryStatus.CLAIMED, "claimed_at": now, "error": None}
        won: dict[int, int] = {}
        conn = self._writer
        with conn.begin():
            if self._sent_ids:  # the previous batch's last marks: one transaction less
                self._write_marks()
            new = [
                {
                    "user_id": _member(digest),
                    "kind": self.kind,
                    "window_start": digest.window_start,
                    "window_end": self.end,
                    "item_count": digest.item_count,
                    "attempts": 1,
                    **claim,
                }
                for digest, existing in batch
                if existing is None
            ]
            if new:
                # One statement (a multi-row INSERT); rows another run inserted first are
                # skipped, not errors, and RETURNING names the rows this run won.
                dialect = conn.dialect.name
                won.update(
                    conn.execute(
                        _claim_statement(dialect), _claim_parameters(dialect, new)
                    ).all()
                )
            for digest, existing in batch:
                if existing is not None and self._retake(conn, digest, existing, claim):
                    won[existing.user_id] = existing.id
        return won

    def _retake(self, conn, digest: Digest, existing: Delivery, claim: dict) -> bool:
        """Claim a failed or stale row again: a compare-and-set on `attempts`, so two
        runs can't both retake it (retries are rare: one statement each)."""
        stale = or_(
            _table.c.status == DeliveryStatus.FAILED,
            and_(
                _table.c.status == DeliveryStatus.CLAIMED,
                _table.c.claimed_at < claim["claimed_at"] - self.lease,
            ),
        )
        result = conn.execute(
            update(_table)
            .where(_table.c.id == existing.id, _table.c.attempts == existing.attempts, stale)
            .values(
                attempts=_table.c.attempts + 1,
                window_start=digest.window_start,
                item_count=digest.item_count,
                **claim,
            )
        )
        return result.rowcount == 1

    def _finish(self, delivery_id: int, status: DeliveryStatus, error: str | None = None) -> None:
        """Mark one message sent (or failed), committed at once: a crash after this can't
        send it again."""
        sent_at = now_utc() if status == DeliveryStatus.SENT else None
        with self._writer.begin():
            self._writer.execute(
                _finish_statement(),
                {"delivery": delivery_id, "to_status": status, "to_error": error, "at": sent_at},
            )

    def _describe(self, digest: Digest) -> str:
        user = digest.recipient.user
        return (
            f"member {user.id} ({user.username}): {len(digest.entries)} new threads, "
            f"{sum(g.count for g in digest.replies)} replies in followed threads"
        )


def _member(digest: Digest) -> int:
    return digest.recipient.user.id


_CLAIM_COLUMNS = ("user_id", "kind", "window_start", "window_end", "item_count", "attempts",
                  "status", "claimed_at", "error")  # fmt: skip


@cache
def _claim_statement(dialect: str):
    """A multi-row INSERT ... ON CONFLICT DO NOTHING RETURNING.

    On PostgreSQL the rows come as arrays (INSERT ... SELECT FROM unnest(...)): the
    same SQL text for every batch, so psycopg prepares it once and the server plans it
    once, where 50 rows of VALUES were 400 placeholders to parse for each batch.
    """
    if dialect != "postgresql":
        return sqlite.insert(_table).on_conflict_do_nothing().returning(
            _table.c.user_id, _table.c.id
        )
    rows = (
        func.unnest(
            bindparam("user_ids", type_=postgresql.ARRAY(Integer)),
            bindparam("window_starts", type_=postgresql.ARRAY(DateTime())),
            bindparam("item_counts", type_=postgresql.ARRAY(Integer)),
        )
        .table_valued("user_id", "window_start", "item_count")
        .render_derived()
    )
    c = _table.c
    values = select(
        rows.c.user_id,
        bindparam("kind", type_=c.kind.type),
        rows.c.window_start,
        bindparam("window_end", type_=c.window_end.type),
        rows.c.item_count,
        bindparam("attempts", type_=c.attempts.type),
        bindparam("status", type_=c.status.type),
        bindparam("claimed_at", type_=c.claimed_at.type),
        bindparam("error", type_=c.error.type),
    )
    return (
        postgresql.insert(_table)
        .from_select(_CLAIM_COLUMNS, values)
        .on_conflict_do_nothing()
        .returning(c.user_id, c.id)
    )


def _claim_parameters(dialect: str, rows: list[dict]) -> list[dict] | dict:
    """The rows as _claim_statement takes them (arrays on PostgreSQL)."""
    if dialect != "postgresql":
        return rows
    first = rows[0]
    return {
        "user_ids": [r["user_id"] for r in rows],
        "window_starts": [r["window_start"] for r in rows],
        "item_counts": [r["item_count"] for r in rows],
        **{name: first[name] for name in ("kind", "window_end", "attempts", "status",
                                           "claimed_at", "error")},  # fmt: skip
    }


@cache
def _mark_sent_statement(dialect: str):
    """On PostgreSQL the ids go as one array (= ANY): one SQL text, prepared once."""
    if dialect == "postgresql":
        ids = _table.c.id == any_(bindparam("ids", type_=postgresql.ARRAY(Integer)))
    else:
        ids = _table.c.id.in_(bindparam("ids", expanding=True))
    return (
        update(_table)
        .where(ids)
        .values(status=bindparam("to_status"), error=None, sent_at=bindparam("at"))
    )


@cache
def _finish_statement():
    """Built once: it runs for every message."""
    return (
        update(_table)
        .where(_table.c.id == bindparam("delivery"))
        .values(status=bindparam("to_status"), error=bindparam("to_error"), sent_at=bindparam("at"))
    )


def send(
    kind: DeliveryKind | str,
    *,
    now: datetime | None = None,
    dry_run: bool = False,
    limit: int | None = None,
    shard: tuple[int, int] | None = None,
) -> Summary:
    """Run without a progress bar (tests, scripts): returns the summary."""
    with Run(DeliveryKind(kind), now=now, dry_run=dry_run, shard=shard) as run:
        run.deliver(run.recipients, limit)
    return run.summary
