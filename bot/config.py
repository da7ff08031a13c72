"""Runtime configuration, read from the environment in one place.

Defaults make the embedded setup work with no configuration at all: a SQLite
file under ``build/`` and the local ports used by ``make run``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE_DIR = PROJECT_ROOT / "knowledge"
BUILD_DIR = PROJECT_ROOT / "build"


@dataclass(frozen=True)
class Settings:
    database_url: str
    knowledge_dir: Path
    build_dir: Path
    rasa_url: str
    action_port: int
    rasa_port: int
    web_port: int = 8080  # the web widget; 0: not started by `python -m bot serve`
    # Where each server listens. Loopback by default: publish only the webhooks and
    # the widget through a reverse proxy (README, 安全).
    action_host: str = "127.0.0.1"
    rasa_host: str = "127.0.0.1"
    web_host: str = "127.0.0.1"
    # Pages on these origins may call the widget API (CORS); none by default: same origin only.
    web_allowed_origins: tuple[str, ...] = ()
    web_sender_per_min: int = 20
    web_address_per_min: int = 120
    voice_sender_per_min: int = 20
    # A voice gateway sends every caller from its one address.
    voice_address_per_min: int = 600
    # Peers whose X-Forwarded-For names the client (the reverse proxy in front).
    trusted_proxies: tuple[str, ...] = ("127.0.0.1", "::1")
    # Rasa's conversations (SQL tracker store, endpoints.yml): an SQLAlchemy URL, so that
    # PostgreSQL is a matter of configuration; settings() fills in the SQLite file under build/.
    tracker_store_url: str = ""
    # Rasa's lock store (endpoints.yml): "in_memory" for one Rasa process; "redis" when
    # several replicas share the tracker store, so one conversation is answered in order.
    lock_store_type: str = "in_memory"
    redis_host: str = "127.0.0.1"
    redis_port: int = 6379
    redis_db: int = 1
    # Cached passage embeddings, one vector per passage text: content-keyed, so every knowledge
    # copy (tests, console previews) shares the project's cache (EMBEDDINGS_CACHE_DIR).
    embeddings_dir: Path = BUILD_DIR / "embeddings"
    redis_password: str = ""
    redis_key_prefix: str = "zhenjie"  # letters and digits only (Rasa ignores any other)

    @property
    def jieba_dir(self) -> Path:
        return self.build_dir / "jieba"

    @property
    def lookup_file(self) -> Path:
        return self.build_dir / "nlu" / "lookups.yml"

    @property
    def asr_vocabulary_file(self) -> Path:
        return self.build_dir / "asr" / "vocabulary.txt"


def default_database_url(build_dir: Path = BUILD_DIR) -> str:
    return f"sqlite:///{build_dir / 'kb.sqlite3'}"


def default_tracker_store_url(build_dir: Path = BUILD_DIR) -> str:
    return f"sqlite:///{build_dir / 'tracker.sqlite3'}"


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    try:
        return int(env.get(name, default))
    except ValueError:
        return default


def _list(env: Mapping[str, str], name: str, default: tuple[str, ...] = ()) -> tuple[str, ...]:
    raw = env.get(name)
    if raw is None:
        return default
    return tuple(item.strip().rstrip("/") for item in raw.split(",") if item.strip())


def settings(env: Mapping[str, str] | None = None) -> Settings:
    """Current settings; cheap, re-reads the environment (or ``env``) every call."""
    env = os.environ if env is None else env
    build_dir = Path(env.get("KB_BUILD_DIR", BUILD_DIR))
    rasa_port = int(env.get("RASA_PORT", "5005"))
    return Settings(
        database_url=env.get("KB_DATABASE_URL") or default_database_url(build_dir),
        knowledge_dir=Path(env.get("KB_KNOWLEDGE_DIR", KNOWLEDGE_DIR)),
        build_dir=build_dir,
        rasa_url=env.get("RASA_URL", f"http://127.0.0.1:{rasa_port}"),
        action_port=int(env.get("ACTION_PORT", "5055")),
        rasa_port=rasa_port,
        web_port=int(env.get("WEB_PORT", "8080")),
        action_host=env.get("ACTION_HOST") or "127.0.0.1",
        rasa_host=env.get("RASA_HOST") or "127.0.0.1",
        web_host=env.get("WEB_HOST") or "127.0.0.1",
        web_allowed_origins=_list(env, "WEB_ALLOWED_ORIGINS"),
        web_sender_per_min=_int(env, "WEB_SENDER_PER_MIN", 20),
        web_address_per_min=_int(env, "WEB_ADDRESS_PER_MIN", 120),
        voice_sender_per_min=_int(env, "VOICE_SENDER_PER_MIN", 20),
        voice_address_per_min=_int(env, "VOICE_ADDRESS_PER_MIN", 600),
        trusted_proxies=_list(env, "TRUSTED_PROXIES", ("127.0.0.1", "::1")),
        tracker_store_url=env.get("TRACKER_STORE_URL") or default_tracker_store_url(build_dir),
        lock_store_type=env.get("LOCK_STORE_TYPE") or "in_memory",
        redis_host=env.get("REDIS_HOST") or "127.0.0.1",
        redis_port=_int(env, "REDIS_PORT", 6379),
        redis_db=_int(env, "REDIS_DB", 1),
        redis_password=env.get("REDIS_PASSWORD") or "",
        redis_key_prefix=env.get("REDIS_KEY_PREFIX") or "zhenjie",
        embeddings_dir=Path(env.get("EMBEDDINGS_CACHE_DIR") or BUILD_DIR / "embeddings"),
    )


@dataclass(frozen=True)
class OpsSettings:
    """Operational data (audit, feedback, users, channel dedup): a database of its own, so
    that a knowledge build, which holds the knowledge database's write lock, never blocks it."""

    database_url: str
    spool_file: Path  # audit records wait here while the database is down
    spool_max_bytes: int
    audit_retention_days: int  # 0: kept for good
    unit_retention_days: int  # a saved unit is forgotten after this many days without a question


