"""`flask digests send --workers N`: one run per CPU, splitting the members by id.

Building a message is CPU work in Python (templates, the email package), so one
process uses one core. The runs need no coordination: each takes the members
whose id is i modulo N, and the delivery claims (forum.digests.sending) would
keep them from sending anything twice even if the shards overlapped.

The workers are forked, so they share the parent's configured app; each opens
its own database connections. (Forking needs a POSIX system.)
"""

from __future__ import annotations

import multiprocessing
from datetime import datetime
from functools import reduce
from operator import add

from flask import Flask, current_app

from forum.digests.models import DeliveryKind
from forum.digests.sending import Summary, send
from forum.extensions import db

_app: Flask | None = None  # set in the parent just before forking


def _work(kind: DeliveryKind, index: int, workers: int, now: datetime | None, dry_run: bool):
    with _app.app_context():
        db.engine.dispose(close=False)  # never share the parent's connections
        return send(kind, now=now, dry_run=dry_run, shard=(index, workers))


def send_in_parallel(
    kind: DeliveryKind | str, workers: int, *, now: datetime | None = None, dry_run: bool = False
) -> Summary:
    """Send with `workers` processes; returns their summaries added up."""
    global _app
    _app = current_app._get_current_object()
    db.session.remove()
    db.engine.dispose()  # children must not inherit open connections
    context = multiprocessing.get_context("fork")
    jobs = [(DeliveryKind(kind), i, workers, now, dry_run) for i in range(workers)]
    with context.Pool(workers) as pool:
        summaries = pool.starmap(_work, jobs)
    return reduce(add, summaries, Summary())
