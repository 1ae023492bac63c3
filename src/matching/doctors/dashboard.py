"""A doctor's overview: what waits for their answer, what is agreed, what to complete.

Read in a handful of queries (it is the page a doctor lands on after signing
in): the profile row, one query of counts, the doctor's reviewed pairings with
their needs and facilities, and the latest notifications.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from matching.accounts.services import Account
from matching.doctors.services import ensure_profile
from matching.doctors.tables import (
    DoctorLanguage,
    DoctorProfile,
    DoctorSpecialty,
    Licence,
    LicenceState,
    TravelWindow,
    WeeklySlot,
)
from matching.i18n import N_
from matching.mail.tables import Notification
from matching.pairings.tables import Proposal, ProposalState

AWAITING = ProposalState.APPROVED.value
AGREED = (ProposalState.ACCEPTED.value, ProposalState.CONFIRMED.value)
ENDED = (ProposalState.DECLINED.value, ProposalState.WITHDRAWN.value)


@dataclass(frozen=True, slots=True)
class Step:
    """One thing the ranking needs from the doctor, done or not, and where to do it."""

    title: str  # msgid
    done: bool
    link: str


@dataclass(frozen=True, slots=True)
class PairingSummary:
    proposal_id: int
    state: str
    need_title: str
    need_kind: str
    starts_on: date | None
    ends_on: date | None
    facility_name_en: str
    facility_name_ar: str


@dataclass(frozen=True, slots=True)
class DoctorDashboard:
    full_name: str
    timezone: str
    steps: tuple[Step, ...]
    awaiting: tuple[PairingSummary, ...]
    agreed: tuple[PairingSummary, ...]
    ended_count: int
    licence_verified_until: date | None
    licences_pending: int
    next_window: tuple[date, date] | None
    weekly_slots: int
    notifications: tuple[dict[str, Any], ...]

    @property
    def steps_left(self) -> int:
        return sum(1 for step in self.steps if not step.done)


async def _counts(profile_id: int, today: date) -> dict[str, Any]:
    """Languages, specialties, slots, licences and the next travel window, in one query."""
    language, specialty = DoctorLanguage._meta.tablename, DoctorSpecialty._meta.tablename
    slot, licence = WeeklySlot._meta.tablename, Licence._meta.tablename
    window = TravelWindow._meta.tablename
    waiting = (LicenceState.UNVERIFIED.value, LicenceState.PENDING.value)
    parts: list[tuple[str, tuple[Any, ...]]] = [
        (f"(SELECT COUNT(*) FROM {language} WHERE doctor = {{}}) AS languages", (profile_id,)),
        (f"(SELECT COUNT(*) FROM {specialty} WHERE doctor = {{}}) AS specialties", (profile_id,)),
        (f"(SELECT COUNT(*) FROM {slot} WHERE doctor = {{}}) AS slots", (profile_id,)),
        (f"(SELECT COUNT(*) FROM {licence} WHERE doctor = {{}}) AS licences", (profile_id,)),
        (
            f"(SELECT COUNT(*) FROM {licence} WHERE doctor = {{}} AND state IN ({{}}, {{}}) "
            "AND expires_on >= {}) AS licences_pending",
            (profile_id, *waiting, today),
        ),
        (
            f"(SELECT MAX(expires_on) FROM {licence} WHERE doctor = {{}} AND state = {{}} "
            "AND expires_on >= {}) AS verified_until",
            (profile_id, LicenceState.VERIFIED.value, today),
        ),
        (
            f"(SELECT MIN(starts_on) FROM {window} WHERE doctor = {{}} AND ends_on >= {{}}) "
            "AS next_window_start",
            (profile_id, today),
        ),
    ]
    sql = "SELECT " + ", ".join(text for text, _ in parts)
    values = [value for _, args in parts for value in args]
    rows = await DoctorProfile.raw(sql, *values).run()
    return rows[0]


async def _next_window(profile_id: int, starts_on: Any) -> tuple[date, date] | None:
    if starts_on is None:
        return None
    row = (
        await TravelWindow.select(TravelWindow.starts_on, TravelWindow.ends_on)
        .where((TravelWindow.doctor == profile_id) & (TravelWindow.starts_on == starts_on))
        .first()
        .run()
    )
    return (row["starts_on"], row["ends_on"]) if row else None


def _as_date(value: Any) -> date | None:
    """SQLite returns aggregate dates as text."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


