"""The mixed run: wrk reads pages while members post replies to random threads.

A busy evening: parents read while others post. Each reply makes its thread,
its category's list and the front page stale (forum.assembly.versions), so
this shows what the caches still save while content changes.
"""

from __future__ import annotations

import random
import threading
import time
import uuid

from bench.client import csrf_token, sign_in

READ_THREADS = 50  # wrk reads these threads' first pages, at random; replies go to them too


class Poster(threading.Thread):
    """Posts `rate` replies a second, round-robin over the writers, until stopped."""

    def __init__(self, port: int, info: dict, rate: float, seed: int = 7):
        super().__init__(daemon=True)
        self.port, self.info, self.rate = port, info, rate
        self.rng = random.Random(seed)
        self.stopping = threading.Event()
        self.posted, self.failures = 0, []
        self.browsers = []

    def prepare(self) -> None:
        """Sign the writers in before the measured part starts."""
        threads = self.info["hot_thread_ids"]
        for name in self.info["writers"]:
            browser = sign_in(self.port, name, self.info["password"])
            token = csrf_token(browser.get(self.port, f"/threads/{threads[0]}").body)
            self.browsers.append((browser, token))

    def run(self) -> None:
        threads = self.info["hot_thread_ids"][:READ_THREADS]
        started, sent = time.monotonic(), 0
        while not self.stopping.is_set():
            due = started + sent / self.rate
            if (wait := due - time.monotonic()) > 0 and self.stopping.wait(wait):
                break
            browser, token = self.browsers[sent % len(self.browsers)]
            sent += 1
            # confirm_named: a writer who once posted anonymously in the thread is asked to
            # confirm a named reply (forum.threads.composer); the bench's writers confirm, as
            # the second click of a member who means it (else that reply is not posted).
            form = {"csrf_token": token, "token": uuid.uuid4().hex, "confirm_named": "1",
                    "body": f"bench-mixed reply {sent}: we asked for the minutes in writing."}
            try:
                reply = browser.post(self.port, f"/threads/{self.rng.choice(threads)}/reply", form)
            except Exception as exc:  # noqa: BLE001 -- reported, never hidden
                self.failures.append(f"{type(exc).__name__}: {exc}")
                continue
            if reply.status == 302:
                self.posted += 1
            else:
                self.failures.append(f"HTTP {reply.status}")

    def stop(self) -> dict:
        self.stopping.set()
        self.join(timeout=30)
        for browser, _token in self.browsers:
            browser.close()
        return {"replies": self.posted, "failures": self.failures[:5],
                "failed": len(self.failures)}


def thread_paths(info: dict) -> list[str]:
    return [f"/threads/{t}" for t in info["hot_thread_ids"][:READ_THREADS]]
