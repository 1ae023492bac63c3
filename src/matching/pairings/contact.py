"""Who sees a doctor's contact details and licence documents.

The doctor themself, coordinators and admins, and, once a pairing is confirmed,
the head of that facility; nobody else. The rule reads pairings, so it lives here
(above doctors and facilities); the doctor's page and the licence document ask it.
Writes nothing.
"""

from __future__ import annotations

from pathlib import Path

from matching.accounts.services import Account
from matching.accounts.tables import Role
from matching.doctors.documents import document_file
from matching.doctors.licences import licence_document_of
from matching.doctors.loading import load_doctor_profile, profile_id_for
from matching.doctors.schemas import DoctorView
from matching.errors import Forbidden, NotFound
from matching.facilities.tables import FacilityHead, Need
from matching.i18n import N_
from matching.pairings.tables import Proposal, ProposalState

STAFF_ROLES = frozenset({Role.COORDINATOR, Role.ADMIN})


async def can_see_contact(viewer: Account | None, doctor_profile_id: int) -> bool:
    """May ``viewer`` see this doctor's contact details and licence documents?

    True for the doctor themself, coordinators and admins, and the head of a
    facility with a CONFIRMED proposal for this doctor; False for anyone else.
    """
    if viewer is None:
        return False
    if viewer.role in STAFF_ROLES:
        return True
    if viewer.role == Role.DOCTOR:
        return await profile_id_for(viewer) == doctor_profile_id
    if viewer.role != Role.FACILITY_HEAD:
        return False
    facilities = await FacilityHead.select(FacilityHead.facility).where(
        FacilityHead.user == viewer.id
    )
    facility_ids = [row["facility"] for row in facilities]
    if not facility_ids:
        return False
    need_ids = [
        row["id"] for row in await Need.select(Need.id).where(Need.facility.is_in(facility_ids))
    ]
    if not need_ids:
        return False
    return bool(
        await Proposal.exists()
        .where(
            Proposal.doctor == doctor_profile_id,
            Proposal.need.is_in(need_ids),
            Proposal.state == ProposalState.CONFIRMED.value,
        )
        .run()
    )


async def view_doctor(viewer: Account, doctor_profile_id: int) -> DoctorView:
    """A doctor's page for coordinators, facility heads and the doctor themself.

    Another doctor gets ``Forbidden``; contact data is shown only where
    :func:`can_see_contact` allows.
    """
    if viewer.role == Role.DOCTOR and await profile_id_for(viewer) != doctor_profile_id:
        raise Forbidden(N_("Doctors cannot open other doctors' profiles."))
    profile = await load_doctor_profile(doctor_profile_id)
    return DoctorView(profile=profile, show_contact=await can_see_contact(viewer, profile.id))


async def licence_document(
    viewer: Account, licence_id: int, *, uploads_dir: Path
) -> tuple[Path, str, str]:
    """(file, MIME type, original name) of a licence document the viewer may see."""
    document = await licence_document_of(licence_id)
    if not await can_see_contact(viewer, document.doctor_id):
        raise Forbidden(N_("Only the doctor and coordinators can see licence documents."))
    path = document_file(uploads_dir, document.path)
    if path is None:
        raise NotFound(N_("This licence has no document."))
    return path, document.mime, document.name
