"""Workshop materials on disk: the licence documents' content checks, their own folder.

Files live in ``<uploads_dir>/workshops/<random>.<ext>``, never served statically:
the web layer streams one only after :func:`matching.workshops.services.material_file`
checked who asks.
"""

from __future__ import annotations

from pathlib import Path

from matching.doctors.documents import (
    MAX_DOCUMENT_BYTES,
    DocumentRejected,
    StoredDocument,
    document_file,
    remove_document,
    store_document,
)

__all__ = ["MAX_DOCUMENT_BYTES", "DocumentRejected", "material_path", "store_material"]
_SUBDIR = "workshops"


def store_material(uploads_dir: Path, content: bytes, filename: str) -> StoredDocument:
    """Check ``content`` as a licence document is checked (PDF, PNG or JPEG read from its
    bytes, at most 5 MB) and write it under a random name."""
    return store_document(uploads_dir, content, filename, subdir=_SUBDIR)


def material_path(uploads_dir: Path, relative: str) -> Path | None:
    """The absolute path of a stored material, or None if missing or outside the folder."""
    return document_file(uploads_dir, relative, subdir=_SUBDIR)


def remove_material(uploads_dir: Path, relative: str) -> None:
    remove_document(uploads_dir, relative, subdir=_SUBDIR)