async def _pairings(profile_id: int) -> list[PairingSummary]:
    rows = (
        await Proposal.select(
            Proposal.id,
            Proposal.state,
            Proposal.need.title.as_alias("need_title"),
            Proposal.need.kind.as_alias("need_kind"),
            Proposal.need.starts_on.as_alias("starts_on"),
            Proposal.need.ends_on.as_alias("ends_on"),
            Proposal.need.facility.name_en.as_alias("facility_name_en"),
            Proposal.need.facility.name_ar.as_alias("facility_name_ar"),
        )
        .where((Proposal.doctor == profile_id) & Proposal.state.is_in([AWAITING, *AGREED, *ENDED]))
        .order_by(Proposal.id, ascending=False)
        .run()
    )
    return [
        PairingSummary(
            proposal_id=r["id"],
            state=r["state"],
            need_title=r["need_title"],
            need_kind=r["need_kind"],
            starts_on=r["starts_on"],
            ends_on=r["ends_on"],
            facility_name_en=r["facility_name_en"],
            facility_name_ar=r["facility_name_ar"],
        )
        for r in rows
    ]


def _steps(profile: dict[str, Any], counts: dict[str, Any], has_window: bool) -> tuple[Step, ...]:
    profile_link = "/doctors/me/profile"
    offers_remote = profile["offers_mentorship"] or profile["offers_training"]
    steps = [
        Step(N_("Add your specialties"), counts["specialties"] > 0, profile_link + "#specialties"),
        Step(N_("Add the languages you work in"), counts["languages"] > 0, profile_link),
        Step(
            N_("Say how you can help"),
            bool(profile["offers_mission"] or offers_remote),
            profile_link,
        ),
    ]
    if profile["offers_mission"]:
        steps.append(
            Step(N_("Add dates when you can travel"), has_window, "/doctors/me/availability")
        )
    if offers_remote:
        steps.append(
            Step(
                N_("Add weekly hours for remote work"),
                counts["slots"] > 0,
                "/doctors/me/availability",
            )
        )
    steps.append(Step(N_("Upload a licence"), counts["licences"] > 0, "/doctors/me/licences"))
    steps.append(
        Step(N_("Give a phone number for confirmed pairings"), bool(profile["phone"]), profile_link)
    )
    return tuple(steps)


async def doctor_dashboard(account: Account, today: date | None = None) -> DoctorDashboard:
    """The signed-in doctor's overview (creates the empty profile on first visit)."""
    today = today or date.today()
    profile_id = await ensure_profile(account)
    profile = (
        await DoctorProfile.select(
            DoctorProfile.timezone,
            DoctorProfile.phone,
            DoctorProfile.offers_mission,
            DoctorProfile.offers_mentorship,
            DoctorProfile.offers_training,
        )
        .where(DoctorProfile.id == profile_id)
        .first()
        .run()
    )
    counts = await _counts(profile_id, today)
    next_window = await _next_window(profile_id, counts["next_window_start"])
    pairings = await _pairings(profile_id)
    notifications = (
        await Notification.select(
            Notification.message, Notification.params, Notification.link, Notification.created_at
        )
        .where(Notification.user == account.id)
        .order_by(Notification.id, ascending=False)
        .limit(5)
        .output(load_json=True)
        .run()
    )
    return DoctorDashboard(
        full_name=account.full_name,
        timezone=profile["timezone"],
        steps=_steps(profile, counts, next_window is not None),
        awaiting=tuple(p for p in pairings if p.state == AWAITING),
        agreed=tuple(p for p in pairings if p.state in AGREED),
        ended_count=sum(1 for p in pairings if p.state in ENDED),
        licence_verified_until=_as_date(counts["verified_until"]),
        licences_pending=int(counts["licences_pending"] or 0),
        next_window=next_window,
        weekly_slots=int(counts["slots"] or 0),
        notifications=tuple(notifications),
    )
