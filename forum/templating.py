"""Jinja filters: times shown relative, with the absolute time alongside."""

from __future__ import annotations

from datetime import datetime

from flask import Flask

from forum.extensions import now_utc


def isodate(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def longdate(dt: datetime) -> str:
    return dt.strftime("%B %-d, %Y")


def fulldate(dt: datetime) -> str:
    return dt.strftime("%B %-d, %Y at %H:%M UTC")


def timeago(dt: datetime) -> str:
    seconds = int((now_utc() - dt).total_seconds())
    if seconds < 60:
        return "just now"
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            if unit == "day" and count > 30:
                return dt.strftime("%b %-d, %Y")
            return f"{count} {unit}{'s' if count != 1 else ''} ago"
    return "just now"


def register(app: Flask) -> None:
    app.add_template_filter(isodate)
    app.add_template_filter(fulldate)
    app.add_template_filter(longdate)
    app.add_template_filter(timeago)
