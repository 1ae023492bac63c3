"""Delivering the outbox through SMTP, at most once per message, with backoff.

Each message is claimed (``queued`` -> ``sending``) by a conditional UPDATE
before it is sent, and marked ``sent`` after, so two workers, or the same job
delivered twice, never send one message twice. A send that fails puts it back
to ``queued`` with ``attempts + 1`` and ``next_attempt_at`` doubled each time
(1, 2, 4, 8 minutes); the fifth failure marks it ``failed``. A message that
cannot be sent at all (the mail library refuses a header) is marked ``failed``
at once, with the reason; no failure leaves a message ``sending``. A worker killed
between claiming and marking leaves the message ``sending``: it is not re-sent
on its own (the recipient may have it already); the coordinator sees it on the
outbox page.

Secrets (reset and invitation tokens) are kept in clear only while a message
waits: the claim replaces the stored bodies by masked ones
(:func:`matching.mail.secrets.mask_secrets`) in the same UPDATE, the send uses
the clear bodies read just before, and only a send that will be retried puts
them back. A sent, failed or stuck (``sending``) message keeps no token.

Without ``SMTP_URL`` (the embedded default) nothing is sent: mail stays in the
outbox, which coordinators read at ``/coordinator/outbox`` with every secret
masked; the operator prints a message in full with ``python -m web outbox``.
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from typing import Any
from urllib.parse import unquote, urlsplit

from matching.errors import NotFound
from matching.i18n import N_
from matching.mail.secrets import mask_secrets
from matching.mail.tables import MailStatus, OutboxMail
from matching.plain_text import single_line

logger = logging.getLogger("matching.mail")

MAX_ATTEMPTS = 5
BACKOFF_BASE = timedelta(minutes=1)
SMTP_TIMEOUT_S = 15.0
BATCH = 50


@dataclass(slots=True)
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0


def backoff(attempts: int) -> timedelta:
    """Wait before attempt ``attempts + 1``: 1, 2, 4, 8 minutes."""
    return BACKOFF_BASE * (2 ** max(attempts - 1, 0))


def build_message(mail: dict[str, Any], mail_from: str) -> EmailMessage:
    """A multipart/alternative message (text first, then HTML) in the mail's language."""
    message = EmailMessage()
    message["From"] = mail_from
    message["To"] = mail["recipient"]
    # One line by construction, also for mail queued before render_mail collapsed it.
    message["Subject"] = single_line(mail["subject"])
    message["Date"] = formatdate(localtime=False)
    domain = parseaddr(mail_from)[1].rpartition("@")[2] or None
    message["Message-ID"] = make_msgid(idstring=f"outbox-{mail['id']}", domain=domain)
    message.set_content(mail["body_text"])
    message.add_alternative(mail["body_html"], subtype="html")
    # After the bodies: set_content() clears every Content-* header.
    message["Content-Language"] = mail["language"] or "en"
    return message


def send_message(smtp_url: str, message: EmailMessage) -> None:
    """Send over ``smtp://``, ``smtps://`` or ``smtp+starttls://`` (blocking)."""
    parts = urlsplit(smtp_url)
    host = parts.hostname or "localhost"
    if parts.scheme == "smtps":
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            host, parts.port or 465, timeout=SMTP_TIMEOUT_S, context=ssl.create_default_context()
        )
    else:
        client = smtplib.SMTP(host, parts.port or 25, timeout=SMTP_TIMEOUT_S)
    with client:
        if parts.scheme == "smtp+starttls":
            client.starttls(context=ssl.create_default_context())
        if parts.username:
            client.login(unquote(parts.username), unquote(parts.password or ""))
        client.send_message(message)


async def _claim(mail: dict[str, Any]) -> bool:
    """``queued`` -> ``sending``, scrubbing the stored bodies of their secrets."""
    rows = (
        await OutboxMail.update(
            {
                OutboxMail.status: MailStatus.SENDING,
                OutboxMail.body_text: mask_secrets(mail["body_text"]),
                OutboxMail.body_html: mask_secrets(mail["body_html"]),
            }
        )
        .where((OutboxMail.id == mail["id"]) & (OutboxMail.status == MailStatus.QUEUED))
        .returning(OutboxMail.id)
        .run()
    )
    return bool(rows)


