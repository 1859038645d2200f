"""Signed links: verify an email address, unsubscribe without signing in.

Each purpose has its own salt, so a token made for one can never be used for
the other (nor as a password-reset token).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from enum import StrEnum
from functools import lru_cache

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from itsdangerous.encoding import base64_encode, int_to_bytes

VERIFY_SALT = "digests-verify-email"
UNSUBSCRIBE_SALT = "digests-unsubscribe"


class Scope(StrEnum):
    """What a one-click unsubscribe switches off: the list the message came from."""

    DIGEST = "digest"
    REPLIES = "replies"


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return _serializer_for(current_app.config["SECRET_KEY"], salt)


@lru_cache(maxsize=8)
def _serializer_for(secret: str, salt: str) -> URLSafeTimedSerializer:
    """Made once per key: a digest run signs a link for every member. (Serializers
    keep no state between calls, so sharing one between threads is safe.)"""
    return URLSafeTimedSerializer(secret, salt=salt)


def _email_tag(email: str) -> str:
    # A hash, not the address: links end up in logs and browser histories.
    return hashlib.sha256(email.encode()).hexdigest()[:16]


def make_verify_token(user_id: int, email: str) -> str:
    """Binds the address: a link sent to an old address can't verify a new one."""
    return _serializer(VERIFY_SALT).dumps({"u": user_id, "e": _email_tag(email)})


def read_verify_token(token: str) -> tuple[int, str] | None:
    """(user id, email tag) if the token is genuine and fresh, else None."""
    max_age = current_app.config["DIGEST_VERIFY_MAX_AGE"]
    try:
        data = _serializer(VERIFY_SALT).loads(token, max_age=max_age)
    except BadSignature:  # also SignatureExpired
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    return data["u"], str(data.get("e"))


def email_matches(tag: str, email: str | None) -> bool:
    return bool(email) and _email_tag(email) == tag


def make_unsubscribe_token(user_id: int, scope: Scope) -> str:
    if type(user_id) is int and 0 <= user_id < _SMALL_ID:
        return _unsubscribe_signer(current_app.config["SECRET_KEY"]).sign(user_id, scope)
    return _serializer(UNSUBSCRIBE_SALT).dumps({"u": user_id, "s": str(scope)})


# Below this, the token's JSON ({"u":12345678,"s":"replies"}, at most 29 bytes, repeats only
# among the id's 8 digits) can't be compressed by zlib by 2 bytes, which is when
# URLSafeTimedSerializer would: deflate's 10 bits of block framing and zlib's 6 bytes of
# header and checksum outweigh what matches in 7 digits can save (under 6 bytes).
_SMALL_ID = 10**8


class _UnsubscribeSigner:
    """URLSafeTimedSerializer(secret, salt=UNSUBSCRIBE_SALT).dumps({"u": id, "s": scope})
    for the ids above, without its layers: the key derived once, no zlib attempt (it
    can't win, see _SMALL_ID). A digest run signs a link for every member: this is a
    tenth of what dumps() costs. tests/test_digests_send_path.py compares the two."""

    def __init__(self, secret: str):
        signer = URLSafeTimedSerializer(secret, salt=UNSUBSCRIBE_SALT).make_signer()
        self.key = signer.derive_key()
        self.digest = signer.digest_method
        self.sep = signer.sep.encode() if isinstance(signer.sep, str) else signer.sep

    def sign(self, user_id: int, scope: Scope) -> str:
        payload = base64_encode(f'{{"u":{user_id},"s":"{scope}"}}'.encode())
        stamp = base64_encode(int_to_bytes(int(time.time())))
        value = payload + self.sep + stamp
        signature = base64_encode(hmac.new(self.key, value, self.digest).digest())
        return (value + self.sep + signature).decode("ascii")


@lru_cache(maxsize=8)
def _unsubscribe_signer(secret: str) -> _UnsubscribeSigner:
    return _UnsubscribeSigner(secret)


def read_unsubscribe_token(token: str) -> tuple[int, Scope] | None:
    max_age = current_app.config["DIGEST_UNSUBSCRIBE_MAX_AGE"]
    try:
        data = _serializer(UNSUBSCRIBE_SALT).loads(token, max_age=max_age)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    try:
        return data["u"], Scope(data.get("s"))
    except ValueError:
        return None
