"""`make screenshots`: PNGs of key pages, phone and desktop, light and dark.

Runs the demo forum on a throwaway SQLite file, drives Debian's Chromium and
writes docs/screenshots/<page>-<viewport>-<scheme>.png (the window, not the
whole page, which keeps the files small).

    python -m tests.browser.screenshots [--out docs/screenshots] [--only home,thread]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from tests.browser.live import (
    CHROMIUM_ARGS,
    CHROMIUM_PATH,
    VIEWPORTS,
    sign_in,
    start_live_server,
)

# (name, path formatted with the seeded world, who is looking)
SHOTS = [
    ("home", "/", None),
    ("home-member", "/", "member"),
    ("search", "/search?q=para", "member"),
    ("thread", "/threads/{anon_thread}", "member"),
    ("new-thread", "/threads/new", "member"),
]
VARIANTS = [(v, s) for v in ("phone", "desktop") for s in ("light", "dark")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="docs/screenshots", type=Path)
    parser.add_argument("--only", default="", help="comma-separated page names")
    args = parser.parse_args(argv)
    if not Path(CHROMIUM_PATH).exists():
        print(f"Chromium not found at {CHROMIUM_PATH} (apt-get install chromium)", file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright

    wanted = {name for name in args.only.split(",") if name}
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        server = start_live_server(Path(tmp) / "forum.sqlite3", Path(tmp) / "instance")
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS
                )
                states: dict[str, dict] = {}
                for name, path, role in SHOTS:
                    if wanted and name not in wanted:
                        continue
                    if role and role not in states:
                        context = browser.new_context(base_url=server.url)
                        sign_in(context.new_page(), server.world["users"][role])
                        states[role] = context.storage_state()
                        context.close()
                    for viewport, scheme in VARIANTS:
                        context = browser.new_context(
                            base_url=server.url,
                            viewport=VIEWPORTS[viewport],
                            color_scheme=scheme,
                            storage_state=states.get(role) if role else None,
                        )
                        page = context.new_page()
                        page.goto(path.format(**server.world))
                        target = args.out / f"{name}-{viewport}-{scheme}.png"
                        page.screenshot(path=str(target))
                        print(f"{target} ({target.stat().st_size // 1024} KB)")
                        context.close()
                browser.close()
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
