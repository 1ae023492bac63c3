"""Scale the demo data to N doctors and M needs by bulk inserts through the tables.

Doctors get a profile, two languages, a specialty, a skill, a weekly slot and a
travel window; needs are spread over the demo facilities. Every scaled doctor
signs in with the demo password (one argon2 hash, computed once). With
``pairings_every=k``, every k-th doctor also has reviewed proposals (one waiting
for an answer, one confirmed) and their notifications, so a doctor's overview
has something to show.
"""

from __future__ import annotations

import random
from datetime import date, time, timedelta

from matching.accounts.passwords import hash_password
from matching.accounts.tables import User
from matching.demo import DEMO_PASSWORD
from matching.doctors.tables import (
    DoctorLanguage,
    DoctorProfile,
    DoctorSkill,
    DoctorSpecialty,
    TravelWindow,
    WeeklySlot,
)
from matching.facilities.tables import Facility, Need, NeedSkill
from matching.mail.tables import Notification
from matching.pairings.tables import Proposal
from matching.taxonomy import load_taxonomy

CHUNK = 500
COUNTRIES = ["DE", "FR", "GB", "SE", "US", "CA", "AE", "TR", "NL", "AT"]
ZONES = [
    "Europe/Berlin",
    "Europe/Paris",
    "Europe/London",
    "Europe/Stockholm",
    "America/New_York",
    "America/Toronto",
    "Asia/Dubai",
    "Europe/Istanbul",
]


async def _bulk(table: type, rows: list) -> list[int]:
    ids: list[int] = []
    for start in range(0, len(rows), CHUNK):
        result = await table.insert(*rows[start : start + CHUNK]).returning(table.id).run()
        ids.extend(int(r["id"]) for r in result)
    return ids


def scaled_doctor_email(n: int) -> str:
    return f"scaled.doctor{n}@load.homs-health.org"


async def scale(doctors: int, needs: int, seed: int = 7, pairings_every: int = 0) -> None:
    """Add ``doctors`` doctors and ``needs`` needs (on top of the demo data)."""
    rng = random.Random(seed)
    taxonomy = load_taxonomy()
    specialties = list(taxonomy.specialties)
    skills = list(taxonomy.skills)
    password_hash = hash_password(DEMO_PASSWORD)
    user_ids = await _bulk(
        User,
        [
            User(
                email=scaled_doctor_email(n),
                password_hash=password_hash,
                full_name=f"Dr. Scaled {n}",
                role="doctor",
                language=rng.choice(["en", "ar"]),
                timezone=rng.choice(ZONES),
            )
            for n in range(doctors)
        ],
    )
    profile_ids = await _bulk(
        DoctorProfile,
        [
            DoctorProfile(
                user=uid,
                country=rng.choice(COUNTRIES),
                city="City",
                timezone=rng.choice(ZONES),
                years_experience=rng.randint(1, 30),
                offers_mission=rng.random() < 0.6,
                offers_mentorship=rng.random() < 0.7,
                offers_training=rng.random() < 0.4,
                max_mentees=rng.randint(0, 3),
                hours_per_month=rng.randint(0, 20),
                can_travel=rng.random() < 0.5,
            )
            for uid in user_ids
        ],
    )
    await _bulk(
        DoctorLanguage,
        [DoctorLanguage(doctor=p, code=c) for p in profile_ids for c in ("ar", "en")],
    )
    await _bulk(
        DoctorSpecialty,
        [DoctorSpecialty(doctor=p, code=rng.choice(specialties)) for p in profile_ids],
    )
    await _bulk(DoctorSkill, [DoctorSkill(doctor=p, code=rng.choice(skills)) for p in profile_ids])
    await _bulk(
        WeeklySlot,
        [
            WeeklySlot(doctor=p, weekday=rng.randint(0, 6), starts_at=time(18), ends_at=time(20))
            for p in profile_ids
        ],
    )
    today = date.today()
    await _bulk(
        TravelWindow,
        [
            TravelWindow(
                doctor=p,
                starts_on=today + timedelta(days=d),
                ends_on=today + timedelta(days=d + 14),
            )
            for p in profile_ids
            for d in [rng.randint(10, 200)]
        ],
    )
    facility_ids = [r["id"] for r in await Facility.select(Facility.id)]
    need_ids = await _bulk(
        Need,
        [
            Need(
                facility=rng.choice(facility_ids),
                kind=rng.choice(["mission", "mentorship", "training"]),
                title=f"Scaled need {n}",
                specialty=rng.choice(specialties),
                languages="ar,en",
                urgency=rng.choice(["routine", "urgent", "critical"]),
                status="open",
                places=rng.randint(1, 3),
                starts_on=today + timedelta(days=30),
                ends_on=today + timedelta(days=44),
                weekly_hours=2.0,
                months=3,
            )
            for n in range(needs)
        ],
    )
    await _bulk(NeedSkill, [NeedSkill(need=n, code=rng.choice(skills)) for n in need_ids])
    if pairings_every:
        await _pairings(rng, user_ids[::pairings_every], profile_ids[::pairings_every], need_ids)


async def _pairings(
    rng: random.Random, user_ids: list[int], profile_ids: list[int], need_ids: list[int]
) -> None:
    proposals, notices = [], []
    for user_id, profile_id in zip(user_ids, profile_ids, strict=True):
        for state in ("approved", "confirmed"):
            need = rng.choice(need_ids)
            proposals.append(
                Proposal(need=need, doctor=profile_id, score=rng.random(), state=state)
            )
            notices.append(
                Notification(
                    user=user_id,
                    message="You are offered a pairing: %(title)s",
                    params={"title": f"Scaled need {need}"},
                )
            )
    await _bulk(Proposal, proposals)
    await _bulk(Notification, notices)
