"""The English and Arabic catalogs are complete and every template text goes through them.

- every message extracted from the code and templates (``babel.cfg``, the same
  extraction as ``make messages``) is in both catalogs, translated in Arabic;
- no fuzzy entries, no empty Arabic translation, placeholders kept;
- no template holds user-facing text outside ``_()`` / ``{% trans %}``;
- every enum value has a label, every label is translated;
- every taxonomy entry has an Arabic name.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from jinja2 import Environment

from matching.i18n import LOCALES_DIR, get_translations
from matching.labels import LABELS

ROOT = Path(__file__).resolve().parents[2]
WEB_TEMPLATES = ROOT / "src" / "web" / "templates"
MAIL_TEMPLATES = ROOT / "src" / "matching" / "mail" / "templates"

#: Text allowed outside the catalogs: each language's own name on the switcher.
ALLOWED_TEXT = frozenset({"English", "العربية"})
#: Attributes whose value a user reads (or hears through a screen reader).
TEXT_ATTRIBUTES = frozenset({"title", "placeholder", "aria-label", "alt", "aria-description"})
_LETTER = re.compile(r"[^\W\d_]")
_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%[sd]")


def _load(language: str) -> Catalog:
    with (LOCALES_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=language)


def _extracted() -> dict[str, list[str]]:
    """msgid -> where it was found, extracted in-process exactly as ``make messages`` does."""
    with (ROOT / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found: dict[str, list[str]] = {}
    for filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map
    ):
        for msgid in message if isinstance(message, tuple) else (message,):
            if msgid:
                found.setdefault(msgid, []).append(filename)
    return found


@pytest.fixture(scope="module")
def arabic() -> Catalog:
    return _load("ar")


@pytest.fixture(scope="module")
def english() -> Catalog:
    return _load("en")


@pytest.fixture(scope="module")
def extracted() -> dict[str, list[str]]:
    return _extracted()


def _ids(catalog: Catalog) -> set[str]:
    ids: set[str] = set()
    for message in catalog:
        if not message.id:
            continue
        ids.update(message.id if isinstance(message.id, tuple) else (message.id,))
    return ids


def test_arabic_catalog_is_complete(arabic: Catalog) -> None:
    untranslated = []
    for message in arabic:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(s.strip() for s in strings):
            untranslated.append(message.id)
    assert not untranslated, f"{len(untranslated)} Arabic messages untranslated: {untranslated}"
    assert len(arabic) > 50


def test_arabic_plural_forms_cover_all_six_arabic_forms(arabic: Catalog) -> None:
    assert arabic.num_plurals == 6
    for message in arabic:
        if message.id and message.pluralizable:
            assert len(message.string) == 6, message.id


def test_arabic_plural_forms_put_each_count_in_its_case(arabic: Catalog) -> None:
    """The catalog's Plural-Forms send 11-99 to form 5, where the counted noun takes the
    accusative (11 يوماً), and 100-102 to form 4 (100 يوم): form 5 carries more tanween
    fath than form 4 wherever the two differ (three entries had them swapped)."""
    assert "n%100>=0 && n%100<=2 ? 4 : 5" in arabic.plural_expr
    swapped = [
        message.id[0]
        for message in arabic
        if message.id
        and message.pluralizable
        and message.string[4] != message.string[5]
        and message.string[5].count("\u064b") <= message.string[4].count("\u064b")
    ]
    assert not swapped, swapped


def test_english_catalog_holds_the_same_messages_as_identity(
    english: Catalog, arabic: Catalog
) -> None:
    """English entries are empty (identity) or equal to the message itself; never fuzzy."""
    assert _ids(english) == _ids(arabic)
    for message in english:
        if not message.id:
            continue
        assert not message.fuzzy, message.id
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        assert all(s in ("", *ids) for s in strings), message.id


def test_every_extracted_message_is_in_the_catalogs(
    extracted: dict[str, list[str]], arabic: Catalog
) -> None:
    """Run ``make messages`` and translate the new entries when this fails."""
    missing = {msgid: where for msgid, where in extracted.items() if msgid not in _ids(arabic)}
    assert not missing, f"not in the catalogs (run `make messages`): {missing}"


def test_catalogs_hold_no_stale_messages(extracted: dict[str, list[str]], arabic: Catalog) -> None:
    stale = _ids(arabic) - set(extracted)
    assert not stale, f"no longer used (run `make messages`): {sorted(stale)}"


def test_arabic_translations_keep_the_placeholders(arabic: Catalog) -> None:
    for message in arabic:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(_PLACEHOLDER.findall(ids[-1]))
        for string in filter(None, strings):  # empty ones fail the completeness test
            assert set(_PLACEHOLDER.findall(string)) <= wanted, (message.id, string)
            if not message.pluralizable:
                assert set(_PLACEHOLDER.findall(string)) == wanted, (message.id, string)


def test_runtime_translation_reads_the_po_file() -> None:
    assert get_translations("ar").ugettext("Sign in") == "تسجيل الدخول"
    assert get_translations("en").ugettext("Sign in") == "Sign in"


# ------------------------------------------------------------------ templates
#: Elements whose text is code or a technical token (CSV column names, file formats);
#: literal English is also allowed inside ``class="ltr"`` and ``lang="en"``.
_SKIPPED = frozenset({"script", "style", "code", "kbd", "samp"})
_VOID = frozenset(
    {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)


def _skipped(tag: str, attrs: dict[str, str | None]) -> bool:
    classes = (attrs.get("class") or "").split()
    return tag in _SKIPPED or "ltr" in classes or attrs.get("lang") == "en"


class _TextCollector(HTMLParser):
    """Text nodes and user-facing attribute values of one template's literal HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._open: list[tuple[str, bool]] = []  # (tag, skipped) of the open elements

    def _skipping(self) -> bool:
        return any(skipped for _, skipped in self._open)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        skipped = _skipped(tag, attributes)
        if not skipped and not self._skipping():
            for name, value in attrs:
                if name in TEXT_ATTRIBUTES and value:
                    self.found.append(value)
            if tag == "input" and attributes.get("type") in ("submit", "button"):
                self.found.append(attributes.get("value") or "")
        if tag not in _VOID:
            self._open.append((tag, skipped))

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index][0] == tag:
                del self._open[index:]
                break

    def handle_data(self, data: str) -> None:
        if not self._skipping():
            self.found.append(data)


