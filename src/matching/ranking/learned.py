"""Learning from coordinators' decisions: a model whose approval probability joins the score.

Arrays in, arrays out; no ORM. The decided proposals are read from the database
by :func:`matching.pairings.decisions.load_decisions`, which turns them into a
:class:`Decisions`.

What counts as a decision, and its label (see ``LABELS`` there):

* 1, the pairing went ahead: ``approved`` (a coordinator approved it; the doctor
  has not answered yet), ``accepted`` and ``confirmed`` (approved, then accepted);
* 0, it did not: ``rejected`` by a coordinator (any reason, "swapped" for a
  runner-up included) and ``declined`` by the doctor after approval. A decline
  is counted because what the score should favour is a pairing that happens.
* Not counted: ``proposed`` and ``superseded`` (nobody decided), ``withdrawn``
  (the need was closed or cancelled, nothing was said about the doctor), and
  proposals without stored signal values (stable-mode proposals and the
  runner-up approved by a swap store none).

The model: a scikit-learn ``LogisticRegression`` (``class_weight="balanced"``)
on the standardised values of the signals of :data:`~matching.ranking.weights.SIGNALS`
(the values, not the weighted contributions, so it does not depend on the
weights a past run used; the learned signal itself is never a feature). It is
fitted only from at least :data:`MIN_DECISIONS` decisions with approvals and
rejections both present; otherwise there is no model and the score is exactly
the weighted sum of :mod:`matching.ranking.weights`.

With a model, its predicted approval probability ``p`` becomes one more signal,
:data:`~matching.ranking.weights.LEARNED_SIGNAL`, weighing ``w =``
:data:`~matching.ranking.weights.LEARNED_WEIGHT`; the other weights are scaled by
``1 - w`` so the score stays in [0, 1]::

    score = (1 - w) * sum(WEIGHTS[s] * value[s]) + w * p

The scaler is folded into the coefficients (:attr:`LearnedModel.coef` works on
raw signal values), so the engine computes ``p`` block by block with the same
array operations as the score.

How much the model helps is measured on held-out decisions
(:func:`heldout_evaluation`): decisions ordered by time, the model fitted on the
older 80 % and both scores compared on the newest 20 %, by ROC AUC and by
precision@1 per need.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
from scipy.special import expit
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from matching.ranking.weights import LEARNED_WEIGHT, SIGNALS, WEIGHTS

#: A model is fitted only from at least this many decisions (both labels present).
MIN_DECISIONS: Final[int] = 50
#: Share of the decisions, the newest, held out to measure the model.
HELDOUT_SHARE: Final[float] = 0.2
#: The model's features, in column order: the values of the base signals.
FEATURES: Final[tuple[str, ...]] = SIGNALS
#: Inverse regularisation strength of the logistic regression.
REGULARISATION_C: Final[float] = 1.0


@dataclass(frozen=True, slots=True)
class Decisions:
    """Decided proposals as arrays, oldest decision first. n decisions, F features.

    Attributes:
        values: float64 (n, F) signal values, column order of :data:`FEATURES`.
        approved: bool (n,) the label (see the module docstring).
        decided_at: float64 (n,) when each was decided (seconds since the epoch;
            only the order matters), non-decreasing.
        need_ids: int64 (n,) the need of each decision (precision@1 per need).
    """

    values: np.ndarray
    approved: np.ndarray
    decided_at: np.ndarray
    need_ids: np.ndarray

    @property
    def n(self) -> int:
        return int(self.approved.size)

    def take(self, rows: np.ndarray | slice) -> Decisions:
        """The decisions of ``rows`` (an index array or a slice), in that order."""
        return Decisions(
            self.values[rows], self.approved[rows], self.decided_at[rows], self.need_ids[rows]
        )

    @staticmethod
    def build(
        values: np.ndarray, approved: np.ndarray, decided_at: np.ndarray, need_ids: np.ndarray
    ) -> Decisions:
        """Decisions from unordered arrays (same shapes as the attributes), sorted by time.

        Ties keep their given order (pass them ordered by proposal id).
        """
        values = np.asarray(values, dtype=np.float64).reshape(-1, len(FEATURES))
        order = np.argsort(np.asarray(decided_at, dtype=np.float64), kind="stable")
        return Decisions(
            values=values[order],
            approved=np.asarray(approved, dtype=bool)[order],
            decided_at=np.asarray(decided_at, dtype=np.float64)[order],
            need_ids=np.asarray(need_ids, dtype=np.int64)[order],
        )


@dataclass(frozen=True, slots=True)
class LearnedModel:
    """A fitted approval model, on raw signal values.

    ``p = expit(intercept + values @ coef)``.

    Attributes:
        coef: float64 (F,) per feature of :data:`FEATURES`, the scaler folded in.
        intercept: the logit at all-zero signal values.
        weight: the learned signal's weight in the score.
        decisions, approvals: what it was fitted from.
    """

    coef: np.ndarray
    intercept: float
    weight: float
    decisions: int
    approvals: int

    def coefficient(self, signal: str) -> float:
        """The coefficient of one signal, on its raw value."""
        return float(self.coef[FEATURES.index(signal)])

    def probability(self, values: np.ndarray) -> np.ndarray:
        """Approval probability of P proposals: float64 (P,) from float64 (P, F) values."""
        return expit(self.intercept + np.asarray(values, dtype=np.float64) @ self.coef)


@dataclass(frozen=True, slots=True)
class HeldOut:
    """The model measured on the newest decisions (see :func:`heldout_evaluation`).

    Attributes:
        train, test: decisions fitted on (older) and measured on (newest).
        auc_base, auc_learned: ROC AUC of the score without and with the model on
            the test decisions; None when they are all of one label.
        needs: test needs with both an approval and a refusal among their
            decisions (where the order of candidates matters).
        p1_base, p1_learned: on those needs, the share whose best-scored decided
            candidate was approved; None when there is no such need.
    """

    train: int
    test: int
    auc_base: float | None
    auc_learned: float | None
    needs: int
    p1_base: float | None
    p1_learned: float | None

    @property
    def worse_than_base(self) -> bool:
        """The model ranks the held-out decisions worse than the score without it."""
        if self.auc_base is None or self.auc_learned is None:
            return False
        return self.auc_learned < self.auc_base


def _weights() -> np.ndarray:
    return np.array([WEIGHTS[s] for s in FEATURES], dtype=np.float64)


def base_score(values: np.ndarray) -> np.ndarray:
    """The score without a model, float64 (P,), from signal values float64 (P, F)."""
    return np.asarray(values, dtype=np.float64) @ _weights()


def combined_score(base: np.ndarray, probability: np.ndarray, weight: float) -> np.ndarray:
    """The score with a model: ``(1 - weight) * base + weight * probability``, float64 (P,)."""
    return (1.0 - weight) * base + weight * probability


def can_learn(decisions: Decisions) -> bool:
    """Enough decisions (:data:`MIN_DECISIONS`) with approvals and refusals both present."""
    k = int(decisions.approved.sum())
    return decisions.n >= MIN_DECISIONS and 0 < k < decisions.n


def _fit(decisions: Decisions, weight: float) -> LearnedModel | None:
    """Fit on ``decisions`` whatever their number; None when one label is missing."""
    k = int(decisions.approved.sum())
    if not 0 < k < decisions.n:
        return None
    pipe = make_pipeline(
        StandardScaler(),
        LogisticRegression(C=REGULARISATION_C, class_weight="balanced", max_iter=1000),
    )
    pipe.fit(decisions.values, decisions.approved.astype(np.int64))
    scaler, logistic = pipe[0], pipe[1]
    coef = logistic.coef_[0] / scaler.scale_
    intercept = float(logistic.intercept_[0] - coef @ scaler.mean_)
    return LearnedModel(coef.astype(np.float64), intercept, weight, decisions.n, k)


def fit_model(decisions: Decisions, weight: float = LEARNED_WEIGHT) -> LearnedModel | None:
    """The approval model of these decisions, or None below :func:`can_learn`."""
    if not can_learn(decisions):
        return None
    return _fit(decisions, weight)


def _auc(approved: np.ndarray, score: np.ndarray) -> float | None:
    if approved.all() or not approved.any():
        return None
    return float(roc_auc_score(approved, score))


def precision_at_1(
    need_ids: np.ndarray, approved: np.ndarray, score: np.ndarray
) -> tuple[float | None, int]:
    """Share of needs whose best-scored decision was approved, and how many needs.

    Args:
        need_ids: int64 (P,); approved: bool (P,); score: float64 (P,).

    Only needs with both an approval and a refusal count (elsewhere any order
    gives the same answer). Ties go to the earlier decision. Returns ``(None, 0)``
    without such a need.
    """
    order = np.lexsort((np.arange(score.size), -score, need_ids))
    nid, ok = need_ids[order], approved[order]
    first = np.flatnonzero(np.r_[True, nid[1:] != nid[:-1]])
    ends = np.r_[first[1:], nid.size]
    pos = np.add.reduceat(ok.astype(np.int64), first)
    mixed = (pos > 0) & (pos < ends - first)
    if not mixed.any():
        return None, 0
    return float(ok[first][mixed].mean()), int(mixed.sum())


def heldout_evaluation(
    decisions: Decisions, weight: float = LEARNED_WEIGHT, share: float = HELDOUT_SHARE
) -> HeldOut | None:
    """Fit on the older ``1 - share`` of the decisions, compare both scores on the newest.

    None when there are fewer than :data:`MIN_DECISIONS` decisions or when the
    older part lacks approvals or refusals (nothing to fit).
    """
    if decisions.n < MIN_DECISIONS:
        return None
    n_test = max(1, round(decisions.n * share))
    split = decisions.n - n_test
    train, test = decisions.take(slice(0, split)), decisions.take(slice(split, decisions.n))
    model = _fit(train, weight)
    if model is None:
        return None
    base = base_score(test.values)
    learned = combined_score(base, model.probability(test.values), weight)
    p1_base, needs = precision_at_1(test.need_ids, test.approved, base)
    p1_learned, _ = precision_at_1(test.need_ids, test.approved, learned)
    return HeldOut(
        train=train.n,
        test=test.n,
        auc_base=_auc(test.approved, base),
        auc_learned=_auc(test.approved, learned),
        needs=needs,
        p1_base=p1_base,
        p1_learned=p1_learned,
    )


def learn(
    decisions: Decisions, weight: float = LEARNED_WEIGHT
) -> tuple[LearnedModel | None, HeldOut | None]:
    """What a ranking run uses: the model fitted on every decision, and its held-out figure.

    The held-out figure is measured by a separate fit on the older decisions
    (:func:`heldout_evaluation`); the model used is then fitted on all of them.
    Both are None below :func:`can_learn`. A model whose held-out ROC AUC is lower
    than the score's without it is not used (None, with the figure that says why).
    """
    model = fit_model(decisions, weight)
    if model is None:
        return None, None
    held = heldout_evaluation(decisions, weight)
    if held is not None and held.worse_than_base:
        return None, held
    return model, held


def summary(decisions: Decisions, model: LearnedModel | None, held: HeldOut | None) -> dict:
    """JSON-ready record of the model a run used (``RankingRun.outcome["learned"]``)."""
    out: dict = {
        "used": model is not None,
        "decisions": decisions.n,
        "approvals": int(decisions.approved.sum()),
        "minimum": MIN_DECISIONS,
    }
    if model is not None:
        out["weight"] = model.weight
        out["coefficients"] = {s: model.coefficient(s) for s in FEATURES}
    if held is not None and held.worse_than_base:
        out["held_out_worse"] = True  # fitted, measured, and refused
    if held is not None:
        out["heldout"] = {
            "train": held.train,
            "test": held.test,
            "auc_base": held.auc_base,
            "auc_learned": held.auc_learned,
            "needs": held.needs,
            "p1_base": held.p1_base,
            "p1_learned": held.p1_learned,
        }
    return out


__all__ = [
    "FEATURES",
    "HELDOUT_SHARE",
    "MIN_DECISIONS",
    "Decisions",
    "HeldOut",
    "LearnedModel",
    "base_score",
    "can_learn",
    "combined_score",
    "fit_model",
    "heldout_evaluation",
    "learn",
    "precision_at_1",
    "summary",
]
