"""The single Piccolo app: every table of the platform, migrations in ``migrations/``."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from piccolo.conf.apps import AppConfig
from piccolo.table import Table

from matching.accounts.tables import PasswordResetToken, User
from matching.audit.tables import AuditEvent
from matching.cases.tables import CaseDiscussion, CaseImage
from matching.consent.tables import ConsentRecord
from matching.districts.tables import DistrictAccess
from matching.doctors.tables import (
    DoctorLanguage,
    DoctorProfile,
    DoctorSkill,
    DoctorSpecialty,
    Licence,
    TravelWindow,
    WeeklySlot,
)
from matching.facilities.tables import (
    Facility,
    FacilityHead,
    Invitation,
    LocalSlot,
    Need,
    NeedRole,
    NeedSkill,
)
from matching.feedback.tables import PairingFeedback
from matching.mail.tables import Notification, OutboxMail
from matching.mentorship.tables import Mentorship, MentorshipGoal, MentorshipSession
from matching.missions.tables import MissionItem, MissionReport
from matching.pairings.tables import NeedInterest, Proposal, RankingRun, RemoteOffer
from matching.people.tables import FacilityPerson, PersonInvitation
from matching.reminders.tables import ReminderDigest, ReminderItemSent
from matching.services.tables import FacilityService
from matching.settings import PROJECT_ROOT
from matching.signup.tables import PendingSignup
from matching.workshops.tables import (
    Workshop,
    WorkshopAttendance,
    WorkshopAttendee,
    WorkshopCertificate,
    WorkshopMaterial,
    WorkshopScore,
    WorkshopTest,
)


def migrations_folder() -> Path:
    """The ``migrations/`` folder: the checkout's, or the one installed with the package."""
    checkout = PROJECT_ROOT / "migrations"
    if (PROJECT_ROOT / "pyproject.toml").is_file():
        return checkout
    spec = importlib.util.find_spec("migrations")
    if spec is None or not spec.submodule_search_locations:
        return checkout  # missing: matching.migrate names it
    return Path(next(iter(spec.submodule_search_locations)))


def all_tables() -> list[type[Table]]:
    """Every table, parents before children (the order migrations create them)."""
    return [
        User,
        PasswordResetToken,
        DoctorProfile,
        DoctorLanguage,
        DoctorSpecialty,
        DoctorSkill,
        Licence,
        TravelWindow,
        WeeklySlot,
        Facility,
        FacilityHead,
        Invitation,
        Need,
        NeedSkill,
        LocalSlot,
        NeedRole,
        RankingRun,
        Proposal,
        NeedInterest,
        FacilityPerson,
        PairingFeedback,
        Mentorship,
        ReminderDigest,
        ReminderItemSent,
        AuditEvent,
        OutboxMail,
        Notification,
        ConsentRecord,
        PendingSignup,
        DistrictAccess,
        RemoteOffer,
        FacilityService,
        Workshop,
        WorkshopMaterial,
        WorkshopAttendee,
        WorkshopAttendance,
        WorkshopTest,
        WorkshopScore,
        WorkshopCertificate,
        CaseDiscussion,
        CaseImage,
        MissionItem,
        MissionReport,
        PersonInvitation,
        MentorshipSession,
        MentorshipGoal,
    ]


APP_CONFIG = AppConfig(
    app_name="matching",
    migrations_folder_path=str(migrations_folder()),
    table_classes=all_tables(),
    migration_dependencies=[],
    commands=[],
)
