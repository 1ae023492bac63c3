"""Static files under fingerprinted URLs, cached by browsers for a year.

Every file of ``web/static`` is read once at start-up and served from memory at
``/static/<dir>/<name>.<digest><suffix>`` (``/static/css/app.3f9c0a1b2e.css``), the
digest being the first hex digits of the SHA-256 of its content: a changed file
gets a new URL, so the old one can be cached as ``immutable`` for a year.

Templates ask for the URL with ``static_url("css/app.css")``. Inside the
stylesheet, ``url("/static/...")`` references (the fonts) are rewritten to their
fingerprinted URLs before the stylesheet's own digest is taken.

The plain name (``/static/css/app.css``) still answers, with ``no-cache``, for
anything that kept an old link; an unknown or stale digest answers 404.
Compression (``CompressionConfig`` in the app) applies to these responses too,
except fonts: WOFF2 is already compressed.
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path

from litestar import Response, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

STATIC_DIR = Path(__file__).parent / "static"
PREFIX = "/static/"
DIGEST_LENGTH = 10
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
_CSS_URL = re.compile(r"""url\((["']?)/static/([^"')]+)\1\)""")
_MEDIA_TYPES = {".woff2": "font/woff2", ".js": "text/javascript", ".css": "text/css"}


@dataclass(frozen=True, slots=True)
class Asset:
    """One static file: its bytes, media type and fingerprinted URL."""

    content: bytes
    media_type: str
    url: str


def _media_type(path: str) -> str:
    guessed = _MEDIA_TYPES.get(Path(path).suffix) or mimetypes.guess_type(path)[0]
    guessed = guessed or "application/octet-stream"
    return f"{guessed}; charset=utf-8" if guessed.startswith("text/") else guessed


def _fingerprinted(path: str, content: bytes) -> str:
    digest = hashlib.sha256(content).hexdigest()[:DIGEST_LENGTH]
    name = Path(path)
    return f"{PREFIX}{name.with_name(f'{name.stem}.{digest}{name.suffix}').as_posix()}"


def load_assets(directory: Path = STATIC_DIR) -> dict[str, Asset]:
    """Every file under ``directory`` by its relative path; stylesheets after the rest."""
    files = sorted(p for p in directory.rglob("*") if p.is_file())
    assets: dict[str, Asset] = {}
    for file in sorted(files, key=lambda p: p.suffix == ".css"):  # css last: it links the rest
        path = file.relative_to(directory).as_posix()
        content = file.read_bytes()
        if file.suffix == ".css":

            def link(match: re.Match[str]) -> str:
                target = assets.get(match.group(2))
                return f'url("{target.url}")' if target else match.group(0)

            content = _CSS_URL.sub(link, content.decode("utf-8")).encode("utf-8")
        assets[path] = Asset(content, _media_type(path), _fingerprinted(path, content))
    return assets


ASSETS = load_assets()
_BY_URL = {asset.url.removeprefix(PREFIX): asset for asset in ASSETS.values()}


def static_url(path: str) -> str:
    """The fingerprinted URL of ``path`` (relative to web/static); a KeyError names a typo."""
    return ASSETS[path].url


def find_asset(path: str) -> Asset | None:
    """The static file at ``path`` under ``/static/``: its fingerprinted name or its plain one."""
    return _BY_URL.get(path) or ASSETS.get(path)


@get(f"{PREFIX}{{file_path:path}}", include_in_schema=False, sync_to_thread=False)
def serve_static(file_path: FromPath[str]) -> Response[bytes]:
    """A fingerprinted file for a year; the plain name revalidated each time."""
    path = file_path.lstrip("/")
    asset = find_asset(path)
    if asset is None:
        raise NotFoundException()
    cache = IMMUTABLE if path in _BY_URL else REVALIDATE
    return Response(asset.content, media_type=asset.media_type, headers={"cache-control": cache})
