"""Erasing a deleted account's personal data from the trail: the one sanctioned
update of ``AuditEvent`` (who, what and when stay; names, emails and the values
before and after are blanked). Call inside the deletion's transaction."""

from __future__ import annotations

from collections.abc import Iterable

from matching.audit.tables import AuditEvent


async def forget_actor(actor_id: int, labels: Iterable[str], *, new_label: str) -> None:
    """Events by the account (by id, or by one of its ``labels``, the emails it acted
    under) get ``new_label`` and lose their values."""
    await (
        AuditEvent.update(
            {AuditEvent.actor_label: new_label, AuditEvent.before: "{}", AuditEvent.after: "{}"}
        )
        .where((AuditEvent.actor == actor_id) | AuditEvent.actor_label.is_in(list(labels)))
        .run()
    )


async def blank_subjects(subjects: Iterable[tuple[str, int]]) -> None:
    """Events about each ``(subject_type, subject_id)`` lose their values."""
    for subject_type, subject_id in subjects:
        await (
            AuditEvent.update({AuditEvent.before: "{}", AuditEvent.after: "{}"})
            .where(AuditEvent.subject_type == subject_type, AuditEvent.subject_id == subject_id)
            .run()
        )
