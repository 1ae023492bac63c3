"""Doctor pages and JSON API: profile, licences, availability, export and deletion;
the public doctor page, licence documents, coordinators' licence verification and
the taxonomy search used by search-as-you-type."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from litestar import Controller, MediaType, Request, Response, delete, get, post, put
from litestar.datastructures import UploadFile
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import File, Redirect, Template
from msgspec import Struct

from matching.account_deletion.doctor_account import delete_doctor_account
from matching.account_deletion.export import export_doctor_data
from matching.doctors.availability_slots import (
    add_travel_window,
    add_weekly_slot,
    coming_week_in_damascus,
    delete_travel_window,
    delete_weekly_slot,
)
from matching.doctors.documents import MAX_DOCUMENT_BYTES
from matching.doctors.licences import (
    add_licence,
    delete_licence,
    licences_awaiting_verification,
    recently_reviewed_licences,
    review_licence,
)
from matching.doctors.profile import my_profile, update_profile
from matching.doctors.schemas import DoctorProfileData, LicenceView
from matching.errors import DomainError, ValidationFailed
from matching.i18n import N_
from matching.pairings.contact import licence_document, view_doctor
from matching.pairings.doctor_overview import doctor_dashboard
from matching.taxonomy import load_taxonomy
from web import feedback
from web.api_errors import document_errors
from web.auth import (
    require_account,
    requires_coordinator,
    requires_doctor,
    requires_login,
)
from web.doctors.forms import (
    ProfileIn,
    SlotIn,
    TravelWindowIn,
    choices,
    licence_draft,
    licence_values,
    profile_change_from_body,
    profile_change_from_form,
    profile_form_values,
    profile_values,
    travel_window_draft,
    weekly_slot_draft,
)
from web.flash import flash
from web.forms import form_data, form_errors, render_form
from web.sessions import rotate_session


def _is_past(raw: str) -> bool:
    """Is ``raw`` a date (YYYY-MM-DD) before today? (offer to save an expired licence)"""
    try:
        return date.fromisoformat(raw.strip()) < date.today()
    except ValueError:
        return False


def _uploads(request: Request) -> Path:
    return request.app.state.settings.uploads_dir


def _language(request: Request) -> str:
    return request.scope["state"]["language"]


async def _read_upload(upload: Any) -> tuple[bytes | None, str]:
    """The uploaded bytes (at most one byte over the limit, enough to say "too large")."""
    if not isinstance(upload, UploadFile) or not upload.filename:
        return None, ""
    content = await upload.read(MAX_DOCUMENT_BYTES + 1)
    return content, upload.filename


# ---------------------------------------------------------------------- pages
class DoctorSelfPages(Controller):
    """The signed-in doctor's own pages."""

    path = "/doctors/me"
    guards = [requires_doctor]
    include_in_schema = False

    async def _profile_page(
        self,
        request: Request,
        profile: DoctorProfileData,
        values: dict[str, Any],
        errors: dict[str, str],
        saved: bool = False,
    ) -> Template:
        lists = choices(_language(request))
        # What the doctor already chose comes first, so it is visible without scrolling.
        chosen_specialties = values.get("specialties") or {}
        chosen_skills = set(values.get("skills") or ())
        lists["taxonomy_specialties"] = sorted(
            lists["taxonomy_specialties"], key=lambda item: not chosen_specialties.get(item[0])
        )
        lists["taxonomy_skills"] = sorted(
            lists["taxonomy_skills"], key=lambda item: item[0] not in chosen_skills
        )
        return render_form(
            "doctors/profile.html",
            values=values,
            errors=errors,
            profile=profile,
            saved=saved,
            **lists,
        )

    @get("/")
    async def dashboard(self, request: Request) -> Template:
        overview = await doctor_dashboard(require_account(request))
        return Template("doctors/dashboard.html", context={"d": overview})

    @get("/profile")
    async def profile_page(self, request: Request, saved: FromQuery[bool] = False) -> Template:
        profile = await my_profile(require_account(request))
        return await self._profile_page(request, profile, profile_values(profile), {}, saved)

    @post("/profile")
    async def save_profile(self, request: Request) -> Template | Redirect:
        account = require_account(request)
        values = profile_form_values(await form_data(request))
        try:
            await update_profile(account, profile_change_from_form(values))
        except DomainError as exc:
            profile = await my_profile(account)
            return await self._profile_page(request, profile, values, form_errors(exc))
        return Redirect("/doctors/me/profile?saved=true")

    # -- licences
    async def _licences_page(
        self, request: Request, values: dict[str, Any], errors: dict[str, str], **extra: Any
    ) -> Template:
        profile = await my_profile(require_account(request))
        return render_form(
            "doctors/licences.html",
            values=values,
            errors=errors,
            profile=profile,
            today=date.today(),
            max_mb=MAX_DOCUMENT_BYTES // 2**20,
            countries=(countries := choices(_language(request))["countries"]),
            country_names=dict(countries),
            **extra,
        )

    @get("/licences")
    async def licences_page(self, request: Request) -> Template:
        return await self._licences_page(request, {}, {})

    @post("/licences")
    async def add_licence(self, request: Request) -> Template | Redirect:
        form = await request.form()
        values = licence_values(form)
        content, filename = await _read_upload(form.get("document"))
        try:
            draft = licence_draft(
                values,
                document=content,
                filename=filename,
                confirm_expired=form.get("confirm_expired"),
            )
            licence = await add_licence(
                require_account(request), draft, uploads_dir=_uploads(request)
            )
        except DomainError as exc:
            return await self._licences_page(
                request, values, form_errors(exc), expired=_is_past(values["expires_on"])
            )
        flash(request, feedback.licence_added(licence))
        return Redirect("/doctors/me/licences")

    @post("/licences/{licence_id:int}/delete")
    async def delete_licence(self, request: Request, licence_id: FromPath[int]) -> Redirect:
        await delete_licence(require_account(request), licence_id, uploads_dir=_uploads(request))
        flash(request, feedback.licence_removed())
        return Redirect("/doctors/me/licences")

    # -- availability
    async def _availability_page(
        self, request: Request, values: dict[str, Any], errors: dict[str, str]
    ) -> Template:
        profile = await my_profile(require_account(request))
        return render_form(
            "doctors/availability.html",
            values=values,
            errors=errors,
            profile=profile,
            week=coming_week_in_damascus(profile),
            weekdays=choices(_language(request))["weekdays"],
        )

    @get("/availability")
    async def availability_page(self, request: Request) -> Template:
        return await self._availability_page(request, {}, {})

    @post("/availability/windows")
    async def add_window(self, request: Request) -> Template | Redirect:
        data = await form_data(request)
        values = {k: str(data.get(k, "")) for k in ("starts_on", "ends_on")}
        try:
            draft = travel_window_draft(values["starts_on"], values["ends_on"])
            await add_travel_window(require_account(request), draft)
        except DomainError as exc:
            return await self._availability_page(request, values, form_errors(exc))
        return Redirect("/doctors/me/availability")

    @post("/availability/windows/{window_id:int}/delete")
    async def delete_window(self, request: Request, window_id: FromPath[int]) -> Redirect:
        await delete_travel_window(require_account(request), window_id)
        return Redirect("/doctors/me/availability")

    @post("/availability/slots")
    async def add_slot(self, request: Request) -> Template | Redirect:
        data = await form_data(request)
        values = {k: str(data.get(k, "")) for k in ("weekday", "starts_at", "ends_at")}
        try:
            draft = weekly_slot_draft(values["weekday"], values["starts_at"], values["ends_at"])
            await add_weekly_slot(require_account(request), draft)
        except DomainError as exc:
            return await self._availability_page(request, values, form_errors(exc))
        return Redirect("/doctors/me/availability")

    @post("/availability/slots/{slot_id:int}/delete")
    async def delete_slot(self, request: Request, slot_id: FromPath[int]) -> Redirect:
        await delete_weekly_slot(require_account(request), slot_id)
        return Redirect("/doctors/me/availability")

    # -- your data
    @get("/export")
    async def export(self, request: Request) -> Response:
        return _export_response(await export_doctor_data(require_account(request)))

    @get("/delete")
    async def delete_page(self) -> Template:
        return render_form("doctors/delete.html", values={}, errors={})

    @post("/delete")
    async def delete_account(self, request: Request) -> Template:
        data = await form_data(request)
        if not data.get("confirm"):
            return render_form(
                "doctors/delete.html",
                values={},
                errors={"confirm": N_("tick this box to confirm")},
            )
        await delete_doctor_account(require_account(request), uploads_dir=_uploads(request))
        rotate_session(request)
        request.clear_session()
        request.scope["user"] = None
        return Template(template_name="doctors/deleted.html", media_type=MediaType.HTML)


