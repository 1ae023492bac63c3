"""The daily digest: one mail per person per local day, carrying every new item, and
each item also in the app (a notification).

:func:`send_digests` runs every hour (arq cron, ``workers.jobs.send_reminders``). A
person's digest goes out at the first run after :data:`DIGEST_HOUR` in their own time
zone. Two guarantees, kept by the database rather than by the queue (arq delivers at
least once, and two workers may run the same cron):

- **at most one digest per person per local day**: ``reminder_digest`` has a unique
  index on (user, day); the insert that loses does nothing;
- **each item once**: ``reminder_item`` has a unique index on (user, key); an item sent
  yesterday is not sent again, an item that becomes due after today's digest waits for
  tomorrow's.

The digest row, the items, the mail and the notifications are one transaction: a
person with nothing new gets no digest row (so a later item the same day still can't
make a second mail: the row is written only with a mail).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import date, datetime

from matching.accounts.tables import User
from matching.availability import zone_or_utc
from matching.db import write_transaction
from matching.i18n import gettext
from matching.mail.notifications import notify
from matching.mail.outbox import queue_template
from matching.reminders.schemas import DigestReport, ReminderItem
from matching.reminders.sources import SOURCES, Source
from matching.reminders.tables import ReminderDigest, ReminderItemSent

logger = logging.getLogger("matching.reminders")

#: Local hour from which a person's digest of the day may go out.
DIGEST_HOUR = 7


class _NothingNew(Exception):
    """Every item was already sent: roll the digest row back."""


def item_text(item: ReminderItem, language: str) -> str:
    """The item's sentence in ``language``; a ``<name>_ar`` parameter stands in for
    ``<name>`` in Arabic (as on the notifications page)."""
    params = {k: v for k, v in item.params.items() if not k.endswith("_ar")}
    if language == "ar":
        params.update({k[:-3]: v for k, v in item.params.items() if k.endswith("_ar")})
    return gettext(language, item.message, **params)


async def collect(
    now: datetime, sources: list[Source] | None = None
) -> dict[int, list[ReminderItem]]:
    """Every source's items, by person, soonest first, one per key."""
    by_user: dict[int, dict[str, ReminderItem]] = defaultdict(dict)
    for source in sources if sources is not None else SOURCES:
        for item in await source(now):
            by_user[item.user_id].setdefault(item.key, item)
    return {
        user: sorted(items.values(), key=lambda i: (i.at is None, i.at or now, i.key))
        for user, items in by_user.items()
    }


async def send_digests(
    now: datetime, base_url: str, sources: list[Source] | None = None
) -> DigestReport:
    """Send today's digest to everyone whose local day has reached :data:`DIGEST_HOUR`."""
    report = DigestReport()
    items_by_user = await collect(now, sources)
    if not items_by_user:
        return report
    users = (
        await User.select(User.id, User.email, User.full_name, User.language, User.timezone)
        .where(User.id.is_in(sorted(items_by_user)), User.is_active.eq(True))
        .run()
    )
    for user in users:
        local = now.astimezone(zone_or_utc(user["timezone"]))
        if local.hour < DIGEST_HOUR:
            continue
        try:
            sent = await _send_one(user, local.date(), items_by_user[user["id"]], base_url)
        except _NothingNew:
            report.nothing_new += 1
            continue
        if sent is None:
            report.already_sent += 1
        else:
            report.digests += 1
            report.items += sent
    return report


async def _send_one(user: dict, day: date, items: list[ReminderItem], base_url: str) -> int | None:
    """The digest of one person for one local day: the number of items sent, or None
    when that day's digest already exists."""
    async with write_transaction():
        digest = (
            await ReminderDigest.insert(ReminderDigest(user=user["id"], day=day))
            .on_conflict(action="DO NOTHING")
            .returning(ReminderDigest.id)
            .run()
        )
        if not digest:
            return None
        digest_id = digest[0]["id"]
        fresh_keys = {
            row["key"]
            for row in await ReminderItemSent.insert(
                *[
                    ReminderItemSent(user=user["id"], key=item.key, digest=digest_id)
                    for item in items
                ]
            )
            .on_conflict(action="DO NOTHING")
            .returning(ReminderItemSent.key)
            .run()
        }
        fresh = [item for item in items if item.key in fresh_keys]
        if not fresh:
            raise _NothingNew
        language = user["language"] or "en"
        await queue_template(
            user["email"],
            "reminder_digest",
            language,
            name=user["full_name"],
            items=[(item_text(item, language), item.link) for item in fresh],
            base_url=base_url.rstrip("/"),
        )
        for item in fresh:
            await notify(user["id"], item.message, dict(item.params), item.link)
    logger.info("reminder digest for user %s: %s items", user["id"], len(fresh))
    return len(fresh)
