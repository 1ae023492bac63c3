"""One-time link tokens (password resets, sign-ups, invitations): the raw token goes
in the mail only; the table keeps its SHA-256, so a read of the table cannot use it."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime

#: ``secrets.token_urlsafe(32)``: 43 URL-safe characters, 256 random bits.
TOKEN_BYTES = 32


def token_hash(token: str) -> str:
    """The stored form of ``token``."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    """A fresh ``(raw token, stored hash)``."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, token_hash(token)


def has_expired(expires_at: datetime, now: datetime | None = None) -> bool:
    """Whether a link stored to expire at ``expires_at`` has (SQLite gives naive UTC)."""
    if expires_at.tzinfo is None:
        expires_at = expires_at.replace(tzinfo=UTC)
    return expires_at < (now or datetime.now(UTC))
