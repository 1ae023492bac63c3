"""The mentorship page (session log, goals, completion, feedback), its actions, its
calendar file, and the local clinician's home. Thin: the rules live in
``matching.mentorship``; every access check is its ``check_parties``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Controller, MediaType, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from matching.accounts.services import Account
from matching.accounts.tables import Role
from matching.errors import DomainError
from matching.feedback.schemas import FeedbackDraft
from matching.i18n import N_, Message
from matching.mentorship import services, sessions
from matching.mentorship.calendar import build_mentorship_calendar
from matching.mentorship.parties import mentorships_of_clinician
from matching.mentorship.schemas import (
    GoalReview,
    GoalsReview,
    HeldMark,
    MentorshipStart,
    MissedMark,
    MoveMark,
)
from matching.mentorship.tables import GoalOutcome, MissedBy
from matching.workshops.services import workshops_of_clinician
from web.auth import requires_login, requires_role
from web.context import current_language
from web.facilities.deps import ACCOUNT
from web.flash import flash
from web.forms import form_data, form_errors

#: The blocks of the clinician's home page, in order: other domains (workshops,
#: certificates) add their template here.
CLINICIAN_BLOCKS: list[str] = ["clinician/_mentorships.html", "workshops/_mine.html"]


def _int(data: dict[str, Any], name: str, unreadable: dict[str, str]) -> int:
    try:
        return int(str(data.get(name, "")).strip())
    except ValueError:
        unreadable[name] = N_("give a whole number")
        return 0


def _date(data: dict[str, Any], name: str, unreadable: dict[str, str]) -> date | None:
    text = str(data.get(name, "")).strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        unreadable[name] = N_("give a date")
        return None


def start_from_form(data: dict[str, Any]) -> MentorshipStart:
    unreadable: dict[str, str] = {}
    mentee = _int(data, "mentee_id", {})
    if not mentee:
        unreadable["mentee_id"] = N_("choose a person of this facility")
    return MentorshipStart(
        mentee_id=mentee,
        starts_on=_date(data, "starts_on", unreadable),
        ends_on=_date(data, "ends_on", unreadable),
        goals=str(data.get("goals", "")).splitlines(),
        unreadable=unreadable,
    )


def move_from_form(data: dict[str, Any], zone: str) -> MoveMark:
    """The new date and time, read on the reader's own clock (``zone``)."""
    unreadable: dict[str, str] = {}
    try:
        day = date.fromisoformat(str(data.get("new_date", "")).strip())
        hour = time.fromisoformat(str(data.get("new_time", "")).strip())
        moment: datetime | None = datetime.combine(day, hour, ZoneInfo(zone))
    except (ValueError, KeyError):
        unreadable["starts_at"] = N_("give the new date and time")
        moment = None
    return MoveMark(starts_at=moment, unreadable=unreadable)


def _zone(account: Account) -> str:
    try:
        ZoneInfo(account.timezone)
    except (KeyError, ValueError):
        return "UTC"
    return account.timezone or "UTC"


