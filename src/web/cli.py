"""Command line: ``python -m web {serve,migrate,demo-data,create-user,outbox}``.

Configuration and migration problems print one clear line and exit 2.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from urllib.parse import urlsplit

from matching.settings import ConfigError, load_settings


class StartupError(RuntimeError):
    """A problem the command reports in one line (its real cause), exit status 2."""


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2


def _database_name(url: str) -> str:
    """The database URL without its password, for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return parts._replace(netloc=f"{parts.username}@{host}{port}").geturl()


async def _with_database(coro_factory):  # type: ignore[no-untyped-def]
    from matching.db import make_engine, use_engine

    settings = load_settings()
    use_engine(make_engine(settings.database_url))
    return await coro_factory()


def _run_on_database(coro_factory):  # type: ignore[no-untyped-def]
    """Run ``coro_factory()`` on the configured database; known failures become StartupError.

    Each message names its real cause: the package's migrations missing, the
    database not migrated, the database server unreachable, or refusing us.
    """
    from matching.migrate import DatabaseNotMigrated, MigrationsMissing

    where = _database_name(load_settings().database_url)
    try:
        return asyncio.run(_with_database(coro_factory))
    except (DatabaseNotMigrated, MigrationsMissing) as exc:
        raise StartupError(str(exc)) from exc
    except (ConnectionError, TimeoutError, OSError) as exc:
        raise StartupError(f"the database at {where} cannot be reached: {exc}") from exc
    except Exception as exc:
        if type(exc).__module__.startswith("asyncpg"):  # refused: no such database, auth
            raise StartupError(f"the database at {where} refused the connection: {exc}") from exc
        raise


def cmd_migrate(_: argparse.Namespace) -> int:
    from matching.migrate import apply_migrations

    count = _run_on_database(apply_migrations)
    print(f"migrations: {count} applied" if count else "migrations: database is up to date")
    return 0


def cmd_demo(_: argparse.Namespace) -> int:
    from matching.demo import DEMO_LOGINS, load_demo_data
    from matching.migrate import ensure_migrated

    async def migrated_then_load() -> bool:
        await ensure_migrated()
        return await load_demo_data()

    loaded = _run_on_database(migrated_then_load)
    print("demo data loaded" if loaded else "demo data already present")
    print("demo logins (password for all: see below):")
    for login in DEMO_LOGINS:
        print(f"  {login.role:<70} {login.email}  /  {login.password}")
    return 0


def cmd_create_user(args: argparse.Namespace) -> int:
    from matching.accounts.services import create_account
    from matching.accounts.tables import Role
    from matching.errors import ValidationFailed
    from matching.migrate import ensure_migrated

    password = os.environ.get("NEW_USER_PASSWORD")
    if not password:
        try:
            password = getpass.getpass("Password: ")
        except EOFError:
            return _fail("no password given: set NEW_USER_PASSWORD or type it at the prompt")

    async def migrated_then_create():  # type: ignore[no-untyped-def]
        await ensure_migrated()
        return await create_account(
            email=args.email,
            full_name=args.name,
            password=password,
            role=Role(args.role),
            language=args.language,
        )

    try:
        account = _run_on_database(migrated_then_create)
    except ValidationFailed as exc:
        return _fail(exc.message)
    print(f"created {account.role.value} {account.email} (id {account.id})")
    return 0


def cmd_outbox(args: argparse.Namespace) -> int:
    """Print one queued message in full (secrets included) for the operator.

    The outbox page masks reset and invitation links; in the embedded default
    (no SMTP) the person at the machine hands a link to its addressee.
    """
    from matching.errors import NotFound
    from matching.mail.delivery import get_mail_in_full

    try:
        mail = asyncio.run(_with_database(lambda: get_mail_in_full(args.id)))
    except NotFound as exc:
        return _fail(exc.message)
    print(f"To: {mail['recipient']}\nSubject: {mail['subject']}\n\n{mail['body_text']}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from matching.migrate import ensure_migrated

    if args.workers > 1 and not load_settings().redis_url:
        # Rate limits count per process without Redis, and each process would run the jobs.
        return _fail("--workers: more than one process needs REDIS_URL")
    _run_on_database(ensure_migrated)
    uvicorn.run(
        "web.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        proxy_headers=False,
        log_level="info",
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m web", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the platform with uvicorn")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(handler=cmd_serve)
    commands.add_parser("migrate", help="apply database migrations").set_defaults(
        handler=cmd_migrate
    )
    commands.add_parser("demo-data", help="load the demo data").set_defaults(handler=cmd_demo)
    create = commands.add_parser("create-user", help="create a coordinator or admin")
    create.add_argument("--role", choices=["coordinator", "admin"], required=True)
    create.add_argument("--email", required=True)
    create.add_argument("--name", required=True)
    create.add_argument("--language", choices=["en", "ar"], default="en")
    create.set_defaults(handler=cmd_create_user)
    outbox = commands.add_parser("outbox", help="print one outbox message in full")
    outbox.add_argument("id", type=int)
    outbox.set_defaults(handler=cmd_outbox)
    args = parser.parse_args(argv)
    try:
        load_settings()
        return int(args.handler(args))
    except (ConfigError, StartupError) as exc:
        return _fail(str(exc))


if __name__ == "__main__":
    sys.exit(main())
