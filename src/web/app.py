"""The Litestar app factory: ``uvicorn --factory web.app:create_app``."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar, Request, Response
from litestar.config.compression import CompressionConfig
from litestar.config.csrf import CSRFConfig
from litestar.contrib.jinja import JinjaTemplateEngine
from litestar.datastructures import State
from litestar.logging import LoggingConfig
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.stores.base import Store
from litestar.stores.file import FileStore
from litestar.stores.memory import MemoryStore
from litestar.template import TemplateConfig
from piccolo.engine.postgres import PostgresEngine

from matching.db import current_engine, make_engine, start_pool, use_engine
from matching.migrate import ensure_migrated
from matching.settings import VAR_DIR, Settings, load_settings
from web.auth import AccountMiddleware
from web.consent.gate import consent_gate
from web.errors import EXCEPTION_HANDLERS
from web.input_guard import check_input
from web.openapi import tighten_app_document
from web.ratelimit import CountingMemoryStore, CountingRedisStore
from web.routes import ROUTE_HANDLERS
from web.runs.controllers import OutboxPages
from web.security import SecurityHeadersMiddleware
from web.sessions import SessionConfig
from web.static_assets import serve_static
from web.templating import make_environment
from workers.queue import ArqQueue, InProcessQueue, JobQueue

# Anchored: Litestar's exclude patterns are unanchored regular expressions.
CSRF_EXEMPT = ["^/health$", "^/static/"]

logger = logging.getLogger("web")


def _stores(settings: Settings) -> dict[str, Store]:
    if settings.redis_url:
        redis_store = CountingRedisStore.with_client(url=settings.redis_url, namespace="homs")
        return {
            "sessions": redis_store.with_namespace("sessions"),
            "ratelimit": redis_store.with_namespace("ratelimit"),
            "submissions": redis_store.with_namespace("submissions"),
        }
    # One process in the embedded default: sessions on disk survive a restart.
    return {
        "sessions": FileStore(VAR_DIR / "sessions", create_directories=True),
        "ratelimit": CountingMemoryStore(),
        "submissions": MemoryStore(),
    }


async def _open_queue(settings: Settings) -> JobQueue:
    if not settings.redis_url:
        return InProcessQueue({"settings": settings})
    try:
        return await ArqQueue.connect(settings.redis_url)
    except Exception as exc:  # Redis down: pages still serve, proposals wait.
        logger.warning("Redis unreachable at start-up (%s); jobs will be delayed", exc)
        return _UnreachableQueue()


class _UnreachableQueue:
    kind = "redis"

    async def enqueue(self, function: str, *args: object, **kwargs: object) -> bool:
        raise ConnectionError("the job queue (Redis) is unreachable")

    async def health(self) -> str:
        return "unreachable"

    async def close(self) -> None:
        return None


async def _before_request(request: Request) -> Response | None:
    """Every request: refuse control characters and loose JSON first (web.input_guard),
    then ask for the privacy notice before anything else (web.consent.gate)."""
    return await check_input(request) or await consent_gate(request)


def create_app(settings: Settings | None = None, *, check_migrations: bool = True) -> Litestar:
    """Build the app for ``settings`` (read from the environment when omitted)."""
    settings = settings or load_settings()
    use_engine(make_engine(settings.database_url))
    settings.uploads_dir.mkdir(parents=True, exist_ok=True)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        engine = current_engine()
        pooled = isinstance(engine, PostgresEngine) and settings.database_pool
        if pooled:
            # A pool survives a PostgreSQL restart (Piccolo issue 807).
            await start_pool(engine, min_size=1, max_size=10)
        if check_migrations:
            await ensure_migrated()
        app.state.queue = await _open_queue(settings)
        if isinstance(app.state.queue, InProcessQueue):
            # No arq worker in the embedded default: run its cron jobs here.
            app.state.queue.start_schedule()
        try:
            yield
        finally:
            await app.state.queue.close()
            if pooled:
                await engine.close_connection_pool()

    session_config = SessionConfig(
        key="session",
        max_age=settings.session_idle_minutes * 60,  # the idle timeout
        absolute_max_age=settings.session_absolute_hours * 3600,
        renew_on_access=False,  # the backend slides the expiry (web.sessions)
        secure=settings.is_production,
        httponly=True,
        samesite="lax",
        store="sessions",
    )
    csrf_config = CSRFConfig(
        secret=settings.secret_key,
        cookie_secure=settings.is_production,
        cookie_samesite="lax",
        exclude=CSRF_EXEMPT,
    )
    # The outbox shows mail with its secrets masked, yet only where mail has no
    # other way out: with SMTP or in production it is not routed at all.
    handlers = [h for h in ROUTE_HANDLERS if settings.outbox_readable or h is not OutboxPages]
    app = Litestar(
        route_handlers=[
            *handlers,
            serve_static,
        ],
        lifespan=[lifespan],
        state=State(
            {
                "settings": settings,
                "queue": InProcessQueue({"settings": settings}),
                "session_config": session_config,
            }
        ),
        stores=_stores(settings),
        middleware=[
            SecurityHeadersMiddleware(hsts=settings.is_production),
            session_config.middleware,
            AccountMiddleware(),
        ],
        csrf_config=csrf_config,
        before_request=_before_request,
        # Pages travel gzipped (a need form: 25 KB -> 5 KB); fonts are WOFF2, compressed already.
        compression_config=CompressionConfig(
            backend="gzip", gzip_compress_level=6, minimum_size=500, exclude=[r"\.woff2$"]
        ),
        template_config=TemplateConfig(
            engine=JinjaTemplateEngine.from_environment(make_environment())
        ),
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        openapi_config=OpenAPIConfig(
            title="Homs Health Bridge API",
            version="0.1.0",
            description="Pairs Syrian doctors abroad with health facilities of Homs governorate.",
            path="/schema",
            render_plugins=[SwaggerRenderPlugin()],
        ),
        logging_config=LoggingConfig(
            root={"level": "INFO", "handlers": ["queue_listener"]},
            log_exceptions="never",  # unexpected errors are logged by web.errors
        ),
        request_max_body_size=12 * 1024 * 1024,
        debug=False,
    )
    tighten_app_document(app)  # the document states what the validation accepts
    return app
