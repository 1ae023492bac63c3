"""Sign-up links under concurrency: of two uses at once, exactly one creates the account."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from datetime import UTC, datetime, timedelta

import pytest

from matching.accounts.passwords import hash_password
from matching.accounts.tables import User
from matching.consent.notice import NOTICE_VERSION
from matching.consent.tables import ConsentRecord
from matching.errors import Conflict
from matching.signup.services import confirm_signup
from matching.signup.tables import PendingSignup

TRIALS = 20


async def _pending(email: str, password_hash: str) -> str:
    token = secrets.token_urlsafe(32)
    await PendingSignup.insert(
        PendingSignup(
            email=email,
            full_name="Dr. Race",
            password_hash=password_hash,
            language="en",
            notice_version=NOTICE_VERSION,
            token_hash=hashlib.sha256(token.encode()).hexdigest(),
            expires_at=datetime.now(UTC) + timedelta(hours=1),
        )
    ).run()
    return token


async def test_two_uses_of_one_link_at_once_create_one_account(db: str) -> None:
    if not db.startswith("postgres"):
        pytest.skip("a race needs two connections: PostgreSQL")
    password_hash = hash_password("a-long-enough-password")
    outcomes: list[tuple[int, int]] = []
    for trial in range(TRIALS):
        token = await _pending(f"race{trial}@example.org", password_hash)
        results = await asyncio.gather(
            confirm_signup(token), confirm_signup(token), return_exceptions=True
        )
        won = [r for r in results if not isinstance(r, BaseException)]
        lost = [r for r in results if isinstance(r, Conflict)]
        outcomes.append((len(won), len(lost)))
    assert outcomes == [(1, 1)] * TRIALS, outcomes
    assert await User.count() == TRIALS
    assert await ConsentRecord.count() == TRIALS
    assert await PendingSignup.count() == 0
    print(f"{TRIALS} trials, two concurrent uses each: 1 account and 1 refusal every time")
