"""A small hand-labelled evaluation set for the ranking engine.

Twenty needs of Homs governorate facilities and 46 doctors, written by hand.
For each of needs 1-10, 15, 16, 18 and 19, ``EXPECTED`` names the doctor a careful
coordinator would pick, and the comment above the need says why (and why not
the others). The engine's top 3 must contain that doctor; the benchmark reports
precision at 1 and 3. Needs 11-14 are short of suitable doctors: ``SHORT``
names the only doctors a clinician would send (maybe none); the rest of their
places must stay open rather than go to a doctor of the wrong specialty.
Needs 80-82 are team missions (several roles, all together or nobody): ``TEAMS``
names who fills each role, ``TEAMS_OPEN`` the role that keeps a team open.
Needs 15-20 test the rules a coordinator used to apply by hand: the level a need
asks for a language, and the permission to practise in Syria that in-person work
needs (a foreign licence serves remote work only). ``RULE_SHORT`` names, for the
needs nobody may take, the rule that keeps them open.

Needs 100-121 (doctors 100-145) take each rule of issue 16 one case at a time:
language levels (100-104: a level asked, a language without a level counting as
fluent, a language asking none), where a licence lets one practise (105-110: a
registration or a verified temporary permit for in-person work in Syria, a permit
ending mid-mission or still pending, any licence for remote work, no permission when
no licence is asked), team missions (111-114: counts, dates every member must
cover, all or nobody, a team asking for licences), continuity (115-117: across kinds
of work, feedback, never over a hard rule) and fairness over time (118-121: a wait
that wins a contested doctor, and its ceiling). ``PROPOSED`` names every doctor a
need of several places gets; ``EXCLUDED`` names, per need, doctors who must not be
proposed and the one hard rule that keeps each out; ``ENGINE_ONLY`` the labels the
product path cannot express yet. 49 needs are labelled in all;
:mod:`benchmarks.eval_set_db` writes the set to the tables for the product path
(``tests/matching/test_ranking_eval.py`` checks every label both ways).

Doctors hold a registration with the Syrian authorities valid as long as their
verified licence unless said otherwise (``syria_permission_until``); a language
without a level is spoken fluently.

The run date is Monday 2026-01-05.
"""

from __future__ import annotations

from datetime import date, time

from matching.availability import DateRange, WeeklyWindow
from matching.ranking.data import DoctorInput, NeedInput, TeamRole

TODAY = date(2026, 1, 5)
AR = frozenset({"ar"})
AR_EN = frozenset({"ar", "en"})


def _d(y: int, m: int, d: int) -> date:
    return date(y, m, d)


def _slot(day: int, h0: int, h1: int, m0: int = 0, m1: int = 0) -> WeeklyWindow:
    return WeeklyWindow(day, time(h0, m0), time(h1, m1))


def _win(a: date, b: date) -> DateRange:
    return DateRange(a, b)


MON, TUE, WED, THU, FRI, SAT, SUN = range(7)
LICENCE_OK = _d(2027, 6, 30)


def _doctor(id: int, **kw: object) -> DoctorInput:
    base: dict[str, object] = {
        "languages": AR_EN,
        "years_experience": 12,
        "max_mentees": 2,
        "hours_per_month": 8,
        "licence_verified_until": LICENCE_OK,
    }
    base.update(kw)
    base.setdefault("syria_permission_until", base["licence_verified_until"])
    return DoctorInput(id=id, **base)  # type: ignore[arg-type]


