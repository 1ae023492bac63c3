"""Password hashing with argon2id (memory-hard), through argon2-cffi."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from matching.i18n import N_

_HASHER = PasswordHasher()

MIN_PASSWORD_LENGTH = 10


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _HASHER.check_needs_rehash(password_hash)


def password_problem(password: str) -> str | None:
    """A message saying why ``password`` is unacceptable, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        # A literal (not an f-string) so the catalogs translate it; follows MIN_PASSWORD_LENGTH.
        return N_("must be at least 10 characters")
    if len(password) > 1024:
        return N_("must be at most 1024 characters")
    if password.strip() == "" or len(set(password)) < 4:
        return N_("is too simple: use at least 4 different characters")
    return None
