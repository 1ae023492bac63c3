"""Accounts: one user, one role."""

from __future__ import annotations

from enum import StrEnum

from piccolo.columns import Boolean, ForeignKey, OnDelete, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class Role(StrEnum):
    DOCTOR = "doctor"
    FACILITY_HEAD = "facility_head"
    COORDINATOR = "coordinator"
    ADMIN = "admin"
    #: A local health worker of a facility: sees only their own sessions, cases,
    #: workshops and certificates (``matching.people``).
    LOCAL_CLINICIAN = "local_clinician"


class User(Table, tablename="app_user"):
    email = Varchar(length=254, unique=True, index=True)
    password_hash = Varchar(length=255)
    full_name = Varchar(length=200)
    role = Varchar(length=20, choices=Role, index=True)
    language = Varchar(length=5, default="en")
    timezone = Varchar(length=64, default="UTC")
    is_active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())
    last_login_at = Timestamptz(null=True, default=None)


class PasswordResetToken(Table):
    """A single-use reset link; only the SHA-256 of the token is stored."""

    user = ForeignKey(User, null=False, on_delete=OnDelete.cascade)
    token_hash = Varchar(length=64, unique=True)
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
