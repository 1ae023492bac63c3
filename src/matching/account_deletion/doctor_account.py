"""Deleting a doctor's account: personal data out of every table, in one transaction.

Each table's owner does its part: accounts (the user row, reset tokens), doctors
(the profile and its children), pairings (the doctor's proposals), audit (the
trail's labels and values), mail (queued mail, mentions in mail and notifications).
Licence documents leave the disk once the transaction has committed.
"""

from __future__ import annotations

import html
from pathlib import Path

from matching.accounts.erasure import delete_reset_tokens, delete_user
from matching.accounts.services import Account
from matching.accounts.tables import Role, User
from matching.audit.erasure import blank_subjects, forget_actor
from matching.audit.services import record_event
from matching.doctors.documents import remove_document
from matching.doctors.erasure import delete_profile, doctor_holdings
from matching.doctors.loading import profile_id_for
from matching.doctors.profile import require_doctor
from matching.errors import NotFound
from matching.i18n import N_
from matching.mail.erasure import drop_mail_to, scrub_mail, scrub_notifications
from matching.pairings.doctor_erasure import erase_doctor_from_proposals

DELETED_LABEL = "deleted account"
ANONYMOUS_DOCTOR = "a doctor who deleted their account"


class _Anonymiser:
    """Replaces the doctor's name and emails (longest first) in a text."""

    def __init__(self, full_name: str, emails: set[str]) -> None:
        self.needles = sorted(
            {n for n in (full_name, html.escape(full_name), *emails) if n.strip()},
            key=len,
            reverse=True,
        )

    def __call__(self, text: str) -> str:
        for needle in self.needles:
            text = text.replace(needle, ANONYMOUS_DOCTOR)
        return text


async def delete_doctor_account(account: Account, *, uploads_dir: Path) -> None:
    """Remove the doctor's personal data from every table, keep decided pairings anonymised.

    The User row goes (profile and children cascade; proposals keep their row with
    ``doctor`` set to NULL); audit events they wrote lose their label and values;
    queued mail to them is dropped; licence documents are deleted from disk.
    """
    require_doctor(account)
    profile_id = await profile_id_for(account)
    documents: tuple[str, ...] = ()
    async with User._meta.db.transaction():
        user = (
            await User.select(User.email, User.full_name).where(User.id == account.id).first().run()
        )
        if user is None:
            raise NotFound(N_("This account does not exist."))
        emails = {user["email"]}
        subjects: list[tuple[str, int]] = [("user", account.id)]
        if profile_id is not None:
            holdings = await doctor_holdings(profile_id)
            if holdings.contact_email:
                emails.add(holdings.contact_email)
            documents = holdings.document_paths
            subjects.append(("doctor_profile", profile_id))
            subjects.extend(("licence", licence_id) for licence_id in holdings.licence_ids)
        await forget_actor(account.id, emails, new_label=DELETED_LABEL)
        await blank_subjects(subjects)
        await drop_mail_to(emails)
        anonymise = _Anonymiser(user["full_name"], emails)
        await scrub_mail(anonymise.needles, anonymise)
        if profile_id is not None:
            proposal_ids = await erase_doctor_from_proposals(profile_id, anonymise)
            await scrub_notifications([f"/pairings/{pid}" for pid in proposal_ids], anonymise)
        await delete_reset_tokens(account.id)
        if profile_id is not None:
            await delete_profile(profile_id)
        await delete_user(account.id)
        await record_event(
            actor_id=None,
            actor_label=DELETED_LABEL,
            action="account.deleted",
            subject_type="user",
            subject_id=account.id,
            after={"role": Role.DOCTOR.value},
        )
    for relative in documents:
        remove_document(uploads_dir, relative)
