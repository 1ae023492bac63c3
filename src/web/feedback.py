"""What each action says once it is done: what happened, and what comes next.

Every message is a :class:`~matching.i18n.Message` (msgid in the catalogs, with
Arabic), shown once on the next page by :func:`web.flash.flash`.
"""

from __future__ import annotations

from datetime import date

from matching.doctors.schemas import LicenceView
from matching.doctors.tables import LicenceState
from matching.i18n import Message


def licence_added(licence: LicenceView, today: date | None = None) -> Message:
    """After a doctor adds a licence: its state and what the doctor waits for."""
    today = today or date.today()
    if licence.expires_on < today:
        return Message(
            "Licence %(number)s saved as expired: it will not count as valid. Add a "
            "current licence so that needs requiring one can be offered to you.",
            number=licence.number,
        )
    if licence.state == LicenceState.PENDING:
        return Message(
            "Licence %(number)s added. A coordinator will check its document; you "
            "will get a notice when it is verified.",
            number=licence.number,
        )
    return Message(
        "Licence %(number)s added without a document: upload a document (remove and "
        "add it again with the file) so that a coordinator can verify it.",
        number=licence.number,
    )


def licence_reviewed(licence: LicenceView, *, verified: bool) -> Message:
    """After a coordinator verifies or rejects a licence."""
    if verified:
        return Message(
            "Licence %(number)s is verified. The doctor is told, and the next ranking counts it.",
            number=licence.number,
        )
    return Message(
        "Licence %(number)s is rejected. The doctor is told, with your note, and can "
        "add a corrected licence.",
        number=licence.number,
    )


def licence_removed() -> Message:
    return Message("Licence removed.")


def joined(facility_en: str, facility_ar: str) -> Message:
    """After a head joins a facility by invitation."""
    return Message(
        "Welcome! You now manage %(facility)s. Next: post its first need, or check its details.",
        facility=facility_en,
        facility_ar=facility_ar,
    )


def need_saved(*, published: bool, created: bool) -> Message:
    """After a head posts or edits a need."""
    if published and created:
        return Message(
            "Need posted and open to doctors. A coordinator reviews each doctor proposed "
            "for it; you are told when a doctor accepts."
        )
    if created:
        return Message(
            "Need saved as a draft: doctors do not see it yet. Publish it when it is ready."
        )
    if published:
        return Message("Need updated. Doctors are proposed again from the new details.")
    return Message("Draft updated. Publish it when it is ready.")


def need_status_changed(status: str, withdrawn: int = 0) -> Message:
    """After a head publishes, reopens, closes or cancels a need."""
    if status in ("open", "partly_filled"):
        return Message(
            "Need open to doctors. A coordinator reviews each doctor proposed for it; "
            "you are told when a doctor accepts."
        )
    if status == "closed":
        return Message(
            "Need closed: no new doctors will be proposed; %(n)s waiting proposal(s) "
            "withdrawn. Doctors already confirmed keep their pairing.",
            n=withdrawn,
        )
    return Message(
        "Need cancelled; %(n)s waiting proposal(s) withdrawn.",
        n=withdrawn,
    )


def reviewed(action: str, count: int = 1) -> Message:
    """After a coordinator approves, rejects or swaps proposals in the review queue."""
    if action == "approve":
        return Message(
            "Pairing approved. The doctor is asked to accept or decline it, and the "
            "facility's heads are told; the pairing is confirmed when the doctor accepts."
        )
    if action == "reject":
        return Message(
            "Pairing rejected; your reason is kept in the audit trail. This doctor is not "
            "proposed for this need again."
        )
    if action == "swap":
        return Message(
            "Runner-up approved in place of the proposed doctor. They are asked to "
            "accept or decline it."
        )
    return Message(
        "%(n)s pairing(s) approved. Each doctor is asked to accept or decline; the "
        "facilities' heads are told.",
        n=count,
    )
