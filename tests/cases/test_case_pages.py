"""The case pages as people use them, on both engines: a case refused for a phone number
(the field named, the input kept, nothing stored), then accepted with an image; the
mentor's recommendations; both languages; strangers get 404."""

from __future__ import annotations

import io
import re

from litestar.testing import AsyncTestClient
from PIL import Image

from matching.accounts.tables import User
from matching.cases.tables import CaseDiscussion, CaseImage
from tests.cases.scenes import jpeg_with_gps, mentorship_scene
from tests.factories import ensure_csrf, login, make_facility, make_head, post_form
from tests.pages import arabic_on_page, english_on_page

CASE = {
    "age_band": "years_25_44",
    "sex": "female",
    "presenting_problem": "Postpartum haemorrhage after a home birth, 2 hours ago.",
    "history": "G4P4. Husband's phone 0944 123 456 for follow-up.",
    "findings": "HR 120, BP 85/50, uterus soft.",
    "question": "Which second-line uterotonic if oxytocin fails?",
    "consent": "1",
}


async def _post_case(client: AsyncTestClient, url: str, data: dict, files: list | None = None):
    token = await ensure_csrf(client)
    return await client.post(
        url, data={**data, "_csrf_token": token}, files=files or [], follow_redirects=False
    )


def _field_error(html: str, field: str) -> str:
    found = re.search(rf'id="{field}-error"[^>]*>([^<]*)<', html)
    return found.group(1) if found else ""


async def test_refused_for_a_phone_number_then_accepted_then_answered(
    client: AsyncTestClient, db: str
) -> None:
    world = await mentorship_scene()
    url = f"/mentorships/{world['proposal']}/cases"
    await login(client, world["clinician"])
    page = await client.get(url)
    assert page.status_code == 200 and "Submit a case" in page.text

    refused = await _post_case(
        client, url, CASE, files=[("images", ("ward.jpg", jpeg_with_gps(), "image/jpeg"))]
    )
    assert refused.status_code == 422
    assert _field_error(refused.text, "history") == (
        "holds a phone number: remove it; a case must not identify the patient"
    )
    assert "Please correct the fields marked below." in refused.text
    # what was typed is still there; the images must be chosen again (said on the page)
    assert "Postpartum haemorrhage after a home birth" in refused.text
    assert "0944 123 456" in refused.text
    assert "Choose the images again after a correction." in refused.text
    assert await CaseDiscussion.count().run() == 0 and await CaseImage.count().run() == 0

    fixed = {**CASE, "history": "G4P4. Husband can be reached through the head."}
    accepted = await _post_case(
        client, url, fixed, files=[("images", ("ward.jpg", jpeg_with_gps(), "image/jpeg"))]
    )
    assert accepted.status_code in (302, 303), accepted.text[:300]
    case_url = accepted.headers["location"]
    case_id = int(case_url.rsplit("/", 1)[1])
    shown = await client.get(case_url)
    assert "submitted. The mentor is told" in shown.text
    assert "Waiting for the mentor" in shown.text and "Which second-line uterotonic" in shown.text
    image_id = (await CaseImage.select(CaseImage.id).first().run())["id"]
    image = await client.get(f"/cases/{case_id}/images/{image_id}")
    assert image.status_code == 200 and image.headers["content-type"] == "image/jpeg"
    assert "no-store" in image.headers["cache-control"]
    with Image.open(io.BytesIO(image.content)) as read:
        assert dict(read.getexif()) == {} and "comment" not in read.info

    # the mentor answers; a recommendation with an e-mail address is refused first
    await login(client, world["doctor"])
    case_page = await client.get(case_url)
    assert "Send the recommendations" in case_page.text
    refused = await post_form(
        client, f"/cases/{case_id}/answer", {"recommendations": "Write to me: lina@example.org"}
    )
    assert refused.status_code == 422
    assert _field_error(refused.text, "recommendations").startswith("holds an e-mail address")
    assert "lina@example.org" in refused.text
    answered = await post_form(
        client,
        f"/cases/{case_id}/answer",
        {"recommendations": "Misoprostol 800 mcg sublingual; tranexamic acid 1 g IV."},
        follow_redirects=False,
    )
    assert answered.status_code in (302, 303)
    shown = await client.get(case_url)
    assert "Misoprostol 800 mcg" in shown.text and "Recommendations sent." in shown.text
    twice = await post_form(client, f"/cases/{case_id}/answer", {"recommendations": "Again"})
    assert twice.status_code == 422 or "cannot be answered" in twice.text
    assert "Again" not in (await CaseDiscussion.select().first().run())["recommendations"]

    # the Arabic-reading head sees the case and the recommendations, all in Arabic
    await login(client, world["head"])
    arabic = await client.get(case_url)
    assert arabic.status_code == 200 and 'dir="rtl"' in arabic.text
    assert "توصيات المرشد" in arabic.text and "Misoprostol 800 mcg" in arabic.text
    assert english_on_page(arabic.text) == []
    listing = await client.get(url)
    assert english_on_page(listing.text) == [] and "أرسل حالة" in listing.text

    # the English-reading doctor's pages show no Arabic outside what people typed
    await login(client, world["doctor"])
    assert arabic_on_page((await client.get(case_url)).text) == []
    assert arabic_on_page((await client.get(url)).text) == []


async def test_strangers_get_404_and_post_nothing(client: AsyncTestClient, db: str) -> None:
    world = await mentorship_scene()
    await login(client, world["clinician"])
    clean = {**CASE, "history": "G4P4."}
    created = await _post_case(client, f"/mentorships/{world['proposal']}/cases", clean)
    case_id = int(created.headers["location"].rsplit("/", 1)[1])
    stranger = await make_head(await make_facility(name="Talkalakh Hospital"))
    await login(client, stranger)
    for url in (f"/mentorships/{world['proposal']}/cases", f"/cases/{case_id}"):
        assert (await client.get(url)).status_code == 404
    assert (
        await _post_case(client, f"/mentorships/{world['proposal']}/cases", clean)
    ).status_code == 404
    answer = await post_form(client, f"/cases/{case_id}/answer", {"recommendations": "x"})
    assert answer.status_code == 404
    assert (await post_form(client, f"/cases/{case_id}/close", {})).status_code == 404
    assert await CaseDiscussion.count().run() == 1
    row = await CaseDiscussion.select().first().run()
    assert row["status"] == "submitted" and row["recommendations"] == ""
    assert await User.count().run() >= 4
