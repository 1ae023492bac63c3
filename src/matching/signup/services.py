"""A doctor's sign-up, which answers the same whether or not the address has an account.

The form is checked at once (the rules do not depend on who exists). The rest
is :func:`request_signup`, run after the answer is sent: for a new address it
keeps the sign-up and mails a link to finish it; for an address with an
account it mails its owner instead ("someone tried to create an account with
your address"). Both paths hash the password once and queue one mail. The
account exists only when :func:`confirm_signup` follows the link, with the
privacy notice acceptance given on the form; the pending sign-up is deleted
then (expired ones at the next sign-up).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import msgspec

from matching.accounts.passwords import hash_password
from matching.accounts.services import (
    Account,
    _check_new_account,
    insert_account,
    normalise_email,
)
from matching.accounts.tables import Role, User
from matching.consent.notice import NOTICE_VERSION
from matching.consent.services import notice_problem, record_consent
from matching.errors import Conflict, ValidationFailed
from matching.i18n import N_
from matching.mail.outbox import queue_template
from matching.signup.tables import PendingSignup
from matching.tokens import has_expired, new_token, token_hash

SIGNUP_LINK_HOURS = 24
LINK_NOT_VALID = N_("This link is not valid or was already used.")
LINK_EXPIRED = N_("This link has expired: sign up again.")
ACCOUNT_EXISTS = N_("An account with this email exists: sign in, or reset your password.")


class SignupForm(msgspec.Struct, frozen=True):
    """What the sign-up form or the API body gives, checked by :func:`check_signup`."""

    email: str
    full_name: str
    password: str
    language: str
    privacy_notice: str


def check_signup(form: SignupForm) -> SignupForm:
    """The form normalised, or ``ValidationFailed`` naming every bad field."""
    email = normalise_email(form.email)
    errors = _check_new_account(email, form.full_name, form.password, form.language)
    if problem := notice_problem(form.privacy_notice):
        errors["privacy_notice"] = problem
    if errors:
        raise ValidationFailed(errors)
    return msgspec.structs.replace(form, email=email, full_name=form.full_name.strip())


async def request_signup(form: SignupForm, *, base_url: str) -> None:
    """Mail the link that finishes a checked sign-up, or warn the address's owner."""
    # On both paths (the same cost), in a thread: argon2 takes tenths of a second and
    # would hold up every other request of this process meanwhile.
    password_hash = await asyncio.to_thread(hash_password, form.password)
    now = datetime.now(UTC)
    owner = (
        await User.select(User.full_name, User.language)
        .where(User.email == form.email)
        .first()
        .run()
    )
    async with PendingSignup._meta.db.transaction():
        await PendingSignup.delete().where(PendingSignup.expires_at < now).run()
        if owner is not None:
            await queue_template(
                form.email,
                "signup_existing",
                owner["language"],
                name=owner["full_name"],
                login_link=f"{base_url}/login",
                reset_link=f"{base_url}/password/forgot",
            )
        else:
            token, stored_hash = new_token()
            await PendingSignup.insert(
                PendingSignup(
                    email=form.email,
                    full_name=form.full_name,
                    password_hash=password_hash,
                    language=form.language,
                    notice_version=form.privacy_notice,
                    notice_accepted_at=now,
                    token_hash=stored_hash,
                    expires_at=now + timedelta(hours=SIGNUP_LINK_HOURS),
                )
            ).run()
            await queue_template(
                form.email,
                "signup_confirm",
                form.language,
                name=form.full_name,
                link=f"{base_url}/signup/confirm/{token}",
                hours=SIGNUP_LINK_HOURS,
            )


async def pending_signup(token: str) -> dict:
    """The usable pending sign-up for ``token``; ``Conflict`` otherwise."""
    row = (
        await PendingSignup.select()
        .where(PendingSignup.token_hash == token_hash(token))
        .first()
        .run()
    )
    if row is None:
        raise Conflict(LINK_NOT_VALID)
    if has_expired(row["expires_at"]):
        raise Conflict(LINK_EXPIRED)
    return row


async def confirm_signup(token: str) -> Account:
    """Create the doctor's account from the followed link; the link works once."""
    async with PendingSignup._meta.db.transaction():
        row = await pending_signup(token)
        # Consumed by deleting it: of concurrent uses, exactly one deletes the row.
        used = (
            await PendingSignup.delete()
            .where(PendingSignup.id == row["id"])
            .returning(PendingSignup.id)
            .run()
        )
        if not used:
            raise Conflict(LINK_NOT_VALID)
        # The other sign-ups of this address (their links) are moot now: keep none of it.
        await PendingSignup.delete().where(PendingSignup.email == row["email"]).run()
        if await User.exists().where(User.email == row["email"]).run():
            raise Conflict(ACCOUNT_EXISTS)
        account = await insert_account(
            email=row["email"],
            full_name=row["full_name"],
            password_hash=row["password_hash"],
            role=Role.DOCTOR,
            language=row["language"],
        )
        accepted_at = row["notice_accepted_at"]
        if accepted_at.tzinfo is None:
            accepted_at = accepted_at.replace(tzinfo=UTC)
        await record_consent(
            account.id,
            actor_label=account.email,
            via="signup",
            language=row["language"],
            notice_version=row["notice_version"] or NOTICE_VERSION,
            accepted_at=accepted_at,
        )
    return account
