"""The facility's people pages and the clinician's invitation, through the real app on
both engines."""

from __future__ import annotations

import re

from litestar.testing import AsyncTestClient

from matching.accounts.tables import Role, User
from matching.consent.tables import ConsentRecord
from matching.mail.tables import OutboxMail
from matching.people.tables import FacilityPerson, PersonInvitation
from tests.factories import login, make_facility, make_head, post_form
from tests.pages import arabic_on_page, english_on_page, switch_language

PERSON = {
    "name_en": "Rana Khalil",
    "name_ar": "رنا خليل",
    "clinical_role": "midwife",
    "specialty": "",
    "phone": "0944 123 456",
}


async def test_head_adds_edits_and_archives_people(client: AsyncTestClient) -> None:
    facility = await make_facility()
    head = await make_head(facility)
    await login(client, head)
    url = f"/facilities/{facility}/people/"
    page = await client.get(url)
    assert page.status_code == 200 and "Add a person" in page.text
    bad = await post_form(client, url, {**PERSON, "phone": "12", "clinical_role": "wizard"})
    assert bad.status_code == 422
    assert "is not a phone number" in bad.text and "choose a role from the list" in bad.text
    assert 'value="Rana Khalil"' in bad.text  # the input is kept
    assert await FacilityPerson.count().run() == 0
    added = await post_form(client, url, PERSON, follow_redirects=False)
    assert added.status_code in (302, 303)
    row = await FacilityPerson.select().first().run()
    assert row["phone"] == "+963944123456" and row["entered_by"] == head.id
    listed = await client.get(url)
    assert "Rana Khalil" in listed.text and "+963944123456" in listed.text
    edit_url = f"/facilities/{facility}/people/{row['id']}/edit"
    assert (await client.get(edit_url)).status_code == 200
    bad_edit = await post_form(client, edit_url, {**PERSON, "name_en": "", "name_ar": ""})
    assert bad_edit.status_code == 422 and "give the name in English or in Arabic" in bad_edit.text
    await post_form(client, edit_url, {**PERSON, "clinical_role": "nurse"})
    assert (await FacilityPerson.select().first().run())["clinical_role"] == "nurse"
    await post_form(client, f"/facilities/{facility}/people/{row['id']}/archive", {})
    assert "Rana Khalil" not in (await client.get(url)).text
    # Another facility's head reaches neither the list nor the person.
    other = await make_head(await make_facility())
    await login(client, other)
    assert (await client.get(url)).status_code == 403
    assert (await client.get(edit_url)).status_code == 403
    other_facility_url = f"/facilities/{facility}/people/{row['id']}/edit"
    assert (await client.get(other_facility_url)).status_code == 403


async def test_people_page_in_each_language(client: AsyncTestClient) -> None:
    facility = await make_facility()
    head = await make_head(facility)
    await login(client, head)
    url = f"/facilities/{facility}/people/"
    await post_form(client, url, PERSON)
    english = (await client.get(url)).text
    assert not arabic_on_page(english)
    await switch_language(client, "ar")
    arabic = await client.get(url)
    assert 'dir="rtl"' in arabic.text
    assert not english_on_page(arabic.text), english_on_page(arabic.text)
    bad = await post_form(client, url, {**PERSON, "phone": "12"})
    assert bad.status_code == 422 and not english_on_page(bad.text)


async def test_invited_clinician_gets_an_account(client: AsyncTestClient) -> None:
    facility = await make_facility()
    head = await make_head(facility)
    await login(client, head)
    await post_form(client, f"/facilities/{facility}/people/", PERSON)
    person = await FacilityPerson.select().first().run()
    invite_url = f"/facilities/{facility}/people/{person['id']}/invitation"
    bad = await post_form(client, invite_url, {"email": "not-an-address", "language": "ar"})
    assert bad.status_code == 422 and "is not a valid email address" in bad.text
    assert await PersonInvitation.count().run() == 0
    sent = await post_form(
        client, invite_url, {"email": "Rana@Example.org", "language": "ar"}, follow_redirects=False
    )
    assert sent.status_code in (302, 303)
    mail = await OutboxMail.select().where(OutboxMail.recipient == "rana@example.org").first()
    assert mail["language"] == "ar" and "رنا" in mail["body_text"]
    token = re.search(r"/people/invitations/([\w-]+)", mail["body_text"]).group(1)
    stored = await PersonInvitation.select().first().run()
    assert token not in str(stored)  # only its hash
    client.cookies.clear()
    page = await client.get(f"/people/invitations/{token}")
    assert page.status_code == 200 and "Rana Khalil" in page.text
    form = {"full_name": "Rana Khalil", "password": "a long password 1", "language": "en"}
    refused = await post_form(client, f"/people/invitations/{token}", form)
    assert refused.status_code == 422 and "privacy notice" in refused.text
    assert 'value="Rana Khalil"' in refused.text
    assert await User.count().where(User.role == Role.LOCAL_CLINICIAN).run() == 0
    notice = re.search(r'name="privacy_notice" value="([^"]+)"', refused.text).group(1)
    accepted = await post_form(
        client,
        f"/people/invitations/{token}",
        {**form, "privacy_notice": notice},
        follow_redirects=False,
    )
    assert accepted.status_code in (302, 303) and accepted.headers["location"] == "/clinician"
    user = await User.select().where(User.email == "rana@example.org").first().run()
    assert user["role"] == "local_clinician"
    assert (await FacilityPerson.select().first().run())["user"] == user["id"]
    assert await ConsentRecord.count().where(ConsentRecord.user == user["id"]).run() == 1
    home = await client.get("/clinician")
    assert home.status_code == 200 and "My mentorships" in home.text
    assert (await client.get("/", follow_redirects=False)).headers["location"] == "/clinician"
    client.cookies.clear()
    again = await post_form(
        client, f"/people/invitations/{token}", {**form, "privacy_notice": notice}
    )
    assert again.status_code == 409
    assert await User.count().where(User.role == Role.LOCAL_CLINICIAN).run() == 1
