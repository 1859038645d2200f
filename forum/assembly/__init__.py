"""The page-assembly layer: the one place that keeps rendered pages and parts of pages.

Views declare the blocks they show (forum.assembly.blocks) and render the
page with `render_page`; features add panels to pages they don't own
(forum.assembly.panels); services say what they changed (`changed`), and
everything else is invalidated by the version check (forum.assembly.versions).
"""

from __future__ import annotations

from flask import Flask

from forum.assembly.blocks import Block, Loaded, Share, add_slot, slot
from forum.assembly.pages import guest_page, reads_only, render_page
from forum.assembly.panels import add_panel, kept_part, panels, render_part
from forum.assembly.versions import (
    CONTENT,
    HOME,
    SITE,
    category_scope,
    changed,
    thread_scope,
)

__all__ = [
    "Block", "Loaded", "Share", "add_slot", "slot", "guest_page", "reads_only", "render_page",
    "add_panel", "kept_part",
    "panels", "render_part", "CONTENT", "HOME", "SITE", "category_scope", "changed", "thread_scope",
    "register",
]


def register(app: Flask) -> None:
    from forum.assembly import blocks, pages, versions
    from forum.assembly.panels import register as register_parts

    versions.register(app)
    blocks.register(app)
    pages.register(app)
    register_parts(app)