DOCTORS: list[DoctorInput] = [
    # --- neonatal mentorship (need 1)
    _doctor(1, modes=frozenset({"mentorship"}), specialties=(("neonatology", "consultant"),),
            skills=("neonatal_resuscitation", "neonatal_intensive_care", "kangaroo_mother_care"),
            languages=frozenset({"ar", "en", "de"}), timezone="Europe/Berlin",
            weekly_slots=(_slot(TUE, 18, 21),), years_experience=18),
    _doctor(2, modes=frozenset({"mentorship"}), specialties=(("pediatrics", "specialist"),),
            skills=("imci",), languages=frozenset({"ar", "en", "sv"}),
            timezone="Europe/Stockholm", weekly_slots=(_slot(SAT, 9, 11),)),
    _doctor(3, modes=frozenset({"mentorship"}), specialties=(("neonatology", "specialist"),),
            skills=("neonatal_resuscitation",), languages=frozenset({"en"}),
            timezone="Europe/London", weekly_slots=(_slot(TUE, 17, 20),)),
    _doctor(4, modes=frozenset({"mentorship"}), specialties=(("pediatrics", "consultant"),),
            skills=("breastfeeding_support",), timezone="Asia/Dubai",
            weekly_slots=(_slot(TUE, 20, 23),)),
    # --- surgical mission (need 2)
    _doctor(5, modes=frozenset({"mission"}), specialties=(("general_surgery", "consultant"),),
            skills=("war_wound_management", "damage_control_surgery", "vascular_injury_repair"),
            languages=frozenset({"ar", "fr"}), timezone="Europe/Paris",
            travel_windows=(_win(_d(2026, 3, 1), _d(2026, 4, 1)),), years_experience=20),
    _doctor(6, modes=frozenset({"mission"}), specialties=(("general_surgery", "consultant"),),
            skills=("war_wound_management", "damage_control_surgery"), timezone="Europe/Paris",
            travel_windows=(_win(_d(2026, 3, 1), _d(2026, 4, 1)),),
            licence_verified_until=_d(2025, 12, 1), years_experience=25),
    _doctor(7, modes=frozenset({"mission"}), specialties=(("orthopaedics_trauma", "specialist"),),
            skills=("war_wound_management", "external_fixation"), timezone="Europe/Berlin",
            travel_windows=(_win(_d(2026, 3, 5), _d(2026, 3, 30)),)),
    _doctor(8, modes=frozenset({"mission"}), specialties=(("general_surgery", "specialist"),),
            skills=("war_wound_management",), timezone="Asia/Dubai",
            travel_windows=(_win(_d(2026, 3, 1), _d(2026, 3, 31)),),
            committed_missions=(_win(_d(2026, 3, 15), _d(2026, 3, 25)),)),
    # --- trauma-informed care workshop (need 3)
    _doctor(9, modes=frozenset({"training", "mentorship"}),
            specialties=(("psychiatry", "consultant"),),
            skills=("trauma_informed_care", "ptsd_treatment", "mhgap"),
            free_text_skills="trauma-informed care trainer for nurses and midwives",
            languages=frozenset({"ar", "en", "fr"}), timezone="America/Toronto",
            weekly_slots=(_slot(SUN, 9, 11),)),
    _doctor(10, modes=frozenset({"training"}),
            specialties=(("clinical_psychology", "specialist"),),
            skills=("cbt", "psychological_first_aid"), languages=frozenset({"ar", "tr"}),
            timezone="Europe/Istanbul"),
    _doctor(11, modes=frozenset({"mentorship"}), specialties=(("psychiatry", "consultant"),),
            skills=("trauma_informed_care", "ptsd_treatment"), timezone="Europe/Berlin",
            weekly_slots=(_slot(WED, 18, 20),)),
    # --- obstetric mission (need 4)
    _doctor(12, modes=frozenset({"mission"}),
            specialties=(("obstetrics_gynaecology", "consultant"),),
            skills=("emergency_obstetric_care", "c_section", "postpartum_haemorrhage"),
            timezone="Asia/Riyadh", travel_windows=(_win(_d(2026, 4, 8), _d(2026, 5, 1)),)),
    _doctor(13, modes=frozenset({"mission"}),
            specialties=(("obstetrics_gynaecology", "specialist"),),
            skills=("family_planning", "antenatal_care"), timezone="Europe/Berlin",
            travel_windows=(_win(_d(2026, 4, 1), _d(2026, 4, 30)),), years_experience=6),
    _doctor(14, modes=frozenset({"mission"}), specialties=(("midwifery", "specialist"),),
            skills=("emergency_obstetric_care",), timezone="Europe/London",
            travel_windows=(_win(_d(2026, 4, 1), _d(2026, 4, 30)),)),
    # --- pediatric mentorship, thalassaemia (need 5)
    _doctor(15, modes=frozenset({"mentorship"}), specialties=(("hematology", "consultant"),),
            skills=("thalassaemia_care", "blood_bank_management"), timezone="America/Chicago",
            weekly_slots=(_slot(SAT, 5, 8),)),
    _doctor(16, modes=frozenset({"mentorship"}), specialties=(("pediatrics", "consultant"),),
            skills=("thalassaemia_care", "imci"), timezone="Asia/Riyadh",
            weekly_slots=(_slot(SAT, 11, 14),), max_mentees=3, current_mentees=1),
    _doctor(17, modes=frozenset({"mentorship"}), specialties=(("pediatrics", "specialist"),),
            skills=("thalassaemia_care",), timezone="Asia/Riyadh",
            weekly_slots=(_slot(SAT, 10, 13),), max_mentees=2, current_mentees=2),
    # --- dialysis mentorship (need 6)
    _doctor(18, modes=frozenset({"mentorship"}), specialties=(("nephrology", "consultant"),),
            skills=("hemodialysis", "chronic_kidney_disease"),
            languages=frozenset({"ar", "de"}), timezone="Europe/Berlin",
            weekly_slots=(_slot(MON, 14, 17),), years_experience=22),
    _doctor(19, modes=frozenset({"mentorship"}), specialties=(("nephrology", "specialist"),),
            skills=("hemodialysis", "dialysis_vascular_access"), timezone="Asia/Amman",
            weekly_slots=(_slot(SUN, 13, 16), _slot(WED, 14, 16))),
    _doctor(20, modes=frozenset({"mentorship"}),
            specialties=(("internal_medicine", "consultant"),),
            skills=("chronic_kidney_disease", "hypertension_management"), timezone="Asia/Dubai",
            weekly_slots=(_slot(SUN, 15, 18),)),
    # --- amputee rehabilitation workshop in person (need 7)
    _doctor(21, modes=frozenset({"training"}),
            specialties=(("physical_medicine_rehabilitation", "consultant"),),
            skills=("amputee_rehabilitation", "prosthetics_fitting",
                    "spinal_cord_injury_rehabilitation"),
            languages=frozenset({"ar", "en", "sv"}), timezone="Europe/Stockholm",
            travel_windows=(_win(_d(2026, 5, 1), _d(2026, 5, 20)),)),
    _doctor(22, modes=frozenset({"training"}), specialties=(("physiotherapy", "specialist"),),
            skills=("amputee_rehabilitation", "early_rehabilitation"), timezone="Europe/Berlin",
            travel_windows=(_win(_d(2026, 5, 9), _d(2026, 5, 14)),)),
    _doctor(23, modes=frozenset({"training"}),
            specialties=(("physical_medicine_rehabilitation", "consultant"),),
            skills=("amputee_rehabilitation", "prosthetics_fitting"), timezone="Europe/Berlin"),
    # --- emergency triage mentorship (need 8)
    _doctor(24, modes=frozenset({"mentorship"}),
            specialties=(("emergency_medicine", "consultant"),),
            skills=("atls_trauma_life_support", "mass_casualty_triage", "point_of_care_ultrasound"),
            languages=frozenset({"en"}), timezone="America/New_York",
            weekly_slots=(_slot(SUN, 11, 13),)),
    _doctor(25, modes=frozenset({"mentorship"}),
            specialties=(("emergency_medicine", "specialist"),),
            skills=("mass_casualty_triage",), languages=frozenset({"ar", "tr", "en"}),
            timezone="Europe/Istanbul", weekly_slots=(_slot(MON, 18, 20),)),
    _doctor(26, modes=frozenset({"mentorship"}),
            specialties=(("family_medicine", "specialist"),),
            skills=("fracture_management", "ecg_interpretation"), timezone="Asia/Riyadh",
            weekly_slots=(_slot(TUE, 18, 20),)),
    # --- cataract mission (need 9)
    _doctor(27, modes=frozenset({"mission"}), specialties=(("ophthalmology", "consultant"),),
            skills=("cataract_surgery", "ocular_trauma"), timezone="Asia/Dubai",
            travel_windows=(_win(_d(2026, 5, 25), _d(2026, 6, 15)),)),
    _doctor(28, modes=frozenset({"mission"}), specialties=(("ophthalmology", "specialist"),),
            skills=("cataract_surgery",), timezone="Asia/Dubai",
            travel_windows=(_win(_d(2026, 6, 1), _d(2026, 6, 10)),),
            licence_verified_until=None),
    # --- infection prevention workshop, remote (need 10)
    _doctor(29, modes=frozenset({"training"}),
            specialties=(("infectious_diseases", "consultant"),),
            skills=("infection_prevention_control", "antimicrobial_stewardship",
                    "sepsis_management"),
            languages=frozenset({"ar", "fr"}), timezone="Europe/Paris"),
    _doctor(30, modes=frozenset({"training"}), specialties=(("public_health", "specialist"),),
            skills=("outbreak_response", "infection_prevention_control")),
    _doctor(31, modes=frozenset({"training"}),
            specialties=(("infectious_diseases", "specialist"),),
            skills=("infection_prevention_control", "antimicrobial_stewardship"),
            languages=frozenset({"en", "fr"}), timezone="Europe/Paris"),
    # --- short of suitable doctors (needs 11-14), all free to travel in July-August
    _doctor(32, modes=frozenset({"mission"}), specialties=(("neurology", "consultant"),),
            skills=("stroke_care",), travel_windows=(_win(_d(2026, 7, 1), _d(2026, 8, 31)),)),
    _doctor(33, modes=frozenset({"mission"}),
            specialties=(("plastic_reconstructive_surgery", "consultant"),),
            skills=("burns_management", "war_wound_management"),
            travel_windows=(_win(_d(2026, 7, 1), _d(2026, 8, 31)),)),
    _doctor(34, modes=frozenset({"mission"}), specialties=(("dentistry", "consultant"),),
            skills=("dental_extraction_and_trauma", "maxillofacial_fracture_fixation"),
            years_experience=25,
            travel_windows=(_win(_d(2026, 7, 1), _d(2026, 8, 31)),)),
    _doctor(35, modes=frozenset({"mission"}),
            specialties=(("internal_medicine", "specialist"),),
            skills=("tb_management",),
            travel_windows=(_win(_d(2026, 7, 1), _d(2026, 8, 31)),)),
    _doctor(36, modes=frozenset({"mission"}), specialties=(("pharmacy", "consultant"),),
            skills=("tb_management", "antimicrobial_stewardship"),
            years_experience=25, travel_windows=(_win(_d(2026, 7, 1), _d(2026, 8, 31)),)),
    _doctor(37, modes=frozenset({"mission"}), specialties=(("gastroenterology", "consultant"),),
            skills=("endoscopy",), travel_windows=(_win(_d(2026, 7, 1), _d(2026, 8, 31)),)),
    _doctor(38, modes=frozenset({"mission"}),
            specialties=(("emergency_medicine", "consultant"),),
            skills=("war_wound_management", "atls_trauma_life_support"),
            travel_windows=(_win(_d(2026, 7, 1), _d(2026, 8, 31)),)),
    # --- team missions (needs 80-82), in November
    _doctor(80, modes=frozenset({"mission"}),
            specialties=(("orthopaedics_trauma", "consultant"),),
            skills=("external_fixation", "war_wound_management"),
            travel_windows=(_win(_d(2026, 11, 1), _d(2026, 11, 13)),)),
    _doctor(81, modes=frozenset({"mission"}),
            specialties=(("orthopaedics_trauma", "consultant"),), years_experience=20,
            skills=("external_fixation",),
            travel_windows=(_win(_d(2026, 11, 10), _d(2026, 11, 30)),)),
    _doctor(82, modes=frozenset({"mission"}), specialties=(("anaesthesia", "consultant"),),
            travel_windows=(_win(_d(2026, 11, 1), _d(2026, 11, 13)),)),
    _doctor(83, modes=frozenset({"mission"}), specialties=(("nursing_education", "specialist"),),
            travel_windows=(_win(_d(2026, 11, 1), _d(2026, 11, 13)),)),
    _doctor(84, modes=frozenset({"mission"}),
            specialties=(("obstetrics_gynaecology", "consultant"),),
            skills=("emergency_obstetric_care", "c_section"),
            travel_windows=(_win(_d(2026, 11, 14), _d(2026, 11, 20)),)),
    _doctor(85, modes=frozenset({"mission"}), specialties=(("midwifery", "specialist"),),
            travel_windows=(_win(_d(2026, 11, 14), _d(2026, 11, 20)),)),
    _doctor(86, modes=frozenset({"mission"}), specialties=(("anaesthesia", "specialist"),),
            travel_windows=(_win(_d(2026, 11, 14), _d(2026, 11, 20)),)),
    _doctor(87, modes=frozenset({"mission"}),
            specialties=(("plastic_reconstructive_surgery", "consultant"),),
            skills=("burns_management",),
            travel_windows=(_win(_d(2026, 11, 21), _d(2026, 11, 27)),)),
    # --- dermatology mentorships, language levels (needs 15-17); Riyadh keeps Damascus time
    _doctor(39, modes=frozenset({"mentorship"}), specialties=(("dermatology", "consultant"),),
            skills=("burns_management",), language_levels=(("ar", "basic"), ("en", "native")),
            years_experience=25, timezone="Asia/Riyadh",
            weekly_slots=(_slot(WED, 18, 21), _slot(SUN, 18, 21))),
    _doctor(40, modes=frozenset({"mentorship"}), specialties=(("dermatology", "specialist"),),
            skills=("burns_management",), languages=AR, language_levels=(("ar", "native"),),
            years_experience=6, timezone="Asia/Riyadh", weekly_slots=(_slot(WED, 18, 21),)),
    _doctor(41, modes=frozenset({"mentorship"}), specialties=(("dermatology", "specialist"),),
            skills=("burns_management",), languages=frozenset({"en"}),
            language_levels=(("en", "native"),), timezone="Europe/London",
            weekly_slots=(_slot(SAT, 8, 11),)),
    _doctor(42, modes=frozenset({"mentorship"}), specialties=(("dermatology", "resident"),),
            skills=("burns_management",), language_levels=(("ar", "basic"), ("en", "basic")),
            years_experience=4, timezone="Asia/Riyadh",
            weekly_slots=(_slot(SAT, 10, 13), _slot(SUN, 18, 21))),
    # --- cardiology, where a licence lets one practise (needs 18-20)
    _doctor(43, modes=frozenset({"mission", "training"}),
            specialties=(("cardiology", "consultant"),), skills=("ecg_interpretation",),
            years_experience=22, syria_permission_until=None,
            travel_windows=(_win(_d(2026, 9, 1), _d(2026, 9, 30)),)),
    _doctor(44, modes=frozenset({"mission"}), specialties=(("cardiology", "specialist"),),
            skills=("ecg_interpretation",), years_experience=8,
            travel_windows=(_win(_d(2026, 9, 1), _d(2026, 9, 30)),)),
    _doctor(45, modes=frozenset({"training"}), specialties=(("cardiology", "consultant"),),
            skills=("ecg_interpretation",), syria_permission_until=_d(2026, 10, 1),
            travel_windows=(_win(_d(2026, 10, 1), _d(2026, 10, 31)),)),
    _doctor(46, modes=frozenset({"training"}), specialties=(("cardiology", "specialist"),),
            skills=("ecg_interpretation",), syria_permission_until=None,
            travel_windows=(_win(_d(2026, 10, 1), _d(2026, 10, 31)),)),
]  # fmt: skip


