"""Real PostgreSQL and Redis for the cluster tests (``make services`` installs and starts them).

Every test here is skipped, with the reason, when they are not there: ``build/services.env``
(written by ``deploy/services.sh``; ``SERVICES_ENV`` names another file) is missing, or
PostgreSQL or Redis does not answer, or nginx is not installed (``REQUIRE_SERVICES=1``, as
``.ci/run`` sets it, makes that a failure). Each session works on
databases of its own, created here and dropped afterwards, and on a Redis key prefix of its own.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot import cluster


def _absent(reason: str) -> None:
    """Skip, or fail where the services must be there (``REQUIRE_SERVICES=1``: .ci/run)."""
    if os.environ.get("REQUIRE_SERVICES") == "1":
        pytest.fail(f"REQUIRE_SERVICES=1，但{reason}")
    pytest.skip(reason)


HOW = "make services 会安装并启动它们（需要 root 或免密 sudo，以及 apt-get）"


@dataclass(frozen=True)
class Services:
    admin_url: str  # a role that may create databases
    redis_host: str
    redis_port: int

    def database_url(self, name: str) -> str:
        return make_url(self.admin_url).set(database=name).render_as_string(hide_password=False)


def _reachable(env: dict[str, str]) -> Services:
    admin_url = env.get("PG_ADMIN_URL", "")
    if not admin_url:
        _absent(f"本地服务文件缺少 PG_ADMIN_URL；{HOW}")
    try:
        engine = create_engine(admin_url, future=True, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # noqa: BLE001 — any failure means: no PostgreSQL to test against
        _absent(f"PostgreSQL 未响应（{exc.__class__.__name__}）；{HOW}")
    import redis

    host, port = env.get("REDIS_HOST") or "127.0.0.1", int(env.get("REDIS_PORT") or 6379)
    try:
        redis.Redis(host=host, port=port, socket_timeout=3).ping()
    except Exception as exc:  # noqa: BLE001
        _absent(f"Redis 未响应（{host}:{port}，{exc.__class__.__name__}）；{HOW}")
    if cluster.nginx_binary() is None:
        _absent(f"没有 nginx；{HOW}")
    return Services(admin_url, host, port)


@pytest.fixture(scope="session")
def services() -> Services:
    path = Path(os.environ.get("SERVICES_ENV") or cluster.SERVICES_ENV)
    if not path.exists():
        _absent(f"没有本地 PostgreSQL/Redis/nginx（{path} 不存在）；{HOW}")
    return _reachable(cluster.read_env_file(path))


@pytest.fixture(scope="session")
def pg_database(services: Services) -> Iterator[object]:
    """``pg_database(suffix)``: the URL of a new empty database, dropped at the end of the session."""
    created: list[str] = []
    admin = create_engine(services.admin_url, future=True, isolation_level="AUTOCOMMIT")
    run = uuid.uuid4().hex[:8]

    def make(suffix: str) -> str:
        name = f"zt_{run}_{len(created)}_{suffix}"  # two modules may each ask for "ops"
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        created.append(name)
        return services.database_url(name)

    yield make
    from bot.db import dispose_all

    dispose_all()
    with admin.connect() as connection:
        for name in created:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
