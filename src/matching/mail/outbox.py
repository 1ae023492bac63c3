"""Queueing mail: every message goes through the outbox table first.

Delivery (SMTP in production) is a job that reads the outbox; in the embedded
default coordinators read the outbox page instead.
"""

from __future__ import annotations

from typing import Any

from matching.mail.render import render_mail
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


async def queue_template(recipient: str, template: str, language: str, **context: Any) -> int:
    """Render the mail ``template`` (``mail/templates``) in ``language`` with
    ``context`` and store it for ``recipient``; return its outbox id."""
    mail = render_mail(template, language, **context)
    return await queue_mail(
        recipient=recipient,
        subject=mail.subject,
        body_text=mail.body_text,
        body_html=mail.body_html,
        language=language,
    )
