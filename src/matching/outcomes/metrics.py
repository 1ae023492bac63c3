"""The outcome metrics, in the order reports show them, with their labels and how each
is summed."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from msgspec import Struct

from matching.i18n import N_


class Sum(StrEnum):
    TOTAL = "total"  # add the values
    DISTINCT = "distinct"  # count distinct subjects
    MEAN = "mean"  # average the observations


class Metric(Struct, frozen=True):
    label: str
    sum: Sum
    decimals: int = 0


METRICS: Mapping[str, Metric] = {
    "needs_posted": Metric(N_("Needs posted"), Sum.TOTAL),
    "needs_filled": Metric(N_("Needs filled"), Sum.TOTAL),
    "needs_unfilled": Metric(N_("Needs not filled"), Sum.TOTAL),
    "doctors_deployed": Metric(N_("Doctors deployed on missions"), Sum.DISTINCT),
    "mission_days": Metric(N_("Days on site"), Sum.TOTAL),
    "patients_seen": Metric(N_("Patients seen"), Sum.TOTAL),
    "staff_trained": Metric(N_("Local staff trained"), Sum.DISTINCT),
    "mentorship_hours": Metric(N_("Hours of mentorship held"), Sum.TOTAL, 1),
    "sessions_held": Metric(N_("Mentorship sessions held"), Sum.TOTAL),
    "sessions_missed": Metric(N_("Mentorship sessions missed"), Sum.TOTAL),
    "cases_discussed": Metric(N_("Cases discussed"), Sum.TOTAL),
    "workshops_held": Metric(N_("Workshops held"), Sum.TOTAL),
    "people_trained": Metric(N_("People trained in workshops"), Sum.DISTINCT),
    "score_change": Metric(N_("Mean change from pre- to post-test (points)"), Sum.MEAN, 1),
    "services_restored": Metric(N_("Service areas restored"), Sum.TOTAL),
}
