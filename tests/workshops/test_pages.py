"""The workshop pages through the real app, on both engines: what each person sees,
forms re-rendered with the problem and the input kept, the certificate PDF and the
public check (and an unknown code: a 404 page in the reader's language, no hint)."""

from __future__ import annotations

import re

from litestar.testing import AsyncTestClient

from matching.workshops.tables import WorkshopAttendee, WorkshopCertificate, WorkshopScore
from tests.factories import login
from tests.factories import post_form as _post_form
from tests.pages import arabic_on_page, english_on_page
from tests.workshops.scene import training_scene

DAY1, DAY2 = "2026-03-02", "2026-03-03"
ARABIC = {"accept-language": "ar"}


async def post_form(client: AsyncTestClient, url: str, data: dict[str, object]):
    """Post a form without following the redirect (its status is what is checked)."""
    return await _post_form(client, url, data, follow_redirects=False)


def _present_boxes(html: str) -> list[str]:
    return sorted(set(re.findall(r'name="present" value="(\d+)"', html)), key=int)


async def test_a_head_runs_the_workshop(client: AsyncTestClient) -> None:
    scene = await training_scene(people=4, accounts=1)
    await login(client, scene.head)
    url = f"/workshops/{scene.pairing_id}"
    page = await client.get(url)
    assert page.status_code == 200 and "Neonatal resuscitation" in page.text
    people = {"people": [str(p) for p in scene.people]}
    assert (await post_form(client, f"{url}/attendees", people)).status_code in (302, 303)
    page = await client.get(url)
    attendees = _present_boxes(page.text)
    assert len(attendees) == 4 and "Attendees (4)" in page.text
    await post_form(client, f"{url}/attendance", {"day": DAY1, "present": attendees})
    await post_form(client, f"{url}/attendance", {"day": DAY2, "present": attendees[:3]})
    for phase, scores in (("pre", ["40", "50", "60", "70"]), ("post", ["80", "75", "60", "91"])):
        form = {f"score_{a}": s for a, s in zip(attendees, scores, strict=True)}
        response = await post_form(client, f"{url}/scores/{phase}", form)
        assert response.status_code in (302, 303), response.text
    assert (await post_form(client, f"{url}/certificates", {})).status_code in (302, 303)
    page = await client.get(url)
    # Changes +40, +25, 0, +21: the mean is 21.5.
    assert "Mean change: 21.5 points (mean pre-test 55.0, mean post-test 76.5)" in page.text
    for change in ("+40", "+25", "+0", "+21"):
        assert f'<span class="ltr">{change}</span>' in page.text
    assert "4 present" in page.text and "3 present" in page.text
    assert f"Entered by <bdi>{scene.head.full_name}</bdi>" in page.text
    assert len(re.findall(r"/certificates/\d+/pdf", page.text)) == 3
    assert arabic_on_page(page.text) == []
    await post_form(client, "/language", {"language": "ar", "next": url})
    arabic = await client.get(url)
    assert arabic.status_code == 200 and 'dir="rtl"' in arabic.text
    assert "متوسط التغير: 21.5" in arabic.text and "شهادات الحضور" in arabic.text
    assert english_on_page(arabic.text) == []
    questions = await client.get(f"{url}/tests/pre/questions")
    assert questions.status_code == 403  # the trainer writes the tests, not the head


async def test_bad_input_is_shown_next_to_the_field_and_nothing_changes(
    client: AsyncTestClient,
) -> None:
    scene = await training_scene(people=2, accounts=0)
    await login(client, scene.head)
    url = f"/workshops/{scene.pairing_id}"
    response = await post_form(
        client, f"{url}/attendees", {"people": [str(scene.people[0]), str(scene.stranger_person)]}
    )
    assert response.status_code == 422 and "choose people of this facility" in response.text
    assert await WorkshopAttendee.count().run() == 0
    await post_form(client, f"{url}/attendees", {"people": [str(p) for p in scene.people]})
    attendees = _present_boxes((await client.get(url)).text)
    response = await post_form(
        client, f"{url}/attendance", {"day": "2026-03-09", "present": attendees}
    )
    assert response.status_code == 422 and "choose one of the workshop's days" in response.text
    response = await post_form(
        client, f"{url}/scores/pre", {f"score_{attendees[0]}": "120", f"score_{attendees[1]}": "64"}
    )
    assert response.status_code == 422 and "give a score from 0 to 100" in response.text
    assert 'value="120"' in response.text and 'value="64"' in response.text  # input kept
    assert await WorkshopScore.count().run() == 0
    response = await post_form(client, f"{url}/plan", {"agenda": "Airway", "days": "2 March"})
    assert response.status_code == 422 and "give each day as a date" in response.text
    assert "Airway" in response.text


