"""Licences: a doctor adds or removes them, a coordinator verifies or rejects them.

Writes ``Licence`` and the licence's document on disk (the notice of a review goes
through ``mail/notifications.py``). A licence with a document waits for verification
(``pending``); one whose expiry date has passed is shown as expired and never counted
valid.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from matching.accounts.services import Account
from matching.accounts.tables import Role
from matching.audit.services import record_event
from matching.doctors import validation
from matching.doctors.documents import (
    DocumentRejected,
    StoredDocument,
    check_document,
    remove_document,
    store_document,
)
from matching.doctors.loading import licence_view, profile_id_for
from matching.doctors.profile import ensure_profile, require_doctor
from matching.doctors.schemas import (
    LicenceDocument,
    LicenceDraft,
    LicenceReviewItem,
    LicenceView,
)
from matching.doctors.tables import (
    SYRIA_SCOPES,
    DoctorProfile,
    Licence,
    LicenceScope,
    LicenceState,
)
from matching.errors import Conflict, Forbidden, NotFound, ValidationFailed
from matching.i18n import N_, Message
from matching.mail.notifications import notify

STAFF_ROLES = frozenset({Role.COORDINATOR, Role.ADMIN})


def licence_draft_errors(draft: LicenceDraft, today: date | None = None) -> dict[str, str]:
    """Every problem of ``draft``, by field (the document's content included)."""
    return _checked(draft, today or date.today())[1]


def _checked(draft: LicenceDraft, today: date) -> tuple[LicenceDraft, dict[str, str]]:
    errors: dict[str, str] = {}
    country = validation.country(errors, "issuer_country", draft.issuer_country, required=True)
    authority = validation.text(errors, "authority", draft.authority, max_length=200, required=True)
    number = validation.text(errors, "number", draft.number, max_length=80, required=True)
    expiry = validation.required_date(errors, "expires_on", draft.expires_on)
    scope = licence_scope(errors, draft.scope, country)
    if expiry is not None and expiry < today and not draft.confirm_expired:
        errors["expires_on"] = Message(
            "expired on %(date)s, so it would never count as valid: give an expiry date "
            'of %(today)s or later, or confirm "Save it as expired" to keep it anyway',
            date=expiry.isoformat(),
            today=today.isoformat(),
        )
    if draft.document:
        try:
            check_document(draft.document)
        except DocumentRejected as exc:
            errors["document"] = str(exc)
    checked = LicenceDraft(
        issuer_country=country,
        authority=authority,
        number=number,
        expires_on=expiry,
        document=draft.document,
        filename=draft.filename,
        confirm_expired=draft.confirm_expired,
        scope=scope,
    )
    return checked, errors


def licence_scope(errors: dict[str, Any], scope: str, country: str) -> str:
    """A licence's scope (:class:`LicenceScope`); a permission valid in Syria is Syrian."""
    scope = (scope or LicenceScope.FOREIGN.value).strip()
    if scope not in {s.value for s in LicenceScope}:
        errors["scope"] = N_(
            "choose a licence from abroad, a registration with the Syrian authorities"
            " or a temporary permit to practise in Syria"
        )
    elif scope in SYRIA_SCOPES and country and country != "SY":
        errors["scope"] = N_(
            "a registration or a permit to practise in Syria is issued in Syria:"
            " choose Syria as the issuing country"
        )
    return scope


async def add_licence(
    account: Account, draft: LicenceDraft, *, uploads_dir: Path, today: date | None = None
) -> LicenceView:
    """Add a licence; with a document it waits for verification (``pending``).

    A licence whose expiry date has passed is refused unless the doctor confirms
    it (``confirm_expired``): it is then kept, shown as expired and never counted
    valid (a coordinator cannot verify it, the ranking ignores it).
    """
    profile_id = await ensure_profile(account)
    today = today or date.today()
    draft, errors = _checked(draft, today)
    if errors:
        raise ValidationFailed(errors)
    assert draft.expires_on is not None
    stored: StoredDocument | None = None
    if draft.document:
        stored = store_document(uploads_dir, draft.document, draft.filename)
    state = LicenceState.PENDING if stored else LicenceState.UNVERIFIED
    try:
        async with Licence._meta.db.transaction():
            rows = (
                await Licence.insert(
                    Licence(
                        doctor=profile_id,
                        issuer_country=draft.issuer_country,
                        authority=draft.authority,
                        number=draft.number,
                        expires_on=draft.expires_on,
                        document_name=stored.name if stored else "",
                        document_path=stored.path if stored else "",
                        document_mime=stored.mime if stored else "",
                        state=state.value,
                        scope=draft.scope,
                    )
                )
                .returning(*Licence.all_columns())
                .run()
            )
            licence = licence_view(rows[0])
            await record_event(
                actor_id=account.id,
                actor_label=account.email,
                action="licence.added",
                subject_type="licence",
                subject_id=licence.id,
                after={
                    "state": state.value,
                    "document": bool(stored),
                    "scope": draft.scope,
                    **({"expired": True} if draft.expires_on < today else {}),
                },
            )
    except BaseException:
        if stored:
            remove_document(uploads_dir, stored.path)
        raise
    return licence


async def _own_licence(account: Account, licence_id: int) -> dict[str, Any]:
    profile_id = await profile_id_for(account)
    row = await Licence.select().where(Licence.id == licence_id).first().run()
    if row is None or profile_id is None or row["doctor"] != profile_id:
        raise NotFound(N_("This licence does not exist."))
    return row


async def delete_licence(account: Account, licence_id: int, *, uploads_dir: Path) -> None:
    require_doctor(account)
    row = await _own_licence(account, licence_id)
    async with Licence._meta.db.transaction():
        await Licence.delete().where(Licence.id == licence_id).run()
        await record_event(
            actor_id=account.id,
            actor_label=account.email,
            action="licence.deleted",
            subject_type="licence",
            subject_id=licence_id,
            before={"state": row["state"]},
        )
    remove_document(uploads_dir, row["document_path"])


async def licence_document_of(licence_id: int) -> LicenceDocument:
    """The licence's doctor and stored document; ``NotFound`` if there is no such
    licence. Who may see the document is the caller's question."""
    row = (
        await Licence.select(
            Licence.doctor, Licence.document_path, Licence.document_mime, Licence.document_name
        )
        .where(Licence.id == licence_id)
        .first()
        .run()
    )
    if row is None:
        raise NotFound(N_("This licence does not exist."))
    return LicenceDocument(
        doctor_id=row["doctor"],
        path=row["document_path"],
        mime=row["document_mime"],
        name=row["document_name"],
    )


async def licences_awaiting_verification() -> list[LicenceReviewItem]:
    """Pending licences, oldest first, with the doctor's name (for coordinators)."""
    rows = (
        await Licence.select(
            *Licence.all_columns(),
            Licence.doctor.user.full_name.as_alias("doctor_name"),
        )
        .where(Licence.state == LicenceState.PENDING.value)
        .order_by(Licence.created_at)
        .order_by(Licence.id)
        .run()
    )
    return [
        LicenceReviewItem(licence_view(row), row["doctor"], row["doctor_name"] or "")
        for row in rows
    ]


async def recently_reviewed_licences(limit: int = 20) -> list[LicenceReviewItem]:
    rows = (
        await Licence.select(
            *Licence.all_columns(),
            Licence.doctor.user.full_name.as_alias("doctor_name"),
        )
        .where(Licence.reviewed_at.is_not_null())
        .order_by(Licence.reviewed_at, ascending=False)
        .limit(limit)
        .run()
    )
    return [
        LicenceReviewItem(licence_view(row), row["doctor"], row["doctor_name"] or "")
        for row in rows
    ]


async def review_licence(
    coordinator: Account,
    licence_id: int,
    *,
    verified: bool,
    note: str = "",
    scope: str | None = None,
) -> LicenceView:
    """Verify or reject a pending licence; a rejection needs a note for the doctor.

    ``scope``: what the coordinator found the licence permits (see
    :class:`LicenceScope`), replacing what the doctor stated; ``None`` keeps it.
    """
    if coordinator.role not in STAFF_ROLES:
        raise Forbidden(N_("Only coordinators verify licences."))
    errors: dict[str, str] = {}
    note = validation.text(errors, "note", note, max_length=1000, required=not verified)
    if errors:
        raise ValidationFailed(errors)
    async with Licence._meta.db.transaction():
        row = await Licence.select().where(Licence.id == licence_id).first().run()
        if row is None:
            raise NotFound(N_("This licence does not exist."))
        if row["state"] != LicenceState.PENDING:
            raise Conflict(N_("This licence is not waiting for verification."))
        if verified and row["expires_on"] < date.today():
            raise Conflict(N_("This licence has expired and cannot be verified."))
        scope_after = (
            row["scope"] if scope is None else licence_scope(errors, scope, row["issuer_country"])
        )
        if errors:
            raise ValidationFailed(errors)
        state = LicenceState.VERIFIED if verified else LicenceState.REJECTED
        rows = (
            await Licence.update(
                {
                    Licence.state: state.value,
                    Licence.review_note: note,
                    Licence.reviewed_by: coordinator.id,
                    Licence.reviewed_at: datetime.now(UTC),
                    Licence.scope: scope_after,
                }
            )
            .where(Licence.id == licence_id, Licence.state == LicenceState.PENDING.value)
            .returning(*Licence.all_columns())
            .run()
        )
        if not rows:
            raise Conflict(N_("This licence is not waiting for verification."))
        await record_event(
            actor_id=coordinator.id,
            actor_label=coordinator.email,
            action=f"licence.{state.value}",
            subject_type="licence",
            subject_id=licence_id,
            before={"state": row["state"], "scope": row["scope"]},
            after={"state": state.value, "note": note, "scope": scope_after},
        )
        owner = (
            await DoctorProfile.select(DoctorProfile.user)
            .where(DoctorProfile.id == row["doctor"])
            .first()
            .run()
        )
        if owner is not None:
            message = (
                N_("Your licence %(number)s was verified.")
                if verified
                else N_("Your licence %(number)s was rejected: %(note)s")
            )
            await notify(
                owner["user"],
                message,
                {"number": row["number"], "note": note},
                "/doctors/me/licences",
            )
    return licence_view(rows[0])