async def _record_failure(
    mail: dict[str, Any], exc: Exception, now: datetime, *, final: bool = False
) -> bool:
    """Put a claimed mail back in the queue with backoff, or mark it failed; the reason
    is kept in ``last_error``. Returns whether it failed for good."""
    attempts = int(mail["attempts"]) + 1
    done = final or attempts >= MAX_ATTEMPTS
    # The claim stored the masked bodies (matching.mail.secrets); a retry needs the
    # secrets back, a mail failed for good keeps none.
    retry: dict[Any, Any] = (
        {}
        if done
        else {OutboxMail.body_text: mail["body_text"], OutboxMail.body_html: mail["body_html"]}
    )
    await (
        OutboxMail.update(
            {
                **retry,
                OutboxMail.status: MailStatus.FAILED if done else MailStatus.QUEUED,
                OutboxMail.attempts: attempts,
                OutboxMail.last_error: f"{type(exc).__name__}: {exc}"[:1000],
                OutboxMail.next_attempt_at: now + backoff(attempts),
            }
        )
        .where(OutboxMail.id == mail["id"])
        .run()
    )
    return done


def _count_failure(report: DeliveryReport, failed_for_good: bool) -> None:
    if failed_for_good:
        report.failed += 1
    else:
        report.retrying += 1


async def deliver_outbox(
    smtp_url: str | None, mail_from: str, *, now: datetime | None = None, batch: int = BATCH
) -> DeliveryReport:
    """Send every queued message that is due; return what happened."""
    report = DeliveryReport()
    if not smtp_url:
        return report
    now = now or datetime.now(UTC)
    due = (
        await OutboxMail.select()
        .where((OutboxMail.status == MailStatus.QUEUED) & (OutboxMail.next_attempt_at <= now))
        .order_by(OutboxMail.id)
        .limit(batch)
        .run()
    )
    for mail in due:
        if not await _claim(mail):
            continue  # another worker has it
        try:
            message = build_message(mail, mail_from)
            await asyncio.to_thread(send_message, smtp_url, message)
        except (OSError, smtplib.SMTPException) as exc:  # the server: try again later
            _count_failure(report, await _record_failure(mail, exc, now))
            continue
        except Exception as exc:  # the message itself cannot be sent: never left `sending`
            logger.warning("mail %s cannot be sent: %s", mail["id"], exc)
            _count_failure(report, await _record_failure(mail, exc, now, final=True))
            continue
        await (
            OutboxMail.update(
                {
                    OutboxMail.status: MailStatus.SENT,
                    OutboxMail.attempts: int(mail["attempts"]) + 1,
                    OutboxMail.last_error: "",
                    OutboxMail.sent_at: datetime.now(UTC),
                }
            )
            .where(OutboxMail.id == mail["id"])
            .run()
        )
        report.sent += 1
    return report


async def list_outbox(limit: int = 50, offset: int = 0) -> tuple[list[dict[str, Any]], int]:
    """Latest mail first (no bodies, secrets masked) and the total count."""
    rows = (
        await OutboxMail.select(
            OutboxMail.id,
            OutboxMail.recipient,
            OutboxMail.subject,
            OutboxMail.language,
            OutboxMail.status,
            OutboxMail.attempts,
            OutboxMail.created_at,
            OutboxMail.sent_at,
        )
        .order_by(OutboxMail.id, ascending=False)
        .limit(limit)
        .offset(offset)
        .run()
    )
    for row in rows:
        row["subject"] = mask_secrets(row["subject"])
    return rows, await OutboxMail.count().run()


async def get_mail(mail_id: int) -> dict[str, Any]:
    """One message as a coordinator may read it: every secret masked."""
    row = await get_mail_in_full(mail_id)
    for field in ("subject", "body_text", "body_html", "last_error"):
        row[field] = mask_secrets(row[field] or "")
    return row


async def get_mail_in_full(mail_id: int) -> dict[str, Any]:
    """One message as stored, for the operator's command line only."""
    row = None
    if 0 < mail_id <= 2**31 - 1:
        row = await OutboxMail.select().where(OutboxMail.id == mail_id).first().run()
    if row is None:
        raise NotFound(N_("No such message in the outbox."))
    return row
