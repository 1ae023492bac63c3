"""The evaluation set (:mod:`benchmarks.eval_set`) written to the tables, for the product path.

:func:`store_eval_set` writes every doctor and need of the set through the tables the
loader reads, so a ranking run (database -> loader -> engine -> proposals and the
"needs no doctor can fill" report) sees what :func:`matching.ranking.rank` sees:

* dates move by whole 52-week steps (:func:`shift_for`) so the set lies ahead of the
  real today and every date keeps its weekday (European summer time starts on the
  same Sunday of the shifted week too); a licence the set calls expired is stored as
  expired yesterday;
* a doctor's ``syria_permission_until`` is a licence of scope ``syria_registration``
  (when it ends with the licence) or ``syria_temporary_permit``, verified;
  :data:`~benchmarks.eval_set.PENDING_PERMITS` are temporary permits still pending;
* ``current_mentees`` and ``committed_missions`` are confirmed pairings on filled needs
  of a facility of their own; ``past_work`` is a confirmed pairing on a filled need of
  the need's facility, in that year;
* ``waited_runs``: the needs that waited are posted first and real full runs (which
  find no doctor yet) run in between, so each facility waited exactly that many runs.

The run date is the real today, not the set's ``TODAY``: the ids in the database
differ from the set's; :class:`StoredIds` maps both ways.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from benchmarks.eval_set import DOCTORS, NEEDS, PENDING_PERMITS, TODAY
from matching.accounts.tables import User
from matching.doctors.tables import (
    DoctorLanguage,
    DoctorProfile,
    DoctorSkill,
    DoctorSpecialty,
    Licence,
    LicenceScope,
    LicenceState,
    TravelWindow,
    WeeklySlot,
)
from matching.facilities.tables import Facility, LocalSlot, Need, NeedRole, NeedSkill
from matching.pairings import runs
from matching.pairings.tables import Proposal
from matching.ranking import DoctorInput, NeedInput

#: One step of the shift: 52 weeks keeps weekdays.
STEP = timedelta(weeks=52)


def shift_for(today: date) -> timedelta:
    """The smallest multiple of 52 weeks that moves the set's ``TODAY`` to ``today`` or later."""
    steps = max(0, -(-(today - TODAY).days // STEP.days))
    return steps * STEP


@dataclass(slots=True)
class StoredIds:
    """Database ids of the set's doctors and needs, and back."""

    doctor: dict[int, int] = field(default_factory=dict)
    need: dict[int, int] = field(default_factory=dict)
    facility: dict[int, int] = field(default_factory=dict)

    def eval_doctor(self, db_id: int) -> int:
        return {v: k for k, v in self.doctor.items()}[db_id]

    def eval_need(self, db_id: int) -> int:
        return {v: k for k, v in self.need.items()}[db_id]


class _Writer:
    def __init__(self, today: date) -> None:
        self.today = today
        self.shift = shift_for(today)
        self.ids = StoredIds()
        self._filler: int | None = None

    def day(self, d: date) -> date:
        return d + self.shift

    async def facility(self, eval_id: int, need: NeedInput | None = None) -> int:
        if eval_id in self.ids.facility:
            return self.ids.facility[eval_id]
        rural = bool(need and need.rural)
        rows = (
            await Facility.insert(
                Facility(
                    name_en=f"Evaluation facility {eval_id}",
                    name_ar=f"منشأة التقييم {eval_id}",
                    kind="hospital",
                    district="talkalakh" if rural else "homs",
                    rural=rural,
                    functional_state=need.facility_state if need else "full",
                )
            )
            .returning(Facility.id)
            .run()
        )
        self.ids.facility[eval_id] = int(rows[0]["id"])
        return self.ids.facility[eval_id]

    async def need(self, x: NeedInput) -> int:
        facility = await self.facility(x.facility_id, x)
        start = self.day(x.period.start) if x.period else None
        end = self.day(x.period.end) if x.period else None
        rows = (
            await Need.insert(
                Need(
                    facility=facility,
                    kind=x.kind,
                    title=f"Evaluation need {x.id}",
                    specialty=x.specialty,
                    description=x.description,
                    languages=",".join(sorted(x.required_languages)),
                    requires_licence=x.requires_licence,
                    urgency=x.urgency,
                    status="open",
                    places=x.places_left,
                    starts_on=start,
                    ends_on=end,
                    min_coverage=x.min_coverage,
                    weekly_hours=x.weekly_hours,
                    local_timezone=x.local_timezone,
                    remote=x.remote,
                    language_levels=",".join(f"{c}:{lv}" for c, lv in x.language_levels),
                )
            )
            .returning(Need.id)
            .run()
        )
        nid = int(rows[0]["id"])
        self.ids.need[x.id] = nid
        if x.skills:
            await NeedSkill.insert(*(NeedSkill(need=nid, code=c) for c in x.skills)).run()
        if x.local_slots:
            await LocalSlot.insert(
                *(
                    LocalSlot(need=nid, weekday=s.weekday, starts_at=s.start, ends_at=s.end)
                    for s in x.local_slots
                )
            ).run()
        if x.roles:
            await NeedRole.insert(
                *(NeedRole(need=nid, specialty=r.specialty, count=r.count) for r in x.roles)
            ).run()
        return nid

    def _expiry(self, d: date) -> date:
        return self.day(d) if d >= TODAY else self.today - timedelta(days=1)

    async def doctor(self, x: DoctorInput) -> int:
        user = (
            await User.insert(
                User(
                    email=f"eval.doctor{x.id}@eval.homs-health.org",
                    password_hash="x",
                    full_name=f"Dr. Evaluation {x.id}",
                    role="doctor",
                )
            )
            .returning(User.id)
            .run()
        )
        rows = (
            await DoctorProfile.insert(
                DoctorProfile(
                    user=int(user[0]["id"]),
                    country=x.country,
                    timezone=x.timezone,
                    years_experience=x.years_experience,
                    offers_mission="mission" in x.modes,
                    offers_mentorship="mentorship" in x.modes,
                    offers_training="training" in x.modes,
                    max_mentees=x.max_mentees,
                    hours_per_month=x.hours_per_month,
                    can_travel=bool(x.travel_windows),
                    free_text_skills=x.free_text_skills,
                )
            )
            .returning(DoctorProfile.id)
            .run()
        )
        did = int(rows[0]["id"])
        self.ids.doctor[x.id] = did
        levels = dict(x.language_levels)
        await DoctorLanguage.insert(
            *(
                DoctorLanguage(doctor=did, code=c, level=levels.get(c, "fluent"))
                for c in sorted(x.languages)
            )
        ).run()
        await DoctorSpecialty.insert(
            *(DoctorSpecialty(doctor=did, code=c, level=lv) for c, lv in x.specialties)
        ).run()
        if x.skills:
            await DoctorSkill.insert(*(DoctorSkill(doctor=did, code=c) for c in x.skills)).run()
        if x.travel_windows:
            await TravelWindow.insert(
                *(
                    TravelWindow(doctor=did, starts_on=self.day(w.start), ends_on=self.day(w.end))
                    for w in x.travel_windows
                )
            ).run()
        if x.weekly_slots:
            await WeeklySlot.insert(
                *(
                    WeeklySlot(doctor=did, weekday=s.weekday, starts_at=s.start, ends_at=s.end)
                    for s in x.weekly_slots
                )
            ).run()
        licences = []
        lic, permit = x.licence_verified_until, x.syria_permission_until
        if lic is not None:
            registered = permit is not None and permit == lic
            scope = LicenceScope.SYRIA_REGISTRATION if registered else LicenceScope.FOREIGN
            licences.append((scope, self._expiry(lic), LicenceState.VERIFIED))
            if permit is not None and not registered:
                scope = LicenceScope.SYRIA_TEMPORARY_PERMIT
                licences.append((scope, self._expiry(permit), LicenceState.VERIFIED))
        if x.id in PENDING_PERMITS:
            scope = LicenceScope.SYRIA_TEMPORARY_PERMIT
            licences.append((scope, self._expiry(PENDING_PERMITS[x.id]), LicenceState.PENDING))
        if licences:
            await Licence.insert(
                *(
                    Licence(
                        doctor=did,
                        issuer_country="SY" if scope != LicenceScope.FOREIGN else "DE",
                        authority="Evaluation",
                        number=f"EV-{x.id}-{n}",
                        expires_on=expires,
                        state=state,
                        scope=scope,
                    )
                    for n, (scope, expires, state) in enumerate(licences)
                )
            ).run()
        return did

    async def confirmed(
        self, facility: int, kind: str, doctor: int, start: date, end: date | None
    ) -> None:
        """A filled need of ``facility`` with one confirmed pairing of ``doctor``."""
        rows = (
            await Need.insert(
                Need(
                    facility=facility,
                    kind=kind,
                    title="Earlier work",
                    specialty="family_medicine",
                    status="filled",
                    places=1,
                    starts_on=start,
                    ends_on=end,
                    weekly_hours=1.0 if kind == "mentorship" else 0.0,
                )
            )
            .returning(Need.id)
            .run()
        )
        await Proposal.insert(
            Proposal(need=int(rows[0]["id"]), doctor=doctor, state="confirmed")
        ).run()

    async def filler(self) -> int:
        if self._filler is None:
            self._filler = await self.facility(-1)
        return self._filler


async def store_eval_set(today: date | None = None) -> StoredIds:
    """Write the evaluation set to the (empty, migrated) database; run the full runs
    that make each ``waited_runs`` true. Returns the id maps."""
    w = _Writer(today or date.today())
    waited: dict[int, list[NeedInput]] = defaultdict(list)
    for x in NEEDS:
        if x.waited_runs:
            waited[x.waited_runs].append(x)
    counts = sorted(waited, reverse=True)
    for i, k in enumerate(counts):
        async with Need._meta.db.transaction():
            for x in waited[k]:
                await w.need(x)
        for _ in range(k - (counts[i + 1] if i + 1 < len(counts) else 0)):
            await runs.execute_run(await runs.create_run("full"))
    async with Need._meta.db.transaction():  # one commit: fast on SQLite
        await _store_the_rest(w)
    return w.ids


async def _store_the_rest(w: _Writer) -> None:
    for x in NEEDS:
        if not x.waited_runs:
            await w.need(x)
    for d in DOCTORS:
        await w.doctor(d)
    for d in DOCTORS:
        did = w.ids.doctor[d.id]
        for _ in range(d.current_mentees):
            start = w.today - timedelta(days=30)
            end = start + timedelta(weeks=26)
            await w.confirmed(await w.filler(), "mentorship", did, start, end)
        for span in d.committed_missions:
            await w.confirmed(await w.filler(), "mission", did, w.day(span.start), w.day(span.end))
    for x in NEEDS:
        for past in x.past_work:
            start = w.day(date(past.year, 6, 1))
            await w.confirmed(
                w.ids.facility[x.facility_id], past.kind, w.ids.doctor[past.doctor_id], start, start
            )
