"""The service areas of the grid, and the specialties that serve each.

HeRAMS groups a facility's services into areas (emergency care, surgery, maternal and
newborn care, ...). Each area here names the specialties of the taxonomy that serve it
(every specialty belongs to at least one area, checked by the tests) and the one
specialty a suggested need asks for when the area lacks staff or training.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from matching.facilities.tables import NeedKind


class ServiceStatus(StrEnum):
    AVAILABLE = "available"
    PARTLY = "partly"
    NOT_AVAILABLE = "not_available"


class ServiceCause(StrEnum):
    """The main cause when a service is not fully available (HeRAMS' barriers)."""

    NO_STAFF = "no_staff"
    NO_TRAINING = "no_training"
    NO_EQUIPMENT = "no_equipment"
    NO_SUPPLIES = "no_supplies"
    DAMAGED_BUILDING = "damaged_building"
    NO_FUNDING = "no_funding"


#: The causes a doctor can help with, and the kind of need each suggests.
SUGGESTED_KIND: dict[ServiceCause, NeedKind] = {
    ServiceCause.NO_STAFF: NeedKind.MISSION,
    ServiceCause.NO_TRAINING: NeedKind.TRAINING,
}


@dataclass(frozen=True)
class ServiceArea:
    """An area of the grid: ``specialty`` is what a suggested need asks for."""

    code: str
    specialty: str
    specialties: tuple[str, ...]


AREAS: tuple[ServiceArea, ...] = (
    ServiceArea("emergency_care", "emergency_medicine", ("emergency_medicine",)),
    ServiceArea(
        "intensive_care",
        "critical_care",
        ("critical_care", "anaesthesia", "pediatric_critical_care"),
    ),
    ServiceArea(
        "surgery",
        "general_surgery",
        (
            "general_surgery",
            "orthopaedics_trauma",
            "neurosurgery",
            "plastic_reconstructive_surgery",
            "pediatric_surgery",
            "cardiothoracic_surgery",
            "urology",
            "anaesthesia",
        ),
    ),
    ServiceArea(
        "maternal_newborn",
        "obstetrics_gynaecology",
        ("obstetrics_gynaecology", "maternal_fetal_medicine", "midwifery", "neonatology"),
    ),
    ServiceArea(
        "paediatrics",
        "pediatrics",
        ("pediatrics", "neonatology", "pediatric_critical_care", "pediatric_surgery"),
    ),
    ServiceArea(
        "mental_health", "psychiatry", ("psychiatry", "child_psychiatry", "clinical_psychology")
    ),
    ServiceArea(
        "chronic_diseases",
        "internal_medicine",
        (
            "internal_medicine",
            "cardiology",
            "endocrinology",
            "nephrology",
            "pulmonology",
            "gastroenterology",
            "neurology",
        ),
    ),
    ServiceArea(
        "communicable_diseases", "infectious_diseases", ("infectious_diseases", "public_health")
    ),
    ServiceArea("cancer_palliative", "oncology", ("oncology", "hematology", "palliative_care")),
    ServiceArea(
        "general_clinical",
        "family_medicine",
        ("family_medicine", "ophthalmology", "ent", "dermatology"),
    ),
    ServiceArea(
        "rehabilitation",
        "physical_medicine_rehabilitation",
        ("physical_medicine_rehabilitation", "physiotherapy", "prosthetics_orthotics"),
    ),
    ServiceArea(
        "diagnostics", "laboratory_medicine", ("laboratory_medicine", "radiology", "pathology")
    ),
    ServiceArea("oral_health", "dentistry", ("dentistry", "oral_maxillofacial_surgery")),
    ServiceArea("nursing_care", "nursing_education", ("nursing_education",)),
    ServiceArea("nutrition", "nutrition", ("nutrition",)),
    ServiceArea("medicines", "pharmacy", ("pharmacy",)),
)

AREAS_BY_CODE: dict[str, ServiceArea] = {area.code: area for area in AREAS}
