"""Writing the audit trail. Call inside the transaction that makes the change."""

from __future__ import annotations

import json
from typing import Any

from matching.audit.tables import AuditEvent


async def record_event(
    *,
    actor_id: int | None,
    actor_label: str,
    action: str,
    subject_type: str,
    subject_id: int | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Append one audit event (who did what to what, with before and after)."""
    await AuditEvent.insert(
        AuditEvent(
            actor=actor_id,
            actor_label=actor_label,
            action=action,
            subject_type=subject_type,
            subject_id=subject_id,
            before=json.dumps(before or {}, default=str, ensure_ascii=False),
            after=json.dumps(after or {}, default=str, ensure_ascii=False),
        )
    ).run()
