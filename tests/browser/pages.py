"""Every page the browser suite checks: adding a page is one line in PAGES.

Each page is checked for axe-core WCAG 2.0/2.1 A and AA violations (phone and
desktop, light and dark), sideways scrolling at 375 px, requests leaving the
server, console errors and CSP violations, the skip link, and (all pages in
one batch) Nu HTML checker errors.

`target` is a path (formatted with the seeded world, e.g. "/threads/{anon_thread}")
or a callable `(page, world) -> Response` that drives the browser into a state,
such as a form with errors. `role` is None for a guest or a key of
world["users"] ("member", "moderator", "admin", "anon_author", ...).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Page, Response


@dataclass(frozen=True)
class PageSpec:
    name: str
    target: str | Callable[[Page, dict], Response]
    role: str | None = None
    status: int = 200

    def open(self, page: Page, base_url: str, world: dict) -> Response:
        """Bring `page` to this state; the document's response (for status and raw HTML)."""
        if callable(self.target):
            response = self.target(page, world)
        else:
            response = page.goto(base_url + self.target.format(**world))
        assert response is not None, f"{self.name}: no document response"
        return response


def _submit(page: Page, button_name: str) -> Response:
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name=button_name).click()
    return navigation.value


def reply_with_errors(page: Page, world: dict) -> Response:
    """The reply page after sending an empty reply (422, error tied to the field)."""
    page.goto(f"/threads/{world['anon_thread']}/reply")
    page.get_by_label("Your post").fill("")
    return _submit(page, "Post reply")


def new_thread_with_errors(page: Page, world: dict) -> Response:
    """The new-thread form sent with a too-short title and no body."""
    page.goto("/threads/new")
    page.get_by_label("Title").fill("Hi")
    return _submit(page, "Post thread")


def register_with_errors(page: Page, world: dict) -> Response:
    """The registration form sent with mismatched passwords and the guidelines unticked."""
    page.goto("/register")
    page.get_by_label("Username").fill("x")
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_label("Repeat password").fill("different")
    return _submit(page, "Create my account")


def login_with_errors(page: Page, world: dict) -> Response:
    page.goto("/login")
    page.get_by_label("Username").fill("nobody_here")
    page.get_by_label("Password").fill("not the password")
    return _submit(page, "Sign in")


def privacy_review(page: Page, world: dict) -> Response:
    """The review step shown before a reply that names a child, a school and a date."""
    page.goto(f"/threads/{world['anon_thread']}/reply")
    page.get_by_label("Your post").fill(
        "My son Blake at Lincoln Elementary was sent home again on March 3rd."
    )
    return _submit(page, "Post reply")


def reply_confirm_named(page: Page, world: dict) -> Response:
    """The step before the anonymous starter replies under their username (issue 15)."""
    page.goto(f"/threads/{world['anon_thread']}/reply")
    page.get_by_label("Post anonymously").uncheck()
    page.get_by_label("Your post").fill("Thank you all for the advice.")
    return _submit(page, "Post reply")


PAGES: list[PageSpec] = [
    PageSpec("home", "/"),
    PageSpec("category", "/categories/{category}"),
    PageSpec("members-category-guest", "/categories/{members_category}"),
    PageSpec("thread-anonymous-guest", "/threads/{anon_thread}"),
    PageSpec("thread-anonymous", "/threads/{anon_thread}", "member"),
    PageSpec("thread-anonymous-own", "/threads/{anon_thread}", "anon_author"),
    PageSpec("new-thread", "/threads/new", "member"),
    PageSpec("new-thread-errors", new_thread_with_errors, "member", 422),
    PageSpec("reply-errors", reply_with_errors, "member", 422),
    PageSpec("login", "/login"),
    PageSpec("login-errors", login_with_errors, status=422),
    PageSpec("register", "/register"),
    PageSpec("register-errors", register_with_errors, status=422),
    PageSpec("profile", "/users/{users[member]}"),
    PageSpec("settings", "/settings", "member"),
    PageSpec("sessions", "/settings/sessions", "member"),
    PageSpec("guidelines", "/guidelines"),
    PageSpec("anonymity", "/anonymity"),
    PageSpec("forgot-password", "/password/forgot"),
    PageSpec("admin-categories", "/admin/categories", "admin"),
    PageSpec("admin-category-new", "/admin/categories/new", "admin"),
    PageSpec("not-found", "/no-such-page", status=404),
    PageSpec("flag-form", "/posts/{flagged_post}/flag", "admin"),
    PageSpec("review-queue", "/moderation/", "moderator"),
    PageSpec("moderation-post", "/moderation/posts/{flagged_post}", "moderator"),
    PageSpec("audit-log", "/moderation/log", "moderator"),
    PageSpec("approvals", "/moderation/approvals", "moderator"),
    PageSpec("roles", "/moderation/users", "admin"),
    PageSpec("reveal", "/moderation/posts/{flagged_post}/reveal", "admin"),
    PageSpec("your-data", "/settings/data", "member"),
    PageSpec("delete-account", "/settings/delete", "member"),
    PageSpec("privacy-review", privacy_review, "member"),
    PageSpec("reply-confirm-named", reply_confirm_named, "anon_author"),
    PageSpec("search-results", "/search?q=aide", "member"),
    PageSpec("search-guest", "/search?q=meeting"),
    PageSpec("search-synonyms", "/search?q=para"),
    PageSpec("search-empty", "/search?q=zzzzqqq"),
    PageSpec("search-in-thread", "/search?q=meeting&thread={anon_thread}&sort=date", "member"),
    PageSpec("resources", "/resources"),
    PageSpec("resources-topic", "/resources?topic=one-to-one-aide"),
    PageSpec("resources-search", "/resources?q=504"),
    PageSpec("time-zone", "/settings/time-zone", "member"),
    PageSpec("tags", "/tags"),
    PageSpec("tag", "/tags/one-to-one-aide"),
    PageSpec("story-details", "/threads/{anon_thread}/story", "anon_author"),
    PageSpec("digest-settings", "/settings/digests", "member"),
    # forum.notifications: the anonymous starter has been answered in the seeded forum.
    PageSpec("notifications", "/notifications", "anon_author"),
    PageSpec("notification-settings", "/settings/notifications", "member"),
    PageSpec("admin-tags", "/admin/tags", "moderator"),
    PageSpec("admin-resources", "/admin/resources", "moderator"),
    PageSpec("unanswered", "/unanswered"),
    PageSpec("saved", "/saved", "member"),
    PageSpec("edit-history", "/posts/{revised_post}/revisions", "member"),
]

PAGE_NAMES = [spec.name for spec in PAGES]
