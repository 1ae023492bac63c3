"""Every controller and route handler the app serves, in one list.

Each feature adds its controllers here; the authorization-matrix test reads
the app's own route table, so a new route cannot escape it.
"""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from web.accounts.controllers import AccountPages, SessionApi, SignupApi
from web.admin.controllers import StaffPages
from web.cases.controllers import CasePages, MentorshipCasePages
from web.consent.controllers import ConsentPages, PrivacyNoticeApi
from web.districts.controllers import (
    DistrictApi,
    DistrictPages,
    MakeRemoteApi,
    MakeRemotePages,
    RemoteAnswerPages,
)
from web.doctors.controllers import (
    CoordinatorLicencePages,
    DoctorApi,
    DoctorPublicPages,
    DoctorSelfPages,
    TaxonomyApi,
)
from web.facilities.controllers import (
    FacilityApi,
    FacilityPages,
    InvitationPages,
    NeedApi,
    NeedPages,
)
from web.health import health
from web.home import home
from web.mentorship.controllers import ClinicianPages, MentorshipPages
from web.missions.controllers import MissionPages
from web.outcomes.controllers import OutcomePages
from web.pairings.controllers import OpenNeedPages, PairingPages, ProposalApi
from web.people.controllers import PeoplePages, PersonInvitationPages
from web.review.controllers import CoordinatorPages
from web.runs.controllers import OutboxPages, RunApi, RunPages
from web.services.controllers import ServicePages
from web.workshops.controllers import CertificatePages, ClinicianWorkshopPages, WorkshopPages

ROUTE_HANDLERS: list[ControllerRouterHandler] = [
    FacilityPages,
    NeedPages,
    InvitationPages,
    FacilityApi,
    NeedApi,
    home,
    health,
    AccountPages,
    SessionApi,
    SignupApi,
    ConsentPages,
    PrivacyNoticeApi,
    StaffPages,
    CoordinatorPages,
    PairingPages,
    OpenNeedPages,
    ProposalApi,
    DoctorSelfPages,
    DoctorPublicPages,
    DoctorApi,
    TaxonomyApi,
    CoordinatorLicencePages,
    RunApi,
    RunPages,
    OutboxPages,
    OutcomePages,
    DistrictPages,
    DistrictApi,
    MakeRemotePages,
    MakeRemoteApi,
    RemoteAnswerPages,
    ServicePages,
    WorkshopPages,
    CertificatePages,
    ClinicianWorkshopPages,
    MentorshipCasePages,
    CasePages,
    MissionPages,
    PeoplePages,
    PersonInvitationPages,
    MentorshipPages,
    ClinicianPages,
]
