"""Recording and checking consent to the privacy notice (this module owns ``consent_record``).

Doctors and facility heads give their data by signing up (or joining by
invitation) and accept the notice there; coordinators and admins are staff
created by an administrator and are not asked. An account whose newest
acceptance is not of :data:`NOTICE_VERSION` is asked again before anything
else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from matching.accounts.services import Account, create_account
from matching.accounts.tables import Role
from matching.audit.services import record_event
from matching.consent.notice import NOTICE_VERSION
from matching.consent.tables import ConsentRecord
from matching.errors import ValidationFailed
from matching.i18n import N_, SUPPORTED_LANGUAGES

ASKED_ROLES = frozenset({Role.DOCTOR, Role.FACILITY_HEAD, Role.LOCAL_CLINICIAN})
NOTICE_NOT_ACCEPTED = N_("read the privacy notice and tick the box to accept it")
NOTICE_CHANGED = N_("the privacy notice has changed: read it again and accept it")


@dataclass(frozen=True, slots=True)
class Consent:
    notice_version: str
    language: str
    via: str
    accepted_at: datetime


def notice_problem(accepted: str | None) -> str | None:
    """Why ``accepted`` (the version the form or client sent) is not a valid acceptance."""
    if not accepted:
        return NOTICE_NOT_ACCEPTED
    if accepted != NOTICE_VERSION:
        return NOTICE_CHANGED
    return None


def check_notice(accepted: str | None) -> None:
    if problem := notice_problem(accepted):
        raise ValidationFailed({"privacy_notice": problem})


async def create_invited_account(
    *,
    email: str,
    full_name: str,
    password: str,
    privacy_notice: str | None,
    role: Role,
    language: str,
) -> Account:
    """The account of a person who accepts an invitation, with their acceptance of the
    privacy notice (``privacy_notice``: the version they accepted), in the caller's
    transaction; a bad field and a notice not accepted are named together."""
    notice_error = notice_problem(privacy_notice)
    try:
        account = await create_account(
            email=email,
            full_name=full_name,
            password=password,
            role=role,
            language=language,
            timezone="Asia/Damascus",
        )
    except ValidationFailed as exc:
        if notice_error:
            exc.errors["privacy_notice"] = notice_error
            exc.templates["privacy_notice"] = notice_error
        raise
    if notice_error:
        raise ValidationFailed({"privacy_notice": notice_error})
    await record_consent(account.id, actor_label=account.email, via="invitation", language=language)
    return account


async def record_consent(
    user_id: int,
    *,
    actor_label: str,
    via: str,
    language: str,
    notice_version: str = NOTICE_VERSION,
    accepted_at: datetime | None = None,
) -> Consent:
    """Add one acceptance (inside the caller's transaction, if any) with its audit event."""
    language = language if language in SUPPORTED_LANGUAGES else "en"
    accepted_at = accepted_at or datetime.now(UTC)
    await ConsentRecord.insert(
        ConsentRecord(
            user=user_id,
            notice_version=notice_version,
            language=language,
            via=via,
            accepted_at=accepted_at,
        )
    ).run()
    await record_event(
        actor_id=user_id,
        actor_label=actor_label,
        action="account.consent_recorded",
        subject_type="user",
        subject_id=user_id,
        after={"notice_version": notice_version, "via": via},
    )
    return Consent(notice_version, language, via, accepted_at)


async def accept_current_notice(
    account: Account, accepted: str | None, *, language: str
) -> Consent:
    """The signed-in account accepts the notice it was shown again (a new version)."""
    check_notice(accepted)
    return await record_consent(
        account.id, actor_label=account.email, via="reconsent", language=language
    )


async def needs_consent(account: Account) -> bool:
    """True when ``account`` must accept the current notice before going on."""
    if account.role not in ASKED_ROLES:
        return False
    return not await (
        ConsentRecord.exists()
        .where(ConsentRecord.user == account.id, ConsentRecord.notice_version == NOTICE_VERSION)
        .run()
    )


async def consents_of(user_id: int) -> list[Consent]:
    """Every acceptance of the account, oldest first (for its data export)."""
    rows = (
        await ConsentRecord.select(
            ConsentRecord.notice_version,
            ConsentRecord.language,
            ConsentRecord.via,
            ConsentRecord.accepted_at,
        )
        .where(ConsentRecord.user == user_id)
        .order_by(ConsentRecord.accepted_at)
        .order_by(ConsentRecord.id)
        .run()
    )
    return [Consent(**row) for row in rows]