def _need(id: int, **kw: object) -> NeedInput:
    base: dict[str, object] = {"facility_id": 100 + id, "required_languages": AR}
    base.update(kw)
    return NeedInput(id=id, **base)  # type: ignore[arg-type]


NEEDS: list[NeedInput] = [
    # 1. Neonatal mentorship for the Talkalakh rural health centre, Arabic only,
    # Tuesday evenings 19-22 Damascus, 2 h a week, February to May.
    # Dr 1 (neonatology consultant, NRP skills, Arabic) has Tuesday 18-21 Berlin:
    # 20-23 Damascus in winter (2 h overlap), 19-22 after the European switch (3 h).
    # Dr 2 is a pediatrician whose only slot is Saturday morning; Dr 3 speaks no
    # Arabic; Dr 4 (pediatrics consultant, Dubai) overlaps but is not a neonatologist.
    _need(1, kind="mentorship", specialty="neonatology",
          skills=("neonatal_resuscitation", "kangaroo_mother_care"),
          description="متابعة طبيب مقيم في إنعاش حديثي الولادة", urgency="urgent", rural=True,
          facility_state="partial", period=DateRange(_d(2026, 2, 2), _d(2026, 5, 31)),
          weekly_hours=2.0, local_slots=(_slot(TUE, 19, 22),)),
    # 2. Al-Qusayr hospital, rural and partly functioning: a two-week war-surgery
    # mission in March, licence required. Dr 5 (general surgery consultant, war
    # wounds, damage control) travels all March with a valid licence. Dr 6's
    # licence has expired; Dr 8 is already committed mid-March; Dr 7 is an
    # orthopaedic surgeon, useful but not the surgeon asked for.
    _need(2, kind="mission", specialty="general_surgery",
          skills=("war_wound_management", "damage_control_surgery"), urgency="critical",
          rural=True, facility_state="partial", requires_licence=True,
          period=DateRange(_d(2026, 3, 10), _d(2026, 3, 24))),
    # 3. Remote workshop on trauma-informed care for the nurses of a Homs city
    # hospital. Dr 9 is a psychiatrist who trains nurses in exactly this; Dr 10
    # (psychologist, CBT and psychological first aid) is a fair second; Dr 11
    # does not give workshops.
    _need(3, kind="training", specialty="psychiatry",
          skills=("trauma_informed_care", "psychological_first_aid"),
          description="ورشة عن الرعاية المراعية للصدمات للممرضين", remote=True,
          period=DateRange(_d(2026, 2, 15), _d(2026, 2, 15))),
    # 4. Tadmur (Palmyra) hospital, rural, not functioning: an emergency obstetrics
    # mission in April; 80% of the days are enough. Dr 12 (consultant, emergency
    # obstetric care and C-section) covers 12 of 14 days; Dr 13 covers all of them
    # but practises family planning and antenatal care; Dr 14 is a midwife.
    _need(4, kind="mission", specialty="obstetrics_gynaecology",
          skills=("emergency_obstetric_care", "c_section"), urgency="critical", rural=True,
          facility_state="none", min_coverage=0.8,
          period=DateRange(_d(2026, 4, 6), _d(2026, 4, 19))),
    # 5. Pediatric mentorship on thalassaemia for a Homs city hospital, Saturdays
    # 10-16 Damascus, 1.5 h a week. Dr 16 (pediatrics consultant, thalassaemia,
    # Riyadh, Saturday 11-14) fits; Dr 17 has no mentee place left; Dr 15 is a
    # hematologist in Chicago whose Saturday early morning overlaps too: second.
    _need(5, kind="mentorship", specialty="pediatrics", skills=("thalassaemia_care",),
          required_languages=AR_EN, period=DateRange(_d(2026, 2, 7), _d(2026, 4, 30)),
          weekly_hours=1.5, local_slots=(_slot(SAT, 10, 16),)),
    # 6. Dialysis mentorship for Homs national hospital, Sunday to Thursday 14-17,
    # 2 h a week, March to June. Dr 18 (Berlin, Monday 14-17) overlaps 2 h only
    # after the European switch on 29 March; in the March weeks before it only 1 h,
    # so he fails on the real dates. Dr 19 (nephrologist, hemodialysis, Amman)
    # overlaps 4 h. Dr 20 is an internist with kidney skills: second.
    _need(6, kind="mentorship", specialty="nephrology", skills=("hemodialysis",),
          period=DateRange(_d(2026, 3, 1), _d(2026, 6, 30)), weekly_hours=2.0,
          local_slots=tuple(_slot(d, 14, 17) for d in (SUN, MON, TUE, WED, THU))),
    # 7. In-person amputee rehabilitation workshop in Homs, 10-12 May. Dr 21 (PM&R
    # consultant, prosthetics) travels 1-20 May; Dr 22 (physiotherapist) also
    # covers the dates; Dr 23 does not travel.
    _need(7, kind="training", specialty="physical_medicine_rehabilitation",
          skills=("amputee_rehabilitation", "prosthetics_fitting"), urgency="urgent",
          period=DateRange(_d(2026, 5, 10), _d(2026, 5, 12))),
    # 8. Emergency triage mentorship for the Al-Qaryatayn rural clinic, English
    # will do, Sunday/Tuesday/Thursday 18-21, 1 h a week. Dr 24 (EM consultant,
    # ATLS, mass-casualty triage, New York, Sunday 11-13 = 19-21 Damascus in
    # winter, 18-20 in summer). Dr 25's only slot is Monday; Dr 26 is a family
    # doctor with a Tuesday slot: second.
    _need(8, kind="mentorship", specialty="emergency_medicine",
          skills=("mass_casualty_triage", "atls_trauma_life_support"), required_languages=AR_EN,
          rural=True, facility_state="partial", urgency="urgent",
          period=DateRange(_d(2026, 2, 1), _d(2026, 3, 31)), weekly_hours=1.0,
          local_slots=tuple(_slot(d, 18, 21) for d in (SUN, TUE, THU))),
    # 9. Cataract mission in a Homs city eye hospital, 1-10 June, licence required.
    # Dr 27 (consultant, cataract surgery, licence valid); Dr 28 holds no verified
    # licence.
    _need(9, kind="mission", specialty="ophthalmology", skills=("cataract_surgery",),
          requires_licence=True, period=DateRange(_d(2026, 6, 1), _d(2026, 6, 10))),
    # 10. Remote infection prevention workshop for the Talbiseh rural hospital,
    # Arabic only. Dr 29 (infectious diseases consultant, IPC and stewardship,
    # Arabic). Dr 31 has the same skills but no Arabic; Dr 30 is a public-health
    # doctor with IPC: second.
    _need(10, kind="training", specialty="infectious_diseases",
          skills=("infection_prevention_control", "antimicrobial_stewardship"),
          description="Infection prevention and control training", remote=True, rural=True,
          period=DateRange(_d(2026, 3, 3), _d(2026, 3, 3))),
    # 11. A neurosurgery rota at Homs national hospital in July. The only doctor who
    # travels then is Dr 32, a neurologist: no clinician sends a neurologist to
    # operate. The place stays open.
    _need(11, kind="mission", specialty="neurosurgery", skills=("war_wound_management",),
          urgency="critical", period=DateRange(_d(2026, 7, 6), _d(2026, 7, 12))),
    # 12. Facial fractures (oral and maxillofacial surgery), two surgeons wanted. Dr 33
    # (plastic and reconstructive surgeon, war wounds) is sent; Dr 34 is a dentist with
    # more years, who even ticked facial fracture fixation, but a clinician sends the
    # surgeon. One place open.
    _need(12, kind="mission", specialty="oral_maxillofacial_surgery",
          skills=("maxillofacial_fracture_fixation", "war_wound_management"), places_left=2,
          urgency="urgent",
          description="Facial fractures after shelling",
          period=DateRange(_d(2026, 7, 13), _d(2026, 7, 19))),
    # 13. A tuberculosis clinic mission (infectious diseases), two doctors wanted. Dr 35,
    # an internist, treats tuberculosis; Dr 36 is a pharmacist with the same skill and
    # more years: he advises on drugs but does not run a clinic. One place open.
    _need(13, kind="mission", specialty="infectious_diseases",
          skills=("tb_management",), places_left=2, rural=True,
          period=DateRange(_d(2026, 7, 20), _d(2026, 7, 26))),
    # 14. A general surgery mission in August, two surgeons wanted. Only a
    # gastroenterologist (Dr 37) and an emergency physician with war-wound skills
    # (Dr 38) travel then: neither is sent to operate. Both places stay open.
    _need(14, kind="mission", specialty="general_surgery",
          skills=("war_wound_management", "damage_control_surgery"), places_left=2,
          urgency="critical", rural=True, facility_state="partial",
          period=DateRange(_d(2026, 8, 3), _d(2026, 8, 9))),
    # 80. Reopening the operating theatre of Al-Rastan hospital, 7-13 November: a
    # trauma surgeon, an anaesthetist and a theatre nurse together. Dr 80 travels on
    # those dates; Dr 81 (more years) only from the 10th. Dr 82 and nurse Dr 83 travel
    # then too: the whole team goes.
    _need(80, kind="mission", specialty="orthopaedics_trauma", places_left=3,
          skills=("external_fixation",), urgency="critical", rural=True,
          facility_state="none", period=DateRange(_d(2026, 11, 7), _d(2026, 11, 13)),
          roles=(TeamRole("orthopaedics_trauma"), TeamRole("anaesthesia"),
                 TeamRole("nursing_education"))),
    # 81. A maternity theatre in Homs, 14-20 November: obstetrician Dr 84, midwife
    # Dr 85 and anaesthetist Dr 86 (Dr 82 travels only until the 13th).
    _need(81, kind="mission", specialty="obstetrics_gynaecology", places_left=3,
          skills=("c_section",), period=DateRange(_d(2026, 11, 14), _d(2026, 11, 20)),
          roles=(TeamRole("obstetrics_gynaecology"), TeamRole("midwifery"),
                 TeamRole("anaesthesia"))),
    # 82. A burns theatre, 21-27 November: plastic surgeon Dr 87 is free, but no
    # anaesthetist travels then. A surgeon alone cannot operate: nobody is sent, and
    # the report names the anaesthetist's role.
    _need(82, kind="mission", specialty="plastic_reconstructive_surgery", places_left=2,
          skills=("burns_management",), period=DateRange(_d(2026, 11, 21), _d(2026, 11, 27)),
          roles=(TeamRole("plastic_reconstructive_surgery"), TeamRole("anaesthesia"))),
    # 15. Dermatology mentorship for a burns unit in Homs; the mentee speaks Arabic only,
    # so the need asks for fluent Arabic. Dr 39 is the senior dermatologist but speaks
    # basic Arabic (raised abroad); Dr 40 speaks it natively: the coordinator's pick.
    _need(15, kind="mentorship", specialty="dermatology", skills=("burns_management",),
          language_levels=(("ar", "fluent"),), period=DateRange(_d(2026, 2, 4), _d(2026, 5, 27)),
          weekly_hours=2.0, local_slots=(_slot(WED, 18, 21),)),
    # 16. Another dermatology mentorship, Saturday mornings: working Arabic or fluent
    # English will do. Dr 41 (London) speaks no Arabic but native English; Dr 42 speaks
    # both at a basic level only.
    _need(16, kind="mentorship", specialty="dermatology", skills=("burns_management",),
          required_languages=AR_EN, language_levels=(("ar", "working"), ("en", "fluent")),
          period=DateRange(_d(2026, 2, 7), _d(2026, 4, 25)), weekly_hours=1.5,
          local_slots=(_slot(SAT, 10, 14),)),
    # 17. Sunday evenings, native Arabic asked (a mentee in psychological distress):
    # only Dr 39 and Dr 42 are free then, both with basic Arabic. Nobody is sent.
    _need(17, kind="mentorship", specialty="dermatology", skills=("burns_management",),
          language_levels=(("ar", "native"),), period=DateRange(_d(2026, 2, 1), _d(2026, 4, 26)),
          weekly_hours=2.0, local_slots=(_slot(SUN, 18, 21),)),
    # 18. A cardiology mission in September, licence required: in person in Syria, so a
    # permission valid there. Dr 43 (consultant) holds a foreign licence only; Dr 44 is
    # registered with the Syrian authorities: the one who may go.
    _need(18, kind="mission", specialty="cardiology", skills=("ecg_interpretation",),
          requires_licence=True, period=DateRange(_d(2026, 9, 7), _d(2026, 9, 13))),
    # 19. A remote ECG workshop, licence required: any valid licence serves remote work,
    # so Dr 43 (consultant, foreign licence) teaches it; Dr 44 gives no workshops.
    _need(19, kind="training", specialty="cardiology", skills=("ecg_interpretation",),
          requires_licence=True, remote=True, period=DateRange(_d(2026, 9, 20), _d(2026, 9, 20))),
    # 20. An in-person cardiology workshop in Homs on 5-6 October, licence required. Dr 45's
    # temporary permit ends on 1 October; Dr 46 holds a foreign licence only. Nobody may go.
    _need(20, kind="training", specialty="cardiology", skills=("ecg_interpretation",),
          requires_licence=True, period=DateRange(_d(2026, 10, 5), _d(2026, 10, 6))),
]  # fmt: skip

