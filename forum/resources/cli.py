"""`flask resources ...`: import the starter library, check links, rebuild the search index."""

from __future__ import annotations

import click

from forum.resources import bp


@bp.cli.command("import")
def import_command() -> None:
    """Add the starter tags and resources from forum/data that are missing (idempotent)."""
    from forum.resources.library import import_library

    click.echo(import_library())


@bp.cli.command("check-links")
@click.option("--timeout", default=10.0, show_default=True, help="Seconds to wait for each answer.")
@click.option(
    "--delay", default=1.0, show_default=True, help="Seconds between requests to one host."
)
def check_links_command(timeout: float, delay: float) -> None:
    """Check every resource's address and record its status; hides nothing."""
    from forum.resources.library import check_links, summarize

    results = check_links(timeout=timeout, delay=delay, echo=click.echo)
    click.echo(summarize(results))


@bp.cli.command("reindex")
def reindex_command() -> None:
    """Create the search index if it is missing and rebuild it from every post."""
    from forum.extensions import db
    from forum.resources.search_schema import (
        install_search_schema,
        rebuild_search_index,
        search_schema_installed,
    )

    with db.engine.begin() as connection:
        if search_schema_installed(connection):
            rebuild_search_index(connection)
        else:  # e.g. after a SQLite batch migration rebuilt the posts table
            install_search_schema(connection)
            click.echo("Search tables and triggers were missing and have been created.")
    click.echo(f"Search index rebuilt ({db.engine.dialect.name}).")


@bp.cli.command("synonyms")
@click.argument("words", required=False, default="")
def synonyms_command(words: str) -> None:
    """Show the synonym groups search uses, or what a search for WORDS looks for.

    Groups come from forum/data/synonyms.txt and, to add your own, from
    instance/synonyms.txt (or FORUM_SEARCH_SYNONYMS_FILE): one group per line,
    separated by commas. Changes apply at the next search; nothing is re-indexed.
    """
    from forum.resources.search import parse_search
    from forum.resources.synonyms import SHIPPED, admin_file, current_synonyms

    path = admin_file()
    click.echo(f"Shipped: {SHIPPED}")
    click.echo(f"Yours:   {path}" + ("" if path.exists() else " (not there yet)"))
    if words:
        query = parse_search(words)
        for g, group in enumerate(query.groups):
            shown = [
                " ".join(p) + ("*" if query.is_prefix(g, a) else "") for a, p in enumerate(group)
            ]
            click.echo(" OR ".join(shown))
        return
    seen: set = set()
    for group in current_synonyms().groups.values():
        if group not in seen:
            seen.add(group)
            click.echo(", ".join(" ".join(p) for p in group))
