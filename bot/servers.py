"""Start and stop the action server, the Rasa server and (optionally) the web
widget as child processes.

Used by ``python -m bot serve|shell|ask``, the end-to-end and browser tests
and the benchmarks, so they all run the real servers the same way.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from bot.config import PROJECT_ROOT

MODEL = PROJECT_ROOT / "models" / "current.tar.gz"


class ServerError(RuntimeError):
    """A server did not come up."""


@dataclass
class Servers:
    action_port: int
    rasa_port: int
    processes: list[subprocess.Popen] = field(default_factory=list)
    endpoints_file: Path | None = None
    web_port: int | None = None

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def action_url(self) -> str:
        return f"http://127.0.0.1:{self.action_port}"

    @property
    def web_url(self) -> str | None:
        return f"http://127.0.0.1:{self.web_port}" if self.web_port else None

    def stop(self) -> None:
        for proc in self.processes:
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
        deadline = time.monotonic() + 15
        for proc in self.processes:
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if self.endpoints_file and self.endpoints_file.exists():
            self.endpoints_file.unlink()

    def __enter__(self) -> "Servers":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


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
    talking to this Rasa server.

    Raises:
        ServerError: when the model is missing or a server does not come up.
    """
    if not model.exists():
        raise ServerError(f"模型不存在：{model}。请先运行 make setup 训练模型。")
    child_env = dict(os.environ, **(env or {}))
    child_env.setdefault("PYTHONPATH", str(PROJECT_ROOT))
    child_env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    child_env.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    child_env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    fd, name = tempfile.mkstemp(prefix="endpoints-", suffix=".yml")
    with os.fdopen(fd, "w") as handle:
        handle.write(f'action_endpoint:\n  url: "http://127.0.0.1:{action_port}/webhook"\n')
    servers = Servers(action_port, rasa_port, endpoints_file=Path(name), web_port=web_port or None)
    bin_dir = Path(sys.executable).parent
    try:
        servers.processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "-p", str(action_port)],
                cwd=PROJECT_ROOT, env=child_env, stdout=log, stderr=subprocess.STDOUT if log else None,
            )
        )
        servers.processes.append(
            subprocess.Popen(
                [
                    str(bin_dir / "rasa"), "run", "--enable-api", "-i", "127.0.0.1", "-p", str(rasa_port),
                    "-m", str(model), "--endpoints", name,
                    "--credentials", str(PROJECT_ROOT / "credentials.yml"), "--cors", "*",
                ],
                cwd=PROJECT_ROOT, env=child_env, stdout=log, stderr=subprocess.STDOUT if log else None,
            )
        )
        if servers.web_port:
            servers.processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "bot.web", "--port", str(servers.web_port), "--rasa-url", servers.rasa_url],
                    cwd=PROJECT_ROOT, env=child_env, stdout=log, stderr=subprocess.STDOUT if log else None,
                )
            )
        _wait(servers, timeout)
    except BaseException:
        servers.stop()
        raise
    return servers


def _wait(servers: Servers, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    targets = {"动作服务器": f"{servers.action_url}/health", "Rasa 服务器": f"{servers.rasa_url}/status"}
    if servers.web_url:
        targets["网页组件"] = f"{servers.web_url}/health"
    while targets:
        for proc in servers.processes:
            if proc.poll() is not None:
                raise ServerError(f"服务器进程意外退出（退出码 {proc.returncode}）")
        for label, url in list(targets.items()):
            if is_up(url):
                del targets[label]
        if time.monotonic() > deadline:
            raise ServerError(f"等待超时：{'、'.join(targets)}未就绪")
        time.sleep(0.5)