#: need id -> the doctor a careful coordinator would pick.
EXPECTED: dict[int, int] = {
    1: 1, 2: 5, 3: 9, 4: 12, 5: 16, 6: 19, 7: 21, 8: 24, 9: 27, 10: 29,
    15: 40, 16: 41, 18: 44, 19: 43,
}  # fmt: skip
#: need id -> the only doctors a clinician would send; the need's other places stay open.
SHORT: dict[int, tuple[int, ...]] = {11: (), 12: (33,), 13: (35,), 14: ()}
#: team need id -> role -> the doctors a coordinator would send (all roles together),
#: or, for a team that cannot be completed, the role nobody can fill (nobody is sent).
TEAMS: dict[int, dict[str, tuple[int, ...]]] = {
    80: {"orthopaedics_trauma": (80,), "anaesthesia": (82,), "nursing_education": (83,)},
    81: {"obstetrics_gynaecology": (84,), "midwifery": (85,), "anaesthesia": (86,)},
}
TEAMS_OPEN: dict[int, str] = {82: "anaesthesia"}
#: need id -> the hard rule that leaves it without any doctor (language level, permission).
RULE_SHORT: dict[int, str] = {17: "language_level", 20: "syria_permission"}


def evaluate(k: int = 3) -> tuple[float, float, int]:
    """Rank the set; return (precision@1, precision@3, number of needs)."""
    from matching.ranking import rank

    res = rank(DOCTORS, NEEDS, today=TODAY, top_k=10)
    hit1 = hit3 = 0
    for need_id, doctor_id in EXPECTED.items():
        top = [c.doctor_id for c in res.candidates(need_id)]
        hit1 += top[:1] == [doctor_id]
        hit3 += doctor_id in top[:k]
    n = len(EXPECTED)
    return hit1 / n, hit3 / n, n


