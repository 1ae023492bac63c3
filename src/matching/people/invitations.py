"""Inviting a facility's person to their own account (role ``local_clinician``).

Owned by ``matching.people`` with its own table ``person_invitation`` rather than a
``person`` column on the heads' ``invitation`` table: that table belongs to
``matching.facilities`` (one writer per table), and the two invitations lead to
different accounts (a head joins a facility; a clinician becomes one person).

As for heads: the link carries a random token, only its SHA-256 is stored, it
expires after :data:`INVITATION_DAYS` and serves once. The mail is in the language
the head chose for the person. Accepting creates the account with the privacy
notice accepted and links it to the person, in one transaction.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from msgspec import Struct

from matching.accounts.services import Account, normalise_email
from matching.accounts.tables import Role, User
from matching.audit.services import record_event
from matching.consent.services import create_invited_account
from matching.db import write_transaction
from matching.errors import Conflict, ValidationFailed
from matching.facilities.tables import Facility
from matching.i18n import N_
from matching.mail.outbox import queue_template
from matching.people.schemas import PersonView
from matching.people.services import get_person, link_account, people_by_id
from matching.people.tables import FacilityPerson, PersonInvitation
from matching.tokens import has_expired, new_token, token_hash

INVITATION_DAYS = 14
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class PersonInvitationView(Struct, kw_only=True):
    id: int
    email: str
    language: str
    person: PersonView
    facility_name_en: str
    facility_name_ar: str
    account_exists: bool


async def invite_person(
    account: Account, person_id: int, email: str, *, base_url: str, language: str = "ar"
) -> str:
    """Invite a person of a facility the account manages; the raw token (mailed only)."""
    person = await get_person(account, person_id)
    email = normalise_email(email)
    errors: dict[str, str] = {}
    if not _EMAIL_RE.match(email) or len(email) > 254:
        errors["email"] = N_("is not a valid email address")
    if language not in ("en", "ar"):
        errors["language"] = N_("choose English or Arabic")
    if person.archived:
        errors["email"] = N_("this person was removed from the facility")
    elif person.user_id is not None:
        errors["email"] = N_("this person already has an account")
    elif "email" not in errors and await User.exists().where(User.email == email).run():
        errors["email"] = N_("this email address already has an account")
    if errors:
        raise ValidationFailed(errors)
    facility = (
        await Facility.select(Facility.name_en, Facility.name_ar)
        .where(Facility.id == person.facility_id)
        .first()
        .run()
    )
    assert facility is not None
    token, stored_hash = new_token()
    async with write_transaction():
        rows = (
            await PersonInvitation.insert(
                PersonInvitation(
                    person=person_id,
                    email=email,
                    language=language,
                    token_hash=stored_hash,
                    invited_by=account.id,
                    expires_at=datetime.now(UTC) + timedelta(days=INVITATION_DAYS),
                )
            )
            .returning(PersonInvitation.id)
            .run()
        )
        await queue_template(
            email,
            "person_invitation",
            language,
            name=person.name(language),
            facility=(facility["name_ar"] if language == "ar" else "") or facility["name_en"],
            inviter=account.full_name,
            link=f"{base_url}/people/invitations/{token}",
            days=INVITATION_DAYS,
        )
        await record_event(
            actor_id=account.id,
            actor_label=account.email,
            action="person.invite",
            subject_type="facility_person",
            subject_id=person_id,
            after={"email": email, "invitation": rows[0]["id"]},
        )
    return token


async def _pending(token: str) -> dict[str, Any]:
    row = (
        await PersonInvitation.select()
        .where(PersonInvitation.token_hash == token_hash(token))
        .first()
        .run()
    )
    if row is None or row["accepted_at"] is not None:
        raise Conflict(N_("This invitation link is not valid or was already used."))
    if has_expired(row["expires_at"]):
        raise Conflict(N_("This invitation has expired; ask the facility's head for a new one."))
    return row


async def find_person_invitation(token: str) -> PersonInvitationView:
    """The pending invitation for ``token``; ``Conflict`` when used, unknown or expired."""
    row = await _pending(token)
    person = (await people_by_id([row["person"]]))[row["person"]]
    facility = (
        await Facility.select(Facility.name_en, Facility.name_ar)
        .where(Facility.id == person.facility_id)
        .first()
        .run()
    )
    assert facility is not None
    return PersonInvitationView(
        id=row["id"],
        email=row["email"],
        language=row["language"],
        person=person,
        facility_name_en=facility["name_en"],
        facility_name_ar=facility["name_ar"],
        account_exists=bool(await User.exists().where(User.email == row["email"]).run()),
    )


async def accept_person_invitation(
    token: str, *, full_name: str, password: str, privacy_notice: str | None, language: str = "ar"
) -> Account:
    """Create the clinician's account (privacy notice accepted) and link it to the
    person: one transaction, the invitation used once (a second accept is a 409)."""
    async with write_transaction():
        invitation = await _pending(token)
        person = (
            await FacilityPerson.select(FacilityPerson.user, FacilityPerson.archived_at)
            .where(FacilityPerson.id == invitation["person"])
            .first()
            .run()
        )
        if person is None or person["user"] is not None or person["archived_at"] is not None:
            raise Conflict(N_("This invitation link is not valid or was already used."))
        if await User.exists().where(User.email == invitation["email"]).run():
            raise Conflict(N_("An account with this email exists: sign in to accept."))
        account = await create_invited_account(
            email=invitation["email"],
            full_name=full_name,
            password=password,
            privacy_notice=privacy_notice,
            role=Role.LOCAL_CLINICIAN,
            language=language,
        )
        used = (
            await PersonInvitation.update({PersonInvitation.accepted_at: datetime.now(UTC)})
            .where(PersonInvitation.id == invitation["id"], PersonInvitation.accepted_at.is_null())
            .returning(PersonInvitation.id)
            .run()
        )
        if not used:
            raise Conflict(N_("This invitation link is not valid or was already used."))
        await link_account(invitation["person"], account.id)
        await record_event(
            actor_id=account.id,
            actor_label=account.email,
            action="person.account_linked",
            subject_type="facility_person",
            subject_id=invitation["person"],
            after={"user": account.id, "invitation": invitation["id"]},
        )
    return account
