"""Two coordinators close the same district at the same moment, on PostgreSQL, each
through their own connection (a transaction per task), 20 times: each keeps its own
history row, and the held mission's flags go out once."""

from __future__ import annotations

import asyncio

import pytest

from matching.districts.tables import DistrictAccess
from matching.mail.tables import Notification, OutboxMail
from matching.pairings import district_flags
from tests.districts.helpers import close, held_mission

TRIALS = 20


async def test_two_coordinators_close_the_same_district_at_once(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not db.startswith("postgres"):
        pytest.skip("a race between two connections is shown on PostgreSQL")
    s = await held_mission("confirmed")
    raced = 0
    original = district_flags.record_access

    async def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        nonlocal raced
        result = await original(*args, **kwargs)
        raced += result is None
        return result

    monkeypatch.setattr(district_flags, "record_access", counting)
    recipients = 4  # the doctor, the head, two coordinators
    for trial in range(TRIALS):
        await DistrictAccess.delete(force=True).run()
        await Notification.delete(force=True).run()
        await OutboxMail.delete(force=True).run()
        first, second = await asyncio.gather(
            close(s["coordinator"], note=f"trial {trial} A"),
            close(s["coordinator_ar"], note=f"trial {trial} B"),
        )
        rows = await DistrictAccess.select(DistrictAccess.seq, DistrictAccess.set_by).order_by(
            DistrictAccess.seq
        )
        assert [r["seq"] for r in rows] == [1, 2], trial
        assert {r["set_by"] for r in rows} == {s["coordinator"].id, s["coordinator_ar"].id}
        assert sorted([first.before, second.before]) == ["closed", "open"], trial
        assert sorted([len(first.flagged), len(second.flagged)]) == [0, 1], trial
        assert await Notification.count() == recipients, trial
        assert await OutboxMail.count() == recipients, trial
    print(f"\n{raced} of {TRIALS} trials had a writer refused by (district, seq) and retried")