# --- Continuity and fairness over time (issue 16). Doctors 60-64, needs 60-63.
from matching.ranking.data import PastWork  # noqa: E402

DOCTORS.extend([
    # --- diabetes mentorship (need 60): two endocrinologists alike in every way
    _doctor(60, modes=frozenset({"mentorship"}), specialties=(("endocrinology", "consultant"),),
            skills=("diabetes_management",), timezone="Asia/Riyadh",
            weekly_slots=(_slot(FRI, 10, 13),)),
    _doctor(61, modes=frozenset({"mentorship"}), specialties=(("endocrinology", "consultant"),),
            skills=("diabetes_management",), timezone="Asia/Riyadh",
            weekly_slots=(_slot(FRI, 10, 13),)),
    # --- anaesthesia mission (need 61)
    _doctor(62, modes=frozenset({"mission"}), specialties=(("anaesthesia", "resident"),),
            years_experience=3, travel_windows=(_win(_d(2026, 9, 1), _d(2026, 9, 30)),)),
    _doctor(63, modes=frozenset({"mission"}), specialties=(("anaesthesia", "consultant"),),
            skills=("regional_anaesthesia",), years_experience=20,
            travel_windows=(_win(_d(2026, 9, 1), _d(2026, 9, 30)),)),
    # --- one cardiologist for two rural centres (needs 62 and 63)
    _doctor(64, modes=frozenset({"mission"}), specialties=(("cardiology", "consultant"),),
            skills=("echocardiography",),
            travel_windows=(_win(_d(2026, 10, 1), _d(2026, 10, 31)),)),
])  # fmt: skip

NEEDS.extend([
    # 60. Diabetes mentorship for the Tall Kalakh clinic, Fridays 10-13 Damascus,
    # 1 h a week. Drs 60 and 61 are alike in every way, but Dr 61 mentored a doctor
    # of this clinic in 2025 (a confirmed pairing): a coordinator keeps the mentor the
    # clinic already knows. Without continuity the tie went to Dr 60.
    _need(60, kind="mentorship", specialty="endocrinology", skills=("diabetes_management",),
          rural=True, period=DateRange(_d(2026, 2, 6), _d(2026, 4, 24)), weekly_hours=1.0,
          local_slots=(_slot(FRI, 10, 13),),
          past_work=(PastWork(61, "mentorship", 2025),)),
    # 61. Anaesthesia for a September surgical mission at a Homs city hospital. Dr 62,
    # a resident, came on a mission there in 2025; Dr 63 is a consultant with regional
    # anaesthesia: continuity breaks ties, it does not send the resident over the
    # consultant.
    _need(61, kind="mission", specialty="anaesthesia", skills=("regional_anaesthesia",),
          period=DateRange(_d(2026, 9, 7), _d(2026, 9, 13)),
          past_work=(PastWork(62, "mission", 2025),)),
    # 62 and 63. Two rural centres each ask for a cardiology week in October; only
    # Dr 64 travels then. Need 63's centre partly works (need weight 0.40), need 62's
    # works (0.30) but waited four full runs without any proposal: x1.4 = 0.42, so
    # this time Dr 64 goes to need 62.
    _need(62, kind="mission", specialty="cardiology", skills=("echocardiography",), rural=True,
          period=DateRange(_d(2026, 10, 5), _d(2026, 10, 9)), waited_runs=4),
    _need(63, kind="mission", specialty="cardiology", skills=("echocardiography",), rural=True,
          facility_state="partial", period=DateRange(_d(2026, 10, 12), _d(2026, 10, 16))),
])  # fmt: skip

EXPECTED.update({60: 61, 61: 63, 62: 64})
#: need id -> the doctor the assignment must give it when needs contest a doctor.
CONTESTED: dict[int, int] = {62: 64}
#: needs whose places stay open because a contested doctor went elsewhere.
OUTBID: tuple[int, ...] = (63,)


# --- Each rule of issue 16 again, one need per case (needs 100-121, doctors 100-145).
# Riyadh keeps Damascus time all year (UTC+3), so a Riyadh doctor's slot is the local one.
#: doctor id -> expiry of a permission to practise in Syria they uploaded that no
#: coordinator has verified yet: the engine sees none (``syria_permission_until=None``);
#: the product path stores it as a pending temporary permit.
PENDING_PERMITS: dict[int, date] = {}

