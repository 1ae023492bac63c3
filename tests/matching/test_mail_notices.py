"""Notifications read with their facility named in Arabic too, the names looked up by
the facilities domain (mail sits below facilities and is handed the lookup)."""

from __future__ import annotations

import json

from matching.facilities.names import arabic_names
from matching.mail.notices import with_facility_names
from tests.factories import make_facility


async def test_facility_gets_its_arabic_name_unless_already_stored(db: str) -> None:
    await make_facility(name="Al-Rastan National Hospital")
    rows = [
        {"id": 1, "params": json.dumps({"facility": "Al-Rastan National Hospital"})},
        {"id": 2, "params": {"facility": "Al-Rastan National Hospital", "facility_ar": "kept"}},
        {"id": 3, "params": {"facility": "A facility nobody registered"}},
        {"id": 4, "params": ""},
    ]

    out = await with_facility_names(rows, arabic_names)

    assert [r["params"] for r in out] == [
        {"facility": "Al-Rastan National Hospital", "facility_ar": "مشفى الرستن الوطني"},
        {"facility": "Al-Rastan National Hospital", "facility_ar": "kept"},
        {"facility": "A facility nobody registered"},
        {},
    ]
    assert rows[0]["params"] == json.dumps({"facility": "Al-Rastan National Hospital"})


async def test_no_lookup_when_no_facility_is_named(db: str) -> None:
    asked: list[list[str]] = []

    async def lookup(names):  # type: ignore[no-untyped-def]
        asked.append(sorted(names))
        return {}

    out = await with_facility_names([{"id": 1, "params": {"need": "x"}}], lookup)

    assert out == [{"id": 1, "params": {"need": "x"}}]
    assert asked == []
