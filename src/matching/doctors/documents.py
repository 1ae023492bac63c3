"""Licence documents: checked by content, stored outside the web root.

Files live in ``<uploads_dir>/licences/<random>.<ext>``; the database keeps the
relative path. Nothing under ``uploads_dir`` is served statically: the web layer
streams a document only after :func:`matching.pairings.contact.can_see_contact`.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

import filetype

from matching.i18n import N_

MAX_DOCUMENT_BYTES = 5 * 1024 * 1024  # the message below says "5 MB"
ALLOWED_TYPES = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}
_SUBDIR = "licences"


class DocumentRejected(ValueError):
    """The upload is empty, too large or not a PDF/PNG/JPEG; the message says which."""


@dataclass(frozen=True, slots=True)
class StoredDocument:
    path: str  # relative to uploads_dir
    mime: str
    name: str


def sniff(content: bytes) -> str | None:
    """The MIME type read from the first bytes (never from the name or the header)."""
    if content.startswith(b"%PDF-"):
        return "application/pdf"
    kind = filetype.guess(content[:8192])
    return kind.mime if kind is not None else None


def check_document(content: bytes) -> str:
    """The MIME type of an acceptable document, or raise :class:`DocumentRejected`."""
    if not content:
        raise DocumentRejected(N_("the file is empty"))
    if len(content) > MAX_DOCUMENT_BYTES:
        raise DocumentRejected(N_("the file is too large (at most 5 MB)"))
    mime = sniff(content)
    if mime not in ALLOWED_TYPES:
        raise DocumentRejected(N_("must be a PDF, PNG or JPEG file"))
    return mime


def _safe_name(filename: str) -> str:
    name = Path(filename.replace("\\", "/")).name.strip() or "document"
    return "".join(ch for ch in name if ch.isprintable())[:200]


def store_document(
    uploads_dir: Path, content: bytes, filename: str, *, subdir: str = _SUBDIR
) -> StoredDocument:
    """Check ``content`` and write it under a random name in ``subdir`` (licences by
    default; workshop materials have their own); return where it went."""
    mime = check_document(content)
    folder = uploads_dir / subdir
    folder.mkdir(parents=True, exist_ok=True)
    relative = f"{subdir}/{secrets.token_hex(16)}.{ALLOWED_TYPES[mime]}"
    (uploads_dir / relative).write_bytes(content)
    return StoredDocument(path=relative, mime=mime, name=_safe_name(filename))


def document_file(uploads_dir: Path, relative: str, *, subdir: str = _SUBDIR) -> Path | None:
    """The absolute path of a stored document, or None if missing or outside ``subdir``."""
    if not relative:
        return None
    root = (uploads_dir / subdir).resolve()
    path = (uploads_dir / relative).resolve()
    if path.parent != root or not path.is_file():
        return None
    return path


def remove_document(uploads_dir: Path, relative: str, *, subdir: str = _SUBDIR) -> None:
    path = document_file(uploads_dir, relative, subdir=subdir)
    if path is not None:
        path.unlink(missing_ok=True)
