"""The run page says whether past decisions joined the score, and how much they help."""

from __future__ import annotations

import html
import re

from matching.accounts.tables import Role
from matching.i18n import gettext
from matching.pairings import runs
from matching.ranking.learned import MIN_DECISIONS
from tests.factories import (
    login,
    make_account,
    make_decisions,
    make_rankable_doctor,
    make_rankable_need,
)


def _learned_line(page: str) -> str:
    match = re.search(r'<p class="hint" data-run-field="learned">(.*?)</p>', page, re.S)
    assert match, "the run page has the learned-model line"
    return " ".join(html.unescape(match.group(1)).split())


async def test_run_page_says_not_yet_below_the_minimum(client) -> None:
    await make_rankable_doctor()
    await make_rankable_need()
    await make_decisions(12, await make_rankable_need(status="closed"), None)
    run_id = await runs.create_run("full")
    await runs.execute_run(run_id)
    await login(client, await make_account(Role.COORDINATOR))
    line = _learned_line((await client.get(f"/coordinator/runs/{run_id}")).text)
    assert "not part of the score yet" in line
    assert f"12 of the {MIN_DECISIONS} needed" in line


async def test_run_page_shows_the_heldout_figure_in_both_languages(client) -> None:
    await make_rankable_doctor()
    await make_rankable_need()
    await make_decisions(80, await make_rankable_need(status="closed"), None, seed=7)
    run_id = await runs.create_run("full")
    run = await runs.execute_run(run_id)
    held = run["outcome"]["learned"]["heldout"]
    base, learned = f"{held['auc_base']:.2f}", f"{held['auc_learned']:.2f}"

    await login(client, await make_account(Role.COORDINATOR))
    line = _learned_line((await client.get(f"/coordinator/runs/{run_id}")).text)
    assert "learned from 80 decisions" in line
    assert f"On the newest 16, held out, they move the ROC AUC from {base} to {learned}" in line

    await login(client, await make_account(Role.COORDINATOR, language="ar"))
    arabic = _learned_line((await client.get(f"/coordinator/runs/{run_id}")).text)
    assert arabic != line and "80" in arabic and base in arabic and learned in arabic
    assert "ROC AUC" in arabic  # the measure's name stays as is
    assert gettext("ar", "Coordinators' past decisions") != "Coordinators' past decisions"


async def test_run_page_says_when_a_learned_model_was_refused(client) -> None:
    """A model that ranks the held-out decisions worse is fitted, measured and not used."""
    import json

    from matching.pairings.tables import RankingRun

    run_id = await runs.create_run("full")
    learned = {
        "used": False,
        "held_out_worse": True,
        "decisions": 120,
        "approvals": 60,
        "minimum": MIN_DECISIONS,
        "heldout": {"train": 96, "test": 24, "auc_base": 0.71, "auc_learned": 0.64},
    }
    await RankingRun.update({RankingRun.outcome: json.dumps({"learned": learned})}).where(
        RankingRun.id == run_id
    )
    await login(client, await make_account(Role.COORDINATOR))
    line = _learned_line((await client.get(f"/coordinator/runs/{run_id}")).text)
    assert "are not part of the score: learned from 120 decisions" in line
    assert "rank the newest 24, held out, worse than the score without them" in line
    assert "(ROC AUC 0.64 against 0.71)" in line
