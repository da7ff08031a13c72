"""Start and stop the action server, the Rasa server and (optionally) the web
widget as child processes.

Used by ``python -m bot serve|shell|ask``, the end-to-end and browser tests
and the benchmarks, so they all run the real servers the same way.

Every server listens on loopback (``ACTION_HOST``, ``RASA_HOST``, ``WEB_HOST``).
Two secrets tie them together, read from the environment or, when unset,
generated afresh for each start (never written anywhere):

- ``ACTION_SERVER_TOKEN``: Rasa sends it to the action server (``endpoints.yml``),
  which refuses every call without it (``bot.actionserver``);
- ``RASA_AUTH_TOKEN``: Rasa's HTTP API (trackers, model, training) wants it; the
  web widget's server uses it for ``/api/unit`` and to relay ``web:`` senders.

Rasa reads ``endpoints.yml`` itself, with ``${VAR}`` references filled from the
environment this module sets, conversations included: ``TRACKER_STORE_URL``
(``bot.config``; a SQLite file under ``build/`` unless set), so they survive a restart,
and the lock store (``LOCK_STORE_TYPE``: in memory unless set; ``redis`` for replicas,
:mod:`bot.cluster`).
``python -m bot.servers rasa run …`` starts Rasa with ``--auth-token`` taken from
the environment, so the token never shows in the process list.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from bot.config import PROJECT_ROOT, Settings, settings

MODEL = PROJECT_ROOT / "models" / "current.tar.gz"
ENDPOINTS = PROJECT_ROOT / "endpoints.yml"
CREDENTIALS = PROJECT_ROOT / "credentials.yml"

STOP_GRACE_S = 40.0  # per server: Rasa drains answers for 20 s, then Sanic gives 15 s


class ServerError(RuntimeError):
    """A server did not come up."""


@dataclass
class Servers:
    action_port: int
    rasa_port: int
    processes: list[subprocess.Popen] = field(default_factory=list)
    web_port: int | None = None
    action_token: str = field(default="", repr=False)
    rasa_token: str = field(default="", repr=False)  # Rasa's HTTP API: ?token=…
    action_host: str = "127.0.0.1"
    rasa_host: str = "127.0.0.1"
    web_host: str = "127.0.0.1"

    @property
    def rasa_url(self) -> str:
        return f"http://{_reachable(self.rasa_host)}:{self.rasa_port}"

    @property
    def action_url(self) -> str:
        return f"http://{_reachable(self.action_host)}:{self.action_port}"

    @property
    def web_url(self) -> str | None:
        return f"http://{_reachable(self.web_host)}:{self.web_port}" if self.web_port else None

    def stop(self) -> None:
        """Stop front to back (web app, Rasa, action server), so answers in flight can finish.

        Rasa drains the channels' answers for up to 20 s on SIGINT, and those
        answers still need the action server: it stops last.
        """
        for proc in reversed(self.processes):
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=STOP_GRACE_S)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def __enter__(self) -> Servers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _reachable(host: str) -> str:
    """An address to connect to a server bound to ``host``."""
    if host in ("", "0.0.0.0"):
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host


def free_port() -> int:
    """A TCP port nothing listens on right now (for tests and benchmarks)."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def is_up(url: str, timeout: float = 1.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError, ValueError):
        return False


def start(
    action_port: int = 5055,
    rasa_port: int = 5005,
    model: Path = MODEL,
    log: IO[bytes] | int | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 180.0,
    web_port: int | None = None,
) -> Servers:
    """Start both servers and wait until Rasa has loaded its model.

    With ``web_port`` the web widget (``python -m bot.web``) is started too,
    talking to this Rasa server. ``env`` adds to (and wins over) this
    process's environment, for the settings and the two tokens alike.

    Raises:
        ServerError: when the model is missing or a server does not come up.
    """
    if not model.exists():
        raise ServerError(f"模型不存在：{model}。请先运行 make setup 训练模型。")
    child_env, cfg = child_environment(env)
    servers = Servers(
        action_port,
        rasa_port,
        web_port=web_port or None,
        action_token=child_env["ACTION_SERVER_TOKEN"],
        rasa_token=child_env["RASA_AUTH_TOKEN"],
        action_host=cfg.action_host,
        rasa_host=cfg.rasa_host,
        web_host=cfg.web_host,
    )
    child_env.update(
        ACTION_PORT=str(action_port),
        # endpoints.yml: where Rasa finds the action server started here.
        ACTION_SERVER_URL=f"{servers.action_url}/webhook",
    )

    def spawn(args: list[str]) -> None:
        servers.processes.append(spawn_process(args, child_env, log))

    try:
        spawn(action_command(servers.action_host, action_port))
        spawn(rasa_command(servers.rasa_host, rasa_port, model))
        if servers.web_port:
            spawn(web_command(servers.web_host, servers.web_port, servers.rasa_url))
        _wait(servers, timeout)
    except BaseException:
        servers.stop()
        raise
    return servers