def _export_response(data: dict[str, Any]) -> Response:
    return Response(
        content=json.dumps(data, ensure_ascii=False, indent=2),
        media_type=MediaType.JSON,
        headers={"content-disposition": 'attachment; filename="my-data.json"'},
    )


class DoctorPublicPages(Controller):
    """A doctor as coordinators and facility heads see them; contact data only if allowed."""

    path = "/doctors"
    guards = [requires_login]
    include_in_schema = False

    @get("/{doctor_id:int}")
    async def show(self, request: Request, doctor_id: FromPath[int]) -> Template:
        view = await view_doctor(require_account(request), doctor_id)
        return Template(
            template_name="doctors/public.html",
            context={"view": view, "today": date.today(), **choices(_language(request))},
            media_type=MediaType.HTML,
        )

    @get("/licences/{licence_id:int}/document")
    async def document(self, request: Request, licence_id: FromPath[int]) -> File:
        path, mime, name = await licence_document(
            require_account(request), licence_id, uploads_dir=_uploads(request)
        )
        return File(
            path=path,
            media_type=mime,
            content_disposition_type="inline",
            filename=name or path.name,
            headers={"cache-control": "private, no-store"},
        )


class CoordinatorLicencePages(Controller):
    path = "/coordinator/licences"
    guards = [requires_coordinator]
    include_in_schema = False

    async def _page(self, values: dict[str, Any], errors: dict[str, str]) -> Template:
        return render_form(
            "coordinator/licences.html",
            values=values,
            errors=errors,
            waiting=await licences_awaiting_verification(),
            reviewed=await recently_reviewed_licences(),
            today=date.today(),
        )

    @get("/")
    async def index(self) -> Template:
        return await self._page({}, {})

    async def _review(
        self, request: Request, licence_id: int, verified: bool
    ) -> Template | Redirect:
        data = await form_data(request)
        note = str(data.get("note", ""))
        scope = str(data["scope"]) if data.get("scope") else None
        try:
            licence = await review_licence(
                require_account(request), licence_id, verified=verified, note=note, scope=scope
            )
        except ValidationFailed as exc:
            problems = form_errors(exc)
            errors = {f"note_{licence_id}": problems.get("note", exc.message)}
            if "scope" in problems:
                errors = {f"scope_{licence_id}": problems["scope"]}
            return await self._page({f"note_{licence_id}": note}, errors)
        flash(request, feedback.licence_reviewed(licence, verified=verified))
        return Redirect("/coordinator/licences")

    @post("/{licence_id:int}/verify")
    async def verify(self, request: Request, licence_id: FromPath[int]) -> Template | Redirect:
        return await self._review(request, licence_id, True)

    @post("/{licence_id:int}/reject")
    async def reject(self, request: Request, licence_id: FromPath[int]) -> Template | Redirect:
        return await self._review(request, licence_id, False)


