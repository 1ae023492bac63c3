"""Feedback in (a draft) and out (a view)."""

from __future__ import annotations

from datetime import datetime

from msgspec import Struct


class FeedbackDraft(Struct, kw_only=True):
    rating: int
    comment: str = ""
    unreadable: dict[str, str] = {}


class FeedbackView(Struct, kw_only=True):
    pairing_id: int
    side: str
    rating: int
    comment: str
    author_id: int | None
    author_name: str
    created_at: datetime
