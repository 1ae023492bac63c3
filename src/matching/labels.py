"""Human labels for stored enum values (roles, states, kinds, districts ...).

Templates never show a raw value such as ``partly_filled``: they call
``label(value, "need_status")``, which looks the English label up here and
translates it for the reader. Each label is marked with ``N_`` so that
``make messages`` puts it in the catalogs. Keys are the stored string values,
so both enum members (``StrEnum``) and plain strings from database rows work.
"""

from __future__ import annotations

from collections.abc import Mapping

from matching.i18n import N_, gettext

LABELS: Mapping[str, Mapping[str, str]] = {
    "role": {
        "doctor": N_("Doctor"),
        "facility_head": N_("Facility head"),
        "coordinator": N_("Coordinator"),
        "admin": N_("Administrator"),
        "local_clinician": N_("Local clinician"),
    },
    "clinical_role": {
        "resident": N_("Resident doctor"),
        "general_practitioner": N_("General practitioner"),
        "specialist": N_("Specialist doctor"),
        "nurse": N_("Nurse"),
        "midwife": N_("Midwife"),
        "paramedic": N_("Paramedic"),
        "pharmacist": N_("Pharmacist"),
        "technician": N_("Technician"),
        "other": N_("Other health worker"),
    },
    "level": {
        "resident": N_("Resident"),
        "specialist": N_("Specialist"),
        "consultant": N_("Consultant"),
    },
    "language_level": {
        "basic": N_("Basic"),
        "working": N_("Working"),
        "fluent": N_("Fluent"),
        "native": N_("Native"),
    },
    "licence_scope": {
        "foreign": N_("Licence from abroad (remote work)"),
        "syria_registration": N_("Registration with the Syrian authorities"),
        "syria_temporary_permit": N_("Temporary permit to practise in Syria"),
    },
    "mode": {
        "mission": N_("In-person mission"),
        "mentorship": N_("Remote mentorship"),
        "training": N_("Teaching a workshop"),
    },
    "licence_state": {
        "unverified": N_("Not yet submitted"),
        "pending": N_("Awaiting verification"),
        "verified": N_("Verified"),
        "rejected": N_("Rejected"),
        "expired": N_("Expired"),
    },
    "facility_kind": {
        "hospital": N_("Hospital"),
        "primary_care": N_("Primary care centre"),
        "clinic": N_("Clinic"),
        "mobile_unit": N_("Mobile unit"),
    },
    "district": {
        "homs": N_("Homs"),
        "al_rastan": N_("Al-Rastan"),
        "talkalakh": N_("Talkalakh"),
        "al_qusayr": N_("Al-Qusayr"),
        "al_mukharram": N_("Al-Mukharram"),
        "tadmur": N_("Tadmur (Palmyra)"),
    },
    "functional_state": {
        "full": N_("Fully functioning"),
        "partial": N_("Partially functioning"),
        "none": N_("Not functioning"),
    },
    "area": {
        "urban": N_("Urban"),
        "rural": N_("Rural"),
    },
    "need_kind": {
        "mission": N_("In-person mission"),
        "mentorship": N_("Remote mentorship"),
        "training": N_("Training workshop"),
    },
    "urgency": {
        "routine": N_("Routine"),
        "urgent": N_("Urgent"),
        "critical": N_("Critical"),
    },
    "need_status": {
        "draft": N_("Draft"),
        "open": N_("Open"),
        "partly_filled": N_("Partly filled"),
        "filled": N_("Filled"),
        "closed": N_("Closed"),
        "cancelled": N_("Cancelled"),
    },
    "run_status": {
        "queued": N_("Queued"),
        "running": N_("Running"),
        "succeeded": N_("Finished"),
        "failed": N_("Failed"),
        "overtaken": N_("Replaced by a newer run"),
    },
    "run_kind": {
        "full": N_("Full ranking"),
        "one_need": N_("One need"),
        "scheduled": N_("Scheduled ranking"),
        "stable": N_("Stable matching"),
    },
    "proposal_state": {
        "proposed": N_("Proposed"),
        "superseded": N_("Superseded"),
        "approved": N_("Approved"),
        "rejected": N_("Rejected"),
        "accepted": N_("Accepted"),
        "declined": N_("Declined"),
        "confirmed": N_("Confirmed"),
        "withdrawn": N_("Withdrawn"),
        "cancelled": N_("Cancelled"),
        "completed": N_("Completed"),
    },
    "mail_status": {
        "queued": N_("Queued"),
        "sending": N_("Sending"),
        "sent": N_("Sent"),
        "failed": N_("Failed"),
    },
    "subject_type": {
        "user": N_("Account"),
        "doctor_profile": N_("Doctor profile"),
        "facility": N_("Facility"),
        "licence": N_("Licence"),
        "need": N_("Need"),
        "proposal": N_("Proposal"),
        "ranking_run": N_("Ranking run"),
        "invitation": N_("Invitation"),
        "case_discussion": N_("Case discussion"),
    },
    # Signals of the ranking score, as the explanation of a proposal lists them
    # (matching.ranking.weights); names not listed here are shown as stored.
    "signal": {
        "specialty": N_("Specialty fit"),
        "skills": N_("Skills in common"),
        "availability": N_("Free when needed"),
        "experience": N_("Experience"),
        "need_weight": N_("How much the need matters"),
        "past_decisions": N_("Coordinators' past decisions"),
        "continuity": N_("Worked with this facility before"),
    },
    # One line under each signal's name: what it measures, in plain words.
    "signal_meaning": {
        "specialty": N_("Same specialty, a related one, or a neighbouring one."),
        "skills": N_("The skills asked that the doctor ticked or wrote about."),
        "availability": N_("How much of the needed time the doctor is free."),
        "experience": N_("Level in the fitting specialty and years of practice."),
        "need_weight": N_(
            "Urgency and how under-served the facility is; the same for every doctor."
        ),
        "past_decisions": N_("How coordinators decided similar pairings before."),
        "continuity": N_(
            "A mentorship, mission or workshop of this doctor's for this facility was confirmed."
        ),
    },
    # What a doctor did with a facility before (the continuity signal's note).
    "past_work": {
        "mission": N_("mission"),
        "mentorship": N_("mentorship"),
        "training": N_("workshop"),
    },
    "weekday": {
        "0": N_("Monday"),
        "1": N_("Tuesday"),
        "2": N_("Wednesday"),
        "3": N_("Thursday"),
        "4": N_("Friday"),
        "5": N_("Saturday"),
        "6": N_("Sunday"),
    },
    "access_status": {
        "open": N_("Open"),
        "restricted": N_("Restricted"),
        "closed": N_("Closed"),
    },
    # What an in-person need becomes when a coordinator makes it remote.
    "remote_kind": {
        "mentorship": N_("remote mentorship"),
        "training": N_("remote workshop"),
    },
    "offer_state": {
        "offered": N_("waiting for the doctor's answer"),
        "accepted": N_("accepted by the doctor"),
        "declined": N_("declined by the doctor"),
    },
    # Facilities' services (HeRAMS): the areas of the grid, a status, the main cause.
    "service_area": {
        "emergency_care": N_("Emergency care"),
        "intensive_care": N_("Intensive care"),
        "surgery": N_("Surgery"),
        "maternal_newborn": N_("Maternal and newborn care"),
        "paediatrics": N_("Child health (paediatrics)"),
        "mental_health": N_("Mental health"),
        "chronic_diseases": N_("Chronic diseases"),
        "communicable_diseases": N_("Communicable diseases"),
        "cancer_palliative": N_("Cancer and palliative care"),
        "general_clinical": N_("General clinical care"),
        "rehabilitation": N_("Rehabilitation"),
        "diagnostics": N_("Laboratory and imaging"),
        "oral_health": N_("Oral health"),
        "nursing_care": N_("Nursing care"),
        "nutrition": N_("Nutrition"),
        "medicines": N_("Essential medicines"),
    },
    "service_status": {
        "available": N_("Available"),
        "partly": N_("Partly available"),
        "not_available": N_("Not available"),
    },
    "service_cause": {
        "no_staff": N_("No staff"),
        "no_training": N_("No training"),
        "no_equipment": N_("No equipment"),
        "no_supplies": N_("No supplies"),
        "damaged_building": N_("Damaged building"),
        "no_funding": N_("No funding"),
    },
    "workshop_phase": {
        "pre": N_("Pre-test"),
        "post": N_("Post-test"),
    },
    "age_band": {
        "under_1_month": N_("Under 1 month"),
        "months_1_11": N_("1 to 11 months"),
        "years_1_4": N_("1 to 4 years"),
        "years_5_14": N_("5 to 14 years"),
        "years_15_24": N_("15 to 24 years"),
        "years_25_44": N_("25 to 44 years"),
        "years_45_64": N_("45 to 64 years"),
        "years_65_up": N_("65 years or older"),
    },
    "sex": {
        "female": N_("Female"),
        "male": N_("Male"),
        "not_stated": N_("Not stated"),
    },
    "case_status": {
        "submitted": N_("Waiting for the mentor"),
        "answered": N_("Answered"),
        "closed": N_("Closed"),
    },
    "mission_item": {
        "permission": N_("Permission to practise in Syria"),
        "travel_documents": N_("Travel documents"),
        "insurance": N_("Insurance, medical evacuation included"),
        "emergency_contact": N_("Emergency contact"),
        "accommodation": N_("Accommodation and transport arranged"),
        "briefing": N_("Security briefing"),
    },
    "item_owner": {
        "doctor": N_("The doctor"),
        "head": N_("The facility"),
        "coordinator": N_("A coordinator"),
    },
    "item_state": {
        "open": N_("To do"),
        "done": N_("Done"),
    },
    "report_state": {
        "submitted": N_("Submitted"),
        "confirmed": N_("Confirmed by the facility"),
        "disputed": N_("Disputed by the facility"),
    },
    "patient_category": {
        "emergency": N_("Emergency"),
        "surgery": N_("Surgery"),
        "maternal": N_("Maternal"),
        "paediatric": N_("Paediatric"),
        "chronic": N_("Chronic diseases"),
        "other": N_("Other"),
    },
    "session_status": {
        "planned": N_("Planned"),
        "held": N_("Held"),
        "missed": N_("Missed"),
        "moved": N_("Moved"),
    },
    "missed_by": {
        "doctor": N_("missed by the doctor"),
        "mentee": N_("missed by the mentee"),
        "both": N_("missed by both"),
        "other": N_("missed for another reason"),
    },
    "goal_outcome": {
        "achieved": N_("Achieved"),
        "partly": N_("Partly achieved"),
        "not_achieved": N_("Not achieved"),
    },
    "mentorship_status": {
        "active": N_("Active"),
        "completed": N_("Completed"),
    },
}


def english_label(value: object, kind: str) -> str:
    """The English label of ``value``; the raw value when none is defined.

    Raises ``KeyError`` for an unknown ``kind`` (a typo in a template must fail loudly).
    """
    table = LABELS[kind]
    key = str(getattr(value, "value", value))
    return table.get(key, key)


def label(value: object, kind: str, language: str) -> str:
    """The label of ``value`` in ``language`` (``""`` for ``None``)."""
    if value is None or value == "":
        return ""
    return gettext(language, english_label(value, kind))
