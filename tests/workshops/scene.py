"""A confirmed training pairing with its people, for the workshops tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from matching.accounts.services import Account
from matching.accounts.tables import Role
from matching.facilities.tables import Need
from matching.people.tables import FacilityPerson
from tests.factories import make_account, make_doctor, make_facility, make_head, make_proposal

FIRST_DAY = date(2026, 3, 2)
NAMES = [
    ("Sara Al-Khatib", "سارة الخطيب"),
    ("Omar Haddad", "عمر حداد"),
    ("Lina Mansour", "لينا منصور"),
    ("Yusuf Darwish", "يوسف درويش"),
    ("Huda Saleh", "هدى صالح"),
    ("Rami Qassem", "رامي قاسم"),
    ("Nour Aziz", "نور عزيز"),
    ("Khaled Ibrahim", "خالد إبراهيم"),
    ("Maya Nasser", "مايا ناصر"),
    ("Fadi Hamwi", "فادي حموي"),
    ("Rana Jabri", "رنا جابري"),
    ("Tarek Sabbagh", "طارق صباغ"),
]


@dataclass
class Scene:
    facility_id: int
    other_facility_id: int
    head: Account
    other_head: Account
    trainer: Account
    coordinator: Account
    pairing_id: int
    people: list[int]  # person ids of the facility, in NAMES order
    clinicians: list[Account]  # accounts of the first two people
    stranger_person: int  # a person of the other facility


async def _person(facility_id: int, name_en: str, name_ar: str, user: int | None, head: int) -> int:
    rows = (
        await FacilityPerson.insert(
            FacilityPerson(
                facility=facility_id,
                name_en=name_en,
                name_ar=name_ar,
                clinical_role="nurse",
                user=user,
                entered_by=head,
            )
        )
        .returning(FacilityPerson.id)
        .run()
    )
    return int(rows[0]["id"])


async def training_scene(people: int = 12, accounts: int = 2) -> Scene:
    """Facility A with a head and ``people`` people (the first ``accounts`` with a local
    clinician account), a trainer confirmed on a two-day training need, facility B."""
    facility_id = await make_facility()
    other_facility_id = await make_facility(name="Talkalakh Health Centre", district="talkalakh")
    head = await make_head(facility_id, name="Head Amal")
    other_head = await make_head(other_facility_id, name="Head Bassel")
    trainer, doctor_id = await make_doctor()
    coordinator = await make_account(Role.COORDINATOR)
    rows = (
        await Need.insert(
            Need(
                facility=facility_id,
                kind="training",
                title="Neonatal resuscitation",
                topic="Helping Babies Breathe",
                specialty="neonatology",
                status="filled",
                starts_on=FIRST_DAY,
                ends_on=date(2026, 3, 3),
                audience_size=12,
            )
        )
        .returning(Need.id)
        .run()
    )
    pairing_id = await make_proposal(int(rows[0]["id"]), doctor_id, state="confirmed")
    ids, clinicians = [], []
    for index, (name_en, name_ar) in enumerate(NAMES[:people]):
        user = None
        if index < accounts:
            account = await make_account(Role.LOCAL_CLINICIAN, name=name_en)
            clinicians.append(account)
            user = account.id
        ids.append(await _person(facility_id, name_en, name_ar, user, head.id))
    stranger = await _person(other_facility_id, "Ziad Other", "زياد", None, other_head.id)
    return Scene(
        facility_id=facility_id,
        other_facility_id=other_facility_id,
        head=head,
        other_head=other_head,
        trainer=trainer,
        coordinator=coordinator,
        pairing_id=pairing_id,
        people=ids,
        clinicians=clinicians,
        stranger_person=stranger,
    )