DOCTORS.extend([
    # --- language levels: pulmonology (needs 100-104)
    _doctor(100, modes=frozenset({"mentorship"}), specialties=(("pulmonology", "consultant"),),
            skills=("ventilator_management",), years_experience=25,
            language_levels=(("ar", "basic"), ("en", "native")), timezone="Asia/Riyadh",
            weekly_slots=(_slot(MON, 18, 21),)),
    _doctor(101, modes=frozenset({"mentorship"}), specialties=(("pulmonology", "consultant"),),
            skills=("ventilator_management",), years_experience=20,
            language_levels=(("ar", "working"), ("en", "fluent")), timezone="Asia/Riyadh",
            weekly_slots=(_slot(MON, 18, 21),)),
    _doctor(102, modes=frozenset({"mentorship"}), specialties=(("pulmonology", "specialist"),),
            skills=("ventilator_management",), years_experience=8,
            language_levels=(("ar", "fluent"), ("en", "working")), timezone="Asia/Riyadh",
            weekly_slots=(_slot(MON, 18, 21),)),
    _doctor(103, modes=frozenset({"mentorship"}), specialties=(("pulmonology", "resident"),),
            years_experience=3, languages=AR, language_levels=(("ar", "native"),),
            timezone="Asia/Riyadh", weekly_slots=(_slot(MON, 18, 21),)),
    _doctor(104, modes=frozenset({"training"}), specialties=(("pulmonology", "consultant"),),
            skills=("asthma_copd_management",), years_experience=22,
            language_levels=(("ar", "basic"), ("en", "native")),
            travel_windows=(_win(_d(2026, 3, 1), _d(2026, 3, 31)),)),
    _doctor(105, modes=frozenset({"training"}), specialties=(("pulmonology", "specialist"),),
            skills=("asthma_copd_management",), years_experience=7,
            language_levels=(("ar", "working"), ("en", "fluent")),
            travel_windows=(_win(_d(2026, 3, 1), _d(2026, 3, 31)),)),
    _doctor(106, modes=frozenset({"mission"}), specialties=(("pulmonology", "specialist"),),
            skills=("tb_management",), language_levels=(("ar", "basic"), ("en", "basic")),
            travel_windows=(_win(_d(2026, 4, 1), _d(2026, 4, 30)),)),
    _doctor(107, modes=frozenset({"mission"}), specialties=(("pulmonology", "consultant"),),
            skills=("tb_management",), years_experience=20, languages=AR,
            language_levels=(("ar", "basic"),),
            travel_windows=(_win(_d(2026, 4, 1), _d(2026, 4, 30)),)),
    _doctor(108, modes=frozenset({"mission"}), specialties=(("pulmonology", "specialist"),),
            skills=("ventilator_management",), years_experience=6,
            travel_windows=(_win(_d(2026, 5, 1), _d(2026, 5, 31)),)),
    _doctor(109, modes=frozenset({"mission"}), specialties=(("pulmonology", "consultant"),),
            skills=("ventilator_management",), years_experience=24,
            language_levels=(("ar", "working"), ("en", "native")),
            travel_windows=(_win(_d(2026, 5, 1), _d(2026, 5, 31)),)),
    _doctor(110, modes=frozenset({"mission"}), specialties=(("pulmonology", "consultant"),),
            skills=("tb_management",), language_levels=(("ar", "fluent"), ("en", "fluent")),
            travel_windows=(_win(_d(2026, 6, 1), _d(2026, 6, 30)),)),
    _doctor(111, modes=frozenset({"mission"}), specialties=(("pulmonology", "specialist"),),
            skills=("tb_management",), language_levels=(("ar", "working"), ("en", "native")),
            travel_windows=(_win(_d(2026, 6, 1), _d(2026, 6, 30)),)),
    # --- where a licence lets one practise: urology (needs 105-110)
    _doctor(112, modes=frozenset({"mission"}), specialties=(("urology", "consultant"),),
            skills=("urinary_stone_management",), years_experience=25,
            syria_permission_until=None,
            travel_windows=(_win(_d(2026, 3, 1), _d(2026, 3, 15)),)),
    _doctor(113, modes=frozenset({"mission"}), specialties=(("urology", "specialist"),),
            skills=("urinary_stone_management",), years_experience=9,
            travel_windows=(_win(_d(2026, 3, 1), _d(2026, 3, 15)),)),
    _doctor(114, modes=frozenset({"mission"}), specialties=(("urology", "specialist"),),
            skills=("urinary_stone_management",), years_experience=7,
            syria_permission_until=_d(2026, 4, 30),
            travel_windows=(_win(_d(2026, 3, 1), _d(2026, 3, 15)),)),
    _doctor(115, modes=frozenset({"mission"}), specialties=(("urology", "consultant"),),
            skills=("urinary_stone_management",), years_experience=22,
            syria_permission_until=_d(2026, 5, 12),
            travel_windows=(_win(_d(2026, 5, 1), _d(2026, 5, 31)),)),
    _doctor(116, modes=frozenset({"mission"}), specialties=(("urology", "specialist"),),
            skills=("urinary_stone_management",), years_experience=8,
            travel_windows=(_win(_d(2026, 5, 1), _d(2026, 5, 31)),)),
    _doctor(117, modes=frozenset({"training"}), specialties=(("urology", "consultant"),),
            skills=("basic_laparoscopy",), years_experience=21, syria_permission_until=None,
            travel_windows=(_win(_d(2026, 5, 25), _d(2026, 6, 10)),)),
    _doctor(118, modes=frozenset({"training"}), specialties=(("urology", "specialist"),),
            skills=("basic_laparoscopy",), years_experience=9,
            travel_windows=(_win(_d(2026, 5, 25), _d(2026, 6, 10)),)),
    _doctor(119, modes=frozenset({"mentorship"}), specialties=(("urology", "consultant"),),
            skills=("urinary_stone_management",), years_experience=23, timezone="Asia/Riyadh",
            syria_permission_until=None, weekly_slots=(_slot(THU, 19, 22),)),
    _doctor(120, modes=frozenset({"mentorship"}), specialties=(("urology", "specialist"),),
            skills=("urinary_stone_management",), timezone="Asia/Riyadh",
            licence_verified_until=None, syria_permission_until=None,
            weekly_slots=(_slot(THU, 19, 22),)),
    _doctor(121, modes=frozenset({"mission"}), specialties=(("urology", "consultant"),),
            skills=("urinary_stone_management", "basic_laparoscopy"), years_experience=24,
            syria_permission_until=None,
            travel_windows=(_win(_d(2026, 7, 1), _d(2026, 7, 20)),)),
    _doctor(122, modes=frozenset({"mission"}), specialties=(("urology", "specialist"),),
            skills=("urinary_stone_management",), years_experience=5,
            travel_windows=(_win(_d(2026, 7, 1), _d(2026, 7, 20)),)),
    _doctor(123, modes=frozenset({"mission"}), specialties=(("urology", "consultant"),),
            skills=("urinary_stone_management",), syria_permission_until=None,
            travel_windows=(_win(_d(2026, 8, 1), _d(2026, 8, 31)),)),
    _doctor(124, modes=frozenset({"mission"}), specialties=(("urology", "specialist"),),
            skills=("urinary_stone_management",), syria_permission_until=_d(2026, 7, 31),
            travel_windows=(_win(_d(2026, 8, 1), _d(2026, 8, 31)),)),
    # --- team missions in December and October (needs 111-114)
    _doctor(125, modes=frozenset({"mission"}), specialties=(("general_surgery", "consultant"),),
            skills=("war_wound_management", "damage_control_surgery"),
            travel_windows=(_win(_d(2026, 11, 28), _d(2026, 12, 9)),)),
    _doctor(126, modes=frozenset({"mission"}), specialties=(("nursing_education", "consultant"),),
            skills=("nursing_skills_training", "mass_casualty_triage"), years_experience=15,
            travel_windows=(_win(_d(2026, 11, 28), _d(2026, 12, 9)),)),
    _doctor(127, modes=frozenset({"mission"}), specialties=(("nursing_education", "specialist"),),
            skills=("nursing_skills_training",), years_experience=10,
            travel_windows=(_win(_d(2026, 11, 28), _d(2026, 12, 9)),)),
    _doctor(128, modes=frozenset({"mission"}), specialties=(("nursing_education", "resident"),),
            years_experience=2, travel_windows=(_win(_d(2026, 11, 28), _d(2026, 12, 9)),)),
    _doctor(129, modes=frozenset({"mission"}), specialties=(("anaesthesia", "consultant"),),
            skills=("airway_management",),
            travel_windows=(_win(_d(2026, 11, 28), _d(2026, 12, 9)),)),
    _doctor(130, modes=frozenset({"mission"}), specialties=(("pediatric_surgery", "consultant"),),
            skills=("congenital_anomaly_surgery",),
            travel_windows=(_win(_d(2026, 12, 10), _d(2026, 12, 25)),)),
    _doctor(131, modes=frozenset({"mission"}), specialties=(("anaesthesia", "specialist"),),
            travel_windows=(_win(_d(2026, 12, 14), _d(2026, 12, 17)),)),
    _doctor(132, modes=frozenset({"mission"}),
            specialties=(("obstetrics_gynaecology", "consultant"),), skills=("c_section",),
            travel_windows=(_win(_d(2026, 12, 20), _d(2026, 12, 31)),)),
    _doctor(133, modes=frozenset({"mission"}), specialties=(("anaesthesia", "consultant"),),
            travel_windows=(_win(_d(2026, 12, 20), _d(2026, 12, 31)),)),
    _doctor(134, modes=frozenset({"mission"}), specialties=(("nursing_education", "specialist"),),
            travel_windows=(_win(_d(2026, 12, 20), _d(2026, 12, 31)),)),
    _doctor(135, modes=frozenset({"mission"}),
            specialties=(("orthopaedics_trauma", "consultant"),), years_experience=25,
            skills=("external_fixation",), syria_permission_until=None,
            travel_windows=(_win(_d(2026, 10, 15), _d(2026, 10, 31)),)),
    _doctor(136, modes=frozenset({"mission"}),
            specialties=(("orthopaedics_trauma", "specialist"),), years_experience=8,
            skills=("external_fixation",),
            travel_windows=(_win(_d(2026, 10, 15), _d(2026, 10, 31)),)),
    _doctor(137, modes=frozenset({"mission"}), specialties=(("anaesthesia", "specialist"),),
            syria_permission_until=_d(2026, 10, 31),
            travel_windows=(_win(_d(2026, 10, 15), _d(2026, 10, 31)),)),
    # --- continuity (needs 115-117)
    _doctor(138, modes=frozenset({"mission"}), specialties=(("palliative_care", "consultant"),),
            skills=("pain_management", "end_of_life_care"),
            travel_windows=(_win(_d(2026, 11, 1), _d(2026, 11, 10)),)),
    _doctor(139, modes=frozenset({"mission"}), specialties=(("palliative_care", "consultant"),),
            skills=("pain_management", "end_of_life_care"),
            travel_windows=(_win(_d(2026, 11, 1), _d(2026, 11, 10)),)),
    _doctor(140, modes=frozenset({"mission"}), specialties=(("radiology", "consultant"),),
            skills=("xray_interpretation", "ct_interpretation"), years_experience=12,
            travel_windows=(_win(_d(2026, 6, 1), _d(2026, 6, 30)),)),
    _doctor(141, modes=frozenset({"mission"}), specialties=(("radiology", "consultant"),),
            skills=("xray_interpretation", "ct_interpretation"), years_experience=15,
            travel_windows=(_win(_d(2026, 6, 1), _d(2026, 6, 30)),)),
    _doctor(142, modes=frozenset({"mission"}), specialties=(("general_surgery", "consultant"),),
            skills=("hernia_repair", "basic_laparoscopy"), years_experience=20,
            syria_permission_until=None,
            travel_windows=(_win(_d(2026, 9, 15), _d(2026, 9, 30)),)),
    _doctor(143, modes=frozenset({"mission"}), specialties=(("general_surgery", "specialist"),),
            skills=("hernia_repair",), years_experience=6,
            travel_windows=(_win(_d(2026, 9, 15), _d(2026, 9, 30)),)),
    # --- fairness over time: one ENT surgeon in June, one in February (needs 118-121)
    _doctor(144, modes=frozenset({"mission"}), specialties=(("ent", "consultant"),),
            travel_windows=(_win(_d(2026, 6, 1), _d(2026, 6, 30)),)),
    _doctor(145, modes=frozenset({"mission"}), specialties=(("ent", "consultant"),),
            travel_windows=(_win(_d(2026, 2, 1), _d(2026, 2, 28)),)),
])  # fmt: skip
PENDING_PERMITS[117] = _d(2026, 12, 31)