_HOLE = "\x00"


def _literal_text(env: Environment, source: str) -> str:
    """The template with every Jinja construct (and ``{% trans %}`` blocks) replaced by a hole."""
    parts: list[str] = []
    in_trans = False
    block: list[str] = []
    in_block = False
    for _lineno, token, value in env.lex(source):
        if token == "block_begin":
            in_block, block = True, []
        elif token == "block_end":
            in_block = False
            name = next((v for v in block if v.strip()), "")
            if name == "trans":
                in_trans = True
            elif name == "endtrans":
                in_trans = False
        elif in_block and token == "name":
            block.append(value)
        if token == "data" and not in_trans:
            parts.append(value)
        elif not parts or parts[-1] != _HOLE:
            parts.append(_HOLE)
    return "".join(parts)


def _stray_text(path: Path) -> list[str]:
    env = Environment(extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True)
    text = _literal_text(env, path.read_text(encoding="utf-8"))
    if path.suffix == ".html":
        collector = _TextCollector()
        collector.feed(text)
        collector.close()
        chunks = collector.found
    else:
        chunks = [text]
    stray = []
    for chunk in chunks:
        for piece in chunk.split(_HOLE):
            piece = piece.strip()
            if piece and _LETTER.search(piece) and piece not in ALLOWED_TEXT:
                stray.append(piece)
    return stray


TEMPLATES = sorted(
    [p for p in WEB_TEMPLATES.rglob("*.html")]
    + [p for p in MAIL_TEMPLATES.rglob("*") if p.is_file()]
)


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_template_has_no_text_outside_the_catalogs(path: Path) -> None:
    assert _stray_text(path) == []


