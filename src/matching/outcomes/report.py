"""The outcome report: facts from every source, kept in the filters' scope, summed by
metric overall and by district, urban or rural, and specialty."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable

import msgspec

from matching.errors import ValidationFailed
from matching.facilities.tables import District, Facility, Need, NeedStatus
from matching.i18n import N_
from matching.outcomes.facts import Source, all_sources
from matching.outcomes.metrics import METRICS, Sum
from matching.outcomes.schemas import Fact, OutcomeFilters, OutcomeReport, Row, UnfilledReason
from matching.pairings.coverage import latest_unfillable_reasons
from matching.taxonomy import load_taxonomy

SETTINGS = ("urban", "rural")


def validate_filters(filters: OutcomeFilters) -> OutcomeFilters:
    """The filters checked; ``ValidationFailed`` names every bad one."""
    errors = dict(filters.unreadable)
    if filters.starts_on and filters.ends_on and filters.starts_on > filters.ends_on:
        errors["ends_on"] = N_("must be on or after the start of the period")
    if filters.district and filters.district not in District.__members__.values():
        errors["district"] = N_("choose a district from the list")
    if filters.setting and filters.setting not in SETTINGS:
        errors["setting"] = N_("choose urban or rural")
    if filters.specialty and filters.specialty not in load_taxonomy().specialties:
        errors["specialty"] = N_("choose a specialty from the list")
    if errors:
        raise ValidationFailed(errors)
    return msgspec.structs.replace(
        filters,
        district=filters.district or None,
        setting=filters.setting or None,
        specialty=filters.specialty or None,
    )


def _summed(metric: str, facts: Iterable[Fact]) -> float:
    facts = list(facts)
    how = METRICS[metric].sum
    if how is Sum.DISTINCT:
        return float(len({f.subject for f in facts}))
    if how is Sum.MEAN:
        return sum(f.value for f in facts) / len(facts) if facts else 0.0
    return float(sum(f.value for f in facts))


def _rows(facts: list[Fact], key: Callable[[Fact], str]) -> list[Row]:
    groups: dict[str, dict[str, list[Fact]]] = defaultdict(lambda: defaultdict(list))
    for fact in facts:
        groups[key(fact)][fact.metric].append(fact)
    rows = [
        Row(key=name, values={m: _summed(m, by_metric.get(m, [])) for m in METRICS})
        for name, by_metric in groups.items()
    ]
    return sorted(rows, key=lambda r: (-sum(r.values.values()), r.key))


async def build_report(
    filters: OutcomeFilters, sources: list[Source] | None = None
) -> OutcomeReport:
    """The report for ``filters`` (validated here)."""
    filters = validate_filters(filters)
    places = {
        row["id"]: (row["district"], "rural" if row["rural"] else "urban")
        for row in await Facility.select(Facility.id, Facility.district, Facility.rural).run()
    }
    facts: list[Fact] = []
    for source in sources if sources is not None else all_sources():
        facts.extend(await source(filters))

    def kept(fact: Fact) -> bool:
        district, setting = places.get(fact.facility_id, ("", ""))
        return (
            (filters.starts_on is None or fact.on >= filters.starts_on)
            and (filters.ends_on is None or fact.on <= filters.ends_on)
            and (filters.district is None or district == filters.district)
            and (filters.setting is None or setting == filters.setting)
            and (filters.specialty is None or fact.specialty == filters.specialty)
            and (filters.facility_id is None or fact.facility_id == filters.facility_id)
        )

    facts = [f for f in facts if kept(f) and f.metric in METRICS]
    by_metric: dict[str, list[Fact]] = defaultdict(list)
    for fact in facts:
        by_metric[fact.metric].append(fact)
    return OutcomeReport(
        filters=filters,
        metrics=list(METRICS),
        totals={m: _summed(m, by_metric.get(m, [])) for m in METRICS},
        by_district=_rows(facts, lambda f: places.get(f.facility_id, ("", ""))[0]),
        by_setting=_rows(facts, lambda f: places.get(f.facility_id, ("", ""))[1]),
        by_specialty=_rows([f for f in facts if f.specialty], lambda f: f.specialty),
        unfilled_reasons=await _unfilled_reasons(
            {int(f.subject.split(":")[1]) for f in by_metric.get("needs_unfilled", [])}
        ),
    )


async def _unfilled_reasons(need_ids: set[int]) -> list[UnfilledReason]:
    """How many of the unfilled needs each reason explains (a need may have several;
    one the latest run did not report as unfillable is "not ranked yet or waiting")."""
    if not need_ids:
        return []
    reasons = await latest_unfillable_reasons()
    live = {
        row["id"]
        for row in await Need.select(Need.id)
        .where(Need.id.is_in(sorted(need_ids)), Need.status != NeedStatus.DRAFT)
        .run()
    }
    counts: Counter[str] = Counter()
    for need in live:
        for reason in reasons.get(need, ["waiting"]):
            counts[reason] += 1
    return [UnfilledReason(reason=r, needs=n) for r, n in counts.most_common()]
