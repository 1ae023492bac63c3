"""Helpers for tests that read pages as a person does: stray words of the other language,
the language switcher, and the demo world with a pairing in every state a reader meets."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

from litestar.testing import AsyncTestClient

from matching.accounts.services import Account, get_account
from matching.accounts.tables import User
from matching.audit.tables import AuditEvent
from matching.demo import DEMO_LOGINS, load_demo_data
from matching.doctors.tables import DoctorProfile, Licence
from matching.facilities.tables import Facility, Need
from matching.mail.tables import OutboxMail
from matching.pairings import runs, transitions
from matching.pairings.tables import Proposal
from tests.factories import post_form


class _ForeignTextFinder(HTMLParser):
    """Visible text in the other language: subclasses say which elements may hold it
    (:meth:`_skipped`) and what counts as the other language (:meth:`_foreign`)."""

    VOID = frozenset({"br", "hr", "img", "input", "link", "meta", "source", "wbr", "col"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._open: list[tuple[str, bool]] = []

    def _skipped(self, tag: str, a: dict[str, str | None]) -> bool:
        raise NotImplementedError

    def _foreign(self, text: str) -> bool:
        raise NotImplementedError

    def _foreign_text(self, data: str) -> bool:
        return self._foreign(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        skipped = self._skipped(tag, a)
        if not skipped and not any(s for _, s in self._open):
            for name in ("placeholder", "title", "aria-label"):
                if self._foreign(a.get(name) or ""):
                    self.found.append(f"{tag}[{name}]: {a[name]}")
        if tag not in self.VOID:
            self._open.append((tag, skipped))

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index][0] == tag:
                del self._open[index:]
                break

    def handle_data(self, data: str) -> None:
        if any(s for _, s in self._open) or "head" in (t for t, _ in self._open):
            return
        if self._foreign_text(data):
            tag = self._open[-1][0] if self._open else "?"
            self.found.append(f"{tag}: {data.strip()[:100]}")

    @classmethod
    def scan(cls, html: str) -> list[str]:
        finder = cls()
        finder.feed(html)
        finder.close()
        return finder.found


_ENGLISH_WORD = re.compile(r"[a-z]{3,}")
_KEYS = re.compile(r"\b(Ctrl|Cmd)\b")  # key names, printed as on the keyboard


class _EnglishFinder(_ForeignTextFinder):
    """Visible text with Latin words (3+ lowercase letters) where Arabic is expected.

    Latin is expected in ``<bdi>`` (names, user input), ``dir="ltr"``, ``lang="en"``,
    ``.ltr``, code, textareas and scripts; acronyms (CSV, PDF) pass.
    """

    SKIP_TAGS = frozenset({"script", "style", "code", "kbd", "samp", "pre", "textarea", "bdi"})

    def _skipped(self, tag: str, a: dict[str, str | None]) -> bool:
        return (
            tag in self.SKIP_TAGS
            or a.get("dir") in ("ltr", "auto")  # auto: text a user typed, in any language
            or a.get("lang") == "en"
            or "ltr" in (a.get("class") or "").split()
            or (tag == "option" and "selected" not in a)  # only the chosen option shows
        )

    def _foreign(self, text: str) -> bool:
        return bool(_ENGLISH_WORD.search(text))

    def _foreign_text(self, data: str) -> bool:
        return self._foreign(_KEYS.sub("", data))


def english_on_page(html: str) -> list[str]:
    """Latin words shown where Arabic is expected (see :class:`_EnglishFinder`)."""
    return _EnglishFinder.scan(html)


_ARABIC = re.compile(r"[\u0621-\u064A]{2,}")


class _ArabicFinder(_ForeignTextFinder):
    """Visible Arabic words on an English page, outside what users typed (``<bdi>``, ``ltr``)
    and outside the language switcher (which names Arabic in Arabic)."""

    SKIP = frozenset({"script", "style", "bdi", "textarea", "code"})

    def _skipped(self, tag: str, a: dict[str, str | None]) -> bool:
        return (
            tag in self.SKIP
            or a.get("lang") == "ar"
            or a.get("dir") in ("rtl", "auto")
            or (tag == "option" and "selected" not in a)
        )

    def _foreign(self, text: str) -> bool:
        return bool(_ARABIC.search(text))


def arabic_on_page(html: str) -> list[str]:
    """Arabic words shown on an English page (see :class:`_ArabicFinder`)."""
    return _ArabicFinder.scan(html)


async def switch_language(client: AsyncTestClient, language: str) -> None:
    """Choose ``language`` with the page's language switcher."""
    response = await post_form(client, "/language", {"language": language, "next": "/"})
    assert response.status_code == 200


