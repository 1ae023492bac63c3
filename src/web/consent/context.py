"""What a page needs to show the privacy notice and its acceptance box."""

from __future__ import annotations

from typing import Any

from matching.consent.notice import NOTICE_VERSION, SECTIONS


def notice_context() -> dict[str, Any]:
    """Template context for ``consent/_notice.html`` and ``consent/_accept.html``."""
    return {"notice_sections": SECTIONS, "notice_version": NOTICE_VERSION}
