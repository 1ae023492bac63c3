"""Fixed-window rate limits for sensitive routes (sign-in, password reset, sign-up).

Counting is one atomic step, never a read followed by a write (concurrent
requests would all read the old count):

* with Redis (``REDIS_URL``): a Lua script increments the count and sets its
  expiry in one round trip, so every uvicorn process shares one count;
* in the embedded default (one process): the count is read and written
  under the memory store's lock.

The window opens at the first attempt (not at a clock minute), so a burst is
never split across two windows.
"""

from __future__ import annotations

import ipaddress
import logging
from typing import Protocol, runtime_checkable

from litestar.connection import ASGIConnection
from litestar.stores.base import StorageObject, Store
from litestar.stores.memory import MemoryStore
from litestar.stores.redis import RedisStore

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


@runtime_checkable
class Counter(Protocol):
    async def increment(self, key: str, window_s: int) -> int:
        """Add one to ``key`` (expiring ``window_s`` after its first count); the new count."""
        ...


# INCR, and an expiry for a count that has none, in one atomic step.
_INCREMENT = b"""
local count = redis.call('INCR', KEYS[1])
if redis.call('TTL', KEYS[1]) < 0 then
    redis.call('EXPIRE', KEYS[1], ARGV[1])
end
return count
"""


class CountingRedisStore(RedisStore):
    """Litestar's Redis store with one-round-trip atomic counting."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._increment = self._redis.register_script(_INCREMENT)

    async def increment(self, key: str, window_s: int) -> int:
        return int(await self._increment(keys=[self._make_key(f"count:{key}")], args=[window_s]))


class CountingMemoryStore(MemoryStore):
    """Litestar's memory store, counting under its lock (one process)."""

    async def increment(self, key: str, window_s: int) -> int:
        key = f"count:{key}"
        async with self._lock:
            current = self._store.get(key)
            if current is None or current.expired:
                current = StorageObject.new(data=b"0", expires_in=window_s)
            count = int(current.data) + 1
            self._store[key] = StorageObject(expires_at=current.expires_at, data=b"%d" % count)
        return count


async def hit(store: Store, bucket: str, key: str, *, limit: int, window_s: int = 60) -> None:
    """Count one attempt; raise :class:`RateLimited` past ``limit`` within ``window_s``."""
    if not isinstance(store, Counter):
        raise TypeError(f"the rate-limit store {type(store).__name__} cannot count atomically")
    try:
        count = await store.increment(f"{bucket}:{key}", window_s)
    except Exception as exc:  # the store (Redis) is down: fail open, say so in the log
        logger.warning("rate-limit store unreachable: %s", type(exc).__name__)
        return
    if count > limit:
        raise RateLimited("Too many attempts. Please wait a minute and try again.")