_OPS_VARIABLES = (
    "KB_BUILD_DIR",
    "OPS_DATABASE_URL",
    "OPS_SPOOL_FILE",
    "OPS_SPOOL_MAX_BYTES",
    "OPS_AUDIT_RETENTION_DAYS",
    "OPS_UNIT_RETENTION_DAYS",
)


def ops_settings() -> OpsSettings:
    """Read on every database call of every turn: built once per value of its variables."""
    return _ops_settings(tuple(os.environ.get(name) for name in _OPS_VARIABLES))


@lru_cache(maxsize=16)
def _ops_settings(values: tuple[str | None, ...]) -> OpsSettings:
    env = dict(zip(_OPS_VARIABLES, values, strict=True))
    build_dir = Path(env["KB_BUILD_DIR"] or BUILD_DIR)
    return OpsSettings(
        database_url=env["OPS_DATABASE_URL"] or f"sqlite:///{build_dir / 'ops.sqlite3'}",
        spool_file=Path(env["OPS_SPOOL_FILE"] or build_dir / "audit-spool.jsonl"),
        spool_max_bytes=int(env["OPS_SPOOL_MAX_BYTES"] or 10 * 1024 * 1024),
        audit_retention_days=int(env["OPS_AUDIT_RETENTION_DAYS"] or 365),
        unit_retention_days=int(env["OPS_UNIT_RETENTION_DAYS"] or 365),
    )


@dataclass(frozen=True)
class AdminSettings:
    """The maintainers' console (``/admin``, bot.web.admin)."""

    # Set ADMIN_COOKIE_SECURE=1 when the console is served over https (behind the reverse proxy):
    # the session cookie is then sent over https only, under the stricter ``__Host-`` name.
    cookie_secure: bool
    session_idle_minutes: int  # signed out after this long without a request
    session_max_hours: int  # and after this long in any case
    login_per_min: int  # sign-in attempts per client address and per account name


def admin_settings(env: Mapping[str, str] | None = None) -> AdminSettings:
    env = os.environ if env is None else env
    return AdminSettings(
        cookie_secure=env.get("ADMIN_COOKIE_SECURE", "").strip().lower() in ("1", "true", "yes", "on"),
        session_idle_minutes=_int(env, "ADMIN_SESSION_IDLE_MINUTES", 60),
        session_max_hours=_int(env, "ADMIN_SESSION_MAX_HOURS", 12),
        login_per_min=_int(env, "ADMIN_LOGIN_PER_MIN", 5),
    )
