"""Pages of threads and posts whose cost does not grow with the forum.

Flask-SQLAlchemy's paginate() runs COUNT(*) over the whole listing on every
page view: a table scan that grows with the forum. These two subclasses keep
its interface (items, page, has_prev, has_next, pages, iter_pages), so the
pager macro works with both.
"""

from __future__ import annotations

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select

from forum.extensions import db


class OpenEndedPage(Pagination):
    """A page of a list ordered by activity: "is there more?" instead of a count.

    Page numbers of such a list shift with every new reply, so only newer and
    older pages are offered (total is None; the pager shows prev/next).
    """

    def __init__(self, select: Select, page: int, per_page: int):
        self._more = False
        super().__init__(
            page=page, per_page=per_page, max_per_page=None, count=False, select=select
        )

    def _query_items(self) -> list:
        stmt = self._query_args["select"].limit(self.per_page + 1).offset(self._query_offset)
        rows = list(db.session.execute(stmt).unique().scalars())
        self._more = len(rows) > self.per_page
        return rows[: self.per_page]

    @property
    def has_next(self) -> bool:
        return self._more

    @property
    def pages(self) -> int:
        return self.page + 1 if self._more else self.page


class NumberedPage(Pagination):
    """A page of a thread by post number: page p holds numbers (p-1)*n+1 .. p*n.

    That is what page_of() assumes for permalinks. The total is the thread's
    post_count (numbers run 1..post_count), so no COUNT(*), and the index on
    (thread_id, number) finds a page directly, however long the thread.
    """

    def __init__(self, select: Select, params: dict, total: int, page: int, per_page: int):
        """`select` takes `params` and the bound parameters `first` and `last` (numbers)."""
        super().__init__(
            page=page,
            per_page=per_page,
            max_per_page=None,
            count=True,
            select=select,
            params=params,
            total=total,
        )

    def _query_items(self) -> list:
        first = self._query_offset + 1
        params = {**self._query_args["params"], "first": first, "last": first + self.per_page - 1}
        return list(db.session.execute(self._query_args["select"], params).unique().scalars())

    def _query_count(self) -> int:
        return self._query_args["total"]
