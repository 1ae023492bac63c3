"""The facilities' controllers, for the app's route table.

HTML pages (``facility_pages``, ``need_pages``, ``invitation_pages``) and the JSON
API (``api``). Thin: every rule and every query lives in ``matching.facilities``
(and, where a need's pairings are involved, ``matching.pairings.need_lifecycle``).
"""

from __future__ import annotations

from web.facilities.api import FacilityApi, NeedApi
from web.facilities.facility_pages import FacilityPages
from web.facilities.invitation_pages import InvitationPages
from web.facilities.need_pages import NeedPages

HTML_CONTROLLERS = [FacilityPages, NeedPages, InvitationPages]
API_CONTROLLERS = [FacilityApi, NeedApi]
__all__ = [
    "API_CONTROLLERS",
    "HTML_CONTROLLERS",
    "FacilityApi",
    "FacilityPages",
    "InvitationPages",
    "NeedApi",
    "NeedPages",
]
