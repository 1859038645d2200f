"""`flask digests send --node I/N`: machines share the members without overlap."""

from __future__ import annotations

from collections import Counter

from tests import factories as f
from tests.digest_support import (  # noqa: F401 (fixtures)
    config_overrides,
    inbox,
    later,
    reader,
    site,
    smtp,
)


def test_each_node_sends_its_share_and_together_everyone_once(app, site, inbox):
    members = [reader(f"node_{i}").email for i in range(9)]
    f.make_thread(site["author"], site["public"])
    now = later().strftime("%Y-%m-%dT%H:%M")
    runner = app.test_cli_runner()
    outputs = [
        runner.invoke(args=["digests", "send", "--period", "weekly", "--now", now,
                            "--node", node])  # fmt: skip
        for node in ("1/3", "2/3", "3/3")
    ]
    assert [o.exit_code for o in outputs] == [0, 0, 0], [o.output for o in outputs]
    sent = [int(o.output.split("sent ")[1].split(",")[0]) for o in outputs]
    assert all(0 < n < 9 for n in sent) and sum(sent) == 9
    assert "already sent" not in "".join(o.output for o in outputs)  # no overlap
    assert Counter(m["To"] for m in inbox.messages) == Counter(members)


def test_a_node_outside_the_count_is_refused(app):
    result = app.test_cli_runner().invoke(
        args=["digests", "send", "--period", "weekly", "--node", "4/3"]
    )
    assert result.exit_code == 2 and "between 1 and N" in result.output


def test_workers_on_two_nodes_share_without_overlap(app, site, inbox):
    members = [reader(f"worker_{i}").email for i in range(10)]
    f.make_thread(site["author"], site["public"])
    now = later().strftime("%Y-%m-%dT%H:%M")
    runner = app.test_cli_runner()
    outputs = [
        runner.invoke(args=["digests", "send", "--period", "weekly", "--now", now,
                            "--workers", "2", "--node", node])  # fmt: skip
        for node in ("1/2", "2/2")
    ]
    assert [o.exit_code for o in outputs] == [0, 0], [o.output for o in outputs]
    assert "already sent" not in "".join(o.output for o in outputs)
    assert Counter(m["To"] for m in inbox.messages) == Counter(members)
