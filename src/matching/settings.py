"""Typed settings read once from the environment.

Every value has one source (an environment variable) and one validation. A bad
value raises :class:`ConfigError` whose message is a single line naming the
variable, so start-up can print it instead of a traceback.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parents[2]
# In a checkout ``var/`` sits next to ``src/``; an installed package (site-packages)
# keeps its files under the working directory instead.
_IN_CHECKOUT = (PROJECT_ROOT / "pyproject.toml").is_file()
VAR_DIR = Path(os.environ.get("VAR_DIR", (PROJECT_ROOT if _IN_CHECKOUT else Path.cwd()) / "var"))
DEFAULT_SQLITE_PATH = VAR_DIR / "platform.sqlite3"

Environment = Literal["demo", "production"]


class ConfigError(ValueError):
    """A configuration value is missing or malformed; the message names the variable."""


@dataclass(frozen=True, slots=True)
class Settings:
    environment: Environment
    database_url: str
    database_pool: bool
    redis_url: str | None
    secret_key: str
    smtp_url: str | None
    mail_from: str
    base_url: str
    uploads_dir: Path
    session_idle_minutes: int
    session_absolute_hours: int
    login_attempts_per_minute: int
    trusted_proxies: tuple[str, ...]
    #: Cases are deleted this many months after their mentorship ends.
    case_retention_months: int = 12
    #: days before a mission starts that its readiness checklist is due
    mission_ready_days: int = 14

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def outbox_readable(self) -> bool:
        """The outbox page exists only where mail has no other way out (no SMTP, not production)."""
        return not self.smtp_url and not self.is_production

    @property
    def uses_postgres(self) -> bool:
        return self.database_url.startswith(("postgres://", "postgresql://"))

    @property
    def sqlite_path(self) -> Path:
        """Path of the SQLite file when :attr:`database_url` is ``sqlite:///...``."""
        return Path(self.database_url.removeprefix("sqlite:///"))


def _database_url(env: dict[str, str]) -> str:
    url = env.get("DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{DEFAULT_SQLITE_PATH}"
    scheme = urlsplit(url).scheme
    if scheme in ("postgres", "postgresql"):
        parts = urlsplit(url)
        if not parts.hostname and not parts.path.strip("/"):
            raise ConfigError(f"DATABASE_URL: {url!r} names no host or database")
        return url
    if scheme == "sqlite" and url.startswith("sqlite:///") and len(url) > len("sqlite:///"):
        return url
    raise ConfigError(
        f"DATABASE_URL: {url!r} is not postgresql://user@host:port/db or sqlite:///path/to/file"
    )


def _redis_url(env: dict[str, str]) -> str | None:
    url = env.get("REDIS_URL", "").strip()
    if not url:
        return None
    if urlsplit(url).scheme not in ("redis", "rediss", "unix"):
        raise ConfigError(f"REDIS_URL: {url!r} is not redis://host:port/db")
    return url


def _smtp_url(env: dict[str, str]) -> str | None:
    url = env.get("SMTP_URL", "").strip()
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps", "smtp+starttls") or not parts.hostname:
        raise ConfigError(f"SMTP_URL: {url!r} is not smtp://user:password@host:port")
    try:
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        raise ConfigError(f"SMTP_URL: bad port in {url!r}") from exc
    return url


def _int(env: dict[str, str], name: str, default: int, minimum: int = 1) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name}: {raw!r} is not a whole number") from exc
    if value < minimum:
        raise ConfigError(f"{name}: must be at least {minimum}, got {value}")
    return value


