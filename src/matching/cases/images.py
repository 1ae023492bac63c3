"""Case images: checked like licence documents, then re-encoded without metadata.

An upload is refused when empty, over 5 MB, or not a JPEG or PNG by its content
(``filetype``, never the name or the header), or when Pillow cannot read it. What
is stored is a new image built from the pixels alone: EXIF (GPS position, camera,
date), XMP, ICC profiles, JPEG comments and PNG text chunks are all left behind.
The EXIF orientation is applied first, so the picture stands as it was taken; the
longest side is brought down to :data:`MAX_SIDE` pixels (slow links). Files live in
``<uploads_dir>/cases/<random>.<ext>``, outside the web root; the web layer streams
one only to the mentorship's parties.
"""

from __future__ import annotations

import io
import secrets
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from matching.doctors.documents import MAX_DOCUMENT_BYTES, sniff
from matching.i18n import N_

ALLOWED = {"image/jpeg": ("JPEG", "jpg"), "image/png": ("PNG", "png")}
MAX_SIDE = 1600
MAX_PIXELS = 50_000_000  # refuse decompression bombs before decoding
SUBDIR = "cases"


class ImageRejected(ValueError):
    """The upload is not an acceptable image; the message says why."""


@dataclass(frozen=True, slots=True)
class CleanImage:
    content: bytes
    mime: str
    width: int
    height: int


def clean_image(content: bytes) -> CleanImage:
    """The image re-encoded from its pixels only; :class:`ImageRejected` when unfit."""
    if not content:
        raise ImageRejected(N_("the file is empty"))
    if len(content) > MAX_DOCUMENT_BYTES:
        raise ImageRejected(N_("the file is too large (at most 5 MB)"))
    mime = sniff(content)
    if mime not in ALLOWED:
        raise ImageRejected(N_("must be a JPEG or PNG image"))
    try:
        with Image.open(io.BytesIO(content)) as probe:
            if probe.width * probe.height > MAX_PIXELS:
                raise ImageRejected(N_("the image is too large (at most 50 megapixels)"))
            probe.load()
            upright = ImageOps.exif_transpose(probe) or probe
            pixels = _plain_mode(upright, mime)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        if isinstance(exc, ImageRejected):
            raise
        raise ImageRejected(N_("the image cannot be read")) from exc
    # A new image from the pixels alone: no info dict, so no metadata can follow.
    fresh = Image.frombytes(pixels.mode, pixels.size, pixels.tobytes())
    fresh.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    pil_format, _ = ALLOWED[mime]
    if pil_format == "JPEG":
        fresh.save(out, "JPEG", quality=85, optimize=True)
    else:
        fresh.save(out, "PNG", optimize=True)
    return CleanImage(out.getvalue(), mime, fresh.width, fresh.height)


def _plain_mode(image: Image.Image, mime: str) -> Image.Image:
    """A mode both Pillow's encoders and ``frombytes`` handle without a palette."""
    if mime == "image/jpeg":
        return image if image.mode in ("RGB", "L") else image.convert("RGB")
    if image.mode in ("RGB", "RGBA", "L", "LA"):
        return image
    return image.convert("RGBA")


def store_image(uploads_dir: Path, image: CleanImage) -> str:
    """Write a cleaned image under a random name; its path relative to ``uploads_dir``."""
    folder = uploads_dir / SUBDIR
    folder.mkdir(parents=True, exist_ok=True)
    relative = f"{SUBDIR}/{secrets.token_hex(16)}.{ALLOWED[image.mime][1]}"
    (uploads_dir / relative).write_bytes(image.content)
    return relative


def image_file(uploads_dir: Path, relative: str) -> Path | None:
    """The absolute path of a stored image, or None if missing or outside the folder."""
    if not relative:
        return None
    root = (uploads_dir / SUBDIR).resolve()
    path = (uploads_dir / relative).resolve()
    if path.parent != root or not path.is_file():
        return None
    return path


def remove_image(uploads_dir: Path, relative: str) -> None:
    path = image_file(uploads_dir, relative)
    if path is not None:
        path.unlink(missing_ok=True)
