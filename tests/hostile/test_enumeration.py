"""Sign-in, registration and password reset don't tell whether an account exists.

Same status, same page shape, and similar timing (interleaved trials, medians
compared; FORUM_TIMING_TRIALS lowers the count of 200 when iterating).
"""

from __future__ import annotations

import os
import re
import statistics
import time

import pytest

from forum.accounts import services
from tests.hostile import htmlcheck

TRIALS = int(os.environ.get("FORUM_TIMING_TRIALS", "200"))
# Generous, but a missing dummy hash (or an inline mail server) is a ratio of 2 or more.
MAX_RATIO = 1.5
HASH = "pbkdf2:sha256:20000"  # slow enough to measure, fast enough for 200 trials


@pytest.fixture
def config_overrides() -> dict:
    return {"PASSWORD_HASH_METHOD": HASH}


def shape(response) -> list:
    """The page's structure and text, without values that echo the input or change per request."""
    if response.mimetype != "text/html":
        return [response.status_code]
    out = [response.status_code, response.headers.get("Location")]
    for node in htmlcheck.parse(response.get_data(as_text=True)).iter():
        attrs = {k: v for k, v in node.attrs.items() if k not in ("value", "datetime", "title")}
        out.append(
            (
                node.tag,
                sorted(attrs.items()),
                re.sub(r"\s+", " ", "".join(c for c in node.children if isinstance(c, str))),
            )
        )
    return out


def timed(send) -> tuple[float, object]:
    start = time.perf_counter()
    response = send()
    return time.perf_counter() - start, response


def compare(send_known, send_unknown, trials: int = TRIALS):
    known_t, unknown_t = [], []
    known_shapes, unknown_shapes = set(), set()
    for i in range(trials):  # interleaved: load on the machine hits both alike
        for send, times, shapes in (
            (send_known, known_t, known_shapes),
            (send_unknown, unknown_t, unknown_shapes),
        ):
            elapsed, response = timed(lambda send=send, i=i: send(i))
            times.append(elapsed)
            if i < 5:
                shapes.add(repr(shape(response)))
    assert known_shapes == unknown_shapes, "the pages differ for known and unknown accounts"
    ratio = statistics.median(known_t) / statistics.median(unknown_t)
    return ratio, statistics.median(known_t), statistics.median(unknown_t)


def _assert_similar(what, ratio, known, unknown):
    assert 1 / MAX_RATIO < ratio < MAX_RATIO, (
        f"{what}: median {known * 1000:.1f} ms for a known account, {unknown * 1000:.1f} ms for "
        f"an unknown one (ratio {ratio:.2f})"
    )
    print(
        f"{what}: known {known * 1000:.1f} ms, unknown {unknown * 1000:.1f} ms, ratio {ratio:.2f}"
    )


def test_sign_in(app, client_as):
    services.register_user("known_parent", "the real password 1", "known@example.org")
    client = client_as()

    def login(name):
        return lambda i: client.post(
            "/login", data={"username": name, "password": "a wrong password"}
        )

    ratio, known, unknown = compare(login("known_parent"), login("unknown_parent"))
    _assert_similar("sign-in", ratio, known, unknown)


def test_registration_with_a_taken_email(app, client_as):
    services.register_user("owner_of_address", "the real password 1", "taken@example.org")

    def register(email):
        def send(i):
            return client_as().post(
                "/register",
                data={
                    "username": f"j{email[:3]}{i}",
                    "password": "long enough password",
                    "confirm": "long enough password",
                    "email": email,
                    "agree": "y",
                },
            )

        return send

    ratio, known, unknown = compare(register("taken@example.org"), register("free@example.org"))
    _assert_similar("registration", ratio, known, unknown)


def _verified(user) -> None:
    from forum.extensions import db, now_utc

    user.email_verified_at = now_utc()
    db.session.commit()


def test_password_reset(app, client_as, monkeypatch):
    # A real mail server is slow; the page must not wait for it (the mail goes in the background).
    from forum import mail

    sent = []
    monkeypatch.setattr(
        mail, "_send_smtp", lambda msg, config: (time.sleep(0.02), sent.append(msg))
    )
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="mail.invalid")
    _verified(services.register_user("forgetful", "the real password 1", "forgetful@example.org"))
    client = client_as()

    def reset(email):
        return lambda i: client.post("/password/forgot", data={"email": email})

    ratio, known, unknown = compare(reset("forgetful@example.org"), reset("nobody@example.org"))
    _assert_similar("password reset", ratio, known, unknown)
    mail._background().shutdown(wait=True)
    mail._executor = None
    assert len(sent) == TRIALS, "the known address should have been mailed every time"


def test_taken_email_is_never_reported(app, client_as, outbox):
    _verified(services.register_user("first_owner", "the real password 1", "shared@example.org"))
    client = client_as()
    response = client.post(
        "/register",
        data={
            "username": "second_owner",
            "password": "long enough password",
            "confirm": "long enough password",
            "email": "shared@example.org",
            "agree": "y",
        },
    )
    assert response.status_code == 302
    data = {"email": "shared@example.org", "current_password": "long enough password"}
    response = client.post("/settings", data=data)
    assert response.status_code == 302
    _verified(services.find_user("second_owner"))  # resets go to verified addresses only
    # A reset reaches both accounts, each with its own link.
    client_as().post("/password/forgot", data={"email": "shared@example.org"})
    assert sorted(
        m.get_content().split()[1].rstrip(",") for m in [msg.get_body(("plain",)) for msg in outbox]
    ) == ["first_owner", "second_owner"]
