"""The mentorship page and its actions through the real app, on both engines: start by
the head, marks by each side, refusals shown on the page with nothing changed, the
calendar file, completion and feedback, both languages."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from icalendar import Calendar
from litestar.testing import AsyncTestClient

from matching.accounts.services import Account
from matching.mentorship.services import sessions_of
from matching.mentorship.tables import Mentorship, MentorshipSession
from tests.factories import login as sign_in
from tests.factories import make_facility, make_head, post_form
from tests.mentorship.helpers import confirmed_mentorship
from tests.pages import arabic_on_page, english_on_page, switch_language

# Sessions in the past, so that they can be marked.
PAST_START = date.today() - timedelta(days=35)


async def login(client: AsyncTestClient, account: Account) -> None:
    """Sign in and read the pages in English (the scene's head and mentee read Arabic)."""
    await sign_in(client, account)
    await switch_language(client, "en")


async def _snapshot(mentorship_id: int) -> list[tuple]:
    return [(s.id, s.status, s.minutes, s.missed_by) for s in await sessions_of(mentorship_id)]


async def test_head_starts_the_mentorship_on_the_page(client: AsyncTestClient) -> None:
    world = await confirmed_mentorship(start=False)
    url = f"/mentorships/{world['proposal']}"
    await login(client, world["doctor"])
    page = await client.get(url + "/")
    assert page.status_code == 200 and "chooses the mentee" in page.text
    await login(client, world["head"])
    page = await client.get(url + "/")
    assert "Start the mentorship" in page.text and "Dr. Ahmad Shami" in page.text
    bad = await post_form(
        client,
        url + "/start",
        {"mentee_id": "", "starts_on": "2026-03-02", "ends_on": "2026-02-01", "goals": "Triage"},
    )
    assert bad.status_code == 422
    assert (
        "choose a person of this facility" in bad.text
        and "must be after the start date" in bad.text
    )
    assert ">Triage</textarea>" in bad.text
    assert await Mentorship.count().run() == 0
    started = await post_form(
        client,
        url + "/start",
        {
            "mentee_id": str(world["person"].id),
            "starts_on": "2026-03-02",
            "ends_on": "2026-05-01",
            "goals": "Triage\nNeonatal resuscitation",
        },
        follow_redirects=False,
    )
    assert started.status_code in (302, 303)
    assert await MentorshipSession.count().run() == 9
    again = await post_form(client, url + "/start", {"mentee_id": str(world["person"].id)})
    assert again.status_code == 409 and "already started" in again.text


async def test_sides_mark_sessions_and_refusals_change_nothing(client: AsyncTestClient) -> None:
    world = await confirmed_mentorship(
        starts_on=PAST_START, ends_on=PAST_START + timedelta(days=70)
    )
    url = f"/mentorships/{world['proposal']}"
    mentorship_id = world["mentorship"]
    first, second, third, *_ = await sessions_of(mentorship_id)
    await login(client, world["doctor"])
    done = await post_form(
        client, f"{url}/sessions/{first.id}/held", {"minutes": "50"}, follow_redirects=False
    )
    assert done.status_code in (302, 303)
    before = await _snapshot(mentorship_id)
    twice = await post_form(client, f"{url}/sessions/{first.id}/held", {"minutes": "50"})
    assert twice.status_code == 409
    assert "cannot be marked held: it is already held" in twice.text
    for minutes in ("0", "601", "abc"):
        out = await post_form(client, f"{url}/sessions/{second.id}/held", {"minutes": minutes})
        assert out.status_code == 422, minutes
        assert "give the minutes held, from 1 to 600" in out.text
        assert f'value="{minutes}"' in out.text
    past = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    moved = await post_form(
        client, f"{url}/sessions/{second.id}/moved", {"new_date": past, "new_time": "10:00"}
    )
    assert moved.status_code == 422 and "the new time must be in the future" in moved.text
    assert await _snapshot(mentorship_id) == before
    # A stranger learns nothing; a coordinator reads but does not mark.
    await login(client, await make_head(await make_facility()))
    assert (await client.get(url + "/")).status_code == 404
    stranger = await post_form(client, f"{url}/sessions/{second.id}/held", {"minutes": "30"})
    assert stranger.status_code == 404
    await login(client, world["coordinator"])
    assert (await client.get(url + "/")).status_code == 200
    staff = await post_form(client, f"{url}/sessions/{second.id}/held", {"minutes": "30"})
    assert staff.status_code == 403
    assert await _snapshot(mentorship_id) == before
    # The mentee's own account and the head acting for the mentee.
    await login(client, world["clinician"])
    await post_form(client, f"{url}/sessions/{second.id}/missed", {"missed_by": "doctor"})
    await login(client, world["head"])
    future = (datetime.now(UTC) + timedelta(days=3)).date().isoformat()
    await post_form(
        client, f"{url}/sessions/{third.id}/moved", {"new_date": future, "new_time": "18:30"}
    )
    rows = {s.id: s for s in await sessions_of(mentorship_id)}
    assert rows[second.id].status == "missed"
    assert rows[second.id].entered_by_name == world["clinician"].full_name
    assert rows[third.id].status == "moved"
    replacement = rows[rows[third.id].moved_to]
    # The head's zone: 18:30 on the head's clock (UTC for the test accounts).
    assert replacement.starts_at.isoformat().startswith(future)
    await login(client, world["doctor"])
    page = await client.get(url + "/")
    assert f'id="session-{replacement.id}"' in page.text
    ics = await client.get(url + "/calendar.ics")
    assert ics.status_code == 200 and ics.headers["content-type"].startswith("text/calendar")
    uids = {str(e["uid"]) for e in Calendar.from_ical(ics.content).walk("VEVENT")}
    assert f"session-{replacement.id}@homs-health-bridge" in uids
    assert f"session-{third.id}@homs-health-bridge" not in uids


async def test_completion_goals_and_feedback_on_the_page(client: AsyncTestClient) -> None:
    world = await confirmed_mentorship()
    url = f"/mentorships/{world['proposal']}"
    await login(client, world["doctor"])
    early = await post_form(client, url + "/feedback", {"rating": "5"})
    assert early.status_code == 409 and "once the mentorship is completed" in early.text
    await post_form(client, url + "/done", {})
    twice = await post_form(client, url + "/done", {})
    assert twice.status_code == 409
    await login(client, world["clinician"])
    await post_form(client, url + "/done", {})
    page = await client.get(url + "/")
    assert "This mentorship is completed." in page.text
    goal = (await client.get(url + "/")).text
    goal_ids = re.findall(r'name="outcome_(\d+)"', goal)
    assert len(goal_ids) == 2
    bad = await post_form(client, url + "/goals/review", {f"outcome_{goal_ids[0]}": "super"})
    assert bad.status_code == 422 and "choose achieved, partly or not achieved" in bad.text
    await post_form(
        client,
        url + "/goals/review",
        {f"outcome_{goal_ids[0]}": "achieved", f"outcome_{goal_ids[1]}": "partly"},
    )
    bad = await post_form(client, url + "/feedback", {"rating": "9", "comment": "Kept"})
    assert bad.status_code == 422 and "choose a rating from 1 to 5" in bad.text
    assert ">Kept</textarea>" in bad.text
    await post_form(client, url + "/feedback", {"rating": "4", "comment": "Patient"})
    await login(client, world["doctor"])
    await post_form(client, url + "/feedback", {"rating": "5"})
    await login(client, world["coordinator"])
    page = await client.get(url + "/")
    assert "4 of 5" in page.text and "5 of 5" in page.text and "Patient" in page.text


async def test_session_log_in_both_languages(client: AsyncTestClient) -> None:
    world = await confirmed_mentorship(
        starts_on=PAST_START, ends_on=PAST_START + timedelta(days=70)
    )
    url = f"/mentorships/{world['proposal']}/"
    await sign_in(client, world["doctor"])
    english = await client.get(url)
    assert english.status_code == 200 and "Mark held" in english.text
    assert not arabic_on_page(english.text), arabic_on_page(english.text)
    await switch_language(client, "ar")
    arabic = await client.get(url)
    assert 'dir="rtl"' in arabic.text
    assert not english_on_page(arabic.text), english_on_page(arabic.text)
    await sign_in(client, world["clinician"])
    home = await client.get("/clinician/")
    assert home.status_code == 200 and f"/mentorships/{world['proposal']}" in home.text
