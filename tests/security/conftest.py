"""Fixtures for the security tests: the two worlds and one signed-in client per role
(the worlds and the clients themselves are in ``worlds.py``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from matching.settings import Settings
from tests.security.worlds import ANONYMOUS, BASE_URL, ROLES, RoleClients, Worlds, make_worlds


@pytest.fixture
async def worlds(db: str, settings: Settings) -> Worlds:
    return await make_worlds(settings.uploads_dir)


@pytest.fixture
def roomy_settings(settings: Settings) -> Settings:
    """Settings whose login limit does not trip while one test signs in many times."""
    return replace(settings, login_attempts_per_minute=100_000)


@pytest.fixture
def roomy_app(roomy_settings: Settings) -> Litestar:
    from web.app import create_app

    return create_app(roomy_settings)


@pytest.fixture
async def role_clients(roomy_app: Litestar, worlds: Worlds) -> AsyncIterator[RoleClients]:
    """Every role signed in (the anonymous one only holds a CSRF cookie)."""
    async with AsyncTestClient(app=roomy_app, base_url=BASE_URL) as client:
        clients = RoleClients(client)
        for role in ROLES:
            if role == ANONYMOUS:
                await clients.request(role, "GET", "/login")
            else:
                await clients.sign_in(role, worlds.accounts[role])
        yield clients