def child_environment(env: dict[str, str] | None = None) -> tuple[dict[str, str], Settings]:
    """The servers' environment: this process's, ``env`` over it, both tokens, and every
    ``${VAR}`` of ``endpoints.yml`` but ``ACTION_SERVER_URL`` filled from the settings'
    defaults (conversation store, lock store), since Rasa refuses to start on an unset one."""
    child_env = dict(os.environ, **(env or {}))
    child_env.setdefault("PYTHONPATH", str(PROJECT_ROOT))
    child_env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    child_env.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    child_env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    cfg = settings(child_env)
    child_env.update(
        ACTION_SERVER_TOKEN=child_env.get("ACTION_SERVER_TOKEN") or secrets.token_urlsafe(32),
        RASA_AUTH_TOKEN=child_env.get("RASA_AUTH_TOKEN") or secrets.token_urlsafe(32),
        TRACKER_STORE_URL=cfg.tracker_store_url,
        LOCK_STORE_TYPE=cfg.lock_store_type,
        REDIS_HOST=cfg.redis_host,
        REDIS_PORT=str(cfg.redis_port),
        REDIS_DB=str(cfg.redis_db),
        REDIS_PASSWORD=cfg.redis_password,
        REDIS_KEY_PREFIX=cfg.redis_key_prefix,
    )
    _ensure_sqlite_dir(cfg.tracker_store_url)
    return child_env, cfg


def spawn_process(args: list[str], env: dict[str, str], log: IO[bytes] | int | None) -> subprocess.Popen:
    return subprocess.Popen(args, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT if log else None)


def action_command(host: str, port: int) -> list[str]:
    return [sys.executable, "-m", "bot.actionserver", "--host", host, "--port", str(port)]


def rasa_command(host: str, port: int, model: Path = MODEL) -> list[str]:
    # No --cors: browsers never talk to Rasa; the widget's server does.
    return [
        *[sys.executable, "-m", "bot.servers", "rasa", "run", "--enable-api"],
        *["-i", host, "-p", str(port), "-m", str(model)],
        *["--endpoints", str(ENDPOINTS), "--credentials", str(CREDENTIALS)],
    ]


def web_command(host: str, port: int, rasa_url: str) -> list[str]:
    return [sys.executable, "-m", "bot.web", "--host", host, "--port", str(port), "--rasa-url", rasa_url]


def _ensure_sqlite_dir(url: str) -> None:
    """SQLite creates its file but not the directory it goes in (build/ after ``make clean``)."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and len(url) > len(prefix):
        (PROJECT_ROOT / url[len(prefix) :]).parent.mkdir(parents=True, exist_ok=True)


def _wait(servers: Servers, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    targets = {
        "动作服务器": f"{servers.action_url}/health",
        "Rasa 服务器": f"{servers.rasa_url}/status?token={servers.rasa_token}",
    }
    if servers.web_url:
        targets["网页组件"] = f"{servers.web_url}/health"
    wait_until_up(servers.processes, targets, deadline)


def wait_until_up(processes: list[subprocess.Popen[bytes]], targets: dict[str, str], deadline: float) -> None:
    """Poll each ``targets`` URL (label -> health URL) until all answer; ServerError when a
    process exits or ``deadline`` (time.monotonic()) passes first."""
    targets = dict(targets)
    while targets:
        for proc in processes:
            if proc.poll() is not None:
                raise ServerError(f"服务器进程意外退出（退出码 {proc.returncode}）")
        for label, url in list(targets.items()):
            if is_up(url):
                del targets[label]
        if time.monotonic() > deadline:
            raise ServerError(f"等待超时：{'、'.join(targets)}未就绪")
        time.sleep(0.5)


def run_rasa(argv: list[str]) -> None:
    """``rasa <argv>`` with ``--auth-token $RASA_AUTH_TOKEN`` added inside the process.

    An argument given on the command line would be readable by every local user
    in the process list; the environment of a process is not.
    """
    token = os.environ.get("RASA_AUTH_TOKEN", "")
    if not token:
        sys.exit("未设置 RASA_AUTH_TOKEN：Rasa 的 HTTP API 不会在没有访问令牌的情况下启动。")
    from rasa.__main__ import main as rasa_main

    from bot import rasa_speedups

    rasa_speedups.install()

    # "--auth-token=…" in one piece: a token may start with "-" (token_urlsafe), which argparse takes for an option.
    sys.argv = ["rasa", *argv, f"--auth-token={token}"]
    rasa_main()


if __name__ == "__main__":
    if sys.argv[1:2] != ["rasa"]:
        sys.exit("用法：python -m bot.servers rasa run [Rasa 的参数…]")
    run_rasa(sys.argv[2:])
