"""Workshop materials on disk: the licence documents' content checks, their own folder.

Files live in ``<uploads_dir>/workshops/<random>.<ext>``, never served statically:
the web layer streams one only after :func:`matching.workshops.services.material_file`
checked who asks.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from matching.doctors.documents import (
    ALLOWED_TYPES,
    MAX_DOCUMENT_BYTES,
    DocumentRejected,
    StoredDocument,
    check_document,
)

__all__ = ["MAX_DOCUMENT_BYTES", "DocumentRejected", "material_path", "store_material"]
_SUBDIR = "workshops"


def _safe_name(filename: str) -> str:
    name = Path(filename.replace("\\", "/")).name.strip() or "material"
    return "".join(ch for ch in name if ch.isprintable())[:200]


def store_material(uploads_dir: Path, content: bytes, filename: str) -> StoredDocument:
    """Check ``content`` as a licence document is checked (PDF, PNG or JPEG read from its
    bytes, at most 5 MB) and write it under a random name."""
    mime = check_document(content)
    folder = uploads_dir / _SUBDIR
    folder.mkdir(parents=True, exist_ok=True)
    relative = f"{_SUBDIR}/{secrets.token_hex(16)}.{ALLOWED_TYPES[mime]}"
    (uploads_dir / relative).write_bytes(content)
    return StoredDocument(path=relative, mime=mime, name=_safe_name(filename))


def material_path(uploads_dir: Path, relative: str) -> Path | None:
    """The absolute path of a stored material, or None if missing or outside the folder."""
    if not relative:
        return None
    root = (uploads_dir / _SUBDIR).resolve()
    path = (uploads_dir / relative).resolve()
    if path.parent != root or not path.is_file():
        return None
    return path


def remove_material(uploads_dir: Path, relative: str) -> None:
    path = material_path(uploads_dir, relative)
    if path is not None:
        path.unlink(missing_ok=True)