# ---------------------------------------------------------------------- JSON API
class LicenceOut(Struct):
    id: int
    issuer_country: str
    authority: str
    number: str
    expires_on: date
    state: str
    review_note: str
    has_document: bool
    document_url: str | None
    scope: str = "foreign"


class TravelWindowOut(Struct):
    id: int
    starts_on: date
    ends_on: date


class SlotOut(Struct):
    id: int
    weekday: int
    starts_at: str
    ends_at: str


class ProfileOut(Struct):
    id: int
    full_name: str
    account_email: str
    country: str
    city: str
    timezone: str
    phone: str
    contact_email: str
    years_experience: int
    bio: str
    languages: dict[str, str]
    modes: list[str]
    max_mentees: int
    hours_per_month: int
    can_travel: bool
    specialties: dict[str, str]
    skills: list[str]
    free_text_skills: str
    licences: list[LicenceOut]
    travel_windows: list[TravelWindowOut]
    slots: list[SlotOut]


class TaxonomyHit(Struct):
    code: str
    en: str
    ar: str


def _licence_out(licence: LicenceView) -> LicenceOut:
    return LicenceOut(
        id=licence.id,
        issuer_country=licence.issuer_country,
        authority=licence.authority,
        number=licence.number,
        expires_on=licence.expires_on,
        state=licence.state,
        review_note=licence.review_note,
        has_document=licence.has_document,
        document_url=(f"/doctors/licences/{licence.id}/document" if licence.has_document else None),
        scope=licence.scope,
    )


def _profile_out(profile: DoctorProfileData) -> ProfileOut:
    return ProfileOut(
        id=profile.id,
        full_name=profile.full_name,
        account_email=profile.account_email,
        country=profile.country,
        city=profile.city,
        timezone=profile.timezone,
        phone=profile.phone,
        contact_email=profile.contact_email,
        years_experience=profile.years_experience,
        bio=profile.bio,
        languages=profile.languages,
        modes=list(profile.modes),
        max_mentees=profile.max_mentees,
        hours_per_month=profile.hours_per_month,
        can_travel=profile.can_travel,
        specialties=profile.specialties,
        skills=list(profile.skills),
        free_text_skills=profile.free_text_skills,
        licences=[_licence_out(x) for x in profile.licences],
        travel_windows=[
            TravelWindowOut(w.id, w.starts_on, w.ends_on) for w in profile.travel_windows
        ],
        slots=[
            SlotOut(s.id, s.weekday, f"{s.starts_at:%H:%M}", f"{s.ends_at:%H:%M}")
            for s in profile.slots
        ],
    )


