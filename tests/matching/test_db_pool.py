"""The PostgreSQL pool releases connections without asyncpg's reset round trip,
and still never hands out a connection inside somebody's transaction."""

from __future__ import annotations

import pytest

from matching.accounts.tables import Role, User
from matching.db import current_engine, start_pool
from tests.factories import make_account


async def test_pool_skips_the_reset_query_but_rolls_back_open_transactions(db: str) -> None:
    if db.startswith("sqlite"):
        pytest.skip("SQLite has no connection pool")
    engine = current_engine()
    await start_pool(engine, min_size=1, max_size=1)  # one connection: the same each time
    try:
        pool = engine.pool
        async with pool.acquire() as connection:
            await connection.execute("SET application_name = 'kept'")
        async with pool.acquire() as connection:
            # asyncpg's default reset (RESET ALL) would have cleared it: no reset ran.
            assert await connection.fetchval("SHOW application_name") == "kept"
            await connection.execute("RESET application_name")

        await make_account(Role.DOCTOR, email="kept@example.org")
        async with pool.acquire() as connection:
            await connection.execute("BEGIN")
            await connection.execute("DELETE FROM app_user")
            # released inside the transaction, as a crashed handler would leave it
        async with pool.acquire() as connection:
            assert not connection.is_in_transaction()
        assert await User.count().where(User.email == "kept@example.org") == 1
    finally:
        await engine.close_connection_pool()
