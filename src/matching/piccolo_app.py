"""The single Piccolo app: every table of the platform, migrations in ``migrations/``."""

from __future__ import annotations

from piccolo.conf.apps import AppConfig
from piccolo.table import Table

from matching.settings import PROJECT_ROOT


def all_tables() -> list[type[Table]]:
    """Every table, parents before children (the order migrations create them)."""
    from matching.accounts.tables import PasswordResetToken, User
    from matching.audit.tables import AuditEvent
    from matching.consent.tables import ConsentRecord
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
        NeedSkill,
    )
    from matching.mail.tables import Notification, OutboxMail
    from matching.pairings.tables import NeedInterest, Proposal, RankingRun
    from matching.signup.tables import PendingSignup

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
        RankingRun,
        Proposal,
        NeedInterest,
        AuditEvent,
        OutboxMail,
        Notification,
        ConsentRecord,
        PendingSignup,
    ]


APP_CONFIG = AppConfig(
    app_name="matching",
    migrations_folder_path=str(PROJECT_ROOT / "migrations"),
    table_classes=all_tables(),
    migration_dependencies=[],
    commands=[],
)
