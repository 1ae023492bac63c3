"""A confirmed mentorship with its mentee (a local clinician with an account), for the
case tests; and images with metadata to upload."""

from __future__ import annotations

import io
from datetime import date

from PIL import Image, PngImagePlugin

from matching.accounts.tables import Role
from matching.cases.schemas import CaseDraft, ImageUpload
from matching.mentorship.tables import Mentorship
from matching.pairings.tables import Proposal
from matching.people.tables import FacilityPerson
from tests.factories import make_account, scene


async def mentorship_scene(*, ends_on: date | None = None, status: str = "active") -> dict:
    """``scene("mentorship")`` confirmed, with ``clinician`` (the mentee's account),
    ``person`` and ``mentorship`` ids added."""
    world = await scene("mentorship")
    await (
        Proposal.update({Proposal.state: "confirmed"}).where(Proposal.id == world["proposal"]).run()
    )
    clinician = await make_account(Role.LOCAL_CLINICIAN, name="Nurse Huda")
    rows = (
        await FacilityPerson.insert(
            FacilityPerson(
                facility=world["facility"],
                name_en="Huda Nasser",
                name_ar="هدى ناصر",
                clinical_role="nurse",
                user=clinician.id,
                entered_by=world["head"].id,
            )
        )
        .returning(FacilityPerson.id)
        .run()
    )
    person = int(rows[0]["id"])
    rows = (
        await Mentorship.insert(
            Mentorship(pairing=world["proposal"], mentee=person, ends_on=ends_on, status=status)
        )
        .returning(Mentorship.id)
        .run()
    )
    return {**world, "clinician": clinician, "person": person, "mentorship": int(rows[0]["id"])}


def draft(**changes: object) -> CaseDraft:
    """A de-identified case that passes every check."""
    values: dict[str, object] = {
        "age_band": "under_1_month",
        "sex": "female",
        "presenting_problem": "Newborn, 36 weeks, grunting and poor feeding since birth.",
        "history": "Mother 28 years, fever in labour; well since 2019. 500 mg ampicillin given.",
        "findings": "RR 70, SpO2 88% in air, CRP 45 mg/L.",
        "question": "Start CPAP here, or transfer to Homs?",
        "consent": True,
    }
    values.update(changes)
    return CaseDraft(**values)  # type: ignore[arg-type]


def jpeg_with_gps() -> bytes:
    """A JPEG carrying EXIF (GPS position over Homs, camera make, a date) and a comment."""
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0132] = "2026:11:27 10:00:00"  # DateTime
    gps = {1: "N", 2: (34.0, 43.0, 48.0), 3: "E", 4: (36.0, 43.0, 12.0)}
    exif[0x8825] = gps  # GPSInfo
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, comment=b"patient Ahmad, bed 4")
    return out.getvalue()


def png_with_text() -> bytes:
    image = Image.new("RGBA", (40, 30), (10, 200, 30, 255))
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "patient file 123")
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=info)
    return out.getvalue()


def image(content: bytes, name: str = "photo.jpg") -> ImageUpload:
    return ImageUpload(content=content, filename=name)
