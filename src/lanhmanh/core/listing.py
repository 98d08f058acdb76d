"""Lists that work: one way every list page reads its sort order and page from the query string.

A view names the orders a list offers (``Sort``), hands the rows to ``listing()`` and renders the
result with the shared includes ``core/_sort_header.html`` and ``core/_pagination.html``. Every link
keeps the rest of the query string (the filters), a new order or filter starts again at page 1, and a
sort key or page number that is not offered falls back to the default instead of failing.

Rows are either a queryset (ordered in the database) or a list (ordered in Python, e.g. the duplicate
review queue, which is built in memory).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import QueryDict

PAGE_PARAM = "trang"
SORT_PARAM = "sap-xep"
PAGE_SIZE = 50


@dataclass(frozen=True)
class Sort:
    """One order a list offers. ``fields`` order a queryset (ascending form; descending flips each);
    ``key`` orders a list; a field may be an expression (``F("next_due").asc(nulls_last=True)``). ``descending_first``: the first click on the column sorts high to low."""

    label: str
    fields: Sequence[Any] = ()
    key: Callable[[Any], Any] | None = None
    descending_first: bool = False


def _flip(name):
    if not isinstance(name, str):  # an OrderBy expression, e.g. F("due").asc(nulls_last=True)
        return name.copy().reverse_ordering()
    return name[1:] if name.startswith("-") else f"-{name}"


@dataclass
class Column:
    """A sortable column header: its label, whether the list is ordered by it, and the link that
    orders by it (or reverses the order when it is already the one in use). Templates reach it as
    ``listing.columns.<key>`` with ``_`` for ``-`` (``listing.columns.trang_thai``)."""

    label: str
    url: str
    active: bool = False
    descending: bool = False


@dataclass
class Listing:
    """One page of a list with its order and the links of its sortable headers and pagination."""

    page: Page
    sort: str
    descending: bool
    columns: dict[str, Column] = field(default_factory=dict)
    query: QueryDict | None = None
    prefix: str = ""

    @property
    def page_param(self) -> str:
        return f"{self.prefix}{PAGE_PARAM}"

    def url(self, **changes: object) -> str:
        """The current query string with ``changes`` applied (``None`` removes a parameter); filters
        left empty by the form (``q=&plan=``) are left out."""
        query = self.query.copy() if self.query is not None else QueryDict(mutable=True)
        for name in [name for name, values in query.lists() if not any(values)]:
            del query[name]
        for name, value in changes.items():
            query.pop(name, None)
            if value is not None:
                query[name] = str(value)
        encoded = query.urlencode()
        return f"?{encoded}" if encoded else "?"

    @property
    def keep(self) -> list[tuple[str, str]]:
        """The order in use as hidden fields, so that a filter form keeps it (not the page: a new
        filter starts again at page 1)."""
        name = f"{self.prefix}{SORT_PARAM}"
        value = self.query.get(name, "") if self.query is not None else ""
        return [(name, value)] if value and value.removeprefix("-") == self.sort else []

    def page_url(self, number: int) -> str:
        return self.url(**{self.page_param: number if number > 1 else None})

    @property
    def previous_url(self) -> str:
        return self.page_url(self.page.previous_page_number()) if self.page.has_previous() else ""

    @property
    def next_url(self) -> str:
        return self.page_url(self.page.next_page_number()) if self.page.has_next() else ""

    @property
    def page_links(self) -> list[tuple[int | None, str]]:
        """(number, link) for the pages around the current one, the first and the last; ``None``
        stands for the gap ("…")."""
        numbers = self.page.paginator.get_elided_page_range(self.page.number, on_each_side=2, on_ends=1)
        return [
            (number, self.page_url(number)) if isinstance(number, int) else (None, "") for number in numbers
        ]


def _page_number(raw: str | None) -> int:
    """The page asked for; not a whole number, or below 1: the first page (past the end: the last)."""
    try:
        return max(int(raw or 1), 1)
    except ValueError:
        return 1


def _ordered(rows, sort: Sort, descending: bool):
    if isinstance(rows, QuerySet):
        fields = [_flip(name) for name in sort.fields] if descending else list(sort.fields)
        return rows.order_by(*fields)
    if sort.key is None:
        return list(rows)
    return sorted(rows, key=sort.key, reverse=descending)


def listing(
    query: QueryDict,
    rows,
    *,
    sorts: Mapping[str, Sort],
    default: str,
    per_page: int = PAGE_SIZE,
    prefix: str = "",
) -> Listing:
    """Order ``rows`` as the query string asks (``sap-xep=han`` ascending, ``sap-xep=-han`` descending;
    ``default`` in the same form when absent or not offered) and cut out the page it asks for
    (``trang``; past the end: the last page; not a number: the first). ``prefix`` keeps two lists on
    one page apart (``nv-trang``). No side effects."""
    sort_param = f"{prefix}{SORT_PARAM}"
    asked = query.get(sort_param, "") or ""
    key = asked.removeprefix("-")
    if key not in sorts:
        asked = default
        key = default.removeprefix("-")
    descending = asked.startswith("-")
    paginator = Paginator(_ordered(rows, sorts[key], descending), per_page)
    page = paginator.get_page(_page_number(query.get(f"{prefix}{PAGE_PARAM}")))
    result = Listing(page=page, sort=key, descending=descending, query=query, prefix=prefix)
    for name, sort in sorts.items():
        active = name == key
        next_descending = not descending if active else sort.descending_first
        result.columns[name.replace("-", "_")] = Column(
            label=str(sort.label),
            url=result.url(
                **{sort_param: f"-{name}" if next_descending else name, f"{prefix}{PAGE_PARAM}": None}
            ),
            active=active,
            descending=active and descending,
        )
    return result
