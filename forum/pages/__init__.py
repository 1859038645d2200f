"""Static pages: community guidelines, how anonymity works, robots.txt."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from flask import Blueprint, Response, current_app, render_template
from markupsafe import Markup

from forum.alias_words import ADJECTIVES, ANIMALS, COMBINATIONS
from forum.text import render_markdown

bp = Blueprint("pages", __name__)
CONTENT = Path(__file__).resolve().parent.parent / "content"


@cache
def content_html(name: str) -> Markup:
    """A Markdown page shipped with the app, rendered once."""
    return render_markdown((CONTENT / f"{name}.md").read_text(encoding="utf-8"))


@bp.get("/guidelines")
def guidelines():
    # The latest version an admin saved, else the shipped file: moderation owns them and
    # lends their text (forum/moderation/setup.py).
    return render_template(
        "pages/guidelines.html", body=current_app.extensions["guidelines_html"]()
    )


@bp.get("/anonymity")
def anonymity():
    # The numbers come from the word lists, so the page stays exactly true if they change.
    return render_template(
        "pages/anonymity.html", names=COMBINATIONS, adjectives=len(ADJECTIVES), animals=len(ANIMALS)
    )


@bp.get("/robots.txt")
def robots():
    if current_app.config.get("NOINDEX_SITE"):
        text = "User-agent: *\nDisallow: /\n"
    else:
        text = (
            "User-agent: *\nDisallow: /login\nDisallow: /register\nDisallow: /settings\n"
            "Disallow: /search\n"
        )
    return Response(text, mimetype="text/plain")
