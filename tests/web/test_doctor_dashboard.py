"""The doctor's overview: the page a doctor lands on after signing in."""

from __future__ import annotations

import re
from datetime import date

from litestar.testing import AsyncTestClient

from matching.accounts.tables import Role
from matching.doctors.tables import DoctorProfile, Licence
from matching.pairings import transitions
from tests.factories import login, make_account, post_form, scene
from tests.forms import PROFILE_FORM


def _todo_links(html: str) -> list[str]:
    """The unfinished steps, as (link) of each ``step-todo`` item."""
    return re.findall(r'<li class="step-todo">.*?<a href="([^"]+)">', html)


async def test_a_new_doctor_lands_on_the_overview_with_the_steps_left(
    client: AsyncTestClient,
) -> None:
    doctor = await make_account(Role.DOCTOR, name="Dr. Rana Khoury")
    await login(client, doctor)
    home = await client.get("/")
    assert str(home.url).endswith("/doctors/me")
    assert "Welcome, <bdi>Dr. Rana Khoury</bdi>" in home.text
    assert "Nothing is waiting for your answer." in home.text
    assert "5 steps left before coordinators can propose you" in home.text
    assert _todo_links(home.text) == [
        "/doctors/me/profile#specialties",
        "/doctors/me/profile",
        "/doctors/me/profile",
        "/doctors/me/licences",
        "/doctors/me/profile",
    ]

    saved = await post_form(client, "/doctors/me/profile", PROFILE_FORM)
    assert saved.status_code == 200 and "Your profile is saved." in saved.text
    after = await client.get("/doctors/me")
    # Specialties, languages, modes and phone are done; offering missions and
    # mentorship adds travel dates and weekly hours; the licence is still missing.
    assert "3 steps left" in after.text
    assert _todo_links(after.text) == [
        "/doctors/me/availability",
        "/doctors/me/availability",
        "/doctors/me/licences",
    ]
    window = await post_form(
        client,
        "/doctors/me/availability/windows",
        {"starts_on": "2099-03-01", "ends_on": "2099-03-20"},
    )
    assert window.status_code == 200
    after = await client.get("/doctors/me")
    assert "2 steps left" in after.text
    assert "Mar 1, 2099 – Mar 20, 2099" in after.text

    profile = await DoctorProfile.select(DoctorProfile.id).where(DoctorProfile.user == doctor.id)
    await Licence.insert(
        Licence(
            doctor=profile[0]["id"],
            issuer_country="DE",
            authority="Ärztekammer Berlin",
            number="B-1",
            expires_on=date(2099, 12, 31),
            state="verified",
        ),
        Licence(
            doctor=profile[0]["id"],
            issuer_country="SY",
            authority="Syrian Medical Association",
            number="S-1",
            expires_on=date(2099, 6, 30),
            state="pending",
        ),
    )
    after = await client.get("/doctors/me")
    assert "1 step left" in after.text
    assert "valid until Dec 31, 2099" in after.text
    assert "1 licence waiting for verification" in after.text


async def test_the_overview_shows_what_waits_for_an_answer_then_the_pairing(
    client: AsyncTestClient,
) -> None:
    s = await scene()
    await login(client, s["doctor"])
    before = await client.get("/doctors/me")
    assert "Neonatal mission" not in before.text, "an unreviewed proposal is not shown"

    await transitions.approve(s["proposal"], s["coordinator"])
    waiting = await client.get("/doctors/me")
    assert "A coordinator proposes you for 1 need. Please accept or decline." in waiting.text
    assert f'<a href="/pairings/{s["proposal"]}"><bdi>Neonatal mission</bdi></a>' in waiting.text
    assert "You are offered a pairing: <bdi>Neonatal mission</bdi>" in waiting.text  # notification

    await transitions.accept(s["proposal"], s["doctor"])
    agreed = await client.get("/doctors/me")
    assert "Nothing is waiting for your answer." in agreed.text
    section = agreed.text.split('id="agreed-title"', 1)[1].split("</section>", 1)[0]
    assert "Neonatal mission" in section and "Confirmed" in section


async def test_the_overview_in_arabic(client: AsyncTestClient) -> None:
    doctor = await make_account(Role.DOCTOR, language="ar")
    await login(client, doctor)
    page = await client.get("/doctors/me")
    assert page.status_code == 200 and 'dir="rtl"' in page.text
    assert "Nothing is waiting for your answer." not in page.text