async def test_a_clinician_takes_the_test_once_and_gets_the_certificate(
    client: AsyncTestClient,
) -> None:
    scene = await training_scene(people=2, accounts=1)
    await login(client, scene.head)
    url = f"/workshops/{scene.pairing_id}"
    await post_form(client, f"{url}/attendees", {"people": [str(p) for p in scene.people]})
    attendees = _present_boxes((await client.get(url)).text)
    for day in (DAY1, DAY2):
        await post_form(client, f"{url}/attendance", {"day": day, "present": attendees})
    await post_form(client, f"{url}/certificates", {})
    await post_form(client, "/logout", {})
    await login(client, scene.trainer)
    questions = {
        "q0_question": "First step?",
        "q0_option0": "Dry and stimulate",
        "q0_option1": "Wait",
        "q0_answer": "0",
        "q1_question": "Breaths a minute?",
        "q1_option0": "10",
        "q1_option2": "40-60",
        "q1_answer": "2",
    }
    response = await post_form(client, f"{url}/tests/post/questions", questions)
    assert response.status_code in (302, 303), response.text
    await post_form(client, "/logout", {})
    clinician = scene.clinicians[0]
    await login(client, clinician)
    page = await client.get(url)
    assert page.status_code == 200 and "Take the test" in page.text
    assert "Omar Haddad" not in page.text  # another attendee's line is not shown
    test = await client.get(f"{url}/tests/post")
    assert test.status_code == 200 and "40-60" in test.text and "Dry and stimulate" in test.text
    response = await post_form(client, f"{url}/tests/post", {"q0": "0"})
    assert response.status_code == 422 and "choose an answer" in response.text
    response = await post_form(client, f"{url}/tests/post", {"q0": "0", "q1": "1"})
    assert response.status_code in (302, 303)
    again = await post_form(client, f"{url}/tests/post", {"q0": "0", "q1": "0"})
    assert again.status_code == 409
    assert [r["score"] for r in await WorkshopScore.select(WorkshopScore.score)] == [100]
    mine = await client.get("/me/workshops")
    assert mine.status_code == 200 and "Neonatal resuscitation" in mine.text
    pdf_link = re.search(r'href="(/workshops/\d+/certificates/\d+/pdf)"', mine.text)
    assert pdf_link
    pdf = await client.get(pdf_link.group(1))
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")


async def test_the_public_check_says_little_and_unknown_codes_get_a_plain_404(
    client: AsyncTestClient,
) -> None:
    scene = await training_scene(people=1, accounts=0)
    await login(client, scene.head)
    url = f"/workshops/{scene.pairing_id}"
    await post_form(client, f"{url}/attendees", {"people": [str(scene.people[0])]})
    attendees = _present_boxes((await client.get(url)).text)
    for day in (DAY1, DAY2):
        await post_form(client, f"{url}/attendance", {"day": day, "present": attendees})
    await post_form(client, f"{url}/scores/pre", {f"score_{attendees[0]}": "37"})
    await post_form(client, f"{url}/certificates", {})
    await post_form(client, "/logout", {})
    code = (await WorkshopCertificate.select(WorkshopCertificate.code).first().run())["code"]
    page = await client.get(f"/certificates/{code}")
    assert page.status_code == 200
    for shown in ("Sara Al-Khatib", "Neonatal resuscitation", "Al-Rastan National Hospital"):
        assert shown in page.text
    assert "2026" in page.text
    for hidden in ("37", scene.trainer.full_name, "Helping Babies Breathe", "nurse"):
        assert hidden not in page.text.split("<main", 1)[1]
    arabic = await client.get(f"/certificates/{code}", headers=ARABIC)
    assert "سارة الخطيب" in arabic.text and "مشفى الرستن الوطني" in arabic.text
    for wrong in (code[:-1] + ("A" if code[-1] != "A" else "B"), "x", "A" * 40):
        response = await client.get(f"/certificates/{wrong}", headers=ARABIC)
        assert response.status_code == 404
        assert 'dir="rtl"' in response.text and "لا توجد شهادة كهذه" in response.text
        main = response.text.split("<main", 1)[1]
        assert code[:10] not in main and "Sara" not in main  # no hint of a near code
