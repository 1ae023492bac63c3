"""Which control characters a text may hold, and single-line text by construction.

A NUL byte makes PostgreSQL refuse the whole statement, and a line break in a
mail subject makes the mail library refuse the header. The rule, shared by
the web edge (which refuses such input) and the mail renderer (which collapses
it):

* no text holds NUL or another C0 control character (U+0000 to U+001F);
* tab, CR and LF are allowed only in multi-line texts (descriptions, notes,
  reasons, a biography: the fields a form shows as a ``<textarea>``).
"""

from __future__ import annotations

import re

# The fields shown as a <textarea> (templates) and their JSON twins.
MULTILINE_FIELDS = frozenset(
    {
        "bio",
        "description",
        "free_text_skills",
        "note",
        "reason",
        "decision_reason",  # a proposal's reason, as entered (cancel, decline)
        # case discussions (web/cases)
        "presenting_problem",
        "history",
        "findings",
        "question",
        "recommendations",
        # mentorships (web/mentorship)
        "goals",
        "comment",
    }
)

_SINGLE_LINE_REFUSED = re.compile(r"[\x00-\x1f]")
_MULTILINE_REFUSED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_LINE_BREAKS_AND_CONTROLS = re.compile(r"[ ]*[\x00-\x1f]+[ ]*")

# The same rule as JSON Schema patterns (ECMA 262), for the OpenAPI document.
SINGLE_LINE_PATTERN = r"^[^\u0000-\u001f]*$"
MULTILINE_PATTERN = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f]*$"


def is_multiline(field: str) -> bool:
    """Whether the field named ``field`` may hold tab, CR and LF."""
    return field in MULTILINE_FIELDS


def has_refused_control(text: str, *, multiline: bool = False) -> bool:
    """Whether ``text`` holds a control character its kind of field refuses."""
    pattern = _MULTILINE_REFUSED if multiline else _SINGLE_LINE_REFUSED
    return pattern.search(text) is not None


def single_line(text: str) -> str:
    """``text`` on one line: each run of control characters (CR, LF, tab, NUL...)
    becomes one space, and the ends are stripped."""
    return _LINE_BREAKS_AND_CONTROLS.sub(" ", text).strip()
