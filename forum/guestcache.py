"""Kept for the initial migration, which imports SEED_SQL from here (migrations are never
rewritten). Page caching lives in forum.assembly."""

from forum.assembly.versions import SEED_SQL

__all__ = ["SEED_SQL"]
