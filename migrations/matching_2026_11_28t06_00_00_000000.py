"""Workshops: tables ``workshop``, ``workshop_material``, ``workshop_attendee``,
``workshop_attendance``, ``workshop_test``, ``workshop_score`` and
``workshop_certificate``.

Hand-written, in SQL both SQLite and PostgreSQL accept but for the primary key's type.
Unique indexes carry the rules: one workshop per pairing, a person registered once,
one attendance mark per attendee and day, one test per phase, one score per attendee
and phase (a second submission is refused even when two arrive at once), one
certificate per attendee, certificate codes unique.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.postgres import PostgresEngine

ID = "2026-11-28T06:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "workshops: agenda, materials, attendees, attendance, tests, certificates"

TABLES = (
    "workshop_certificate",
    "workshop_score",
    "workshop_test",
    "workshop_attendance",
    "workshop_attendee",
    "workshop_material",
    "workshop",
)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="matching", description=DESCRIPTION)

    async def create() -> None:
        engine = engine_finder()
        assert engine is not None
        postgres = isinstance(engine, PostgresEngine)
        key = "SERIAL PRIMARY KEY" if postgres else "INTEGER PRIMARY KEY"
        now = " DEFAULT CURRENT_TIMESTAMP" if postgres else ""
        user = 'INTEGER NULL REFERENCES "app_user" ("id") ON DELETE SET NULL'
        statements = [
            f'CREATE TABLE "workshop" ("id" {key}, '
            '"pairing" INTEGER NOT NULL UNIQUE REFERENCES "proposal" ("id") ON DELETE CASCADE, '
            "\"agenda\" TEXT NOT NULL DEFAULT '', "
            "\"days\" TEXT NOT NULL DEFAULT '', "
            '"min_days" SMALLINT NULL, '
            f'"updated_by" {user}, '
            f'"created_at" TIMESTAMPTZ NOT NULL{now})',
            f'CREATE TABLE "workshop_material" ("id" {key}, '
            '"workshop" INTEGER NOT NULL REFERENCES "workshop" ("id") ON DELETE CASCADE, '
            "\"name\" VARCHAR(200) NOT NULL DEFAULT '', "
            "\"path\" VARCHAR(200) NOT NULL DEFAULT '', "
            "\"mime\" VARCHAR(40) NOT NULL DEFAULT '', "
            f'"uploaded_by" {user}, '
            f'"created_at" TIMESTAMPTZ NOT NULL{now})',
            'CREATE INDEX "workshop_material_workshop" ON "workshop_material" ("workshop")',
            f'CREATE TABLE "workshop_attendee" ("id" {key}, '
            '"workshop" INTEGER NOT NULL REFERENCES "workshop" ("id") ON DELETE CASCADE, '
            '"person" INTEGER NOT NULL REFERENCES "facility_person" ("id") ON DELETE CASCADE, '
            f'"registered_by" {user}, '
            f'"created_at" TIMESTAMPTZ NOT NULL{now})',
            'CREATE UNIQUE INDEX "workshop_attendee_person" '
            'ON "workshop_attendee" ("workshop", "person")',
            'CREATE INDEX "workshop_attendee_of_person" ON "workshop_attendee" ("person")',
            f'CREATE TABLE "workshop_attendance" ("id" {key}, '
            '"attendee" INTEGER NOT NULL '
            'REFERENCES "workshop_attendee" ("id") ON DELETE CASCADE, '
            '"day" DATE NOT NULL, '
            '"present" BOOLEAN NOT NULL DEFAULT FALSE, '
            f'"entered_by" {user}, '
            f'"entered_at" TIMESTAMPTZ NOT NULL{now})',
            'CREATE UNIQUE INDEX "workshop_attendance_day" '
            'ON "workshop_attendance" ("attendee", "day")',
            f'CREATE TABLE "workshop_test" ("id" {key}, '
            '"workshop" INTEGER NOT NULL REFERENCES "workshop" ("id") ON DELETE CASCADE, '
            "\"phase\" VARCHAR(4) NOT NULL DEFAULT '', "
            "\"questions\" TEXT NOT NULL DEFAULT '[]', "
            f'"written_by" {user}, '
            f'"updated_at" TIMESTAMPTZ NOT NULL{now})',
            'CREATE UNIQUE INDEX "workshop_test_phase" ON "workshop_test" ("workshop", "phase")',
            f'CREATE TABLE "workshop_score" ("id" {key}, '
            '"attendee" INTEGER NOT NULL '
            'REFERENCES "workshop_attendee" ("id") ON DELETE CASCADE, '
            "\"phase\" VARCHAR(4) NOT NULL DEFAULT '', "
            '"score" SMALLINT NOT NULL DEFAULT 0, '
            "\"source\" VARCHAR(6) NOT NULL DEFAULT '', "
            f'"entered_by" {user}, '
            f'"created_at" TIMESTAMPTZ NOT NULL{now})',
            'CREATE UNIQUE INDEX "workshop_score_phase" ON "workshop_score" ("attendee", "phase")',
            f'CREATE TABLE "workshop_certificate" ("id" {key}, '
            '"attendee" INTEGER NOT NULL UNIQUE '
            'REFERENCES "workshop_attendee" ("id") ON DELETE CASCADE, '
            "\"code\" VARCHAR(64) NOT NULL DEFAULT '', "
            '"days_present" INTEGER NOT NULL DEFAULT 0, '
            f'"issued_by" {user}, '
            f'"issued_at" TIMESTAMPTZ NOT NULL{now})',
            'CREATE UNIQUE INDEX "workshop_certificate_code" ON "workshop_certificate" ("code")',
        ]
        for statement in statements:
            await engine._run_in_new_connection(statement)

    async def drop() -> None:
        engine = engine_finder()
        assert engine is not None
        for table in TABLES:
            await engine._run_in_new_connection(f'DROP TABLE IF EXISTS "{table}"')

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
