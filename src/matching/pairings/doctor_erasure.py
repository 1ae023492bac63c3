"""What account deletion does to a doctor's proposals (inside its transaction).

Decided pairings stay, for the facility's history and the learned ranking, but
without the doctor: their own words (a decline's reason) are anonymised and the
proposal no longer points at the profile.
"""

from __future__ import annotations

from collections.abc import Callable

from matching.pairings.tables import Proposal


async def erase_doctor_from_proposals(
    profile_id: int, anonymise: Callable[[str], str]
) -> list[int]:
    """Anonymise the reasons on the doctor's proposals and set their doctor to NULL;
    return the ids of those proposals."""
    rows = await Proposal.select(Proposal.id, Proposal.decision_reason).where(
        Proposal.doctor == profile_id
    )
    for row in rows:
        reason = row["decision_reason"] or ""
        cleaned = anonymise(reason)
        if cleaned != reason:
            await (
                Proposal.update({Proposal.decision_reason: cleaned})
                .where(Proposal.id == row["id"])
                .run()
            )
    await Proposal.update({Proposal.doctor: None}).where(Proposal.doctor == profile_id).run()
    return [row["id"] for row in rows]