def _seconds(env: dict[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise ConfigError(f"{name}: {raw!r} is not a number of seconds") from exc
    if not value > 0:
        raise ConfigError(f"{name}: must be more than 0, got {raw}")
    return value


def _flag(env: dict[str, str], name: str, *, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name}: {raw!r} is not true or false")


def _demo_secret() -> str:
    """A random key kept under var/ so demo sessions survive a restart."""
    path = VAR_DIR / "demo-secret-key"
    if path.exists():
        return path.read_text().strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Read and validate the configuration; raise :class:`ConfigError` on a bad value."""
    env = dict(os.environ if environ is None else environ)
    environment = env.get("APP_ENV", "demo").strip() or "demo"
    if environment not in ("demo", "production"):
        raise ConfigError(f"APP_ENV: {environment!r} is not 'demo' or 'production'")
    secret = env.get("SECRET_KEY", "").strip()
    if environment == "production":
        if not secret:
            raise ConfigError("SECRET_KEY: required when APP_ENV=production")
        if len(secret) < 32:
            raise ConfigError("SECRET_KEY: must be at least 32 characters")
    elif not secret:
        secret = _demo_secret()
    base_url = env.get("BASE_URL", "http://127.0.0.1:8000").strip().rstrip("/")
    if urlsplit(base_url).scheme not in ("http", "https"):
        raise ConfigError(f"BASE_URL: {base_url!r} is not an http(s) address")
    mail_from = env.get("MAIL_FROM", "Homs Health Bridge <no-reply@homs-health-bridge.org>")
    uploads = Path(env.get("UPLOADS_DIR", "").strip() or VAR_DIR / "uploads")
    proxies = tuple(p.strip() for p in env.get("TRUSTED_PROXIES", "").split(",") if p.strip())
    return Settings(
        environment=environment,  # type: ignore[arg-type]
        database_url=_database_url(env),
        database_pool=_flag(env, "DATABASE_POOL", default=True),
        redis_url=_redis_url(env),
        secret_key=secret,
        smtp_url=_smtp_url(env),
        mail_from=mail_from,
        base_url=base_url,
        uploads_dir=uploads,
        session_idle_minutes=_int(
            env, "SESSION_IDLE_MINUTES", 60 if environment == "production" else 720
        ),
        session_absolute_hours=_int(env, "SESSION_ABSOLUTE_HOURS", 12),
        login_attempts_per_minute=_int(env, "LOGIN_ATTEMPTS_PER_MINUTE", 10),
        trusted_proxies=proxies,
        case_retention_months=_int(env, "CASE_RETENTION_MONTHS", 12),
        mission_ready_days=_int(env, "MISSION_READY_DAYS", 14),
    )


#: arq gives a job at most this many tries (``WorkerSettings.max_tries``); the ranking
#: stops one short so that its last try is always the one that records the failure.
ARQ_MAX_TRIES = 5


DEFAULT_WORKER_REDIS_URL = "redis://127.0.0.1:6379/0"


@dataclass(frozen=True, slots=True)
class WorkerTuning:
    """The arq worker's limits (read when ``workers.main`` is imported)."""

    ranking_job_timeout_s: int
    ranking_tries: int
    ranking_retry_backoff_s: float
    #: Where the worker finds its queue: REDIS_URL, default ``redis://127.0.0.1:6379/0``.
    redis_url: str = DEFAULT_WORKER_REDIS_URL
    #: A full or scheduled run with at least this many open needs is split into jobs
    #: (scoring blocks, one assignment per pool, the write): SPLIT_RUN_MIN_NEEDS, 0 never.
    split_run_min_needs: int = 2000
    #: Needs per scoring block of a split run: RANKING_BLOCK_NEEDS.
    ranking_block_needs: int = 1000


def load_worker_tuning(environ: dict[str, str] | None = None) -> WorkerTuning:
    """RANKING_JOB_TIMEOUT_S (300), RANKING_TRIES (3), RANKING_RETRY_BACKOFF_S (5),
    REDIS_URL (:data:`DEFAULT_WORKER_REDIS_URL`), SPLIT_RUN_MIN_NEEDS (2000) and
    RANKING_BLOCK_NEEDS (1000)."""
    env = dict(os.environ if environ is None else environ)
    tries = _int(env, "RANKING_TRIES", 3)
    if tries >= ARQ_MAX_TRIES:
        raise ConfigError(f"RANKING_TRIES: at most {ARQ_MAX_TRIES - 1}, got {tries}")
    block_needs = _int(env, "RANKING_BLOCK_NEEDS", 1000)
    return WorkerTuning(
        ranking_job_timeout_s=_int(env, "RANKING_JOB_TIMEOUT_S", 300),
        ranking_tries=tries,
        ranking_retry_backoff_s=_seconds(env, "RANKING_RETRY_BACKOFF_S", 5.0),
        redis_url=_redis_url(env) or DEFAULT_WORKER_REDIS_URL,
        split_run_min_needs=_int(env, "SPLIT_RUN_MIN_NEEDS", 2000, minimum=0),
        ranking_block_needs=block_needs,
    )