@document_errors()
class DoctorApi(Controller):
    path = "/api/doctors/me"
    guards = [requires_doctor]
    tags = ["doctors"]

    @get("/", summary="My doctor profile (created empty on first call)")
    async def show(self, request: Request) -> ProfileOut:
        return _profile_out(await my_profile(require_account(request)))

    @put("/", summary="Change my profile; fields left out keep their value")
    async def update(self, request: Request, data: JSONBody[ProfileIn]) -> ProfileOut:
        change = profile_change_from_body(data)
        return _profile_out(await update_profile(require_account(request), change))

    @delete("/", status_code=204, summary="Delete my account and personal data")
    async def delete_account(self, request: Request) -> None:
        await delete_doctor_account(require_account(request), uploads_dir=_uploads(request))
        rotate_session(request)
        request.clear_session()

    @get("/export", summary="Everything held about me, as JSON")
    async def export(self, request: Request) -> Response:
        return _export_response(await export_doctor_data(require_account(request)))

    @post(
        "/licences",
        status_code=201,
        summary="Add a licence",
        description=(
            "A multipart/form-data (or urlencoded) body with issuer_country, authority, "
            "number, expires_on (YYYY-MM-DD) and an optional file field `document` "
            "(PDF, PNG or JPEG, at most 5 MB, checked by content). An expiry date in "
            "the past is refused (422 on expires_on) unless confirm_expired=true: the "
            "licence is then kept as expired and never counted valid."
        ),
    )
    async def add_licence(self, request: Request) -> LicenceOut:
        form = await request.form()
        content, filename = await _read_upload(form.get("document"))
        draft = licence_draft(
            licence_values(form),
            document=content,
            filename=filename,
            confirm_expired=form.get("confirm_expired"),
        )
        licence = await add_licence(require_account(request), draft, uploads_dir=_uploads(request))
        return _licence_out(licence)

    @delete("/licences/{licence_id:int}", status_code=204, summary="Remove a licence")
    async def delete_licence(self, request: Request, licence_id: FromPath[int]) -> None:
        await delete_licence(require_account(request), licence_id, uploads_dir=_uploads(request))

    @post("/travel-windows", status_code=201, summary="Add dates when I can travel to Syria")
    async def add_window(self, request: Request, data: JSONBody[TravelWindowIn]) -> TravelWindowOut:
        draft = travel_window_draft(data.starts_on, data.ends_on)
        window = await add_travel_window(require_account(request), draft)
        return TravelWindowOut(window.id, window.starts_on, window.ends_on)

    @delete("/travel-windows/{window_id:int}", status_code=204, summary="Remove a travel window")
    async def delete_window(self, request: Request, window_id: FromPath[int]) -> None:
        await delete_travel_window(require_account(request), window_id)

    @post("/slots", status_code=201, summary="Add a weekly remote slot in my time zone")
    async def add_slot(self, request: Request, data: JSONBody[SlotIn]) -> SlotOut:
        draft = weekly_slot_draft(data.weekday, data.starts_at, data.ends_at)
        slot = await add_weekly_slot(require_account(request), draft)
        return SlotOut(slot.id, slot.weekday, f"{slot.starts_at:%H:%M}", f"{slot.ends_at:%H:%M}")

    @delete("/slots/{slot_id:int}", status_code=204, summary="Remove a weekly slot")
    async def delete_slot(self, request: Request, slot_id: FromPath[int]) -> None:
        await delete_weekly_slot(require_account(request), slot_id)


@document_errors()
class TaxonomyApi(Controller):
    path = "/api/taxonomy"
    guards = [requires_login]
    tags = ["taxonomy"]

    @get("/search", summary="Specialties or skills matching a query, English or Arabic")
    async def search(
        self, q: FromQuery[str] = "", kind: FromQuery[str] = "specialty", limit: FromQuery[int] = 20
    ) -> list[TaxonomyHit]:
        if kind not in ("specialty", "skill"):
            raise ValidationFailed({"kind": N_("must be specialty or skill")})
        hits = load_taxonomy().search(q[:100], kind, limit=max(1, min(limit, 100)))  # type: ignore[arg-type]
        return [TaxonomyHit(h.code, h.en, h.ar) for h in hits]
