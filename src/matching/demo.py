"""Demo data for the embedded default: Homs governorate facilities, doctors, needs.

Loading is idempotent: a second run finds the demo coordinator and stops.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta

from matching.accounts.services import create_account
from matching.accounts.tables import Role, User
from matching.consent.services import record_consent
from matching.doctors.tables import (
    DoctorLanguage,
    DoctorProfile,
    DoctorSkill,
    DoctorSpecialty,
    Licence,
    LicenceState,
    TravelWindow,
    WeeklySlot,
)
from matching.facilities.tables import Facility, FacilityHead, LocalSlot, Need, NeedSkill

DEMO_PASSWORD = "homs-demo-2026"


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    password: str = DEMO_PASSWORD


DEMO_LOGINS = (
    DemoLogin("coordinator", "coordinator@demo.homs-health.org"),
    DemoLogin("admin", "admin@demo.homs-health.org"),
    DemoLogin(
        "facility head (Homs National Hospital, Al-Rastan National Hospital)",
        "head@demo.homs-health.org",
    ),
    DemoLogin("doctor (neonatologist, Berlin)", "doctor@demo.homs-health.org"),
)

FACILITIES = [
    # name_en, name_ar, kind, district, sub_district, rural, state, beds, staff, lat, lon
    (
        "Homs National Hospital",
        "مشفى حمص الوطني",
        "hospital",
        "homs",
        "Homs",
        False,
        "partial",
        180,
        420,
        34.7308,
        36.7094,
    ),
    (
        "Al-Waer Primary Care Centre",
        "مركز الوعر للرعاية الصحية الأولية",
        "primary_care",
        "homs",
        "Homs",
        False,
        "full",
        0,
        35,
        34.7390,
        36.6680,
    ),
    (
        "Al-Rastan National Hospital",
        "مشفى الرستن الوطني",
        "hospital",
        "al_rastan",
        "Al-Rastan",
        True,
        "partial",
        60,
        110,
        34.9266,
        36.7325,
    ),
    (
        "Talbiseh Health Centre",
        "مركز تلبيسة الصحي",
        "primary_care",
        "al_rastan",
        "Talbiseh",
        True,
        "partial",
        0,
        18,
        34.8383,
        36.7300,
    ),
    (
        "Talkalakh Health Centre",
        "المركز الصحي في تلكلخ",
        "primary_care",
        "talkalakh",
        "Talkalakh",
        True,
        "partial",
        10,
        24,
        34.6683,
        36.2597,
    ),
    (
        "Al-Qusayr Hospital",
        "مشفى القصير",
        "hospital",
        "al_qusayr",
        "Al-Qusayr",
        True,
        "none",
        40,
        12,
        34.5089,
        36.5797,
    ),
    (
        "Al-Mukharram Clinic",
        "عيادة المخرم",
        "clinic",
        "al_mukharram",
        "Al-Mukharram",
        True,
        "partial",
        0,
        9,
        34.8167,
        37.0833,
    ),
    (
        "Tadmur Mobile Medical Unit",
        "الوحدة الطبية المتنقلة في تدمر",
        "mobile_unit",
        "tadmur",
        "Tadmur",
        True,
        "partial",
        0,
        6,
        34.5560,
        38.2670,
    ),
]

# What the head of each facility wrote for visiting doctors (offer page).
ON_SITE = {
    "Al-Rastan National Hospital": {
        "receiver_role": "Head of the newborn unit (Dr. Ahmad Shami's supervisor)",
        "accommodation": "A furnished room in the hospital's staff house, free of charge.",
        "transport": "The hospital car meets you in Homs city; about 40 minutes by road.",
        "security": "The hospital's security officer briefs you on arrival; no curfew in town.",
    },
    "Homs National Hospital": {
        "receiver_role": "Head of the emergency department",
        "accommodation": "A partner guest house in Al-Waer, paid by the hospital.",
        "transport": "Daily shuttle between the guest house and the hospital.",
        "security": "Call the duty manager at any hour; evacuation plan with the Red Crescent.",
    },
}

# name, email, country, city, tz, years, modes, languages, specialties, skills, travel?, slots
DOCTORS = [
    (
        "Dr. Lina Haddad",
        "doctor@demo.homs-health.org",
        "DE",
        "Berlin",
        "Europe/Berlin",
        14,
        ("mentorship", "training", "mission"),
        ("ar", "en", "de"),
        (("neonatology", "consultant"), ("pediatrics", "specialist")),
        ("neonatal_resuscitation", "point_of_care_ultrasound"),
        True,
        ((1, time(18), time(20)), (3, time(18), time(20))),
    ),
    (
        "Dr. Omar Khatib",
        "omar.khatib@demo.homs-health.org",
        "US",
        "Chicago",
        "America/Chicago",
        9,
        ("mentorship",),
        ("ar", "en"),
        (("emergency_medicine", "specialist"),),
        ("atls_trauma_life_support", "mass_casualty_triage", "point_of_care_ultrasound"),
        False,
        ((1, time(10), time(13)), (5, time(9), time(12))),
    ),
    (
        "Dr. Rania Sabbagh",
        "rania.sabbagh@demo.homs-health.org",
        "SE",
        "Gothenburg",
        "Europe/Stockholm",
        11,
        ("mentorship", "training"),
        ("ar", "en", "sv"),
        (("psychiatry", "consultant"),),
        ("trauma_informed_care", "psychological_first_aid", "mhgap"),
        False,
        ((2, time(17), time(19)), (6, time(10), time(12))),
    ),
    (
        "Dr. Samer Al-Masri",
        "samer.almasri@demo.homs-health.org",
        "GB",
        "Manchester",
        "Europe/London",
        20,
        ("mission", "training"),
        ("ar", "en"),
        (("orthopaedics_trauma", "consultant"),),
        ("war_wound_management", "external_fixation", "fracture_management"),
        True,
        (),
    ),
    (
        "Dr. Huda Nasser",
        "huda.nasser@demo.homs-health.org",
        "FR",
        "Lyon",
        "Europe/Paris",
        7,
        ("mission", "mentorship"),
        ("ar", "fr", "en"),
        (("obstetrics_gynaecology", "specialist"),),
        ("emergency_obstetric_care", "c_section"),
        True,
        ((0, time(19), time(21)),),
    ),
    (
        "Dr. Karim Youssef",
        "karim.youssef@demo.homs-health.org",
        "TR",
        "Gaziantep",
        "Europe/Istanbul",
        4,
        ("mission", "mentorship", "training"),
        ("ar", "tr", "en"),
        (("internal_medicine", "resident"),),
        ("diabetes_management", "hypertension_management"),
        True,
        ((4, time(16), time(18)),),
    ),
    (
        "Dr. Nour Atassi",
        "nour.atassi@demo.homs-health.org",
        "CA",
        "Toronto",
        "America/Toronto",
        16,
        ("mentorship", "training"),
        ("ar", "en", "fr"),
        (("nephrology", "consultant"), ("internal_medicine", "specialist")),
        ("hemodialysis",),
        False,
        ((1, time(11), time(13)), (3, time(11), time(13))),
    ),
    (
        "Dr. Yara Droubi",
        "yara.droubi@demo.homs-health.org",
        "AE",
        "Dubai",
        "Asia/Dubai",
        10,
        ("mission", "mentorship"),
        ("ar", "en"),
        (("anaesthesia", "specialist"), ("critical_care", "specialist")),
        ("ventilator_management", "regional_anaesthesia"),
        True,
        ((6, time(19), time(21)),),
    ),
]

NEEDS = [
    # facility index, kind, title, specialty, skills, languages, licence, urgency, places, extra
    (
        2,
        "mentorship",
        "Neonatal care mentorship for the Al-Rastan newborn unit",
        "neonatology",
        ("neonatal_resuscitation",),
        "ar",
        False,
        "critical",
        1,
        {
            "mentee_name": "Dr. Ahmad Shami",
            "weekly_hours": 2.0,
            "months": 6,
            "slots": ((1, time(19), time(21)), (3, time(19), time(21))),
        },
    ),
    (
        5,
        "mission",
        "Trauma surgery mission to reopen Al-Qusayr Hospital's theatre",
        "orthopaedics_trauma",
        ("war_wound_management", "external_fixation"),
        "ar",
        True,
        "urgent",
        2,
        {"days_from_now": 60, "duration": 14},
    ),
    (
        4,
        "training",
        "Trauma-informed care workshop for Talkalakh nurses",
        "psychiatry",
        ("trauma_informed_care", "psychological_first_aid"),
        "ar",
        False,
        "routine",
        1,
        {
            "topic": "Trauma-informed care and psychological first aid",
            "audience_size": 25,
            "remote": True,
            "days_from_now": 30,
            "duration": 2,
        },
    ),
    (
        0,
        "mentorship",
        "Emergency department triage mentorship",
        "emergency_medicine",
        ("mass_casualty_triage",),
        "ar,en",
        False,
        "urgent",
        1,
        {
            "mentee_name": "Dr. Rami Halabi",
            "weekly_hours": 2.0,
            "months": 4,
            "slots": ((1, time(17), time(20)), (5, time(16), time(19))),
        },
    ),
    (
        3,
        "mission",
        "Emergency obstetric care mission for Talbiseh",
        "obstetrics_gynaecology",
        ("emergency_obstetric_care",),
        "ar",
        True,
        "critical",
        1,
        {"days_from_now": 45, "duration": 10},
    ),
    (
        1,
        "mentorship",
        "Diabetes and hypertension clinic mentorship",
        "internal_medicine",
        ("diabetes_management", "hypertension_management"),
        "ar",
        False,
        "routine",
        1,
        {
            "mentee_name": "Dr. Maya Jundi",
            "weekly_hours": 1.5,
            "months": 3,
            "slots": ((4, time(18), time(20)),),
        },
    ),
    (
        0,
        "mentorship",
        "Haemodialysis unit mentorship",
        "nephrology",
        ("hemodialysis",),
        "ar,en",
        False,
        "urgent",
        1,
        {
            "mentee_name": "Dr. Ziad Kassab",
            "weekly_hours": 2.0,
            "months": 6,
            "slots": ((1, time(19), time(21)), (3, time(19), time(21))),
        },
    ),
    (
        6,
        "mission",
        "Mobile clinic mission in Al-Mukharram",
        "internal_medicine",
        (),
        "ar",
        False,
        "routine",
        1,
        {"days_from_now": 75, "duration": 7},
    ),
]


async def demo_present() -> bool:
    return bool(await User.exists().where(User.email == DEMO_LOGINS[0].email).run())


async def load_demo_data() -> bool:
    """Insert the demo data unless it is already there; True when it was loaded."""
    if await demo_present():
        return False
    await create_account(
        email=DEMO_LOGINS[0].email,
        full_name="Sara Coordinator",
        password=DEMO_PASSWORD,
        role=Role.COORDINATOR,
        timezone="Asia/Damascus",
    )
    await create_account(
        email=DEMO_LOGINS[1].email,
        full_name="Admin",
        password=DEMO_PASSWORD,
        role=Role.ADMIN,
        timezone="Asia/Damascus",
    )
    head = await create_account(
        email=DEMO_LOGINS[2].email,
        full_name="Dr. Mahmoud Al-Homsi",
        password=DEMO_PASSWORD,
        role=Role.FACILITY_HEAD,
        language="ar",
        timezone="Asia/Damascus",
    )
    # Demo people accepted the current privacy notice (real ones do at sign-up).
    await record_consent(head.id, actor_label=head.email, via="invitation", language="ar")
    facility_ids = []
    for name_en, name_ar, kind, district, sub, rural, state, beds, staff, lat, lon in FACILITIES:
        row = (
            await Facility.insert(
                Facility(
                    name_en=name_en,
                    name_ar=name_ar,
                    kind=kind,
                    district=district,
                    sub_district=sub,
                    rural=rural,
                    functional_state=state,
                    beds=beds,
                    staff=staff,
                    latitude=lat,
                    longitude=lon,
                    **ON_SITE.get(name_en, {}),
                )
            )
            .returning(Facility.id)
            .run()
        )
        facility_ids.append(row[0]["id"])
    for index in (0, 2):
        await FacilityHead.insert(FacilityHead(user=head.id, facility=facility_ids[index])).run()

    today = date.today()
    for (
        name,
        email,
        country,
        city,
        tz,
        years,
        modes,
        languages,
        specialties,
        skills,
        travel,
        slots,
    ) in DOCTORS:
        account = await create_account(
            email=email, full_name=name, password=DEMO_PASSWORD, role=Role.DOCTOR, timezone=tz
        )
        await record_consent(account.id, actor_label=account.email, via="signup", language="en")
        rows = (
            await DoctorProfile.insert(
                DoctorProfile(
                    user=account.id,
                    country=country,
                    city=city,
                    timezone=tz,
                    years_experience=years,
                    phone="+49 30 0000 0000" if country == "DE" else "+1 555 0100",
                    contact_email=email,
                    bio=f"{name}, {city}.",
                    offers_mission="mission" in modes,
                    offers_mentorship="mentorship" in modes,
                    offers_training="training" in modes,
                    max_mentees=2 if "mentorship" in modes else 0,
                    hours_per_month=8,
                    can_travel=travel,
                )
            )
            .returning(DoctorProfile.id)
            .run()
        )
        doctor_id = rows[0]["id"]
        for code in languages:
            await DoctorLanguage.insert(DoctorLanguage(doctor=doctor_id, code=code)).run()
        for code, level in specialties:
            await DoctorSpecialty.insert(
                DoctorSpecialty(doctor=doctor_id, code=code, level=level)
            ).run()
        for code in skills:
            await DoctorSkill.insert(DoctorSkill(doctor=doctor_id, code=code)).run()
        for weekday, start, end in slots:
            await WeeklySlot.insert(
                WeeklySlot(doctor=doctor_id, weekday=weekday, starts_at=start, ends_at=end)
            ).run()
        if travel:
            await TravelWindow.insert(
                TravelWindow(
                    doctor=doctor_id,
                    starts_on=today + timedelta(days=30),
                    ends_on=today + timedelta(days=120),
                )
            ).run()
        await Licence.insert(
            Licence(
                doctor=doctor_id,
                issuer_country=country,
                authority="Medical Council",
                number=f"LIC-{doctor_id:05d}",
                expires_on=today + timedelta(days=700),
                state=LicenceState.VERIFIED if years >= 7 else LicenceState.PENDING,
            )
        ).run()
        if travel and years >= 7:  # in person in Syria: registered with the Syrian authorities
            await Licence.insert(
                Licence(
                    doctor=doctor_id,
                    issuer_country="SY",
                    authority="Syrian Medical Association",
                    number=f"SY-{doctor_id:05d}",
                    expires_on=today + timedelta(days=365),
                    state=LicenceState.VERIFIED,
                    scope="syria_registration",
                )
            ).run()

    for (
        facility_index,
        kind,
        title,
        specialty,
        skills,
        languages,
        licence,
        urgency,
        places,
        extra,
    ) in NEEDS:
        starts_on = ends_on = None
        if "days_from_now" in extra:
            starts_on = today + timedelta(days=extra["days_from_now"])
            ends_on = starts_on + timedelta(days=extra["duration"] - 1)
        elif kind == "mentorship":
            starts_on = today + timedelta(days=14)
            ends_on = starts_on + timedelta(days=30 * extra["months"])
        rows = (
            await Need.insert(
                Need(
                    facility=facility_ids[facility_index],
                    kind=kind,
                    title=title,
                    specialty=specialty,
                    description=title,
                    languages=languages,
                    requires_licence=licence,
                    urgency=urgency,
                    status="open",
                    places=places,
                    starts_on=starts_on,
                    ends_on=ends_on,
                    mentee_name=extra.get("mentee_name", ""),
                    weekly_hours=extra.get("weekly_hours", 0.0),
                    months=extra.get("months", 0),
                    topic=extra.get("topic", ""),
                    audience_size=extra.get("audience_size", 0),
                    remote=extra.get("remote", False),
                    created_by=head.id,
                )
            )
            .returning(Need.id)
            .run()
        )
        need_id = rows[0]["id"]
        for code in skills:
            await NeedSkill.insert(NeedSkill(need=need_id, code=code)).run()
        for weekday, start, end in extra.get("slots", ()):
            await LocalSlot.insert(
                LocalSlot(need=need_id, weekday=weekday, starts_at=start, ends_at=end)
            ).run()
    return True
