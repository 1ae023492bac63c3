"""The demo data ranked: no clinically irrelevant proposal (issue 12 item 7)."""

from __future__ import annotations

from matching.db import json_object
from matching.demo import load_demo_data
from matching.doctors.tables import DoctorProfile, DoctorSpecialty
from matching.facilities.tables import Need
from matching.pairings import runs
from matching.pairings.tables import Proposal
from matching.taxonomy import load_taxonomy


async def test_demo_trauma_mission_gets_no_neonatologist(db: str) -> None:
    assert await load_demo_data()
    run = await runs.execute_run(await runs.create_run("full"))
    trauma = await Need.select(Need.id, Need.places).where(Need.title.like("Trauma surgery%"))
    ((trauma_id, places),) = [(r["id"], r["places"]) for r in trauma]
    proposed = await Proposal.select(
        Proposal.doctor.user.full_name.as_alias("name"), Proposal.explanation
    ).where(Proposal.run == run["id"], Proposal.need == trauma_id)
    names = [r["name"] for r in proposed]
    assert "Dr. Lina Haddad" not in names  # the neonatologist
    assert names == ["Dr. Samer Al-Masri"]  # the orthopaedic trauma surgeon
    assert "specialty" in json_object(proposed[0]["explanation"])["rules_passed"]
    # The second place stays open and the report says why.
    (report,) = [u for u in run["outcome"]["unfillable"] if u["need_id"] == trauma_id]
    assert report["places_left"] == places == 2 and report["eligible"] == 1
    assert "specialty" in report["reasons"]
    # Every proposal of the run is of a specialty acceptable for its need.
    taxonomy = load_taxonomy()
    needs = {r["id"]: r for r in await Need.select(Need.id, Need.kind, Need.specialty)}
    specialties: dict[int, set[str]] = {}
    for r in await DoctorSpecialty.select(DoctorSpecialty.doctor, DoctorSpecialty.code):
        specialties.setdefault(r["doctor"], set()).add(r["code"])
    rows = await Proposal.select(Proposal.need, Proposal.doctor).where(Proposal.run == run["id"])
    assert rows and await DoctorProfile.count() == 8
    for r in rows:
        need = needs[r["need"]]
        acceptable = set(taxonomy.acceptable_specialties(need["specialty"], need["kind"]))
        assert specialties[r["doctor"]] & acceptable, (need, r["doctor"])
