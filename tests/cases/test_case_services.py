"""Case discussions through the one writer, on SQLite and PostgreSQL: submit (refused
with an identifier, nothing stored; then accepted), images without metadata, the
mentor's recommendations, close, notifications, and who may do what."""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path

import pytest
from PIL import Image

from matching.audit.tables import AuditEvent
from matching.cases.services import answer_case, close_case, get_case, list_cases, submit_case
from matching.cases.tables import CaseDiscussion, CaseImage
from matching.errors import Conflict, Forbidden, NotFound, ValidationFailed
from matching.mail.tables import Notification, OutboxMail
from matching.mentorship.tables import Mentorship
from tests.cases.scenes import draft, image, jpeg_with_gps, mentorship_scene, png_with_text
from tests.factories import make_facility, make_head


async def _counts() -> tuple[int, int, int]:
    return (
        await CaseDiscussion.count().run(),
        await CaseImage.count().run(),
        await AuditEvent.count().where(AuditEvent.action.like("case.%")).run(),
    )


async def test_a_phone_number_is_refused_then_the_case_is_accepted(db: str, tmp_path: Path) -> None:
    world = await mentorship_scene()
    with pytest.raises(ValidationFailed) as caught:
        await submit_case(
            world["clinician"],
            world["proposal"],
            draft(history="Father's phone 0944 123 456", images=[image(jpeg_with_gps())]),
            uploads_dir=tmp_path,
        )
    assert caught.value.errors == {
        "history": "holds a phone number: remove it; a case must not identify the patient"
    }
    assert await _counts() == (0, 0, 0)
    assert not (tmp_path / "cases").exists() or not any((tmp_path / "cases").iterdir())

    view = await submit_case(
        world["clinician"], world["proposal"], draft(), uploads_dir=tmp_path, base_url="http://x"
    )
    assert view.status == "submitted" and view.entered_for_id == world["person"]
    assert view.submitted_by_id == world["clinician"].id
    assert "agreed" in view.consent_text
    assert await _counts() == (1, 0, 1)
    event = await AuditEvent.select().where(AuditEvent.action == "case.submitted").first().run()
    assert "CPAP" not in event["after"] and "grunting" not in event["after"]
    # The mentor is told, by mail (their language) and in the app.
    mail = await OutboxMail.select().where(OutboxMail.recipient == world["doctor"].email).run()
    assert len(mail) == 1 and f"http://x/cases/{view.id}" in mail[0]["body_text"]
    assert "CPAP" not in mail[0]["body_text"]
    assert await Notification.count().where(Notification.user == world["doctor"].id).run() == 1


async def test_every_field_and_every_kind_named_together(db: str, tmp_path: Path) -> None:
    world = await mentorship_scene()
    with pytest.raises(ValidationFailed) as caught:
        await submit_case(
            world["head"],
            world["proposal"],
            draft(
                age_band="about 40",
                sex="x",
                presenting_problem="",
                history="born 12/03/1990",
                findings="mail huda@example.org",
                question="ID ٠١٠١٢٣٤٥٦٧٨?",
                consent=False,
            ),
            uploads_dir=tmp_path,
        )
    errors = caught.value.errors
    assert set(errors) == {
        "age_band",
        "sex",
        "presenting_problem",
        "history",
        "findings",
        "question",
        "consent",
    }
    assert "full date" in errors["history"]
    assert "e-mail" in errors["findings"]
    assert "8 digits" in errors["question"]
    assert await _counts() == (0, 0, 0)


async def test_images_are_stored_without_metadata(db: str, tmp_path: Path) -> None:
    world = await mentorship_scene()
    view = await submit_case(
        world["head"],
        world["proposal"],
        draft(images=[image(jpeg_with_gps()), image(png_with_text(), "scan.png")]),
        uploads_dir=tmp_path,
    )
    assert view.submitted_by_id == world["head"].id and view.entered_for_id == world["person"]
    assert [i.mime for i in view.images] == ["image/jpeg", "image/png"]
    stored = await CaseImage.select().order_by(CaseImage.id).run()
    jpeg = (tmp_path / stored[0]["path"]).read_bytes()
    assert b"Exif" not in jpeg and b"PhoneMaker" not in jpeg and b"Ahmad" not in jpeg
    with Image.open(io.BytesIO(jpeg)) as read:
        assert dict(read.getexif()) == {}
        assert "exif" not in read.info and "comment" not in read.info
        assert read.size == (64, 48)
    png = (tmp_path / stored[1]["path"]).read_bytes()
    assert b"patient file" not in png
    with Image.open(io.BytesIO(png)) as read:
        assert "Comment" not in read.info


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"%PDF-1.4 not an image", "must be a JPEG or PNG image"),
        (b"GIF89a" + b"\x00" * 40, "must be a JPEG or PNG image"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 40, "the image cannot be read"),
        (b"\xff\xd8\xff" + b"\x00" * (5 * 1024 * 1024), "the file is too large (at most 5 MB)"),
    ],
)
async def test_bad_images_are_refused_and_nothing_is_stored(
    db: str, tmp_path: Path, content: bytes, message: str
) -> None:
    world = await mentorship_scene()
    with pytest.raises(ValidationFailed) as caught:
        await submit_case(
            world["clinician"],
            world["proposal"],
            draft(images=[image(jpeg_with_gps()), image(content, "x.jpg")]),
            uploads_dir=tmp_path,
        )
    assert caught.value.errors == {"images": message}
    assert await _counts() == (0, 0, 0)
    assert not (tmp_path / "cases").exists() or not any((tmp_path / "cases").iterdir())


