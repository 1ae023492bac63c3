"""One page of a long list: the pagination arithmetic the long pages share.

Used by the needs list and the coordinator's review queue; the template side is
``web/templates/_pagination.html``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Generic, TypeVar

from matching.errors import ValidationFailed
from matching.i18n import N_

T = TypeVar("T")

PER_PAGE_DEFAULT = 25


def page_count(total: int, per_page: int) -> int:
    """Pages needed for ``total`` items (at least one, so an empty list has page 1)."""
    return max(1, math.ceil(total / per_page))


def parse_page(value: str | None) -> int:
    """A page number from a query string: empty is 1, anything but an integer is a 422."""
    text = (value or "").strip()
    if not text:
        return 1
    try:
        return int(text)
    except ValueError:
        raise ValidationFailed({"page": N_("The page number must be a whole number.")}) from None


def clamp_page(page: int, total: int, per_page: int) -> int:
    """``page`` brought within ``1..page_count``: a page past the end is the last one."""
    return min(max(1, page), page_count(total, per_page))


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """``items`` of page ``page`` (1-based) of a list of ``total`` items, ``per_page`` a page."""

    items: list[T]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return page_count(self.total, self.per_page)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    @property
    def first(self) -> int:
        """1-based position of the first item shown (0 when the page is empty)."""
        return self.offset + 1 if self.items else 0

    @property
    def last(self) -> int:
        """1-based position of the last item shown (0 when the page is empty)."""
        return self.offset + len(self.items) if self.items else 0
