"""Team missions: several roles (specialty and count each), filled all together or not at all.

A team need becomes one need row per role in :class:`~matching.ranking.arrays.NeedArrays`
(same need id, the role's specialty, ``places`` = the role's count, ``team`` = the
team's index), so every hard rule and signal applies per role unchanged; a member must
be free on the mission's fixed dates (the availability rule), so every member's dates
overlap the team's.

The assignment stays exact. The candidate graph (need rows and doctor capacity pools,
with a team's role rows joined together) splits into connected components; the
components without a team keep the totally unimodular b-matching of
:func:`~matching.ranking.assignment.solve_assignment`; the components with a team are
one integer programme through ``scipy.optimize.milp`` (HiGHS): ``x`` per candidate
edge, binary ``y`` per team ("team filled"), per role ``sum x == count * y`` (so
``x <= y``: with ``y = 0`` every ``x`` of the team is 0), per plain need
``sum x <= places``, per doctor pool ``sum x <= capacity`` shared with every other
need of the component. Only ``y`` is branched on: with ``y`` fixed the rest is a
bipartite b-matching, totally unimodular, so its vertices have integral ``x``
(checked; never fractional so far). Explicit ``x <= y`` rows tighten the relaxation
but made HiGHS slower here (10.2 s against 6.5 s at 100,000 x 10,000). Components share
no need and no doctor pool, so the union of the optimal parts is the optimum of the
whole. A doctor's travel capacity is 1 per run, so nobody fills two roles of a team.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse.csgraph import connected_components

from matching.ranking.assignment import POOLS, Assignment, solve_assignment
from matching.ranking.data import NeedInput


@dataclass(frozen=True, slots=True)
class TeamSeat:
    """One role of a filled team in an explanation: ``specialty`` x ``count``, and who."""

    specialty: str
    count: int
    doctor_ids: tuple[int, ...]

    def as_dict(self) -> dict[str, object]:
        return {"role": self.specialty, "count": self.count, "doctor_ids": list(self.doctor_ids)}


def expand_team_roles(
    needs: Sequence[NeedInput],
) -> tuple[list[NeedInput], np.ndarray, tuple[str, ...]]:
    """One need row per role of each team need; other needs unchanged.

    Returns:
        ``(rows, team, role)``: the need rows; int64 (N,) team index of each row
        (-1 for a need without roles); the role's specialty code per row ("" for
        a need without roles). A role row takes the role's specialty with the
        taxonomy's acceptable specialties, and ``places_left`` = the role's count;
        a team with fewer places left than its members (some already held) is not
        ranked again as a team (every role gets 0 places).
    """
    rows: list[NeedInput] = []
    team: list[int] = []
    role: list[str] = []
    t = 0
    for x in needs:
        if not x.roles:
            rows.append(x)
            team.append(-1)
            role.append("")
            continue
        if x.kind != "mission":
            raise ValueError(f"need {x.id}: only a mission can ask for a team")
        members = sum(r.count for r in x.roles)
        whole = x.places_left >= members
        for r in x.roles:
            if r.count < 1:
                raise ValueError(f"need {x.id}: a role needs a count of at least 1")
            rows.append(
                replace(
                    x,
                    specialty=r.specialty,
                    acceptable_specialties=None,
                    any_specialty=False,
                    places_left=r.count if whole else 0,
                    roles=(),
                )
            )
            team.append(t)
            role.append(r.specialty)
        t += 1
    return rows, np.asarray(team, dtype=np.int64), tuple(role)


def has_teams(team: np.ndarray) -> bool:
    """Does a batch of need rows hold a team role (``team`` from :func:`expand_team_roles`)."""
    return bool(team.size) and bool((team >= 0).any())


def _components(
    need: np.ndarray, node_row: np.ndarray, n_needs: int, n_nodes: int, team: np.ndarray
) -> np.ndarray:
    """Connected component of every need row (need rows, pool nodes, a team's roles joined)."""
    e = need.size
    rows = [need, n_needs + node_row]
    cols = [n_needs + node_row, need]
    team_rows = np.flatnonzero(team >= 0)
    if team_rows.size:
        first = np.full(int(team.max()) + 1, n_needs, dtype=np.int64)
        np.minimum.at(first, team[team_rows], team_rows)  # each team's first row
        rows.append(team_rows)
        cols.append(first[team[team_rows]])
    size = n_needs + n_nodes
    adj = sp.csr_matrix(
        (np.ones(2 * e + team_rows.size), (np.concatenate(rows), np.concatenate(cols))),
        shape=(size, size),
    )
    _, label = connected_components(adj, directed=False)
    return label[:n_needs]


def _team_milp(
    need: np.ndarray,
    node: np.ndarray,
    score: np.ndarray,
    places: np.ndarray,
    cap: np.ndarray,
    team: np.ndarray,
) -> np.ndarray:
    """The integer programme of the components holding a team: chosen bool (E,).

    ``need``: need row per edge; ``node``: doctor-pool node per edge (``doctor *
    len(POOLS) + pool``); ``cap``: capacity per pool node (``capacity.reshape(-1)``);
    ``places``, ``team`` per need row.
    """
    e = need.size
    # Every role of a team in this part has its row, even a role without candidates
    # (then the team cannot be filled: sum x == count * y forces y = 0).
    teams_here = np.unique(team[need])
    teams_here = teams_here[teams_here >= 0]
    uniq_need = np.union1d(np.unique(need), np.flatnonzero(np.isin(team, teams_here)))
    need_row = np.searchsorted(uniq_need, need)
    n_y = teams_here.size
    n_var = e + n_y
    cols = np.arange(e)
    is_role = team[uniq_need] >= 0
    role_rows = np.flatnonzero(is_role)
    y_of_role = e + np.searchsorted(teams_here, team[uniq_need[role_rows]])
    # Per need row: sum x <= places; per role: sum x - count * y == 0.
    a_need = sp.csr_matrix((np.ones(e), (need_row, cols)), shape=(uniq_need.size, n_var))
    a_need = a_need + sp.csr_matrix(
        (-places[uniq_need[role_rows]].astype(np.float64), (role_rows, y_of_role)),
        shape=(uniq_need.size, n_var),
    )
    lo_need = np.where(is_role, 0.0, -np.inf)
    hi_need = np.where(is_role, 0.0, places[uniq_need].astype(np.float64))
    # Per doctor pool: sum x <= capacity.
    uniq_node, node_row = np.unique(node, return_inverse=True)
    a_doc = sp.csr_matrix((np.ones(e), (node_row, cols)), shape=(uniq_node.size, n_var))
    a = sp.vstack([a_need, a_doc], format="csr")
    lo = np.concatenate([lo_need, np.full(uniq_node.size, -np.inf)])
    hi = np.concatenate([hi_need, cap[uniq_node].astype(np.float64)])
    c = np.concatenate([-score.astype(np.float64), np.zeros(n_y)])
    # Only y is declared integer: once y is fixed the rest is a bipartite b-matching
    # (totally unimodular, integral right-hand sides), so the vertex HiGHS returns has
    # an integral x. mip_rel_gap 0: the proven optimum, not HiGHS' default 0.01 % gap.
    integrality = np.zeros(n_var)
    integrality[e:] = 1
    res = milp(
        c=c,
        constraints=LinearConstraint(a, lo, hi),
        integrality=integrality,
        bounds=Bounds(0.0, 1.0),
        options={"mip_rel_gap": 0.0},
    )
    if res.x is None:  # pragma: no cover - x = y = 0 is always feasible
        raise RuntimeError(f"team assignment failed: {res.message}")
    x = res.x[:e]
    if np.abs(x - np.round(x)).max(initial=0.0) > 1e-6:  # pragma: no cover - TU guarantees
        # Fix y and take a vertex of the remaining b-matching (dual simplex).
        y = np.round(res.x[e:])
        fixed = Bounds(np.concatenate([np.zeros(e), y]), np.concatenate([np.ones(e), y]))
        res = milp(c=c, constraints=LinearConstraint(a, lo, hi), integrality=np.ones(n_var),
                   bounds=fixed)  # fmt: skip
        x = res.x[:e]
    return x > 0.5


def solve_with_teams(
    need: np.ndarray,
    doctor: np.ndarray,
    pool: np.ndarray,
    score: np.ndarray,
    places: np.ndarray,
    capacity: np.ndarray,
    team: np.ndarray,
) -> Assignment:
    """Maximum total score assignment where each team fills all its roles or none.

    Args as :func:`~matching.ranking.assignment.solve_assignment`, plus ``team``:
    int64 (N,) team index of each need row, -1 for a need without roles (see
    :func:`expand_team_roles`; a role row's ``places`` is its count). Without any
    team this is exactly :func:`solve_assignment`.
    """
    if not has_teams(team) or need.size == 0:
        return solve_assignment(need, doctor, pool, score, places, capacity)
    node = doctor * len(POOLS) + pool
    uniq_node, node_row = np.unique(node, return_inverse=True)
    label = _components(need, node_row, places.size, uniq_node.size, team)
    team_labels = np.unique(label[team >= 0])
    in_team = np.isin(label[need], team_labels)
    chosen = np.zeros(need.size, dtype=bool)
    plain = np.flatnonzero(~in_team)
    if plain.size:
        part = solve_assignment(
            need[plain], doctor[plain], pool[plain], score[plain], places, capacity
        )
        chosen[plain] = part.chosen
    teamed = np.flatnonzero(in_team)
    if teamed.size:
        chosen[teamed] = _team_milp(
            need[teamed], node[teamed], score[teamed], places, capacity.reshape(-1), team
        )
    return Assignment(chosen, float(score[chosen].sum()))


def team_seats(
    need_row: np.ndarray,
    doctor_id: np.ndarray,
    team: np.ndarray,
    role: Sequence[str],
    places: np.ndarray,
) -> dict[int, tuple[TeamSeat, ...]]:
    """Per team index, its roles (in need-row order) and the chosen doctors of each.

    ``need_row``, ``doctor_id``: the chosen pairs.
    """
    by_row: dict[int, list[int]] = {}
    for r, d in zip(need_row.tolist(), doctor_id.tolist(), strict=True):
        by_row.setdefault(r, []).append(int(d))
    out: dict[int, list[TeamSeat]] = {}
    for r in np.flatnonzero(team >= 0).tolist():
        out.setdefault(int(team[r]), []).append(
            TeamSeat(role[r], int(places[r]), tuple(sorted(by_row.get(r, []))))
        )
    return {t: tuple(seats) for t, seats in out.items()}


__all__ = ["TeamSeat", "expand_team_roles", "has_teams", "solve_with_teams", "team_seats"]
