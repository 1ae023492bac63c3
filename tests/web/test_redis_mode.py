"""With REDIS_URL set: sessions live in Redis and /health reports the queue."""

from __future__ import annotations

from dataclasses import replace

from litestar.testing import AsyncTestClient
from redis.asyncio import Redis

from matching.accounts.tables import Role
from matching.settings import Settings
from tests.factories import login, make_account
from tests.services import TEST_REDIS_URL


async def test_sessions_are_kept_in_redis(settings: Settings, redis: Redis) -> None:
    from web.app import create_app

    app = create_app(replace(settings, redis_url=TEST_REDIS_URL))
    async with AsyncTestClient(app=app, base_url="http://127.0.0.1:8000") as client:
        health = await client.get("/health")
        assert health.json()["queue"] == "ok"
        account = await make_account(Role.DOCTOR)
        await login(client, account)
        session_id = client.cookies.get("session")
        keys = [k.decode() for k in await redis.keys(f"*{session_id}*")]
        assert keys, "the session should be stored in Redis"
        assert (await client.get("/api/session")).json()["email"] == account.email
        await redis.delete(*keys)
        assert (await client.get("/api/session")).status_code == 401, "session gone with its key"