NEEDS.extend([
    # 100. Remote pulmonology mentorship for the Al-Mukharram rural hospital: the mentee
    # (ventilated patients) speaks Arabic only, so the need asks for fluent Arabic. All
    # four pulmonologists share the Monday evening. Dr 100 (25 years) speaks basic
    # Arabic, Dr 101 working Arabic: neither can teach at the bedside in it. Dr 102
    # (fluent) is the pick over Dr 103 (native, a resident without the skill).
    _need(100, kind="mentorship", specialty="pulmonology", skills=("ventilator_management",),
          rural=True, language_levels=(("ar", "fluent"),), weekly_hours=1.5,
          period=DateRange(_d(2026, 2, 2), _d(2026, 4, 27)), local_slots=(_slot(MON, 18, 21),)),
    # 101. An in-person asthma and COPD workshop for nurses in Homs, 10-11 March, in
    # Arabic at a working level at least. Dr 104 (consultant) speaks basic Arabic; Dr 105
    # (working Arabic) gives it.
    _need(101, kind="training", specialty="pulmonology", skills=("asthma_copd_management",),
          language_levels=(("ar", "working"),), period=DateRange(_d(2026, 3, 10), _d(2026, 3, 11))),
    # 102. A tuberculosis mission, 6-12 April, Arabic or English: native Arabic is asked
    # for the clinic's patients, English (for the lab and the programme staff) at any
    # level. Dr 106 speaks both at a basic level: English is enough, he goes. Dr 107
    # (20 years) speaks basic Arabic only: the level rule keeps him out.
    _need(102, kind="mission", specialty="pulmonology", skills=("tb_management",),
          required_languages=AR_EN, language_levels=(("ar", "native"),),
          period=DateRange(_d(2026, 4, 6), _d(2026, 4, 12))),
    # 103. An ICU ventilation mission, 4-10 May, fluent Arabic. Dr 108 gave no level for
    # his Arabic, which counts as fluent: he goes. Dr 109 (24 years) speaks working
    # Arabic only.
    _need(103, kind="mission", specialty="pulmonology", skills=("ventilator_management",),
          urgency="urgent", language_levels=(("ar", "fluent"),),
          period=DateRange(_d(2026, 5, 4), _d(2026, 5, 10))),
    # 104. A rural TB mission, 8-14 June, native Arabic asked (community screening in the
    # villages). Only Dr 110 (fluent) and Dr 111 (working) travel then: nobody is sent,
    # and the report names the language level.
    _need(104, kind="mission", specialty="pulmonology", skills=("tb_management",), rural=True,
          language_levels=(("ar", "native"),), period=DateRange(_d(2026, 6, 8), _d(2026, 6, 14))),
    # 105. A urology mission to Al-Rastan, 2-8 March, two surgeons, licence required. Dr
    # 112 (25 years) holds a foreign licence only: in person in Syria that is not enough.
    # Dr 113 is registered with the Syrian authorities, Dr 114 holds a temporary permit
    # valid until the end of April: both go.
    _need(105, kind="mission", specialty="urology", skills=("urinary_stone_management",),
          rural=True, requires_licence=True, places_left=2,
          period=DateRange(_d(2026, 3, 2), _d(2026, 3, 8))),
    # 106. A urology mission, 10-16 May, licence required. Dr 115's temporary permit ends
    # on 12 May, in the middle of the mission: he may not go. Dr 116 (registered) goes.
    _need(106, kind="mission", specialty="urology", skills=("urinary_stone_management",),
          requires_licence=True, period=DateRange(_d(2026, 5, 10), _d(2026, 5, 16))),
    # 107. An in-person laparoscopy workshop in Homs, 1-2 June, licence required. Dr 117
    # uploaded a temporary permit that no coordinator has verified yet: until then it
    # does not count. Dr 118 (registered) gives the workshop.
    _need(107, kind="training", specialty="urology", skills=("basic_laparoscopy",),
          requires_licence=True, period=DateRange(_d(2026, 6, 1), _d(2026, 6, 2))),
    # 108. A remote urology mentorship, Thursday evenings, licence required. Remote work
    # accepts any verified licence: Dr 119 (foreign licence only, 23 years) mentors.
    # Dr 120 holds no verified licence at all.
    _need(108, kind="mentorship", specialty="urology", skills=("urinary_stone_management",),
          requires_licence=True, weekly_hours=1.0, local_slots=(_slot(THU, 19, 22),),
          period=DateRange(_d(2026, 2, 5), _d(2026, 4, 30))),
    # 109. A urology mission, 6-12 July, no licence asked (a teaching visit, the local
    # surgeons operate): the permission rule does not apply. Dr 121 (foreign licence,
    # 24 years, laparoscopy) is the pick; Dr 122 (registered, 5 years) second.
    _need(109, kind="mission", specialty="urology",
          skills=("urinary_stone_management", "basic_laparoscopy"),
          period=DateRange(_d(2026, 7, 6), _d(2026, 7, 12))),
    # 110. A urology mission, 3-9 August, licence required. Dr 123 holds a foreign
    # licence only; Dr 124's temporary permit ended in July. Nobody may go: the report
    # names the permission to practise in Syria.
    _need(110, kind="mission", specialty="urology", skills=("urinary_stone_management",),
          requires_licence=True, period=DateRange(_d(2026, 8, 3), _d(2026, 8, 9))),
    # 111. A war-surgery theatre at Talbiseh, 1-7 December: a surgeon, an anaesthetist
    # and two theatre nurses. Three nurses travel then: the two senior ones (Drs 126 and
    # 127, nursing skills) go, not the resident Dr 128.
    _need(111, kind="mission", specialty="general_surgery", places_left=4,
          skills=("war_wound_management",), urgency="critical", rural=True,
          period=DateRange(_d(2026, 12, 1), _d(2026, 12, 7)),
          roles=(TeamRole("general_surgery"), TeamRole("anaesthesia"),
                 TeamRole("nursing_education", 2))),
    # 112. A paediatric surgery theatre, 14-20 December. Pediatric surgeon Dr 130 is
    # free; anaesthetist Dr 131 only from the 14th to the 17th, not every day of the
    # mission: the surgeon is not sent alone, the report names the anaesthetist.
    _need(112, kind="mission", specialty="pediatric_surgery", places_left=2,
          skills=("congenital_anomaly_surgery",),
          period=DateRange(_d(2026, 12, 14), _d(2026, 12, 20)),
          roles=(TeamRole("pediatric_surgery"), TeamRole("anaesthesia"))),
    # 113. A maternity theatre, 21-27 December: an obstetrician, an anaesthetist and two
    # theatre nurses. Only one nurse (Dr 134) travels then: nobody goes, the report names
    # the nurses' role.
    _need(113, kind="mission", specialty="obstetrics_gynaecology", places_left=4,
          skills=("c_section",), period=DateRange(_d(2026, 12, 21), _d(2026, 12, 27)),
          roles=(TeamRole("obstetrics_gynaecology"), TeamRole("anaesthesia"),
                 TeamRole("nursing_education", 2))),
    # 114. An orthopaedic theatre at Al-Qusayr, 19-25 October, licence required (in
    # person in Syria). Dr 135 (25 years) holds a foreign licence only; the team is
    # Dr 136 (registered) and anaesthetist Dr 137 (temporary permit through October).
    _need(114, kind="mission", specialty="orthopaedics_trauma", places_left=2,
          skills=("external_fixation",), requires_licence=True, rural=True,
          period=DateRange(_d(2026, 10, 19), _d(2026, 10, 25)),
          roles=(TeamRole("orthopaedics_trauma"), TeamRole("anaesthesia"))),
    # 115. A palliative care mission to a Homs cancer ward, 2-8 November. Drs 138 and
    # 139 are alike in every way, but Dr 139 mentored a doctor of this ward remotely in
    # 2025: continuity counts across kinds of work, the ward keeps the doctor it knows.
    _need(115, kind="mission", specialty="palliative_care", skills=("pain_management",),
          period=DateRange(_d(2026, 11, 2), _d(2026, 11, 8)),
          past_work=(PastWork(139, "mentorship", 2025),)),
    # 116. A radiology mission, 8-14 June. Both radiologists came on a mission here in
    # 2025; the head's feedback on Dr 140 was very good, on Dr 141 poor (he left early).
    # Dr 141 has three more years, but the coordinator sends Dr 140. (Engine only: the
    # product-path writer stores no feedback rows; the loader's reading of them is
    # tested in tests/matching/test_continuity_feedback.py.)
    _need(116, kind="mission", specialty="radiology", skills=("xray_interpretation",),
          period=DateRange(_d(2026, 6, 8), _d(2026, 6, 14)),
          past_work=(PastWork(140, "mission", 2025, quality=2.0),
                     PastWork(141, "mission", 2025, quality=0.0))),
    # 117. A hernia mission, 21-27 September, licence required. Dr 142 operated here in
    # 2025, but holds a foreign licence only: continuity never lifts a hard rule. Dr 143
    # (registered) goes.
    _need(117, kind="mission", specialty="general_surgery", skills=("hernia_repair",),
          requires_licence=True, period=DateRange(_d(2026, 9, 21), _d(2026, 9, 27)),
          past_work=(PastWork(142, "mission", 2025),)),
    # 118 and 119. One ENT surgeon (Dr 144) travels in June; two facilities ask for him.
    # Need 119's rural facility does not work at all (weight 0.50); need 118's city
    # facility partly works, urgent (0.35), and got no proposal in the last five full
    # runs: x1.5 = 0.525. Dr 144 goes to need 118, and its explanation shows the wait.
    _need(118, kind="mission", specialty="ent", urgency="urgent", facility_state="partial",
          period=DateRange(_d(2026, 6, 8), _d(2026, 6, 12)), waited_runs=5),
    _need(119, kind="mission", specialty="ent", rural=True, facility_state="none",
          period=DateRange(_d(2026, 6, 15), _d(2026, 6, 19))),
    # 120 and 121. The same in February with Dr 145, but the multiplier stops at x1.5: need
    # 120's urgent city facility (0.25) waited five runs too (0.375), and the rural,
    # partly working facility of need 121 (0.40) still weighs more. Fairness raises a
    # waiting facility; it does not overturn every other need.
    _need(120, kind="mission", specialty="ent", urgency="urgent",
          period=DateRange(_d(2026, 2, 9), _d(2026, 2, 13)), waited_runs=5),
    _need(121, kind="mission", specialty="ent", rural=True, facility_state="partial",
          period=DateRange(_d(2026, 2, 16), _d(2026, 2, 20))),
])  # fmt: skip

