"""A change log of doctors' ranking data, kept by database triggers.

The ranking worker keeps every doctor's prepared arrays in memory between jobs
and refreshes only the doctors whose data changed. The database tells it which,
whoever made the change (a doctor's form, a coordinator verifying a licence,
account deletion, a bulk import): every INSERT, UPDATE or DELETE on a doctor
table records the doctor's id in ``doctor_change`` with the next value of the
single counter ``doctor_data_version.version``.

Ordering: the trigger bumps the counter row, which stays locked until its
transaction ends, so a later change gets a higher ``seq`` only once the earlier
one is committed. A reader who sees ``seq = m`` therefore sees every change with
``seq < m`` too, and "every doctor with ``seq`` > my cursor" misses nothing.

PostgreSQL: one statement-level trigger per table and event, reading the
statement's transition tables (a ``COPY`` of a million rows bumps the counter
once). SQLite: row-level triggers (SQLite has no statement-level ones).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.postgres import PostgresEngine

ID = "2026-11-27T20:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "doctor change log kept by triggers (ranking worker cache)"

#: table -> its column naming the doctor profile
DOCTOR_TABLES = {
    "doctor_profile": "id",
    "doctor_language": "doctor",
    "doctor_specialty": "doctor",
    "doctor_skill": "doctor",
    "licence": "doctor",
    "travel_window": "doctor",
    "weekly_slot": "doctor",
}
EVENTS = ("insert", "update", "delete")

TABLES = (
    'CREATE TABLE "doctor_data_version" ("id" INTEGER PRIMARY KEY, "version" BIGINT NOT NULL)',
    'INSERT INTO "doctor_data_version" ("id", "version") VALUES (1, 0)',
    'CREATE TABLE "doctor_change" ("doctor_id" INTEGER PRIMARY KEY, "seq" BIGINT NOT NULL)',
    'CREATE INDEX "doctor_change_seq" ON "doctor_change" ("seq")',
)

POSTGRES_FUNCTION = """
CREATE FUNCTION homs_doctor_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    v bigint;
    upsert text := 'INSERT INTO doctor_change (doctor_id, seq) '
        'SELECT DISTINCT %1$I, $1 FROM %2$I WHERE %1$I IS NOT NULL '
        'ON CONFLICT (doctor_id) DO UPDATE SET seq = EXCLUDED.seq';
BEGIN
    UPDATE doctor_data_version SET version = version + 1 WHERE id = 1 RETURNING version INTO v;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        EXECUTE format(upsert, TG_ARGV[0], 'changed_new') USING v;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        EXECUTE format(upsert, TG_ARGV[0], 'changed_old') USING v;
    END IF;
    RETURN NULL;
END
$$
"""


def _postgres_trigger(table: str, column: str, event: str) -> str:
    referencing = {
        "insert": "NEW TABLE AS changed_new",
        "update": "OLD TABLE AS changed_old NEW TABLE AS changed_new",
        "delete": "OLD TABLE AS changed_old",
    }[event]
    return (
        f'CREATE TRIGGER "{table}_changed_{event}" AFTER {event.upper()} ON "{table}" '
        f"REFERENCING {referencing} FOR EACH STATEMENT "
        f"EXECUTE FUNCTION homs_doctor_changed('{column}')"
    )


def _sqlite_trigger(table: str, column: str, event: str) -> str:
    rows = {"insert": ("NEW",), "update": ("OLD", "NEW"), "delete": ("OLD",)}[event]
    record = " ".join(
        'INSERT INTO "doctor_change" ("doctor_id", "seq") '
        f'SELECT {row}."{column}", "version" FROM "doctor_data_version" '
        f'WHERE "id" = 1 AND {row}."{column}" IS NOT NULL '
        'ON CONFLICT ("doctor_id") DO UPDATE SET "seq" = excluded."seq";'
        for row in rows
    )
    return (
        f'CREATE TRIGGER "{table}_changed_{event}" AFTER {event.upper()} ON "{table}" '
        'BEGIN UPDATE "doctor_data_version" SET "version" = "version" + 1 WHERE "id" = 1; '
        f"{record} END"
    )


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="matching", description=DESCRIPTION)

    async def create() -> None:
        engine = engine_finder()
        assert engine is not None
        postgres = isinstance(engine, PostgresEngine)
        statements = list(TABLES)
        if postgres:
            statements.append(POSTGRES_FUNCTION)
        for table, column in DOCTOR_TABLES.items():
            for event in EVENTS:
                make = _postgres_trigger if postgres else _sqlite_trigger
                statements.append(make(table, column, event))
        for statement in statements:
            await engine._run_in_new_connection(statement)

    async def drop() -> None:
        engine = engine_finder()
        assert engine is not None
        postgres = isinstance(engine, PostgresEngine)
        for table in DOCTOR_TABLES:
            for event in EVENTS:
                on = f' ON "{table}"' if postgres else ""
                await engine._run_in_new_connection(
                    f'DROP TRIGGER IF EXISTS "{table}_changed_{event}"{on}'
                )
        if postgres:
            await engine._run_in_new_connection("DROP FUNCTION IF EXISTS homs_doctor_changed()")
        for name in ("doctor_change", "doctor_data_version"):
            await engine._run_in_new_connection(f'DROP TABLE IF EXISTS "{name}"')

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
