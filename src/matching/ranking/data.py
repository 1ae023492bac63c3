"""Plain inputs of the ranking engine: one frozen dataclass per doctor and per need.

The loader turns database rows into these; the engine never sees the ORM.
Dates are calendar dates, both ends included. Weekly slots are in the owner's
own time zone (``WeeklyWindow`` from :mod:`matching.availability`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from matching.availability import DateRange, WeeklyWindow

Mode = Literal["mission", "mentorship", "training"]
Level = Literal["resident", "specialist", "consultant"]
Urgency = Literal["routine", "urgent", "critical"]
FacilityState = Literal["full", "partial", "none"]

MODES: tuple[str, ...] = ("mission", "mentorship", "training")


@dataclass(frozen=True, slots=True)
class DoctorInput:
    """One diaspora doctor, as the engine sees them.

    Attributes:
        id: the doctor's profile id.
        modes: what they offer, a subset of ``{"mission", "mentorship", "training"}``.
        languages: working languages, ISO 639-1 codes (``"ar"``, ``"en"``, ...).
        specialties: ``(taxonomy specialty code, level)`` pairs, level one of
            ``"resident"``, ``"specialist"``, ``"consultant"``.
        skills: taxonomy skill codes they ticked.
        free_text_skills: anything else they wrote about their skills, English or Arabic.
        years_experience: years of practice after qualification.
        country: country of residence (ISO 3166-1 alpha-2), for display.
        timezone: IANA time zone of ``weekly_slots``.
        travel_windows: dates they can travel (missions, in-person workshops).
        weekly_slots: weekly hours they can give remotely, in ``timezone``.
        max_mentees: mentees at once.
        current_mentees: mentees they already follow.
        hours_per_month: hours a month they offer (shown; not a hard rule yet).
        committed_missions: dates of missions they already committed to.
        licence_verified_until: expiry of their verified licence, ``None`` if they
            hold no verified licence.
        language_levels: ``(language code, level)`` pairs, level one of
            :data:`~matching.ranking.weights.LANGUAGE_LEVELS`; a language of
            ``languages`` missing here counts as ``fluent``.
        syria_permission_until: expiry of their verified permission to practise in
            Syria (registration or temporary permit), ``None`` if they hold none.
    """

    id: int
    modes: frozenset[str]
    languages: frozenset[str]
    specialties: tuple[tuple[str, str], ...]
    skills: tuple[str, ...] = ()
    free_text_skills: str = ""
    years_experience: int = 0
    country: str = ""
    timezone: str = "UTC"
    travel_windows: tuple[DateRange, ...] = ()
    weekly_slots: tuple[WeeklyWindow, ...] = ()
    max_mentees: int = 0
    current_mentees: int = 0
    hours_per_month: int = 0
    committed_missions: tuple[DateRange, ...] = ()
    licence_verified_until: date | None = None
    language_levels: tuple[tuple[str, str], ...] = ()
    syria_permission_until: date | None = None


@dataclass(frozen=True, slots=True)
class PastWork:
    """A doctor who worked with a facility before (a pairing that reached confirmed).

    Attributes:
        doctor_id: the doctor's profile id.
        kind: the need's kind then (``"mission"``, ``"mentorship"``, ``"training"``).
        year: the year of that work (its start, else when it was agreed).
        quality: feedback factor, 1 without feedback (see ``continuity`` in
            :mod:`matching.ranking.weights`).
    """

    doctor_id: int
    kind: str
    year: int
    quality: float = 1.0


@dataclass(frozen=True, slots=True)
class TeamRole:
    """One role of a team mission: ``count`` doctors of ``specialty`` (taxonomy code)."""

    specialty: str
    count: int = 1


@dataclass(frozen=True, slots=True)
class NeedInput:
    """One open need of a facility, as the engine sees it.

    Attributes:
        id: the need's id.
        facility_id: the facility that posted it.
        kind: ``"mission"`` (in person), ``"mentorship"`` (remote, weekly) or
            ``"training"`` (a workshop, in person or remote).
        specialty: taxonomy specialty code.
        skills: taxonomy skill codes wanted.
        description: free text, English or Arabic.
        required_languages: the doctor must speak at least one of these; empty
            means any language will do.
        requires_licence: the doctor must hold a verified licence valid through
            the need's last day (or today when the need has no dates).
        urgency: ``"routine"``, ``"urgent"`` or ``"critical"``.
        rural: the facility is in a rural district.
        facility_state: functional state of the facility, ``"full"``,
            ``"partial"`` or ``"none"``.
        places_left: doctors still wanted.
        period: mission or workshop dates; the mentorship's span. A mentorship
            without a period is checked over the 12 weeks starting today.
        min_coverage: fraction of the need's days a travel window must cover
            (missions and in-person workshops); 1.0 means every day.
        weekly_hours: mentorship hours per week the doctor and the local doctor
            must share.
        local_slots: the local doctor's weekly slots, in ``local_timezone``.
        local_timezone: IANA time zone of ``local_slots``.
        remote: a workshop given remotely (no travel dates needed).
        acceptable_specialties: the specialties a doctor must hold one of (the
            specialty floor, a hard rule); the need's own specialty is always
            among them. ``None`` (the default) takes the taxonomy's list for this
            specialty and kind of work
            (:meth:`matching.taxonomy.Taxonomy.acceptable_specialties`).
        any_specialty: any specialty is welcome (a general workshop): no floor.
        past_work: the facility's earlier mentors and mission doctors
            (:class:`PastWork`, one per doctor): the ``continuity`` signal.
        waited_runs: full runs in a row that gave the facility's open needs no
            proposal; the need weight is multiplied by
            :func:`matching.ranking.weights.fairness_multiplier` of it.
        roles: a team mission's roles (specialty and count each); filled all
            together or not at all. Empty (the default): one specialty x places.
        language_levels: ``(language code, minimum level)`` of the languages of
            ``required_languages`` that ask for a level; the others accept any level.
        district_closed: the facility's district is closed (access status set by a
            coordinator): in-person work there is not proposed (``district_open``).
    """

    id: int
    facility_id: int
    kind: str
    specialty: str
    skills: tuple[str, ...] = ()
    description: str = ""
    required_languages: frozenset[str] = frozenset()
    requires_licence: bool = False
    urgency: str = "routine"
    rural: bool = False
    facility_state: str = "full"
    places_left: int = 1
    period: DateRange | None = None
    min_coverage: float = 1.0
    weekly_hours: float = 0.0
    local_slots: tuple[WeeklyWindow, ...] = ()
    local_timezone: str = "Asia/Damascus"
    remote: bool = False
    acceptable_specialties: tuple[str, ...] | None = None
    any_specialty: bool = False
    past_work: tuple[PastWork, ...] = ()
    waited_runs: int = 0
    roles: tuple[TeamRole, ...] = ()
    language_levels: tuple[tuple[str, str], ...] = ()
    district_closed: bool = False

    @property
    def travels(self) -> bool:
        """The doctor must be there in person (a mission or an in-person workshop)."""
        return self.kind == "mission" or (self.kind == "training" and not self.remote)
