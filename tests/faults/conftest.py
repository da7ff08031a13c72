"""The real servers, with WeCom configured against the fake platform, for the fault-injection run.

Faults are injected from outside, as they happen in production: processes are
killed or restarted with the very command line and environment they were
started with (read from /proc, so whatever ``bot.servers.start`` passes them is
kept), and the database is locked or taken away on disk.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import sqlite3
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pytest

from bot import servers
from tests.channels import conftest as channels
from tests.channels.conftest import AES_KEY, AGENT_ID, CORP_ID, TOKEN

# The fake WeCom platform of the session (tests/conftest.py), reset per test as the channel tests do.
platform = channels.platform


@dataclass
class Stack:
    """Running servers and the files they use."""

    running: servers.Servers
    log: IO[bytes]
    log_path: Path
    db_dir: Path

    @property
    def rasa_url(self) -> str:
        return self.running.rasa_url

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def _index(self, which: str) -> int:
        marker = {"action": "bot.actionserver", "rasa": "run"}[which]
        for index, proc in enumerate(self.running.processes):
            if marker in [str(a) for a in proc.args] and proc.poll() is None:
                return index
        raise AssertionError(f"no running {which} server")

    def _port(self, which: str) -> int:
        return self.running.action_port if which == "action" else self.running.rasa_port

    def _respawn(self, which: str, index: int, recipe: tuple[Any, str, dict[str, str]]) -> None:
        args, cwd, env = recipe
        log = self.log
        self.running.processes[index] = subprocess.Popen(args, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
        wait_for_port(self._port(which), 180)

    def restart(self, which: str, sig: int = signal.SIGTERM, grace_s: float = 40.0) -> float:
        """Stop one server with ``sig`` and start it again exactly as it was; the seconds it took to stop."""
        index = self._index(which)
        proc = self.running.processes[index]
        recipe = _recipe(proc)
        started = time.monotonic()
        proc.send_signal(sig)
        try:
            proc.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise AssertionError(f"the {which} server did not stop within {grace_s} s") from None
        stopped_after = time.monotonic() - started
        self._respawn(which, index, recipe)
        return stopped_after

    @contextlib.contextmanager
    def down(self, which: str) -> Iterator[None]:
        """The server killed (SIGKILL, as in a crash) inside the block, started again after it."""
        index = self._index(which)
        proc = self.running.processes[index]
        recipe = _recipe(proc)
        proc.kill()
        proc.wait()
        try:
            yield
        finally:
            self._respawn(which, index, recipe)

    def databases(self) -> list[Path]:
        """Every SQLite database the servers use: wherever a table lives, it is in here."""
        return sorted(p for p in self.db_dir.iterdir() if p.suffix == ".sqlite3" and p.is_file())

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Every database write-locked (as a long knowledge build holds it) inside the block."""
        connections = []
        try:
            for path in self.databases():
                connection = sqlite3.connect(path, timeout=30, isolation_level=None)
                connection.execute("BEGIN EXCLUSIVE")
                connections.append(connection)
            yield
        finally:
            for connection in connections:
                connection.execute("ROLLBACK")
                connection.close()

    @contextlib.contextmanager
    def gone(self) -> Iterator[None]:
        """Every database file replaced by a directory inside the block: nothing can open it."""
        moved = []
        try:
            for path in self.databases():
                aside = path.with_name(path.name + ".away")
                path.rename(aside)
                path.mkdir()
                moved.append((path, aside))
            yield
        finally:
            for path, aside in moved:
                path.rmdir()
                aside.rename(path)


def _recipe(proc: subprocess.Popen) -> tuple[Any, str, dict[str, str]]:
    """The command line, directory and environment a process was started with."""
    environ = Path(f"/proc/{proc.pid}/environ").read_bytes().decode("utf-8", "surrogateescape").split("\0")
    env = dict(item.split("=", 1) for item in environ if "=" in item)
    return proc.args, os.readlink(f"/proc/{proc.pid}/cwd"), env


def wait_for_port(port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        time.sleep(0.3)
    raise AssertionError(f"nothing listens on port {port} after {timeout} s")


def say(rasa_url: str, sender: str, text: str, timeout: float = 90.0) -> list[dict[str, Any]]:
    """One message over the REST channel; the bot's messages."""
    body = json.dumps({"sender": sender, "message": text}).encode()
    request = urllib.request.Request(
        f"{rasa_url}/webhooks/rest/webhook", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read())


def texts(messages: list[dict[str, Any]]) -> str:
    return "\n".join(str(m.get("text") or "") for m in messages)


def answered(rasa_url: str, sender: str, text: str, timeout: float = 120.0) -> list[dict[str, Any]]:
    """Ask until the server answers (it may still be starting)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return say(rasa_url, sender, text)
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if time.monotonic() > deadline:
                raise
            time.sleep(1)


@pytest.fixture(scope="module")
def stack(kb_url: str, fake_platform, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    db_dir = tmp_path_factory.mktemp("faults-db")
    database = db_dir / "kb.sqlite3"
    # A copy of its own (sqlite's backup, WAL included): the faults never touch other tests' database.
    with sqlite3.connect(kb_url[len("sqlite:///") :]) as source, sqlite3.connect(database) as target:
        source.backup(target)
    build_dir = tmp_path_factory.mktemp("faults-build")  # the audit spool lands here, not in build/
    env = {
        "KB_DATABASE_URL": f"sqlite:///{database}",
        "KB_BUILD_DIR": str(build_dir),
        # Operational data beside it: the lock and removal faults cover every *.sqlite3 in db_dir.
        "OPS_DATABASE_URL": f"sqlite:///{db_dir / 'ops.sqlite3'}",
        "OPS_SPOOL_FILE": str(build_dir / "audit-spool.jsonl"),
        "WECOM_CORP_ID": CORP_ID,
        "WECOM_TOKEN": TOKEN,
        "WECOM_AES_KEY": AES_KEY,
        "WECOM_AGENT_ID": AGENT_ID,
        "WECOM_SECRET": "test-secret",
        "WECOM_API_BASE": fake_platform.url,
        "WECOM_HTTP_TIMEOUT_S": "2",
    }
    log_path = db_dir.parent / f"{db_dir.name}-servers.log"
    with open(log_path, "wb") as log:
        action_port, rasa_port = servers.free_port(), servers.free_port()
        try:
            running = servers.start(action_port, rasa_port, log=log, env=env)
        except servers.ServerError:
            print(log_path.read_text(errors="replace")[-5000:])
            raise
        stack = Stack(running, log, log_path, db_dir)
        try:
            answered(running.rasa_url, f"warm-{uuid.uuid4().hex[:6]}", "你好")
            yield stack
        except BaseException:
            print(log_path.read_text(errors="replace")[-5000:])
            raise
        finally:
            running.stop()
