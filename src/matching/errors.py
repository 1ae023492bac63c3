"""Domain errors. The web layer maps them to HTTP statuses (4xx, never 500).

A message is a catalog message (``N_("Proposal %(id)s cannot be approved")``)
with its values passed apart (``params={"id": 7}``), so that the web layer can
show it in the reader's language: :meth:`DomainError.translated`. ``message``
is the English text with the values filled in (logs, the command line).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from matching.i18n import Message, gettext, translate
from matching.labels import label


def _fill(template: str, params: Mapping[str, Any]) -> str:
    return template % dict(params) if params else template


def _labelled(params: Mapping[str, Any], labels: Mapping[str, str], language: str) -> dict:
    """``params`` with each value named in ``labels`` (param -> label kind, e.g.
    ``{"state": "proposal_state"}``) replaced by its label in ``language``."""
    if not labels:
        return dict(params)
    out = dict(params)
    for name, kind in labels.items():
        text = label(out.get(name), kind, language)
        out[name] = text.lower() if language == "en" else text
    return out


class DomainError(Exception):
    """Base of every rule violation a user can cause."""

    status_code = 400

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        params: Mapping[str, Any] | None = None,
        labels: Mapping[str, str] | None = None,
    ) -> None:
        self.template = message
        self.params = dict(params or {})
        self.labels = dict(labels or {})
        self.message = _fill(message, _labelled(self.params, self.labels, "en"))
        super().__init__(self.message)
        self.field = field

    def translated(self, language: str) -> str:
        """The message in ``language`` (English when the catalog has no entry); the
        values of ``labels`` (stored states, statuses) are shown as their labels.
        A :class:`~matching.i18n.Message` carries its own parameters."""
        if isinstance(self.template, Message):
            return translate(language, self.template)
        return gettext(language, self.template, **_labelled(self.params, self.labels, language))


class ValidationFailed(DomainError):
    """One or more fields are invalid; ``errors`` maps field name to message.

    ``params`` maps a field to the values of its message's placeholders.
    """

    status_code = 422

    def __init__(
        self,
        errors: dict[str, str],
        *,
        params: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> None:
        self.field_params = {k: dict(v) for k, v in (params or {}).items()}
        self.templates = dict(errors)
        self.errors = {k: _fill(v, self.field_params.get(k, {})) for k, v in errors.items()}
        first_field, first_message = next(iter(self.templates.items()))
        super().__init__(
            first_message, field=first_field, params=self.field_params.get(first_field)
        )
        self.message = f"{first_field}: {self.errors[first_field]}"

    def translated(self, language: str) -> str:
        return f"{self.field}: {super().translated(language)}"

    def translated_errors(self, language: str) -> dict[str, str]:
        """Each field's message in ``language``."""
        return {
            key: translate(language, template)
            if isinstance(template, Message)
            else gettext(language, template, **self.field_params.get(key, {}))
            for key, template in self.templates.items()
        }


class NotFound(DomainError):
    status_code = 404


class Forbidden(DomainError):
    status_code = 403


class Conflict(DomainError):
    """An illegal state transition (approving twice, accepting a rejected pairing)."""

    status_code = 409


class RateLimited(DomainError):
    status_code = 429
