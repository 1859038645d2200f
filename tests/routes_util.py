"""Enumerate the app's routes and fill their parameters from fixture data.

Tests that must cover every route (permission sweeps, the anonymity leak test,
CSRF) use these, so a new route is covered without editing the tests: add a
parameter name to `param_values` if it needs a particular kind of value.
"""

from __future__ import annotations

from collections.abc import Iterator

from flask import Flask
from werkzeug.routing import Rule
from werkzeug.routing.converters import NumberConverter

SKIP_ENDPOINTS = {"static"}


def rules(app: Flask, method: str) -> Iterator[Rule]:
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint not in SKIP_ENDPOINTS and method in (rule.methods or ()):
            yield rule


def build(rule: Rule, values: dict) -> str:
    """The path of `rule` with its arguments taken from `values` (defaults for unknown ones)."""
    args = {}
    for name in rule.arguments:
        if name in values:
            args[name] = values[name]
        elif isinstance(rule._converters.get(name), NumberConverter):
            args[name] = 1
        else:
            args[name] = "x"
    built = rule.build(args, append_unknown=False)
    if built is None:
        raise ValueError(f"cannot build {rule.rule} from {args}")
    return built[1]


def param_values(**objects) -> dict:
    """Route parameters pointing at the given fixture objects."""
    values: dict = {}
    if thread := objects.get("thread"):
        values["thread_id"] = thread.id
    if post := objects.get("post"):
        values["post_id"] = post.id
    if category := objects.get("category"):
        values.update(slug=category.slug, category_id=category.id)
    if user := objects.get("user"):
        values["username"] = user.username
    values.update(objects.get("extra", {}))
    return values