def test_the_template_check_finds_stray_text(tmp_path: Path) -> None:
    sample = tmp_path / "sample.html"
    sample.write_text(
        '{% extends "base.html" %}{% block content %}<h1>{{ _("Needs") }}</h1>'
        '<p title="Open needs">{{ n }} needs left</p>'
        "{% trans %}Hello there{% endtrans %}<button>English</button>"
        '<input type="submit" value="Save"><script>var x = "ok";</script>'
        '<p>&middot; {{ x }} &rarr;</p><p class="hint ltr">name_en, beds</p>'
        "<p>Stray <code>name_en</code> again</p>{% endblock %}",
        encoding="utf-8",
    )
    assert _stray_text(sample) == ["Open needs", "needs left", "Save", "Stray", "again"]


# -------------------------------------------------------------------- labels
def _enum_values() -> dict[str, list[str]]:
    from matching.accounts.tables import Role
    from matching.cases.tables import AgeBand, CaseStatus, Sex
    from matching.districts.tables import AccessStatus
    from matching.doctors.tables import Level, LicenceState
    from matching.facilities.tables import (
        District,
        FacilityKind,
        FunctionalState,
        NeedKind,
        NeedStatus,
        Urgency,
    )
    from matching.mail.tables import MailStatus
    from matching.mentorship.tables import GoalOutcome, MentorshipStatus, MissedBy, SessionStatus
    from matching.missions.tables import ItemKind, ItemOwner, ItemState, ReportState
    from matching.pairings.tables import OfferState, ProposalState, RunKind, RunStatus
    from matching.people.tables import ClinicalRole
    from matching.services.areas import ServiceCause, ServiceStatus
    from matching.workshops.tables import Phase

    enums = {
        "role": Role,
        "level": Level,
        "licence_state": LicenceState,
        "facility_kind": FacilityKind,
        "district": District,
        "functional_state": FunctionalState,
        "need_kind": NeedKind,
        "urgency": Urgency,
        "need_status": NeedStatus,
        "run_status": RunStatus,
        "run_kind": RunKind,
        "proposal_state": ProposalState,
        "mail_status": MailStatus,
        "clinical_role": ClinicalRole,
        "access_status": AccessStatus,
        "offer_state": OfferState,
        "service_status": ServiceStatus,
        "service_cause": ServiceCause,
        "workshop_phase": Phase,
        "age_band": AgeBand,
        "sex": Sex,
        "case_status": CaseStatus,
        "mission_item": ItemKind,
        "item_owner": ItemOwner,
        "item_state": ItemState,
        "report_state": ReportState,
        "session_status": SessionStatus,
        "missed_by": MissedBy,
        "goal_outcome": GoalOutcome,
        "mentorship_status": MentorshipStatus,
    }
    return {kind: [member.value for member in enum] for kind, enum in enums.items()}


@pytest.mark.parametrize("kind", sorted(_enum_values()))
def test_every_enum_value_has_a_label(kind: str) -> None:
    missing = [value for value in _enum_values()[kind] if value not in LABELS[kind]]
    assert not missing, f"add these to matching/labels.py: {missing}"


def test_every_label_is_translated(arabic: Catalog) -> None:
    translations = get_translations("ar")
    for kind, table in LABELS.items():
        for value, english in table.items():
            arabic_text = translations.ugettext(english)
            assert arabic_text != english and _LETTER.search(arabic_text), (kind, value)


def test_every_taxonomy_entry_has_an_arabic_name() -> None:
    from matching.taxonomy import load_taxonomy

    taxonomy = load_taxonomy()
    for table in (taxonomy.specialties, taxonomy.skills, taxonomy.languages, taxonomy.modes):
        for code, entry in table.items():
            assert entry.ar.strip() and re.search(r"[\u0621-\u064A]", entry.ar), code


def test_scripts_hold_no_translations() -> None:
    """Scripts take their texts from the page (data attributes filled with ``_()``)."""
    scripts = sorted((ROOT / "src" / "web" / "static" / "js").glob("*.js"))
    for script in scripts:
        text = script.read_text(encoding="utf-8")
        assert not re.search(r"[\u0600-\u06FF]", text), f"{script.name} holds Arabic text"
