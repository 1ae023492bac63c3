"""Fixed-window rate limits for sensitive routes (login, password reset).

Counts live in the app's ``ratelimit`` store: Redis when configured, so every
uvicorn process shares one count; memory in the embedded default.
"""

from __future__ import annotations

import ipaddress
import logging
import time

from litestar.connection import ASGIConnection
from litestar.stores.base import Store

from matching.errors import RateLimited

logger = logging.getLogger("web.ratelimit")


def client_address(connection: ASGIConnection, trusted_proxies: tuple[str, ...]) -> str:
    """The client's address; behind a trusted proxy, the last untrusted X-Forwarded-For hop."""
    peer = connection.client.host if connection.client else "unknown"
    if not trusted_proxies or not _is_trusted(peer, trusted_proxies):
        return peer
    forwarded = [p.strip() for p in connection.headers.get("x-forwarded-for", "").split(",")]
    for hop in reversed([p for p in forwarded if p]):
        if not _is_trusted(hop, trusted_proxies):
            return hop
    return peer


def _is_trusted(address: str, trusted: tuple[str, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(net, strict=False) for net in trusted)


async def hit(store: Store, bucket: str, key: str, *, limit: int, window_s: int = 60) -> None:
    """Count one attempt; raise :class:`RateLimited` past ``limit`` within ``window_s``.

    The window opens at the first attempt (not at a clock minute), so a burst
    is never split across two windows.
    """
    store_key = f"{bucket}:{key}"
    now = time.time()
    try:
        raw = await store.get(store_key)
    except Exception as exc:  # the store (Redis) is down: fail open, say so in the log
        logger.warning("rate-limit store unreachable: %s", type(exc).__name__)
        return
    started, count = now, 0
    if raw:
        first, _, seen = raw.decode().partition(":")
        if now - float(first) < window_s:
            started, count = float(first), int(seen)
    count += 1
    remaining = max(1, int(window_s - (now - started)) + 1)
    try:
        await store.set(store_key, f"{started}:{count}".encode(), expires_in=remaining)
    except Exception as exc:
        logger.warning("rate-limit store unreachable: %s", type(exc).__name__)
    if count > limit:
        raise RateLimited("Too many attempts. Please wait a minute and try again.")
