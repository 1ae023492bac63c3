"""Specialty and skill taxonomy (English and Arabic), loaded once from ``taxonomy.json``.

The taxonomy serves two readers:

* doctor profiles and need forms: :meth:`Taxonomy.search` (search-as-you-type in English and
  Arabic, Arabic-normalised) and :meth:`Taxonomy.name`;
* the ranking engine: :meth:`Taxonomy.specialty_fit_matrix` (how well one specialty serves a
  need for another), :meth:`Taxonomy.acceptable_specialties` (the specialty floor: who a
  clinician would actually send for that work) and :meth:`Taxonomy.skill_text` (TF-IDF input).

Two kinds of links between specialties, with two meanings:

* ``related`` (symmetric) feeds the *score*: the fields are close. Every related link is also
  acceptable in at least one direction for some kind of work (checked by the tests), so the
  score never rewards a specialty nobody would send.
* ``acceptable`` (directed, per kind of work) is the *hard rule*: for a need of this
  specialty, which other specialties can do the work. ``practice`` is hands-on work in person
  (a mission: operating, delivering, running a ward); ``teaching`` adds those who can teach or
  mentor it (workshops and remote mentorship) without doing it themselves. A gastroenterologist
  or an emergency physician is not sent for a surgical mission, a neurologist for neurosurgery,
  a dentist for facial fractures, a pharmacist to treat tuberculosis.

Specialty fit values live here and only here: :data:`FIT_EXACT`, :data:`FIT_RELATED`,
:data:`FIT_SIBLING`, 0.0 otherwise.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, Literal

import numpy as np

__all__ = [
    "FIT_EXACT",
    "FIT_NONE",
    "FIT_RELATED",
    "FIT_SIBLING",
    "WORK_OF_KIND",
    "Language",
    "Mode",
    "Skill",
    "Specialty",
    "Taxonomy",
    "load_taxonomy",
    "normalise",
]

FIT_EXACT: float = 1.0
"""Same specialty."""
FIT_RELATED: float = 0.6
"""A ``related`` link (either direction) or a parent/child pair."""
FIT_SIBLING: float = 0.3
"""Two specialties with the same parent."""
FIT_NONE: float = 0.0
"""Anything else."""

#: Kind of need -> the kind of work whose ``acceptable`` list applies.
WORK_OF_KIND: dict[str, str] = {
    "mission": "practice",
    "mentorship": "teaching",
    "training": "teaching",
}
_WORKS = ("practice", "teaching")

Kind = Literal["specialty", "skill"]
Lang = Literal["en", "ar"]

_CODE_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_ARABIC_LETTER_RE = re.compile(r"[\u0621-\u064A]")
# Tashkeel (fathatan .. sukun), superscript alef, Quranic marks, and tatweel.
_ARABIC_STRIP_RE = re.compile(r"[\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED\u0640]")
_ARABIC_FOLD = str.maketrans(
    {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي"}
)
_WORD_SPLIT_RE = re.compile(r"[^\w]+|_")
_ARABIC_ARTICLES = ("وال", "بال", "لل", "ال")
_REQUIRED_MODES = ("mission", "mentorship", "training")


def normalise(text: str) -> str:
    """Fold ``text`` for matching: case, Latin accents, Arabic diacritics and letter variants.

    Lower-cases (casefold), removes Latin combining accents, strips Arabic tashkeel and tatweel,
    unifies alef forms (أ إ آ ٱ -> ا), ى -> ي, ة -> ه, ؤ -> و, ئ -> ي, and turns punctuation
    into single spaces (so "OB/GYN" and "ob gyn" match).
    """
    text = _ARABIC_STRIP_RE.sub("", text.casefold()).translate(_ARABIC_FOLD)
    decomposed = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    # NFKD splits آ/أ/إ into alef + combining hamza/madda, already folded above; recompose
    # anything else that NFKD touched.
    text = unicodedata.normalize("NFC", text)
    return " ".join(w for w in _WORD_SPLIT_RE.split(text) if w)


@dataclass(frozen=True)
class Specialty:
    """A medical specialty; ``parent``, ``related`` and ``acceptable`` hold specialty codes.

    ``acceptable`` maps a kind of work (``"practice"``, ``"teaching"``) to the other
    specialties able to do that work for a need of this one; ``teaching`` lists only the
    ones added to ``practice``.
    """

    code: str
    en: str
    ar: str
    aliases: tuple[str, ...]
    parent: str | None
    related: tuple[str, ...]
    acceptable: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Skill:
    """A procedure or competency; ``specialties`` are the codes where it is typical."""

    code: str
    en: str
    ar: str
    aliases: tuple[str, ...]
    specialties: tuple[str, ...]


@dataclass(frozen=True)
class Language:
    """A working language, ISO 639-1 ``code``."""

    code: str
    en: str
    ar: str


@dataclass(frozen=True)
class Mode:
    """How a doctor helps: ``mission``, ``mentorship`` or ``training``."""

    code: str
    en: str
    ar: str


@dataclass(frozen=True)
class _SearchEntry:
    code: str
    sort_key: str
    fields: tuple[str, ...]  # normalised en, ar, aliases; words joined by one space
    word_starts: tuple[tuple[int, ...], ...]  # offsets in each field where a word starts


@dataclass(frozen=True, eq=False)
class Taxonomy:
    """The validated taxonomy. Build with :func:`load_taxonomy` or :meth:`from_dict`."""

    specialties: dict[str, Specialty]
    skills: dict[str, Skill]
    languages: dict[str, Language]
    modes: dict[str, Mode]
    specialty_codes: tuple[str, ...]
    """All specialty codes, sorted; row/column order of :meth:`specialty_fit_matrix`."""
    specialty_index: dict[str, int]
    """Specialty code -> position in :attr:`specialty_codes`."""
    _fit: np.ndarray = field(repr=False)  # float64, exact scalars for specialty_fit
    _fit32: np.ndarray = field(repr=False)
    _search_index: dict[str, tuple[_SearchEntry, ...]] = field(repr=False)

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Taxonomy:
        """Validate ``data`` (the JSON document's shape) and build a taxonomy.

        Raises ``ValueError`` naming the offending code on: a malformed or duplicate code,
        missing English or Arabic name, Arabic name without Arabic letters, an unknown code in
        ``parent``/``related``/``specialties``, a self reference, a parent cycle, a ``related``
        link that is not listed on both sides, or a missing mode.
        """
        seen: dict[str, str] = {}
        specialties: dict[str, Specialty] = {}
        for raw in _entries(data, "specialties"):
            code = _check_entry(raw, "specialty", seen)
            specialties[code] = Specialty(
                code=code,
                en=raw["en"].strip(),
                ar=raw["ar"].strip(),
                aliases=_strings(raw.get("aliases", []), code, "aliases"),
                parent=raw.get("parent"),
                related=_strings(raw.get("related", []), code, "related"),
                acceptable=_acceptable(raw.get("acceptable", {}), code),
            )
        skills: dict[str, Skill] = {}
        for raw in _entries(data, "skills"):
            code = _check_entry(raw, "skill", seen)
            skills[code] = Skill(
                code=code,
                en=raw["en"].strip(),
                ar=raw["ar"].strip(),
                aliases=_strings(raw.get("aliases", []), code, "aliases"),
                specialties=_strings(raw.get("specialties", []), code, "specialties"),
            )
        languages: dict[str, Language] = {}
        for raw in _entries(data, "languages"):
            code = _check_entry(raw, "language", seen)
            languages[code] = Language(code=code, en=raw["en"].strip(), ar=raw["ar"].strip())
        modes: dict[str, Mode] = {}
        for raw in _entries(data, "modes"):
            code = _check_entry(raw, "mode", seen)
            modes[code] = Mode(code=code, en=raw["en"].strip(), ar=raw["ar"].strip())

        _check_references(specialties, skills)
        missing_modes = [m for m in _REQUIRED_MODES if m not in modes]
        if missing_modes:
            raise ValueError(f"taxonomy: missing mode(s) {', '.join(missing_modes)}")

        codes = tuple(sorted(specialties))
        index = {c: i for i, c in enumerate(codes)}
        fit = _fit_matrix(specialties, codes, index)
        fit32 = fit.astype(np.float32)
        fit32.setflags(write=False)
        search_index = {
            "specialty": tuple(
                _search_entry(s.code, s.en, s.ar, s.aliases) for s in specialties.values()
            ),
            "skill": tuple(_search_entry(s.code, s.en, s.ar, s.aliases) for s in skills.values()),
        }
        return cls(
            specialties=specialties,
            skills=skills,
            languages=languages,
            modes=modes,
            specialty_codes=codes,
            specialty_index=index,
            _fit=fit,
            _fit32=fit32,
            _search_index=search_index,
        )

    # ------------------------------------------------------------------ names
    def name(self, code: str, lang: Lang) -> str:
        """English or Arabic name of any specialty, skill, language or mode code.

        Raises ``KeyError`` for an unknown code and ``ValueError`` for a language other than
        ``"en"``/``"ar"``.
        """
        if lang not in ("en", "ar"):
            raise ValueError(f"lang must be 'en' or 'ar', got {lang!r}")
        for table in (self.specialties, self.skills, self.languages, self.modes):
            entry = table.get(code)
            if entry is not None:
                return entry.en if lang == "en" else entry.ar
        raise KeyError(f"unknown taxonomy code {code!r}")

    def skill_text(self, code: str) -> str:
        """English name, Arabic name and aliases of a skill, space-joined (TF-IDF input)."""
        try:
            skill = self.skills[code]
        except KeyError:
            raise KeyError(f"unknown skill code {code!r}") from None
        return " ".join((skill.en, skill.ar, *skill.aliases))

    # ------------------------------------------------------------------ specialty fit
    def specialty_fit_matrix(self) -> np.ndarray:
        """Specialty fit, float32 array of shape (S, S) in :attr:`specialty_codes` order.

        Symmetric; :data:`FIT_EXACT` on the diagonal, :data:`FIT_RELATED` for a ``related``
        link or parent/child, :data:`FIT_SIBLING` for a shared parent, 0.0 otherwise. The
        array is shared and read-only; copy it before changing it.
        """
        return self._fit32

    def specialty_fit(self, a: str, b: str) -> float:
        """Scalar specialty fit between codes ``a`` and ``b`` (see :meth:`specialty_fit_matrix`)."""
        try:
            i, j = self.specialty_index[a], self.specialty_index[b]
        except KeyError as exc:
            raise KeyError(f"unknown specialty code {exc.args[0]!r}") from None
        return float(self._fit[i, j])

    def acceptable_specialties(self, code: str, kind: str) -> tuple[str, ...]:
        """Specialties acceptable by default for a need of specialty ``code`` and ``kind``.

        The need's own specialty first, then those its ``acceptable`` entry lists for the
        kind of work (:data:`WORK_OF_KIND`): ``practice`` for a mission, ``practice`` and
        ``teaching`` for a mentorship or a workshop. Raises ``KeyError`` for an unknown
        specialty or kind.
        """
        try:
            spec = self.specialties[code]
        except KeyError:
            raise KeyError(f"unknown specialty code {code!r}") from None
        work = WORK_OF_KIND[kind]
        out = [code, *spec.acceptable.get("practice", ())]
        if work == "teaching":
            out += spec.acceptable.get("teaching", ())
        return tuple(dict.fromkeys(out))

    # ------------------------------------------------------------------ search
    def search(self, query: str, kind: Kind, limit: int = 10) -> list[Specialty] | list[Skill]:
        """Specialties or skills matching ``query`` in English, Arabic or an alias.

        Matching is on :func:`normalise`-d text (case, diacritics, hamza/alef variants, ى/ي,
        ة/ه and tatweel ignored). Results rank by how they match, then English name, then code:
        0 a whole name or alias equals the query; 1 a name or alias starts with it; 2 a word
        of one starts with it; 3 it occurs anywhere. Arabic words, in the query and in the
        names, also match without a leading ال/وال/بال/لل. An empty query returns the first
        ``limit`` entries by English name.
        """
        if kind not in self._search_index:
            raise ValueError(f"kind must be 'specialty' or 'skill', got {kind!r}")
        table: Mapping[str, Specialty | Skill] = (
            self.specialties if kind == "specialty" else self.skills
        )
        q = normalise(query)
        variants = (q, *(q[len(a) :] for a in _ARABIC_ARTICLES if _has_article(q, a)))[:2]
        ranked: list[tuple[int, str, str]] = []
        for entry in self._search_index[kind]:
            tiers = [t for v in variants if (t := _match_tier(v, entry)) is not None]
            tier = (min(tiers) if tiers else None) if q else 3
            if tier is not None:
                ranked.append((tier, entry.sort_key, entry.code))
        ranked.sort()
        return [table[code] for _, _, code in ranked[: max(limit, 0)]]  # type: ignore[misc]


@cache
def load_taxonomy() -> Taxonomy:
    """The packaged taxonomy (``taxonomy.json``), validated, loaded once per process."""
    text = resources.files(__name__).joinpath("taxonomy.json").read_text(encoding="utf-8")
    return Taxonomy.from_dict(json.loads(text))


# ---------------------------------------------------------------------- helpers
def _entries(data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    value = data.get(key)
    if not isinstance(value, list):
        raise ValueError(f"taxonomy: {key!r} must be a list")
    for item in value:
        if not isinstance(item, Mapping):
            raise ValueError(f"taxonomy: every item of {key!r} must be an object, got {item!r}")
    return value


def _check_entry(raw: Mapping[str, Any], what: str, seen: dict[str, str]) -> str:
    code = raw.get("code")
    if not isinstance(code, str) or not _CODE_RE.match(code):
        raise ValueError(f"taxonomy: {what} code {code!r} is not snake_case ASCII")
    if code in seen:
        raise ValueError(f"taxonomy: duplicate code {code!r} ({seen[code]} and {what})")
    seen[code] = what
    for lang in ("en", "ar"):
        value = raw.get(lang)
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"taxonomy: {what} {code!r} has no {lang!r} name")
    if not _ARABIC_LETTER_RE.search(raw["ar"]):
        raise ValueError(f"taxonomy: {what} {code!r} Arabic name {raw['ar']!r} has no Arabic")
    return code


def _strings(value: Any, code: str, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValueError(f"taxonomy: {key!r} of {code!r} must be a list of non-empty strings")
    return tuple(v.strip() for v in value)


def _acceptable(value: Any, code: str) -> dict[str, tuple[str, ...]]:
    if not isinstance(value, Mapping) or set(value) - set(_WORKS):
        raise ValueError(
            f"taxonomy: 'acceptable' of {code!r} must be an object with keys among {_WORKS}"
        )
    return {work: _strings(value.get(work, []), code, f"acceptable.{work}") for work in _WORKS}


def _check_references(specialties: Mapping[str, Specialty], skills: Mapping[str, Skill]) -> None:
    for s in specialties.values():
        for work, codes in s.acceptable.items():
            for c in codes:
                if c not in specialties:
                    raise ValueError(
                        f"taxonomy: specialty {s.code!r} has unknown acceptable.{work} code {c!r}"
                    )
                if c == s.code:
                    raise ValueError(f"taxonomy: specialty {s.code!r} lists itself as acceptable")
    for s in specialties.values():
        if s.parent is not None:
            if s.parent not in specialties:
                raise ValueError(f"taxonomy: specialty {s.code!r} has unknown parent {s.parent!r}")
            if s.parent == s.code:
                raise ValueError(f"taxonomy: specialty {s.code!r} is its own parent")
        for r in s.related:
            if r not in specialties:
                raise ValueError(f"taxonomy: specialty {s.code!r} has unknown related code {r!r}")
            if r == s.code:
                raise ValueError(f"taxonomy: specialty {s.code!r} is related to itself")
            if s.code not in specialties[r].related:
                raise ValueError(
                    f"taxonomy: related link {s.code!r} -> {r!r} is missing its reverse "
                    f"{r!r} -> {s.code!r}"
                )
    for s in specialties.values():  # parent cycles
        path = [s.code]
        parent = s.parent
        while parent is not None:
            if parent in path:
                raise ValueError(f"taxonomy: parent cycle {' -> '.join([*path, parent])}")
            path.append(parent)
            parent = specialties[parent].parent
    for k in skills.values():
        for c in k.specialties:
            if c not in specialties:
                raise ValueError(f"taxonomy: skill {k.code!r} has unknown specialty code {c!r}")


def _fit_matrix(
    specialties: Mapping[str, Specialty], codes: tuple[str, ...], index: Mapping[str, int]
) -> np.ndarray:
    """(S, S) float64 fit matrix, built from index arrays (no per-pair loop)."""
    n = len(codes)
    parent_idx = np.array(
        [index[p] if (p := specialties[c].parent) is not None else -1 for c in codes],
        dtype=np.int64,
    )
    has_parent = parent_idx >= 0
    fit = np.zeros((n, n), dtype=np.float64)
    # siblings: same (non-null) parent
    same_parent = (parent_idx[:, None] == parent_idx[None, :]) & has_parent[:, None]
    fit[same_parent] = FIT_SIBLING
    # related links and parent/child, both directions
    rel = [(index[c], index[r]) for c in codes for r in specialties[c].related]
    rel += [(int(i), int(p)) for i, p in enumerate(parent_idx) if p >= 0]
    if rel:
        rows, cols = np.array(rel, dtype=np.int64).T
        fit[rows, cols] = FIT_RELATED
        fit[cols, rows] = FIT_RELATED
    np.fill_diagonal(fit, FIT_EXACT)
    fit.setflags(write=False)
    return fit


def _search_entry(code: str, en: str, ar: str, aliases: Iterable[str]) -> _SearchEntry:
    fields: list[str] = []
    starts: list[tuple[int, ...]] = []
    for text in (en, ar, *aliases):
        norm = normalise(text)
        if not norm or norm in fields:
            continue
        offsets: list[int] = []
        pos = 0
        for word in norm.split(" "):
            offsets.append(pos)
            for article in _ARABIC_ARTICLES:  # also match Arabic words without the article
                if _has_article(word, article):
                    offsets.append(pos + len(article))
                    break
            pos += len(word) + 1
        fields.append(norm)
        starts.append(tuple(offsets))
    return _SearchEntry(code, en.casefold(), tuple(fields), tuple(starts))


def _has_article(word: str, article: str) -> bool:
    return word.startswith(article) and len(word) - len(article) >= 2


def _match_tier(q: str, entry: _SearchEntry) -> int | None:
    best: int | None = None
    for text, offsets in zip(entry.fields, entry.word_starts, strict=True):
        if text == q:
            return 0
        if text.startswith(q):
            tier = 1
        elif any(text.startswith(q, i) for i in offsets):
            tier = 2
        elif q in text:
            tier = 3
        else:
            continue
        best = tier if best is None else min(best, tier)
    return best