class MentorshipPages(Controller):
    path = "/mentorships/{pairing_id:int}"
    guards = [requires_login]
    dependencies = ACCOUNT
    include_in_schema = False

    async def _page(
        self,
        account: Account,
        pairing_id: int,
        *,
        errors: dict[str, str] | None = None,
        values: dict[str, Any] | None = None,
        session_id: int | None = None,
        status_code: int = 200,
    ) -> Template:
        page = await services.mentorship_page(account, pairing_id)
        return Template(
            "mentorship/page.html",
            context={
                "m": page,
                "errors": errors or {},
                "values": values or {},
                "error_session": session_id,
                "missed_by_values": [v.value for v in MissedBy],
                "outcomes": [v.value for v in GoalOutcome],
                "now": datetime.now(UTC),
            },
            status_code=status_code,
            media_type=MediaType.HTML,
        )

    async def _act(
        self,
        request: Request,
        account: Account,
        pairing_id: int,
        action: Callable[[dict[str, Any]], Awaitable[Any]],
        done: Message,
        *,
        session_id: int | None = None,
        anchor: str = "",
    ) -> Template | Redirect:
        """Run ``action`` on the form; the page again with the problem (4xx), or a
        redirect with ``done`` (or the message ``action`` returned) said once."""
        data = await form_data(request)
        try:
            said = await action(data)
        except DomainError as exc:
            if exc.status_code in (403, 404):
                raise
            return await self._page(
                account,
                pairing_id,
                errors=form_errors(exc),
                values=data,
                session_id=session_id,
                status_code=exc.status_code,
            )
        flash(request, said if isinstance(said, Message) else done)
        return Redirect(f"/mentorships/{pairing_id}{anchor}")

    @get("/")
    async def show(self, account: Account, pairing_id: FromPath[int]) -> Template:
        return await self._page(account, pairing_id)

    @post("/start")
    async def start(
        self, request: Request, account: Account, pairing_id: FromPath[int]
    ) -> Template | Redirect:
        async def action(data: dict[str, Any]) -> None:
            await services.start_mentorship(account, pairing_id, start_from_form(data))

        return await self._act(
            request,
            account,
            pairing_id,
            action,
            Message("The mentorship has started: its sessions are planned below."),
        )

    @post("/sessions/{session_id:int}/held")
    async def held(
        self,
        request: Request,
        account: Account,
        pairing_id: FromPath[int],
        session_id: FromPath[int],
    ) -> Template | Redirect:
        async def action(data: dict[str, Any]) -> None:
            unreadable: dict[str, str] = {}
            minutes = _int(data, "minutes", unreadable)
            if unreadable:
                unreadable["minutes"] = N_("give the minutes held, from %(min)s to %(max)s")
            await sessions.mark_held(
                account, pairing_id, session_id, HeldMark(minutes=minutes, unreadable=unreadable)
            )

        return await self._act(
            request,
            account,
            pairing_id,
            action,
            Message("Session marked held."),
            session_id=session_id,
            anchor=f"#session-{session_id}",
        )

    @post("/sessions/{session_id:int}/missed")
    async def missed(
        self,
        request: Request,
        account: Account,
        pairing_id: FromPath[int],
        session_id: FromPath[int],
    ) -> Template | Redirect:
        async def action(data: dict[str, Any]) -> None:
            await sessions.mark_missed(
                account,
                pairing_id,
                session_id,
                MissedMark(missed_by=str(data.get("missed_by", ""))),
            )

        return await self._act(
            request,
            account,
            pairing_id,
            action,
            Message("Session marked missed."),
            session_id=session_id,
            anchor=f"#session-{session_id}",
        )

    @post("/sessions/{session_id:int}/moved")
    async def moved(
        self,
        request: Request,
        account: Account,
        pairing_id: FromPath[int],
        session_id: FromPath[int],
    ) -> Template | Redirect:
        async def action(data: dict[str, Any]) -> None:
            await sessions.move_session(
                account, pairing_id, session_id, move_from_form(data, _zone(account))
            )

        return await self._act(
            request,
            account,
            pairing_id,
            action,
            Message("Session moved: both sides see the new time, and the calendar file follows."),
            session_id=session_id,
        )

    @post("/goals")
    async def add_goal(
        self, request: Request, account: Account, pairing_id: FromPath[int]
    ) -> Template | Redirect:
        async def action(data: dict[str, Any]) -> None:
            await services.add_goal(account, pairing_id, str(data.get("goal", "")))

        return await self._act(
            request, account, pairing_id, action, Message("Goal added."), anchor="#goals"
        )

    @post("/goals/review")
    async def review_goals(
        self, request: Request, account: Account, pairing_id: FromPath[int]
    ) -> Template | Redirect:
        async def action(data: dict[str, Any]) -> None:
            reviews = []
            for key, value in data.items():
                if key.startswith("outcome_") and key[8:].isdigit() and value:
                    goal_id = int(key[8:])
                    reviews.append(
                        GoalReview(
                            goal_id=goal_id,
                            outcome=str(value),
                            note=str(data.get(f"note_{goal_id}", "")),
                        )
                    )
            await services.review_goals(account, pairing_id, GoalsReview(reviews=reviews))

        return await self._act(
            request, account, pairing_id, action, Message("Goals reviewed."), anchor="#goals"
        )

    @post("/done")
    async def done(
        self, request: Request, account: Account, pairing_id: FromPath[int]
    ) -> Template | Redirect:
        async def action(data: dict[str, Any]) -> Message | None:
            if await services.mark_done(account, pairing_id):
                return Message(
                    "The mentorship is completed. Review the goals and leave your feedback."
                )
            return None

        return await self._act(
            request,
            account,
            pairing_id,
            action,
            Message(
                "Marked complete on your side; the mentorship completes when the other side agrees."
            ),
        )

    @post("/feedback")
    async def feedback(
        self, request: Request, account: Account, pairing_id: FromPath[int]
    ) -> Template | Redirect:
        async def action(data: dict[str, Any]) -> None:
            unreadable: dict[str, str] = {}
            rating = _int(data, "rating", unreadable)
            if unreadable:
                unreadable = {"rating": N_("choose a rating from 1 to 5")}
            await services.leave_mentorship_feedback(
                account,
                pairing_id,
                FeedbackDraft(
                    rating=rating, comment=str(data.get("comment", "")), unreadable=unreadable
                ),
            )

        return await self._act(
            request,
            account,
            pairing_id,
            action,
            Message("Thank you: your feedback was recorded."),
            anchor="#feedback",
        )

    @get("/calendar.ics")
    async def calendar(self, account: Account, pairing_id: FromPath[int]) -> Response[bytes]:
        page = await services.mentorship_page(account, pairing_id)
        return Response(
            build_mentorship_calendar(page, language=current_language.get()),
            media_type="text/calendar; charset=utf-8",
            headers={"content-disposition": f'attachment; filename="mentorship-{pairing_id}.ics"'},
        )


class ClinicianPages(Controller):
    """The local clinician's home: their own mentorships (and, from other domains,
    workshops and certificates: :data:`CLINICIAN_BLOCKS`)."""

    path = "/clinician"
    guards = [requires_role(Role.LOCAL_CLINICIAN)]
    dependencies = ACCOUNT
    include_in_schema = False

    @get("/")
    async def home(self, account: Account) -> Template:
        pages = [
            await services.mentorship_page(account, pairing_id)
            for pairing_id in await mentorships_of_clinician(account.id)
        ]
        return Template(
            "clinician/home.html",
            context={
                "mentorships": pages,
                "workshops": await workshops_of_clinician(account),
                "blocks": CLINICIAN_BLOCKS,
            },
            media_type=MediaType.HTML,
        )
