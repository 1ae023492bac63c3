"""Skill similarity: TF-IDF vectors over the taxonomy's skill codes.

Two steps, both scikit-learn:

1. Free text (a doctor's own words, a need's description; English or Arabic) is
   matched against each taxonomy skill's text (English name, Arabic name,
   aliases) with a word TF-IDF (unigrams and bigrams, Arabic letters normalised,
   the Arabic article stripped), its vocabulary learned in ``fit``. A skill whose
   cosine reaches
   :data:`~matching.ranking.weights.FREE_TEXT_SKILL_THRESHOLD` is *recognised*,
   weighing that cosine.
2. A person's skill vector has one column per taxonomy code: 1.0 for a ticked
   code, the recognised weight otherwise. A scikit-learn ``TfidfTransformer``
   fitted on the doctors gives rare skills more weight than common ones and
   l2-normalises, so the similarity of a need and a doctor is their dot product,
   a cosine in [0, 1].

Working in code space keeps every vector short (a handful of codes), so the
need x doctor product stays cheap at 10,000 x 100,000, and the explanation can
name the shared skills.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.exceptions import NotFittedError
from sklearn.feature_extraction.text import TfidfTransformer, TfidfVectorizer

from matching.ranking.weights import FREE_TEXT_SKILL_THRESHOLD

_AR_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_AR_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و"})
_AR_ARTICLE = re.compile(r"(?<!\S)(?:وال|بال|كال|فال|لل|ال)(?=\S{3,})")
_EN_STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "the",
        "of",
        "in",
        "on",
        "for",
        "to",
        "with",
        "at",
        "by",
        "or",
        "from",
        "as",
        "is",
        "are",
        "be",
        "this",
        "that",
        "our",
        "we",
        "i",
        "my",
        "who",
        "need",
        "needs",
        "needed",
        "want",
        "wanted",
        "experience",
        "experienced",
        "trained",
        "training",
        "doctor",
        "doctors",
        "care",
    ]
)
_AR_STOP = frozenset(
    [
        "في",
        "من",
        "على",
        "الى",
        "الي",
        "عن",
        "مع",
        "او",
        "و",
        "ثم",
        "هذا",
        "هذه",
        "ذلك",
        "التي",
        "الذي",
    ]
)


def normalise(text: str) -> str:
    """Lower-case, strip Arabic diacritics and tatweel, fold letter variants, drop the article."""
    text = _AR_DIACRITICS.sub("", text.lower()).translate(_AR_FOLD)
    text = text.replace("_", " ").replace("-", " ")
    return _AR_ARTICLE.sub("", text)


def _tokens(text: str) -> list[str]:
    words = re.findall(r"\w\w+", text)
    return [w for w in words if w not in _EN_STOP and w not in _AR_STOP]


def fit_idf(raw: sp.csr_matrix) -> TfidfTransformer:
    """The code IDF of these people. With nobody yet (a new platform), every code
    weighs the same: the IDF is fitted on one empty row (scikit-learn refuses 0 rows)."""
    idf = TfidfTransformer(norm="l2", smooth_idf=True, sublinear_tf=False)
    return idf.fit(raw if raw.shape[0] else sp.csr_matrix((1, raw.shape[1])))


def weigh(idf: TfidfTransformer, raw: sp.csr_matrix) -> sp.csr_matrix:
    """``raw`` code vectors weighted by ``idf``, rows l2-normalised: CSR float64 (no rows
    in, no rows out; scikit-learn refuses 0 rows)."""
    if not raw.shape[0]:
        return sp.csr_matrix(raw.shape, dtype=np.float64)
    return sp.csr_matrix(idf.transform(raw), dtype=np.float64)


class SkillVectorizer:
    """Turns (ticked codes, free text) into l2-normalised TF-IDF vectors over skill codes.

    A scikit-learn style estimator: the constructor stores its parameters only;
    :meth:`fit` learns the word vocabulary of the skills' texts and the code IDF of
    the people given (the doctors); :meth:`transform` uses both and refuses to run
    before :meth:`fit`.

    Args:
        codes: the taxonomy's skill codes, in column order.
        texts: for each code, its text (English, Arabic, aliases).
        threshold: the cosine from which free text recognises a skill.

    Attributes (learned by :meth:`fit`):
        codes_: the skill codes, the columns of every vector.
        index_: code -> column.
        text_vectorizer_: the word TF-IDF fitted on the skills' texts.
        skill_text_matrix_: CSR (n_codes, n_words), each skill's text vector.
        idf_: the code TF-IDF fitted on the people given to :meth:`fit`.
    """

    def __init__(
        self,
        codes: Sequence[str],
        texts: Sequence[str],
        threshold: float = FREE_TEXT_SKILL_THRESHOLD,
    ) -> None:
        self.codes = codes
        self.texts = texts
        self.threshold = threshold

    def fit(
        self, code_lists: Sequence[Sequence[str]], free_texts: Sequence[str]
    ) -> SkillVectorizer:
        """Learn the skills' word vocabulary and the code IDF of these people (the doctors)."""
        self._fit_vocabulary()
        self.idf_ = fit_idf(self.raw(code_lists, free_texts))
        return self

    def fit_transform(
        self, code_lists: Sequence[Sequence[str]], free_texts: Sequence[str]
    ) -> sp.csr_matrix:
        """:meth:`fit` on these people and return their vectors: CSR (n, n_codes) float64."""
        self._fit_vocabulary()
        raw = self.raw(code_lists, free_texts)
        self.idf_ = fit_idf(raw)
        return weigh(self.idf_, raw)

    def transform(
        self, code_lists: Sequence[Sequence[str]], free_texts: Sequence[str]
    ) -> sp.csr_matrix:
        """Vectors with the fitted IDF: CSR (n, n_codes) float64, rows l2-normalised."""
        if not hasattr(self, "idf_"):
            raise NotFittedError("SkillVectorizer: call fit (on the doctors) before transform")
        return weigh(self.idf_, self.raw(code_lists, free_texts))

    def _fit_vocabulary(self) -> None:
        self.codes_: tuple[str, ...] = tuple(self.codes)
        self.index_: dict[str, int] = {c: i for i, c in enumerate(self.codes_)}
        self.text_vectorizer_ = TfidfVectorizer(
            preprocessor=normalise,
            tokenizer=_tokens,
            token_pattern=None,
            ngram_range=(1, 2),
            sublinear_tf=True,
            dtype=np.float64,
        )
        # The code itself is part of a skill's text, so "nrp" or "bls" match too.
        self.skill_text_matrix_ = self.text_vectorizer_.fit_transform(
            [f"{c} {t}" for c, t in zip(self.codes_, self.texts, strict=True)]
        )

    def raw(self, code_lists: Sequence[Sequence[str]], free_texts: Sequence[str]) -> sp.csr_matrix:
        """Unweighted code vectors: CSR (n, n_codes) float64, ticked 1.0, recognised = cosine."""
        n, k = len(code_lists), len(self.codes_)
        rows: list[int] = []
        cols: list[int] = []
        for i, codes in enumerate(code_lists):
            for c in codes:
                j = self.index_.get(c)
                if j is not None:
                    rows.append(i)
                    cols.append(j)
        ticked = sp.csr_matrix(
            (np.ones(len(rows)), (np.asarray(rows, dtype=np.int64), np.asarray(cols, np.int64))),
            shape=(n, k),
        )
        ticked.data[:] = 1.0  # a code ticked twice is still one code
        ticked.sum_duplicates()
        ticked.data[:] = 1.0
        has_text = np.flatnonzero([bool(t and t.strip()) for t in free_texts])
        if has_text.size:
            tv = self.text_vectorizer_.transform([free_texts[i] for i in has_text])
            sim = (tv @ self.skill_text_matrix_.T).tocoo()
            keep = sim.data >= self.threshold
            recognised = sp.csr_matrix(
                (sim.data[keep], (has_text[sim.row[keep]], sim.col[keep])), shape=(n, k)
            )
            return ticked.maximum(recognised).tocsr()
        return ticked