EXPECTED.update({
    100: 102, 101: 105, 102: 106, 103: 108, 106: 116, 107: 118, 108: 119, 109: 121,
    115: 139, 116: 140, 117: 143, 118: 144, 121: 145,
})  # fmt: skip
#: need id -> every doctor the run must propose for it (a need of several places).
PROPOSED: dict[int, tuple[int, ...]] = {105: (113, 114)}
TEAMS.update({
    111: {"general_surgery": (125,), "anaesthesia": (129,), "nursing_education": (126, 127)},
    114: {"orthopaedics_trauma": (136,), "anaesthesia": (137,)},
})  # fmt: skip
TEAMS_OPEN.update({112: "anaesthesia", 113: "nursing_education"})
RULE_SHORT.update({104: "language_level", 110: "syria_permission"})
CONTESTED.update({118: 144})
OUTBID += (119,)
#: The wait has a ceiling: need id -> the doctor it gets with or without the other
#: need's wait (:data:`CONTESTED` flips without the wait; these do not) ...
CONTESTED_ANYWAY: dict[int, int] = {121: 145}
#: ... and the need that waited five runs and still stays open.
OUTBID_ANYWAY: tuple[int, ...] = (120,)
#: need id -> doctor -> the one hard rule that keeps that doctor out (the doctor would
#: otherwise be a candidate, often the strongest on paper).
EXCLUDED: dict[int, dict[int, str]] = {
    100: {100: "language_level", 101: "language_level"},
    101: {104: "language_level"},
    102: {107: "language_level"},
    103: {109: "language_level"},
    104: {110: "language_level", 111: "language_level"},
    105: {112: "syria_permission"},
    106: {115: "syria_permission"},
    107: {117: "syria_permission"},
    108: {120: "licence"},
    110: {123: "syria_permission", 124: "syria_permission"},
    114: {135: "syria_permission"},
    117: {142: "syria_permission"},
    18: {43: "syria_permission"},
    15: {39: "language_level"},
}
#: need id -> why its label holds on the engine's inputs only (not through the database).
ENGINE_ONLY: dict[int, str] = {
    116: "the product-path writer stores no feedback rows (the loader reads them:"
    " tests/matching/test_continuity_feedback.py)"
}
#: need id -> the doctor whose earlier work with the facility the explanation names.
CONTINUITY: dict[int, int] = {60: 61, 115: 139}
#: need id -> the full runs its facility waited, shown in the explanation of its proposal.
WAITED: dict[int, int] = {62: 4, 118: 5}
