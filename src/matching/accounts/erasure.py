"""Deleting a user row and what hangs on it (inside an account deletion's transaction)."""

from __future__ import annotations

from matching.accounts.tables import PasswordResetToken, User


async def delete_reset_tokens(user_id: int) -> None:
    await PasswordResetToken.delete().where(PasswordResetToken.user == user_id).run()


async def delete_user(user_id: int) -> None:
    """Delete the user row (rows that reference it cascade or are set null)."""
    await User.delete().where(User.id == user_id).run()
