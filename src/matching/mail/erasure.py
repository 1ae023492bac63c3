"""Erasing a deleted account from mail and notifications (inside the deletion's
transaction): mail still queued to it is dropped, and its name and emails are
replaced in what was sent to others (a confirmed pairing tells the facility head
who the doctor is)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable

from matching.mail.tables import Notification, OutboxMail


async def drop_mail_to(recipients: Iterable[str]) -> None:
    """Delete every outbox mail to one of ``recipients``."""
    await OutboxMail.delete().where(OutboxMail.recipient.is_in(list(recipients))).run()


async def scrub_mail(needles: Iterable[str], anonymise: Callable[[str], str]) -> None:
    """Rewrite, with ``anonymise``, every mail whose subject or body holds a needle."""
    for needle in needles:
        pattern = f"%{needle}%"
        rows = await OutboxMail.select(
            OutboxMail.id, OutboxMail.subject, OutboxMail.body_text, OutboxMail.body_html
        ).where(
            OutboxMail.subject.like(pattern)
            | OutboxMail.body_text.like(pattern)
            | OutboxMail.body_html.like(pattern)
        )
        for row in rows:
            await (
                OutboxMail.update(
                    {
                        OutboxMail.subject: anonymise(row["subject"]),
                        OutboxMail.body_text: anonymise(row["body_text"]),
                        OutboxMail.body_html: anonymise(row["body_html"]),
                    }
                )
                .where(OutboxMail.id == row["id"])
                .run()
            )


async def scrub_notifications(links: Iterable[str], anonymise: Callable[[str], str]) -> None:
    """Rewrite, with ``anonymise``, the text parameters of notifications linking to ``links``."""
    links = list(links)
    if not links:
        return
    for row in await Notification.select(Notification.id, Notification.params).where(
        Notification.link.is_in(links)
    ):
        params = row["params"]
        params = json.loads(params) if isinstance(params, str) else dict(params or {})
        cleaned = {
            key: anonymise(value) if isinstance(value, str) else value
            for key, value in params.items()
        }
        if cleaned != params:
            await (
                Notification.update({Notification.params: json.dumps(cleaned)})
                .where(Notification.id == row["id"])
                .run()
            )
