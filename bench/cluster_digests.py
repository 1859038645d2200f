"""The digest half of `make bench-cluster`: `flask digests send` on both instances at once.

After the posting phase, members with an address verify it (a few turn the
weekly digest off or to daily), then two `flask digests send --period weekly`
processes, one with each instance's settings, run at the same moment against
the same PostgreSQL and one local SMTP server. A dry run first lists who has
something new, from the product's own digest builder. Afterwards every one of
them must have exactly one delivery row, "sent", and exactly one message at the
SMTP server; nobody else any; and neither run may report a failure.

`--now` pins the week to the dataset's newest threads (a cached dataset may be
weeks old): the digest covers real content whatever day the benchmark runs.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta

from sqlalchemy import create_engine, text

from bench.servers import ROOT

SUMMARY = re.compile(r"sent (\d+), skipped (\d+) \(nothing new\), failed (\d+)")
TAKEN = re.compile(r"(\d+) already sent")
PLANNED = re.compile(r"^member (\d+) \(", re.MULTILINE)
TURNED_OFF_EVERY, DAILY_EVERY = 5, 7  # of the verified members, by id


def prepare(url: str) -> tuple[set[int], str]:
    """Verify the members' addresses, vary their choices; (eligible ids, the --now to use)."""
    engine = create_engine(url)
    with engine.begin() as conn:
        newest = conn.execute(text("SELECT MAX(created_at) FROM threads")).scalar_one()
        verified = newest - timedelta(days=90)
        conn.execute(
            text("UPDATE users SET email_verified_at = :t WHERE email IS NOT NULL"),
            {"t": verified},
        )
        ids = list(
            conn.execute(text("SELECT id FROM users WHERE email IS NOT NULL ORDER BY id")).scalars()
        )
        choices = [
            {"user_id": uid, "frequency": frequency, "t": verified}
            for n, uid in enumerate(ids)
            if (
                frequency := "off"
                if n % TURNED_OFF_EVERY == 0
                else "daily"
                if n % DAILY_EVERY == 0
                else "weekly"
                if n % 3 == 0  # some chose weekly explicitly; the rest have the default (weekly)
                else None
            )
        ]
        conn.execute(
            text(
                "INSERT INTO digest_preferences (user_id, frequency, subscribed_at, "
                "titles_in_subject, notify_replies, updated_at) "
                "VALUES (:user_id, :frequency, :t, false, false, :t)"
            ),
            choices,
        )
        eligible = set(
            conn.execute(
                text(
                    "SELECT u.id FROM users u LEFT JOIN digest_preferences p ON p.user_id = u.id "
                    "WHERE u.email IS NOT NULL AND u.email_verified_at IS NOT NULL "
                    "AND u.banned_at IS NULL AND u.suspended_until IS NULL "
                    "AND (p.user_id IS NULL OR p.frequency = 'weekly')"
                )
            ).scalars()
        )
    engine.dispose()
    # A week after the newest thread: the week before holds new threads for everyone.
    return eligible, (newest + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")


def _command(now: str, *extra: str) -> list[str]:
    return [sys.executable, "-m", "flask", "--app", "app", "digests", "send",
            "--period", "weekly", "--now", now, *extra]  # fmt: skip


def _mail_env(env: dict[str, str], smtp_port: int) -> dict[str, str]:
    return {
        **env,
        "FORUM_MAIL_BACKEND": "smtp",
        "FORUM_MAIL_SERVER": "127.0.0.1",
        "FORUM_MAIL_PORT": str(smtp_port),
        "FORUM_BASE_URL": "https://forum.example.org",
    }


def _outcome(output: str) -> dict:
    match = SUMMARY.search(output)
    taken = TAKEN.search(output)
    if match is None:
        return {"output": output[-2000:]}
    sent, skipped, failed = (int(x) for x in match.groups())
    return {"sent": sent, "skipped": skipped, "failed": failed,
            "taken": int(taken.group(1)) if taken else 0}  # fmt: skip


def run(url: str, envs: list[dict[str, str]]) -> dict:
    """Prepare, dry-run, send from every instance's settings at once, then check."""
    from tests.smtp import SMTPServer

    eligible, now = prepare(url)
    smtp = SMTPServer().start()
    try:
        dry = subprocess.run(
            _command(now, "--dry-run"),
            cwd=ROOT,
            env=_mail_env(envs[0], smtp.port),
            capture_output=True,
            text=True,
            timeout=600,
        )
        planned = {int(m) for m in PLANNED.findall(dry.stdout)}
        started = time.monotonic()
        processes = [
            subprocess.Popen(
                _command(now),
                cwd=ROOT,
                env=_mail_env(env, smtp.port),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for env in envs
        ]
        outputs = [p.communicate(timeout=1800)[0] for p in processes]
        seconds = time.monotonic() - started
        codes = [p.returncode for p in processes]
        time.sleep(0.5)  # the SMTP server's last DATA handlers
        messages = list(smtp.messages)
    finally:
        smtp.stop()
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT user_id, status FROM digest_deliveries WHERE kind = 'weekly'")
        ).all()
        emails = dict(
            conn.execute(text("SELECT email, id FROM users WHERE email IS NOT NULL")).all()
        )
    engine.dispose()
    rows_per_member = Counter(user_id for user_id, _status in rows)
    mail_per_member = Counter(emails.get(m["X-Envelope-To"], -1) for m in messages)
    runs = [_outcome(o) | {"exit_code": c} for o, c in zip(outputs, codes, strict=True)]
    result = {
        "processes": len(envs),
        "now": now,
        "seconds": round(seconds, 1),
        "eligible_members": len(eligible),
        "members_with_news": len(planned),
        "runs": runs,
        "delivery_rows": len(rows),
        "messages": len(messages),
        "statuses": dict(Counter(status for _user, status in rows)),
        "duplicate_rows": sorted(u for u, n in rows_per_member.items() if n > 1)[:20],
        "duplicate_messages": sorted(u for u, n in mail_per_member.items() if n > 1)[:20],
        "lost": sorted(planned - set(mail_per_member))[:20],
        "unexpected": sorted((set(mail_per_member) | set(rows_per_member)) - planned)[:20],
        "ineligible_planned": sorted(planned - eligible)[:20],
    }
    sent = sum(r.get("sent", 0) for r in runs)
    result["ok"] = bool(
        planned
        and all(c == 0 for c in codes)
        and all("sent" in r and r["failed"] == 0 for r in runs)
        and all(r["sent"] + r["skipped"] + r["taken"] == len(eligible) for r in runs)
        and sent == len(planned) == len(rows) == len(messages)
        and result["statuses"] == {"sent": len(planned)}
        and not (
            result["duplicate_rows"]
            or result["duplicate_messages"]
            or result["lost"]
            or result["unexpected"]
            or result["ineligible_planned"]
        )
    )
    return result


def summary_line(d: dict) -> str:
    verdict = "OK" if d["ok"] else "FAILED"
    per_run = "; ".join(
        f"run {i + 1}: sent {r.get('sent', '?')}, taken {r.get('taken', '?')}, "
        f"skipped {r.get('skipped', '?')}, failed {r.get('failed', '?')}"
        for i, r in enumerate(d["runs"])
    )
    return (
        f"{verdict}: `flask digests send --period weekly` on {d['processes']} instances at once, "
        f"{d['eligible_members']} eligible members, {d['members_with_news']} with news: "
        f"{d['delivery_rows']} delivery rows, {d['messages']} messages in {d['seconds']} s "
        f"({per_run}); {len(d['duplicate_messages'])} duplicated, {len(d['lost'])} lost, "
        f"{len(d['unexpected'])} unexpected"
    )
