"""Queueing mail: every message goes through the outbox table first.

Delivery (SMTP in production) is a job that reads the outbox; in the embedded
default coordinators read the outbox page instead.
"""

from __future__ import annotations

from matching.mail.tables import OutboxMail


async def queue_mail(
    *, recipient: str, subject: str, body_text: str, body_html: str, language: str = "en"
) -> int:
    """Store a message for delivery; return its outbox id."""
    rows = (
        await OutboxMail.insert(
            OutboxMail(
                recipient=recipient,
                subject=subject,
                body_text=body_text,
                body_html=body_html,
                language=language,
            )
        )
        .returning(OutboxMail.id)
        .run()
    )
    return int(rows[0]["id"])
