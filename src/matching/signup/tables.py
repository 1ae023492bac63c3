"""Sign-ups waiting for their emailed confirmation link to be followed."""

from __future__ import annotations

from piccolo.columns import Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class PendingSignup(Table):
    """What the sign-up form gave, held until the address is proven.

    The account is created only when the link is followed, so a stranger
    cannot reserve somebody else's address. Only the SHA-256 of the link's
    token and the password's argon2 hash are stored; following the link
    deletes the row (and any other of the same address).
    """

    email = Varchar(length=254, index=True)
    full_name = Varchar(length=200)
    password_hash = Varchar(length=255)
    language = Varchar(length=5, default="en")
    notice_version = Varchar(length=20)
    notice_accepted_at = Timestamptz(default=TimestamptzNow())
    token_hash = Varchar(length=64, unique=True)
    expires_at = Timestamptz()
    created_at = Timestamptz(default=TimestamptzNow())
