"""What account deletion needs from the doctors domain: the personal data it must
find elsewhere (contact email, licence documents) and the profile's removal."""

from __future__ import annotations

from msgspec import Struct

from matching.doctors.tables import DoctorProfile, Licence


class DoctorHoldings(Struct, frozen=True):
    """Where a doctor's personal data reaches beyond the profile's own rows."""

    contact_email: str
    document_paths: tuple[str, ...]  # relative to the uploads folder
    licence_ids: tuple[int, ...]


async def doctor_holdings(profile_id: int) -> DoctorHoldings:
    profile = (
        await DoctorProfile.select(DoctorProfile.contact_email)
        .where(DoctorProfile.id == profile_id)
        .first()
        .run()
    )
    licences = await Licence.select(Licence.id, Licence.document_path).where(
        Licence.doctor == profile_id
    )
    return DoctorHoldings(
        contact_email=(profile or {}).get("contact_email") or "",
        document_paths=tuple(row["document_path"] for row in licences if row["document_path"]),
        licence_ids=tuple(row["id"] for row in licences),
    )


async def delete_profile(profile_id: int) -> None:
    """Delete the profile; its languages, specialties, skills, licences, travel windows
    and weekly slots cascade (licence documents on disk are the caller's to remove)."""
    await DoctorProfile.delete().where(DoctorProfile.id == profile_id).run()
