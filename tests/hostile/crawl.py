"""Find the site's pages, links and forms the way a visitor would: by following links."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from urllib.parse import urlsplit

from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.routing import RequestRedirect

from tests.hostile import htmlcheck


@dataclass
class Page:
    url: str
    endpoint: str
    forms: list[htmlcheck.Form]


def endpoint_of(app, url: str, method: str = "GET") -> str | None:
    parts = urlsplit(url)
    try:
        endpoint, _ = app.url_map.bind("localhost").match(parts.path, method=method)
    except (RequestRedirect, MethodNotAllowed, HTTPException):
        return None
    return endpoint


def crawl(app, client, seeds=("/",), *, per_endpoint: int = 1, limit: int = 80) -> list[Page]:
    """GET pages reachable from `seeds`, at most `per_endpoint` URLs for each endpoint."""
    seen_urls: set[str] = set()
    per: dict[str, int] = {}
    pages: list[Page] = []
    queue = deque(seeds)
    while queue and len(pages) < limit:
        url = queue.popleft()
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or url in seen_urls:
            continue
        seen_urls.add(url)
        endpoint = endpoint_of(app, url)
        if endpoint is None or endpoint == "static" or per.get(endpoint, 0) >= per_endpoint:
            continue
        response = client.get(url)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        per[endpoint] = per.get(endpoint, 0) + 1
        pages.append(Page(url, endpoint, htmlcheck.forms(response.data, url)))
        for link in htmlcheck.find(response.data, "a"):
            href = (link.attrs.get("href") or "").split("#")[0]
            if href.startswith("/") and not href.startswith("//"):
                queue.append(href)
    return pages
