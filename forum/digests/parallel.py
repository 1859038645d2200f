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
from forum.digests.progress import Progress
from forum.digests.sending import Run, Summary
from forum.extensions import db

_app: Flask | None = None  # set in the parent just before forking
# Shared counters for the parent's progress line: members in all, done, messages sent.
_counts = None


def _work(kind: DeliveryKind, shard: tuple[int, int], now: datetime | None, dry_run: bool):
    with _app.app_context():
        db.engine.dispose(close=False)  # never share the parent's connections
        with Run(kind, now=now, dry_run=dry_run, shard=shard) as run:
            _add(0, len(run.recipients))
            sent = [0]

            def step(n: int) -> None:
                _add(1, n)
                _add(2, run.summary.sent - sent[0])
                sent[0] = run.summary.sent

            run.progress = step
            run.deliver(run.recipients)
        return run.summary


def _add(index: int, n: int) -> None:
    if n:
        with _counts.get_lock():
            _counts[index] += n


def send_in_parallel(
    kind: DeliveryKind | str,
    workers: int,
    *,
    now: datetime | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    node: tuple[int, int] = (0, 1),
) -> Summary:
    """Send with `workers` processes; returns their summaries added up.

    `node=(i, n)`: this machine is the i-th of n (from 0) running the same command:
    its workers take shards i*workers ... of n*workers, so the machines share the
    members without overlap (the claims would still stop duplicates if they did).
    """
    global _app, _counts
    _app = current_app._get_current_object()
    db.session.remove()
    db.engine.dispose()  # children must not inherit open connections
    context = multiprocessing.get_context("fork")
    _counts = context.Array("q", 3)  # members, done, sent: the workers add to them
    shards = node[1] * workers
    jobs = [
        (DeliveryKind(kind), (node[0] * workers + i, shards), now, dry_run) for i in range(workers)
    ]
    with context.Pool(workers) as pool:
        result = pool.starmap_async(_work, jobs)
        while not result.ready():
            result.wait(0.5)
            if progress is not None:
                progress.update(_counts[1], _counts[0], _counts[2])
        summaries = result.get()
    return reduce(add, summaries, Summary())
