"""Secrets in mail: masked wherever a mail is shown or kept after delivery.

Every secret the platform mails (a password-reset or invitation token) is made
by ``secrets.token_urlsafe(32)``: 43 URL-safe characters. A run of 32 or more
such characters is masked, so a new kind of secret link is masked by
construction, without a list of link shapes to keep up to date. Ordinary mail
text (words, addresses, Arabic) never holds such a run.
"""

from __future__ import annotations

import re

MASK = "••••••••"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{32,}")


def mask_secrets(text: str) -> str:
    """``text`` with every token-like run replaced by :data:`MASK`."""
    return _TOKEN.sub(MASK, text)
