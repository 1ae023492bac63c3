"""Inviting facility heads by emailed link.

The link carries a random token; only its SHA-256 is stored. Opening it lets
the invited person create a facility-head account with a password, or, if
they already are a facility head (signed in), join the facility.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from matching.accounts.services import Account, normalise_email
from matching.accounts.tables import Role, User
from matching.audit.services import record_event
from matching.consent.services import create_invited_account
from matching.errors import Conflict, Forbidden, ValidationFailed
from matching.facilities.membership import is_head_of, is_staff
from matching.facilities.profiles import get_facility
from matching.facilities.tables import FacilityHead, Invitation
from matching.i18n import N_
from matching.mail.outbox import queue_template
from matching.tokens import has_expired, new_token, token_hash

INVITATION_DAYS = 14
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


async def invite_head(
    facility_id: int, email: str, *, actor: Account, base_url: str, language: str = "ar"
) -> str:
    """Create an invitation and queue its mail; returns the raw token (shown once)."""
    if not is_staff(actor):
        raise Forbidden(N_("Only coordinators can invite facility heads."))
    facility = await get_facility(facility_id)
    email = normalise_email(email)
    if not _EMAIL_RE.match(email) or len(email) > 254:
        raise ValidationFailed({"email": N_("is not a valid email address")})
    if language not in ("en", "ar"):
        raise ValidationFailed({"language": N_("choose English or Arabic")})
    existing = await User.select(User.id, User.role).where(User.email == email).first().run()
    if existing and existing["role"] != Role.FACILITY_HEAD:
        raise ValidationFailed({"email": N_("this person has an account with another role")})
    if existing and await is_head_of(existing["id"], facility_id):
        raise ValidationFailed({"email": N_("this person already heads this facility")})
    token, stored_hash = new_token()
    async with Invitation._meta.db.transaction():
        rows = (
            await Invitation.insert(
                Invitation(
                    facility=facility_id,
                    email=email,
                    token_hash=stored_hash,
                    invited_by=actor.id,
                    expires_at=datetime.now(UTC) + timedelta(days=INVITATION_DAYS),
                )
            )
            .returning(Invitation.id)
            .run()
        )
        await queue_template(
            email,
            "facility_invitation",
            language,
            facility=facility.name_ar if language == "ar" else facility.name_en,
            inviter=actor.full_name,
            link=f"{base_url}/invitations/{token}",
            days=INVITATION_DAYS,
        )
        await record_event(
            actor_id=actor.id,
            actor_label=actor.email,
            action="facility.head_invited",
            subject_type="facility",
            subject_id=facility_id,
            after={"email": email, "invitation": rows[0]["id"]},
        )
    return token


async def find_invitation(token: str) -> dict[str, Any]:
    """The pending invitation for ``token`` with its facility; ``Conflict`` if unusable."""
    row = await Invitation.select().where(Invitation.token_hash == token_hash(token)).first().run()
    if row is None or row["accepted_at"] is not None:
        raise Conflict(N_("This invitation link is not valid or was already used."))
    if has_expired(row["expires_at"]):
        raise Conflict(N_("This invitation has expired; ask the coordinator for a new one."))
    row["facility_row"] = await get_facility(int(row["facility"]))
    row["account_exists"] = bool(await User.exists().where(User.email == row["email"]).run())
    return row


async def _join(invitation: dict[str, Any], account: Account) -> None:
    if not await is_head_of(account.id, invitation["facility"]):
        await FacilityHead.insert(
            FacilityHead(user=account.id, facility=invitation["facility"])
        ).run()
    await (
        Invitation.update({Invitation.accepted_at: datetime.now(UTC)})
        .where(Invitation.id == invitation["id"])
        .run()
    )
    await record_event(
        actor_id=account.id,
        actor_label=account.email,
        action="facility.head_joined",
        subject_type="facility",
        subject_id=invitation["facility"],
        after={"user": account.id, "invitation": invitation["id"]},
    )


async def accept_as_new_head(
    token: str, *, full_name: str, password: str, privacy_notice: str | None, language: str = "ar"
) -> Account:
    """Create the invited person's facility-head account, with their acceptance of the
    privacy notice (``privacy_notice``: the version they accepted), and join the facility."""
    async with Invitation._meta.db.transaction():
        invitation = await find_invitation(token)
        if invitation["account_exists"]:
            raise Conflict(N_("An account with this email exists: sign in to accept."))
        account = await create_invited_account(
            email=invitation["email"],
            full_name=full_name,
            password=password,
            privacy_notice=privacy_notice,
            role=Role.FACILITY_HEAD,
            language=language,
        )
        await _join(invitation, account)
    return account


async def accept_as_existing_head(token: str, *, account: Account) -> int:
    """A signed-in facility head joins the invited facility; returns its id."""
    if account.role != Role.FACILITY_HEAD:
        raise Forbidden(N_("Only a facility-head account can join a facility."))
    async with Invitation._meta.db.transaction():
        invitation = await find_invitation(token)
        if invitation["email"] != account.email:
            raise Forbidden(N_("This invitation was sent to another email address."))
        await _join(invitation, account)
    return int(invitation["facility"])
