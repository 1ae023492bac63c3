"""Everything held about a doctor, as JSON-ready data (the "download my data" file).

Reads the account, the profile, the doctor's proposals, their activity in the
audit trail and their consents; writes nothing.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

import msgspec

from matching.accounts.services import Account
from matching.accounts.tables import User
from matching.audit.tables import AuditEvent
from matching.consent.services import consents_of
from matching.doctors.profile import my_profile
from matching.doctors.schemas import EXPIRED
from matching.pairings.tables import Proposal

_KEPT_TYPES = (date, datetime, time)


def _plain(value: Any) -> Any:
    if isinstance(value, date | datetime | time):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(val) for k, val in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def _builtins(value: Any) -> Any:
    """A struct or dataclass as dicts and lists, dates and times kept for :func:`_plain`."""
    return msgspec.to_builtins(value, builtin_types=_KEPT_TYPES)


async def export_doctor_data(account: Account) -> dict[str, Any]:
    """Everything held about the doctor, as JSON-ready data."""
    profile = await my_profile(account)
    user = (
        await User.select(*User.all_columns(exclude=[User.password_hash]))
        .where(User.id == account.id)
        .first()
        .run()
    )
    profile_dict = _builtins(profile)
    for licence in profile_dict["licences"]:
        licence["state"] = (
            EXPIRED if licence["expires_on"] < date.today() else licence["stored_state"]
        )
    proposals = await Proposal.select(
        Proposal.id,
        Proposal.need,
        Proposal.state,
        Proposal.score,
        Proposal.created_at,
        Proposal.decided_at,
        Proposal.responded_at,
    ).where(Proposal.doctor == profile.id)
    events = (
        await AuditEvent.select(AuditEvent.action, AuditEvent.created_at)
        .where(AuditEvent.actor == account.id)
        .order_by(AuditEvent.id)
        .run()
    )
    return _plain(
        {
            "exported_at": datetime.now(UTC),
            "account": user,
            "profile": profile_dict,
            "proposals": proposals,
            "activity": events,
            "consent": [_builtins(consent) for consent in await consents_of(account.id)],
        }
    )
