"""Posting the need a service gap suggests, in one step.

"No staff" suggests an in-person mission of the area's specialty, "no training" a
training workshop. The need goes through the facilities owner's own command
(:func:`matching.facilities.need_commands.create_need`), published, with dates a
month ahead that the head can change on the need's page like any other field.
"""

from __future__ import annotations

from datetime import timedelta

from matching.accounts.services import Account
from matching.db import lock_rows, write_transaction
from matching.errors import Conflict, ValidationFailed
from matching.facilities.membership import check_facility_access
from matching.facilities.need_commands import create_need
from matching.facilities.need_rules import today_utc
from matching.facilities.profiles import get_facility
from matching.facilities.schemas import NeedDraft, NeedSaved
from matching.facilities.tables import Facility, NeedKind, Urgency
from matching.i18n import N_, gettext
from matching.labels import label
from matching.services.grid import live_need_of, service_grid
from matching.services.schemas import SuggestedNeedDraft
from matching.taxonomy import load_taxonomy

#: A suggested need starts this many days from today (time to find a doctor).
LEAD_DAYS = 30
#: A suggested mission lasts two weeks, a workshop three days.
DAYS = {NeedKind.MISSION: 14, NeedKind.TRAINING: 3}
WORKSHOP_AUDIENCE = 12

TITLE = N_("%(kind)s: %(specialty)s for %(area)s")
DESCRIPTION = N_(
    "Suggested by the facility's service grid: %(area)s is %(status)s, main cause: %(cause)s."
)


async def post_suggested_need(
    account: Account, facility_id: int, draft: SuggestedNeedDraft
) -> NeedSaved:
    """Publish the need the grid suggests for ``draft.area`` (409 when the grid suggests
    no such need now, or when the facility already has a live one of that kind and
    specialty)."""
    await get_facility(facility_id)
    await check_facility_access(account, facility_id)
    grid = await service_grid(account, facility_id)
    suggestion = next(
        (s for s in grid.suggestions if s.area == draft.area and s.kind == draft.kind), None
    )
    if suggestion is None:
        if draft.area not in {a.area for a in grid.areas}:
            raise ValidationFailed({"area": N_("choose a service area of the grid")})
        raise Conflict(N_("The service grid suggests no such need for this area now."))
    if suggestion.need_id is not None:
        raise Conflict(
            N_("This facility already has need %(id)s of this kind and specialty."),
            params={"id": suggestion.need_id},
        )
    status = next(a.status for a in grid.areas if a.area == draft.area)
    language = draft.language if draft.language in ("en", "ar") else "en"
    kind = NeedKind(suggestion.kind)
    taxonomy = load_taxonomy()
    specialty = taxonomy.name(suggestion.specialty, language)  # type: ignore[arg-type]
    area_name = label(draft.area, "service_area", language)
    kind_name = label(kind.value, "need_kind", language)
    starts_on = today_utc() + timedelta(days=LEAD_DAYS)
    ends_on = starts_on + timedelta(days=DAYS[kind] - 1)
    need = NeedDraft(
        facility_id=facility_id,
        kind=kind.value,
        title=gettext(language, TITLE, kind=kind_name, specialty=specialty, area=area_name),
        specialty=suggestion.specialty,
        description=gettext(
            language,
            DESCRIPTION,
            area=area_name,
            status=label(status, "service_status", language),
            cause=label(suggestion.cause, "service_cause", language),
        ),
        languages=["ar"],
        urgency=(Urgency.URGENT if status == "not_available" else Urgency.ROUTINE).value,
        places=1,
        starts_on=starts_on,
        ends_on=ends_on,
        topic=area_name if kind == NeedKind.TRAINING else "",
        audience_size=WORKSHOP_AUDIENCE if kind == NeedKind.TRAINING else 0,
        publish=True,
    )
    async with write_transaction():
        # The facility's row serialises two clicks on the same suggestion: the second
        # sees the need the first posted.
        await lock_rows(Facility.select(Facility.id).where(Facility.id == facility_id)).run()
        posted = await live_need_of(facility_id, kind.value, suggestion.specialty)
        if posted is not None:
            raise Conflict(
                N_("This facility already has need %(id)s of this kind and specialty."),
                params={"id": posted},
            )
        return await create_need(need, actor=account)
