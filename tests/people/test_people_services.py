"""The people of a facility: added, changed, archived by its heads only (both engines)."""

from __future__ import annotations

import pytest

from matching.accounts.tables import Role
from matching.audit.tables import AuditEvent
from matching.errors import Forbidden, ValidationFailed
from matching.people.schemas import PersonChange, PersonDraft
from matching.people.services import (
    add_person,
    archive_person,
    change_person,
    check_people_in_facility,
    list_people,
    person_of_user,
)
from matching.people.tables import FacilityPerson
from tests.factories import make_account, make_facility, make_head


def _draft(**kwargs: object) -> PersonDraft:
    values: dict = {"name_en": "Huda Saleh", "name_ar": "هدى صالح", "clinical_role": "nurse"}
    values.update(kwargs)
    return PersonDraft(**values)


async def test_a_head_adds_changes_and_archives_a_person(db: str) -> None:
    facility = await make_facility()
    head = await make_head(facility)
    person = await add_person(head, facility, _draft(phone="0933 123 456"))
    assert person.phone == "+963933123456"
    assert person.entered_by_id == head.id
    changed = await change_person(head, person.id, PersonChange(clinical_role="midwife"))
    assert (changed.clinical_role, changed.name_ar) == ("midwife", "هدى صالح")
    await archive_person(head, person.id)
    assert await list_people(head, facility) == []
    assert [p.id for p in await list_people(head, facility, include_archived=True)] == [person.id]
    actions = (
        await AuditEvent.select(AuditEvent.action)
        .where(AuditEvent.subject_type == "facility_person")
        .order_by(AuditEvent.id)
        .run()
    )
    assert [a["action"] for a in actions] == ["person.add", "person.change", "person.archive"]


async def test_bad_fields_are_named_and_nothing_is_stored(db: str) -> None:
    facility = await make_facility()
    head = await make_head(facility)
    with pytest.raises(ValidationFailed) as caught:
        await add_person(
            head,
            facility,
            _draft(name_en="", name_ar="", clinical_role="wizard", phone="12", specialty="x"),
        )
    assert set(caught.value.errors) == {"name_en", "clinical_role", "phone", "specialty"}
    assert await FacilityPerson.count().run() == 0


async def test_another_facilitys_head_is_refused(db: str) -> None:
    mine, theirs = await make_facility(), await make_facility()
    head = await make_head(mine)
    with pytest.raises(Forbidden):
        await add_person(head, theirs, _draft())
    other_head = await make_head(theirs)
    person = await add_person(other_head, theirs, _draft())
    with pytest.raises(ValidationFailed) as caught:
        await check_people_in_facility(mine, [person.id])
    assert "people" in caught.value.errors


async def test_person_of_user_is_the_linked_account(db: str) -> None:
    facility = await make_facility()
    head = await make_head(facility)
    clinician = await make_account(Role.LOCAL_CLINICIAN)
    person = await add_person(head, facility, _draft())
    assert await person_of_user(clinician.id) is None
    await (
        FacilityPerson.update({FacilityPerson.user: clinician.id})
        .where(FacilityPerson.id == person.id)
        .run()
    )
    found = await person_of_user(clinician.id)
    assert found is not None and found.id == person.id
