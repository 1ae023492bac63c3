"""Who heads which facility, and what that lets them see and change.

A facility head sees and edits only the facilities they head (and their
needs); coordinators and admins see everything. Reads ``facility_head``; the
rows are written by ``facilities.invitations`` (a head joins by invitation).
"""

from __future__ import annotations

from matching.accounts.services import Account
from matching.accounts.tables import Role
from matching.errors import Forbidden
from matching.facilities.schemas import FacilityHeadView
from matching.facilities.tables import FacilityHead
from matching.i18n import N_

STAFF_ROLES = (Role.COORDINATOR, Role.ADMIN)


def is_staff(account: Account) -> bool:
    return account.role in STAFF_ROLES


async def is_head_of(user_id: int, facility_id: int) -> bool:
    return bool(
        await FacilityHead.exists()
        .where(FacilityHead.user == user_id, FacilityHead.facility == facility_id)
        .run()
    )


async def check_facility_access(account: Account, facility_id: int) -> None:
    """Raise ``Forbidden`` unless ``account`` is staff or heads this facility."""
    if is_staff(account):
        return
    if account.role == Role.FACILITY_HEAD and await is_head_of(account.id, facility_id):
        return
    raise Forbidden(N_("You can only manage the facilities you head."))


async def facility_ids_of(user_id: int) -> list[int]:
    """Ids of the facilities ``user_id`` heads."""
    rows = (
        await FacilityHead.select(FacilityHead.facility).where(FacilityHead.user == user_id).run()
    )
    return [int(row["facility"]) for row in rows]


async def heads_of(facility_id: int) -> list[FacilityHeadView]:
    """The active heads of a facility, by name."""
    rows = (
        await FacilityHead.select(
            FacilityHead.user.id.as_alias("id"),
            FacilityHead.user.email.as_alias("email"),
            FacilityHead.user.full_name.as_alias("full_name"),
            FacilityHead.user.language.as_alias("language"),
        )
        .where(FacilityHead.facility == facility_id, FacilityHead.user.is_active.eq(True))
        .order_by(FacilityHead.user.full_name)
        .run()
    )
    return [FacilityHeadView(**row) for row in rows]
