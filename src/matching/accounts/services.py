"""Account use-cases: sign-up, authentication, password reset, staff creation."""

from __future__ import annotations

import asyncio
import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from matching.accounts.passwords import (
    hash_password,
    needs_rehash,
    password_problem,
    verify_password,
)
from matching.accounts.tables import PasswordResetToken, Role, User
from matching.audit.services import record_event
from matching.errors import Conflict, ValidationFailed
from matching.i18n import N_, SUPPORTED_LANGUAGES, Message
from matching.mail.outbox import queue_template
from matching.tokens import has_expired, new_token, token_hash

RESET_TOKEN_HOURS = 2
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Verifying against this keeps a login for an unknown email as slow as a real one.
_DUMMY_HASH = hash_password("not-a-real-password-0000")


@dataclass(frozen=True, slots=True)
class Account:
    """The signed-in user as the rest of the app sees it."""

    id: int
    email: str
    full_name: str
    role: Role
    language: str
    timezone: str
    #: :func:`session_stamp` of the password hash, when the row carried it.
    stamp: str = field(default="", repr=False, compare=False)

    @classmethod
    def from_row(cls, row: dict) -> Account:
        return cls(
            id=row["id"],
            email=row["email"],
            full_name=row["full_name"],
            role=Role(row["role"]),
            language=row["language"],
            timezone=row["timezone"],
            stamp=session_stamp(row["password_hash"]) if row.get("password_hash") else "",
        )


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _check_new_account(email: str, full_name: str, password: str, language: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not _EMAIL_RE.match(email) or len(email) > 254:
        errors["email"] = "is not a valid email address"
    if not full_name.strip():
        errors["full_name"] = "is required"
    elif len(full_name) > 200:
        errors["full_name"] = "must be at most 200 characters"
    if problem := password_problem(password):
        errors["password"] = problem
    if language not in SUPPORTED_LANGUAGES:
        errors["language"] = f"must be one of {', '.join(SUPPORTED_LANGUAGES)}"
    return errors


async def create_account(
    *,
    email: str,
    full_name: str,
    password: str,
    role: Role,
    language: str = "en",
    timezone: str = "UTC",
    actor: Account | None = None,
) -> Account:
    """Create a user of any role (self sign-up only ever passes ``Role.DOCTOR``)."""
    email = normalise_email(email)
    errors = _check_new_account(email, full_name, password, language)
    if errors:
        raise ValidationFailed(errors)
    return await insert_account(
        email=email,
        full_name=full_name,
        password_hash=hash_password(password),
        role=role,
        language=language,
        timezone=timezone,
        actor=actor,
    )


async def insert_account(
    *,
    email: str,
    full_name: str,
    password_hash: str,
    role: Role,
    language: str,
    timezone: str = "UTC",
    actor: Account | None = None,
) -> Account:
    """Insert an account whose fields were already checked (the password already hashed)."""
    async with User._meta.db.transaction():
        if await User.exists().where(User.email == email).run():
            raise ValidationFailed({"email": "an account with this email already exists"})
        rows = (
            await User.insert(
                User(
                    email=email,
                    full_name=full_name.strip(),
                    password_hash=password_hash,
                    role=role.value,
                    language=language,
                    timezone=timezone,
                )
            )
            .returning(*User.all_columns())  # the hash gives the session stamp
            .run()
        )
        account = Account.from_row(rows[0])
        await record_event(
            actor_id=actor.id if actor else account.id,
            actor_label=actor.email if actor else account.email,
            action="account.created",
            subject_type="user",
            subject_id=account.id,
            after={"role": role.value},
        )
    return account


async def authenticate(email: str, password: str) -> Account | None:
    """The account for these credentials, or None (same cost either way)."""
    row = (
        await User.select()
        .where(User.email == normalise_email(email), User.is_active.eq(True))
        .first()
        .run()
    )
    if row is None:
        verify_password(_DUMMY_HASH, password)
        return None
    if not verify_password(row["password_hash"], password):
        return None
    values: dict = {User.last_login_at: datetime.now(UTC)}
    if needs_rehash(row["password_hash"]):
        values[User.password_hash] = row["password_hash"] = hash_password(password)
    await User.update(values).where(User.id == row["id"]).run()
    return Account.from_row(row)


async def get_account(user_id: int) -> Account | None:
    row = (
        await User.select(*User.all_columns(exclude=[User.password_hash]))
        .where(User.id == user_id, User.is_active.eq(True))
        .first()
        .run()
    )
    return Account.from_row(row) if row else None


async def request_password_reset(email: str, *, base_url: str) -> None:
    """Mail a reset link if the account exists; say nothing either way."""
    row = (
        await User.select(User.id, User.full_name, User.email, User.language)
        .where(User.email == normalise_email(email), User.is_active.eq(True))
        .first()
        .run()
    )
    if row is None:
        return
    token, stored_hash = new_token()
    async with User._meta.db.transaction():
        await PasswordResetToken.insert(
            PasswordResetToken(
                user=row["id"],
                token_hash=stored_hash,
                expires_at=datetime.now(UTC) + timedelta(hours=RESET_TOKEN_HOURS),
            )
        ).run()
        await queue_template(
            row["email"],
            "password_reset",
            row["language"],
            name=row["full_name"],
            link=f"{base_url}/password/reset/{token}",
            hours=RESET_TOKEN_HOURS,
        )


async def reset_password(token: str, new_password: str) -> Account:
    """Set a new password through a reset link; the link works once.

    The token is consumed by a conditional ``UPDATE ... WHERE used_at IS NULL``
    whose row count decides: of any number of concurrent uses, one sets the
    password (and writes one audit event), every other one gets a 409. The
    user's other unused links are spent at the same time.
    """
    if problem := password_problem(new_password):
        raise ValidationFailed({"password": problem})
    now = datetime.now(UTC)
    async with User._meta.db.transaction():
        reset = (
            await PasswordResetToken.select(
                PasswordResetToken.id, PasswordResetToken.user, PasswordResetToken.expires_at
            )
            .where(
                (PasswordResetToken.token_hash == token_hash(token))
                & PasswordResetToken.used_at.is_null()
            )
            .first()
            .run()
        )
        if reset is None:
            raise Conflict(N_("This reset link is not valid or was already used."))
        if has_expired(reset["expires_at"], now):
            raise Conflict(N_("This reset link has expired; ask for a new one."))
        won = (
            await PasswordResetToken.update({PasswordResetToken.used_at: now})
            .where((PasswordResetToken.id == reset["id"]) & PasswordResetToken.used_at.is_null())
            .returning(PasswordResetToken.id)
            .run()
        )
        if not won:  # another use of the same link committed first
            raise Conflict(N_("This reset link is not valid or was already used."))
        await (
            PasswordResetToken.update({PasswordResetToken.used_at: now})
            .where(
                (PasswordResetToken.user == reset["user"]) & PasswordResetToken.used_at.is_null()
            )
            .run()
        )
        # Hashed once the link is won: the uses that lose cost no hashing.
        new_hash = await asyncio.to_thread(hash_password, new_password)
        account = await _set_password_hash(reset["user"], new_hash)
        await record_event(
            actor_id=account.id,
            actor_label=account.email,
            action="account.password_reset",
            subject_type="user",
            subject_id=account.id,
        )
    return account


async def change_password(account: Account, current: str, new_password: str) -> Account:
    """The signed-in user changes their password, proving they know the current one."""
    row = await User.select(User.password_hash).where(User.id == account.id).first().run()
    if row is None or not verify_password(row["password_hash"], current):
        raise ValidationFailed({"current_password": N_("is not your current password")})
    if problem := password_problem(new_password):
        raise ValidationFailed({"password": problem})
    new_hash = await asyncio.to_thread(hash_password, new_password)
    async with User._meta.db.transaction():
        changed = await _set_password_hash(account.id, new_hash)
        await record_event(
            actor_id=account.id,
            actor_label=account.email,
            action="account.password_changed",
            subject_type="user",
            subject_id=account.id,
        )
    return changed


async def _set_password_hash(user_id: int, password_hash: str) -> Account:
    rows = (
        await User.update({User.password_hash: password_hash})
        .where(User.id == user_id)
        .returning(*User.all_columns())
        .run()
    )
    return Account.from_row(rows[0])


def session_stamp(password_hash: str) -> str:
    """A digest of the password hash, kept in the session: it changes with the password.

    A session whose stamp no longer matches was opened before the password was
    last set (reset or changed): it is ended at its next request. The hash is
    salted, so the stamp tells nothing about the password.
    """
    return hashlib.sha256(password_hash.encode()).hexdigest()[:20]


async def account_for_session(user_id: int, stamp: str | None) -> Account | None:
    """The active account behind a session, or None once its password was set since."""
    row = await User.select().where(User.id == user_id, User.is_active.eq(True)).first().run()
    if row is None or not stamp or session_stamp(row["password_hash"]) != stamp:
        return None
    return Account.from_row(row)


async def set_language(account: Account, language: str) -> None:
    if language not in SUPPORTED_LANGUAGES:
        raise ValidationFailed(
            {
                "language": Message(
                    "must be one of %(choices)s", choices=", ".join(SUPPORTED_LANGUAGES)
                )
            }
        )
    await User.update({User.language: language}).where(User.id == account.id).run()


async def list_accounts(limit: int = 200) -> list[Account]:
    rows = (
        await User.select(*User.all_columns(exclude=[User.password_hash]))
        .order_by(User.role)
        .order_by(User.email)
        .limit(limit)
        .run()
    )
    return [Account.from_row(row) for row in rows]