async def _account(email: str) -> Account | None:
    row = await User.select(User.id).where(User.email == email).first()
    return await get_account(row["id"])


async def _case_on(pairing_id: int) -> dict[str, int]:
    """A case discussion (and an image row) on the pairing, for the case pages' ids
    (pages of a pairing that is not a mentorship answer 404, in the reader's language)."""
    from matching.cases.tables import CaseDiscussion, CaseImage

    case = await CaseDiscussion.insert(
        CaseDiscussion(pairing=pairing_id, age_band="years_1_4", sex="male", question="?")
    ).returning(CaseDiscussion.id)
    image = await CaseImage.insert(
        CaseImage(case=case[0]["id"], path="cases/none.jpg", mime="image/jpeg")
    ).returning(CaseImage.id)
    return {"case_id": case[0]["id"], "image_id": image[0]["id"]}


async def demo_world() -> dict[str, Any]:
    """Demo data, a finished ranking and one pairing in each state a reader meets."""
    await load_demo_data()
    run_id = await runs.create_run("full")
    await runs.execute_run(run_id)
    coordinator = await _account(DEMO_LOGINS[0].email)
    doctor = await _account(DEMO_LOGINS[3].email)
    assert coordinator and doctor
    profile = await DoctorProfile.select(DoctorProfile.id).where(DoctorProfile.user == doctor.id)
    doctor_id = profile[0]["id"]
    offered = await Proposal.select(Proposal.id).where(Proposal.doctor == doctor_id)
    assert offered, "the demo doctor is proposed for a need"
    await transitions.approve(offered[0]["id"], coordinator)
    await transitions.accept(offered[0]["id"], doctor)
    others = await Proposal.select(Proposal.id).where(
        (Proposal.state == "proposed") & (Proposal.doctor != doctor_id)
    )
    if len(others) > 1:
        await transitions.reject(others[0]["id"], coordinator, reason="availability")
    head_facility = await Facility.select(Facility.id).where(
        Facility.name_en == "Al-Rastan National Hospital"
    )
    need = await Need.select(Need.id).where(Need.facility == head_facility[0]["id"]).first()
    licence = await Licence.select(Licence.id).where(Licence.doctor == doctor_id).first()
    mail = await OutboxMail.select(OutboxMail.id).first()
    assert await AuditEvent.count() > 5
    case_ids = await _case_on(offered[0]["id"])
    return {
        **case_ids,
        "facility_id": head_facility[0]["id"],
        "need_id": need["id"],
        "proposal_id": offered[0]["id"],
        "doctor_id": doctor_id,
        "run_id": run_id,
        "licence_id": licence["id"],
        "mail_id": mail["id"] if mail else 1,
        "window_id": 1,
        "slot_id": 1,
        "token": "no-such-token",
        # The work after the match: the demo holds none of it, so these pages answer
        # their refusal (404) page, whose language is checked like any other.
        "workshop_pairing_id": offered[0]["id"],
        "certificate_id": 1,
        "certificate_code": "no-such-certificate-code",
        "material_id": 1,
        "phase": "pre",
        "pairing_id": offered[0]["id"],
        "session_id": 1,
        "person_id": 1,
        "item": "permission",
    }
