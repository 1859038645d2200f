"""Configuration classes; `FORUM_*` environment variables override them (see README)."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent


class Config:
    """Settings shared by every environment."""

    SITE_NAME = "IEP Parents Together"
    # FORUM_SECRET_KEY; required in production. Elsewhere, when unset, a random key is made
    # once into instance/secret_key (forum/secrets_file.py): never a constant in the code.
    SECRET_KEY: str | None = None
    # FORUM_ALIAS_KEY: keys anonymous aliases. In production, derived from the secret key when
    # unset; elsewhere made at random into instance/alias_key.
    ALIAS_KEY: str | None = None
    DATABASE_URL: str | None = None  # FORUM_DATABASE_URL; default: SQLite in instance/
    # No pool_pre_ping: forum/__init__.py tries only connections idle 10 s or more.
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    MAX_CONTENT_LENGTH = 1024 * 1024
    # FORUM_BASE_URL: the public address in emails. Unset: http://127.0.0.1:$PORT (5000),
    # the address `make run` serves, so `PORT=5101 make run` mails links to port 5101.
    BASE_URL: str | None = None

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = timedelta(days=30)
    PERMANENT_SESSION_LIFETIME = timedelta(days=30)
    WTF_CSRF_TIME_LIMIT = None  # tokens live as long as the session: long posts take time

    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = False
    RATELIMIT_LOGIN = "20 per minute"
    RATELIMIT_REGISTER = "10 per hour"
    RATELIMIT_RESET = "10 per hour"
    RATELIMIT_POST = "8 per minute;120 per hour"  # published posts
    RATELIMIT_POST_STEPS = "40 per minute"  # every submit of a post form, review steps too
    RATELIMIT_FLAG = "20 per hour"
    # Flags from this many distinct members (accounts older than a day) hide a post for review.
    FLAG_HIDE_THRESHOLD = 3
    # The inline privacy check while typing (debounced in forum/static/privacy.js).
    RATELIMIT_PRIVACY_CHECK = "60 per minute;600 per hour"
    # Number of reverse proxies whose X-Forwarded-For is trusted (0: none).
    TRUSTED_PROXIES = 0

    MAIL_SERVER: str | None = None
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_DEFAULT_SENDER = "IEP Parents Together <no-reply@localhost>"
    MAIL_BACKEND: str | None = None  # "smtp", "file" or "memory"; default from MAIL_SERVER

    # Digests and reply notifications (forum/digests).
    DIGEST_VERIFY_MAX_AGE = 3 * 24 * 3600  # email verification links, seconds
    DIGEST_UNSUBSCRIBE_MAX_AGE = 180 * 24 * 3600  # unsubscribe links in old messages
    DIGEST_NOTIFY_MINUTES = 15  # reply notifications go out in batches at most this often
    DIGEST_CLAIM_LEASE_SECONDS = 15 * 60  # a claimed-but-unsent message is retried after this
    DIGEST_CLAIM_BATCH = 50  # messages claimed (and re-checked) together, in one statement
    # Accepted messages are marked "sent" this many at a time, in one statement: a run
    # killed outright (kill -9, power) may send up to this many of them again.
    DIGEST_MARK_SENT_EVERY = 50
    DIGEST_MAX_ATTEMPTS = 3  # a message the mail server refused is retried this many times
    DIGEST_MAX_CATCHUP_PERIODS = 2  # after missed runs, a digest covers at most this many periods
    # A digest lists a few threads of each category with an excerpt, then "and N more"
    # linking to the category: a 500-thread week would otherwise make a 500 KB message,
    # unreadable on a phone and clipped by Gmail at ~100 KB (the unsubscribe link with it).
    # Over the cap, the threads with the fewest replies are listed (see building.py).
    DIGEST_MAX_PER_CATEGORY = 5
    DIGEST_MAX_REPLY_THREADS = 20
    DIGEST_SMTP_MESSAGES_PER_CONNECTION = 100  # a run reuses its SMTP connection this often
    RATELIMIT_VERIFY_EMAIL = "5 per hour"

    POSTS_PER_PAGE = 20
    THREADS_PER_PAGE = 25
    PASSWORD_RESET_MAX_AGE = 3600
    # werkzeug's method string (e.g. "scrypt", "pbkdf2:sha256:600000"); None: its default.
    PASSWORD_HASH_METHOD: str | None = None
    NOINDEX_SITE = True
    # A deleted account's username stays reserved this long (`flask accounts purge-deleted`).
    DELETED_USERNAME_DAYS = 30
    # Adds X-Query-Count to every response (benchmark only; never in production).
    BENCH_COUNT_QUERIES = False
    # Whole guest pages kept per worker process (forum/assembly/pages.py); 0 turns it off.
    GUEST_CACHE_SIZE = 500
    # Cached guest pages are re-rendered at least this often ("3 minutes ago" stays right).
    GUEST_CACHE_SECONDS = 60
    # A worker reads the content versions at most this often, so a cached guest page costs
    # no database round trip and a member's page one fewer; new content reaches readers this
    # much later (a member's own writes show at once: forum.assembly.versions.wrote_recently).
    GUEST_VERSION_SECONDS = 1.0
    # Blocks of pages (a thread's posts, a list) kept per worker for everyone who may share
    # them (forum/assembly/blocks.py), and the frames of members' pages around them (about
    # one entry in six, forum/assembly/pages.py); 0 turns both off.
    BLOCK_CACHE_SIZE = 600


class DevelopmentConfig(Config):
    DEBUG = True
    GUEST_CACHE_SIZE = 0  # edited templates show at once
    BLOCK_CACHE_SIZE = 0  # edited templates show at once


class TestingConfig(Config):
    TESTING = True
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    MAIL_BACKEND = "memory"
    BASE_URL = "http://forum.test"
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # fast; tests/factories.py uses the same
    GUEST_CACHE_SIZE = 0  # tests/test_guest_cache.py turns it on
    GUEST_VERSION_SECONDS = 0  # every request reads it: a write shows at once
    BLOCK_CACHE_SIZE = 500  # on: every thread page in the suite goes through it
    CONVERSATION_MIN_ACCOUNT_DAYS = 0  # tests of the new-account rule set their own
    CONVERSATION_MIN_POSTS = 0


class ProductionConfig(Config):
    PRODUCTION = True
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_from_env() -> type[Config]:
    """The config class named by FORUM_ENV (development by default)."""
    name = os.environ.get("FORUM_ENV", "development").lower()
    if name not in CONFIGS:
        raise RuntimeError(f"FORUM_ENV must be one of {', '.join(CONFIGS)}, not {name!r}")
    return CONFIGS[name]