async def test_recommendations_then_close(db: str, tmp_path: Path) -> None:
    world = await mentorship_scene()
    view = await submit_case(world["clinician"], world["proposal"], draft(), uploads_dir=tmp_path)
    with pytest.raises(Forbidden):
        await answer_case(world["head"], view.id, "Start CPAP")
    with pytest.raises(ValidationFailed) as caught:
        await answer_case(world["doctor"], view.id, "Call me on +49 30 1234567")
    assert set(caught.value.errors) == {"recommendations"}
    with pytest.raises(ValidationFailed):
        await answer_case(world["doctor"], view.id, "   ")
    answered = await answer_case(
        world["doctor"], view.id, "Start CPAP 5 cmH2O; transfer if FiO2 > 40%.", base_url="http://x"
    )
    assert answered.status == "answered" and answered.answered_at is not None
    assert answered.answered_by_name == world["doctor"].full_name
    # the mentee's account and the head are told (mail in their language, notification)
    for account in (world["clinician"], world["head"]):
        assert await Notification.count().where(Notification.user == account.id).run() == 1
    head_mail = await OutboxMail.select().where(OutboxMail.recipient == world["head"].email).run()
    assert head_mail[0]["language"] == "ar" and "توصيات" in head_mail[0]["subject"]
    with pytest.raises(Conflict) as twice:
        await answer_case(world["doctor"], view.id, "Again")
    assert "cannot be answered: it is answered" in twice.value.message
    closed = await close_case(world["clinician"], view.id)
    assert closed.status == "closed" and closed.recommendations.startswith("Start CPAP")
    with pytest.raises(Conflict):
        await close_case(world["doctor"], view.id)
    actions = [
        row["action"]
        for row in await AuditEvent.select(AuditEvent.action)
        .where(AuditEvent.subject_type == "case_discussion")
        .order_by(AuditEvent.id)
        .run()
    ]
    assert actions == ["case.submitted", "case.answered", "case.closed"]
    for row in await AuditEvent.select(AuditEvent.before, AuditEvent.after).where(
        AuditEvent.subject_type == "case_discussion"
    ):
        assert "CPAP" not in json.dumps(row)


async def test_answer_and_close_at_once_one_wins(db: str, tmp_path: Path) -> None:
    world = await mentorship_scene()
    first = await submit_case(world["head"], world["proposal"], draft(), uploads_dir=tmp_path)
    stored = await CaseDiscussion.select().where(CaseDiscussion.id == first.id).first().run()
    copy = {k: v for k, v in stored.items() if k != "id"}
    ids = [
        int(row["id"])
        for row in await CaseDiscussion.insert(*[CaseDiscussion(**copy) for _ in range(20)])
        .returning(CaseDiscussion.id)
        .run()
    ]
    for case_id in ids:
        view = (await get_case(world["doctor"], case_id))[0]
        results = await asyncio.gather(
            answer_case(world["doctor"], view.id, "Start CPAP"),
            close_case(world["clinician"], view.id),
            return_exceptions=True,
        )
        failures = [r for r in results if isinstance(r, BaseException)]
        assert all(isinstance(r, Conflict) for r in failures), failures
        assert len(failures) <= 1
        final = (await get_case(world["doctor"], view.id))[0]
        events = await AuditEvent.count().where(
            AuditEvent.subject_id == view.id, AuditEvent.subject_type == "case_discussion"
        )
        # The loser of a real race gets 409 and changes nothing; else both moved in turn.
        if not failures:
            assert (final.status, bool(final.recommendations), events) == ("closed", True, 2)
        elif isinstance(results[0], Conflict):  # closed first: no answer stored
            assert (final.status, final.recommendations, events) == ("closed", "", 1)
        else:  # answered first, the close lost its race
            assert (final.status, final.closed_at, events) == ("answered", None, 1)


async def test_who_may_do_what(db: str, tmp_path: Path) -> None:
    world = await mentorship_scene()
    stranger_head = await make_head(await make_facility(name="Other"))
    other = await mentorship_scene()
    for account in (world["doctor"], world["coordinator"]):
        with pytest.raises(Forbidden):
            await submit_case(account, world["proposal"], draft(), uploads_dir=tmp_path)
    for account in (stranger_head, other["clinician"], other["doctor"]):
        with pytest.raises(NotFound):
            await submit_case(account, world["proposal"], draft(), uploads_dir=tmp_path)
    view = await submit_case(world["clinician"], world["proposal"], draft(), uploads_dir=tmp_path)
    for account in (world["doctor"], world["head"], world["clinician"], world["coordinator"]):
        assert (await get_case(account, view.id))[0].id == view.id
        cases, _, _ = await list_cases(account, world["proposal"])
        assert [c.id for c in cases] == [view.id]
    for account in (stranger_head, other["clinician"], other["doctor"], other["head"]):
        with pytest.raises(NotFound):
            await get_case(account, view.id)
        with pytest.raises(NotFound):
            await list_cases(account, world["proposal"])
    with pytest.raises(Forbidden):
        await close_case(world["coordinator"], view.id)
    # an ended mentorship takes no new case
    await (
        Mentorship.update({Mentorship.status: "completed"})
        .where(Mentorship.id == world["mentorship"])
        .run()
    )
    with pytest.raises(Conflict):
        await submit_case(world["clinician"], world["proposal"], draft(), uploads_dir=tmp_path)
