"""A doctor's overview: what waits for their answer, what is agreed, what to complete.

Read in three queries (it is the page a doctor lands on after signing in): the
profile's flags with its counts, the doctor's reviewed pairings with their needs
and facilities, and the latest notifications.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from matching.accounts.services import Account
from matching.doctors.profile import ensure_profile
from matching.doctors.tables import (
    DoctorLanguage,
    DoctorProfile,
    DoctorSpecialty,
    Licence,
    LicenceState,
    TravelWindow,
    WeeklySlot,
)
from matching.facilities.names import arabic_names
from matching.facilities.tables import Facility, Need
from matching.i18n import N_
from matching.mail.notices import with_facility_names
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


async def _overview_row(user_id: int, today: date) -> dict[str, Any] | None:
    """The profile's flags with its counts and next travel window, in one query."""
    profile, language = DoctorProfile._meta.tablename, DoctorLanguage._meta.tablename
    specialty, slot = DoctorSpecialty._meta.tablename, WeeklySlot._meta.tablename
    licence, window = Licence._meta.tablename, TravelWindow._meta.tablename
    waiting = (LicenceState.UNVERIFIED.value, LicenceState.PENDING.value)
    next_window = (
        f"FROM {window} w WHERE w.doctor = p.id AND w.ends_on >= {{}} "
        "ORDER BY w.starts_on, w.id LIMIT 1"
    )
    parts: list[tuple[str, tuple[Any, ...]]] = [
        ("p.id, p.timezone, p.phone, p.offers_mission, p.offers_mentorship", ()),
        ("p.offers_training", ()),
        (f"(SELECT COUNT(*) FROM {language} x WHERE x.doctor = p.id) AS languages", ()),
        (f"(SELECT COUNT(*) FROM {specialty} x WHERE x.doctor = p.id) AS specialties", ()),
        (f"(SELECT COUNT(*) FROM {slot} x WHERE x.doctor = p.id) AS slots", ()),
        (f"(SELECT COUNT(*) FROM {licence} x WHERE x.doctor = p.id) AS licences", ()),
        (
            f"(SELECT COUNT(*) FROM {licence} x WHERE x.doctor = p.id AND x.state IN ({{}}, {{}}) "
            "AND x.expires_on >= {}) AS licences_pending",
            (*waiting, today),
        ),
        (
            f"(SELECT MAX(x.expires_on) FROM {licence} x WHERE x.doctor = p.id AND x.state = {{}} "
            "AND x.expires_on >= {}) AS verified_until",
            (LicenceState.VERIFIED.value, today),
        ),
        (f"(SELECT w.starts_on {next_window}) AS window_start", (today,)),
        (f"(SELECT w.ends_on {next_window}) AS window_end", (today,)),
    ]
    sql = (
        "SELECT "
        + ", ".join(text for text, _ in parts)
        + f' FROM {profile} p WHERE p."user" = {{}}'
    )
    values = [value for _, args in parts for value in args]
    rows = await DoctorProfile.raw(sql, *values, user_id).run()
    return rows[0] if rows else None


def _as_date(value: Any) -> date | None:
    """SQLite returns dates of raw queries as text."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


async def _pairings(profile_id: int) -> list[PairingSummary]:
    """The doctor's reviewed proposals with need and facility (raw: three tables, hot page)."""
    proposal, need = Proposal._meta.tablename, Need._meta.tablename
    facility = Facility._meta.tablename
    states = [AWAITING, *AGREED, *ENDED]
    rows = await Proposal.raw(
        "SELECT pr.id, pr.state, n.title, n.kind, n.starts_on, n.ends_on, "
        "f.name_en, f.name_ar "
        f"FROM {proposal} pr JOIN {need} n ON n.id = pr.need "
        f"JOIN {facility} f ON f.id = n.facility "
        f"WHERE pr.doctor = {{}} AND pr.state IN ({', '.join('{}' for _ in states)}) "
        "ORDER BY pr.id DESC",
        profile_id,
        *states,
    ).run()
    return [
        PairingSummary(
            proposal_id=r["id"],
            state=r["state"],
            need_title=r["title"],
            need_kind=r["kind"],
            starts_on=_as_date(r["starts_on"]),
            ends_on=_as_date(r["ends_on"]),
            facility_name_en=r["name_en"],
            facility_name_ar=r["name_ar"],
        )
        for r in rows
    ]


def _steps(row: dict[str, Any], has_window: bool) -> tuple[Step, ...]:
    profile_link = "/doctors/me/profile"
    offers_mission = bool(row["offers_mission"])
    offers_remote = bool(row["offers_mentorship"] or row["offers_training"])
    steps = [
        Step(N_("Add your specialties"), row["specialties"] > 0, profile_link + "#specialties"),
        Step(N_("Add the languages you work in"), row["languages"] > 0, profile_link),
        Step(N_("Say how you can help"), offers_mission or offers_remote, profile_link),
    ]
    if offers_mission:
        steps.append(
            Step(N_("Add dates when you can travel"), has_window, "/doctors/me/availability")
        )
    if offers_remote:
        steps.append(
            Step(
                N_("Add weekly hours for remote work"),
                row["slots"] > 0,
                "/doctors/me/availability",
            )
        )
    steps.append(Step(N_("Upload a licence"), row["licences"] > 0, "/doctors/me/licences"))
    steps.append(
        Step(N_("Give a phone number for confirmed pairings"), bool(row["phone"]), profile_link)
    )
    return tuple(steps)


async def doctor_dashboard(account: Account, today: date | None = None) -> DoctorDashboard:
    """The signed-in doctor's overview (creates the empty profile on first visit)."""
    today = today or date.today()
    row = await _overview_row(account.id, today)
    if row is None:
        await ensure_profile(account)
        row = await _overview_row(account.id, today)
        assert row is not None
    pairings = await _pairings(row["id"])
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
    start, end = _as_date(row["window_start"]), _as_date(row["window_end"])
    next_window = (start, end) if start and end else None
    return DoctorDashboard(
        full_name=account.full_name,
        timezone=row["timezone"],
        steps=_steps(row, next_window is not None),
        awaiting=tuple(p for p in pairings if p.state == AWAITING),
        agreed=tuple(p for p in pairings if p.state in AGREED),
        ended_count=sum(1 for p in pairings if p.state in ENDED),
        licence_verified_until=_as_date(row["verified_until"]),
        licences_pending=int(row["licences_pending"] or 0),
        next_window=next_window,
        weekly_slots=int(row["slots"] or 0),
        notifications=tuple(await with_facility_names(notifications, arabic_names)),
    )
