"""Domain errors. The web layer maps them to HTTP statuses (4xx, never 500)."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every rule violation a user can cause."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ValidationFailed(DomainError):
    """One or more fields are invalid; ``errors`` maps field name to message."""

    status_code = 422

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = dict(errors)
        first_field, first_message = next(iter(self.errors.items()))
        super().__init__(f"{first_field}: {first_message}", field=first_field)


class NotFound(DomainError):
    status_code = 404


class Forbidden(DomainError):
    status_code = 403


class Conflict(DomainError):
    """An illegal state transition (approving twice, accepting a rejected pairing)."""

    status_code = 409


class RateLimited(DomainError):
    status_code = 429
