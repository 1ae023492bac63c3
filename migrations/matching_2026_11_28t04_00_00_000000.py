"""Mentorship session by session: tables ``person_invitation`` (a local clinician's
account invitation, owned by ``matching.people``), ``mentorship_session`` and
``mentorship_goal``, and each side's "done" on ``mentorship``.

Hand-written, in SQL both SQLite and PostgreSQL accept but for the primary key's type.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.postgres import PostgresEngine

ID = "2026-11-28T04:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "person invitations, mentorship sessions and goals"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="matching", description=DESCRIPTION)

    async def create() -> None:
        engine = engine_finder()
        assert engine is not None
        postgres = isinstance(engine, PostgresEngine)
        key = "SERIAL PRIMARY KEY" if postgres else "INTEGER PRIMARY KEY"
        now = " DEFAULT CURRENT_TIMESTAMP" if postgres else ""
        statements = [
            f'CREATE TABLE "person_invitation" ("id" {key}, '
            '"person" INTEGER NOT NULL REFERENCES "facility_person" ("id") ON DELETE CASCADE, '
            "\"email\" VARCHAR(254) NOT NULL DEFAULT '', "
            "\"language\" VARCHAR(2) NOT NULL DEFAULT 'ar', "
            '"token_hash" VARCHAR(64) NOT NULL UNIQUE, '
            '"invited_by" INTEGER NULL REFERENCES "app_user" ("id") ON DELETE SET NULL, '
            '"expires_at" TIMESTAMPTZ NOT NULL, '
            '"accepted_at" TIMESTAMPTZ NULL, '
            f'"created_at" TIMESTAMPTZ NOT NULL{now})',
            'CREATE INDEX "person_invitation_person" ON "person_invitation" ("person")',
            'ALTER TABLE "mentorship" ADD COLUMN "doctor_done_at" TIMESTAMPTZ NULL',
            'ALTER TABLE "mentorship" ADD COLUMN "facility_done_at" TIMESTAMPTZ NULL',
            'ALTER TABLE "mentorship" ADD COLUMN "started_by" INTEGER NULL '
            'REFERENCES "app_user" ("id") ON DELETE SET NULL',
            f'CREATE TABLE "mentorship_session" ("id" {key}, '
            '"mentorship" INTEGER NOT NULL REFERENCES "mentorship" ("id") ON DELETE CASCADE, '
            '"starts_at" TIMESTAMPTZ NOT NULL, '
            '"ends_at" TIMESTAMPTZ NOT NULL, '
            "\"status\" VARCHAR(10) NOT NULL DEFAULT 'planned', "
            '"minutes" SMALLINT NULL, '
            "\"missed_by\" VARCHAR(10) NOT NULL DEFAULT '', "
            '"moved_to" INTEGER NULL, '
            '"moved_from" INTEGER NULL, '
            '"entered_by" INTEGER NULL REFERENCES "app_user" ("id") ON DELETE SET NULL, '
            '"entered_at" TIMESTAMPTZ NULL, '
            f'"created_at" TIMESTAMPTZ NOT NULL{now})',
            'CREATE INDEX "mentorship_session_when" ON "mentorship_session" '
            '("mentorship", "starts_at")',
            'CREATE INDEX "mentorship_session_status" ON "mentorship_session" '
            '("status", "starts_at")',
            f'CREATE TABLE "mentorship_goal" ("id" {key}, '
            '"mentorship" INTEGER NOT NULL REFERENCES "mentorship" ("id") ON DELETE CASCADE, '
            '"position" SMALLINT NOT NULL DEFAULT 0, '
            "\"text\" TEXT NOT NULL DEFAULT '', "
            "\"outcome\" VARCHAR(14) NOT NULL DEFAULT '', "
            "\"note\" TEXT NOT NULL DEFAULT '', "
            '"reviewed_by" INTEGER NULL REFERENCES "app_user" ("id") ON DELETE SET NULL, '
            '"reviewed_at" TIMESTAMPTZ NULL)',
            'CREATE INDEX "mentorship_goal_mentorship" ON "mentorship_goal" ("mentorship")',
        ]
        for statement in statements:
            await engine._run_in_new_connection(statement)

    async def drop() -> None:
        engine = engine_finder()
        assert engine is not None
        for table in ("mentorship_goal", "mentorship_session", "person_invitation"):
            await engine._run_in_new_connection(f'DROP TABLE IF EXISTS "{table}"')
        for column in ("started_by", "facility_done_at", "doctor_done_at"):
            await engine._run_in_new_connection(f'ALTER TABLE "mentorship" DROP COLUMN "{column}"')

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
