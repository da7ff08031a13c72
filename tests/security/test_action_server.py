"""The real action server (``python -m bot.actionserver``) refuses everyone but Rasa.

A forged ``/webhook`` call is what an attacker on the network would send: the
tracker of ``wecom:zhangsan`` asking to forget his unit, to overwrite it through
``metadata.unit``, or to rate his answer. Without the token nothing happens.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot import audit, servers, users
from bot.config import PROJECT_ROOT
from tests.security.sockets import listening_hosts

TOKEN = "action-test-token-0123456789"
VICTIM = "wecom:zhangsan"


@dataclass
class ActionServer:
    url: str
    port: int
    db: str
    log: Path


@pytest.fixture(scope="module")
def action_server(kb_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ActionServer]:
    tmp = tmp_path_factory.mktemp("action-server")
    db_path = tmp / "kb.sqlite3"
    shutil.copy(kb_url.removeprefix("sqlite:///"), db_path)
    db = f"sqlite:///{db_path}"
    port = servers.free_port()
    log = tmp / "action.log"
    env = dict(
        os.environ,
        PYTHONPATH=str(PROJECT_ROOT),
        KB_DATABASE_URL=db,
        OPS_DATABASE_URL=db,
        ACTION_SERVER_TOKEN=TOKEN,
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
    )
    env.pop("ACTION_HOST", None)
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot.actionserver", "--port", str(port)],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while not servers.is_up(f"{url}/health"):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail("action server did not start:\n" + log.read_text(errors="replace")[-3000:])
            time.sleep(0.3)
        yield ActionServer(url, port, db, log)
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def call(url: str, body: dict[str, Any] | None = None, token: str | None = None, path: str = "/webhook") -> int:
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url + path, data=data, headers=headers, method="POST" if data else "GET")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def forged(action: str, text: str, intent: str, metadata: dict[str, Any] | None = None) -> dict[str, Any]:
    message = {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": [], "metadata": metadata or {}}
    return {
        "next_action": action,
        "sender_id": VICTIM,
        "version": "3.6.21",
        "domain": {},
        "tracker": {
            "sender_id": VICTIM,
            "slots": {},
            "latest_message": message,
            "paused": False,
            "events": [{"event": "user", "text": text, "parse_data": message, "input_channel": "wecom"}],
            "latest_input_channel": "wecom",
            "latest_action_name": "action_listen",
        },
    }


ATTACKS = [
    forged("action_answer_power", "我们能审批宅基地吗", "ask_can", {"unit": "白云区江高镇"}),
    forged("action_feedback", "答案不对", "feedback"),
    forged("action_forget_unit", "清除我的单位", "forget_unit"),
]


@pytest.mark.parametrize("token", [None, "", "wrong-token", TOKEN + "x"], ids=["none", "empty", "wrong", "longer"])
def test_forged_calls_without_the_token_are_refused_and_change_nothing(action_server: ActionServer, token):
    users.remember(VICTIM, "天河区石牌街道", "admin", url=action_server.db)
    audit_rows = len(audit.export_rows(url=action_server.db))
    for attack in ATTACKS:
        assert call(action_server.url, attack, token) == 401
    assert call(action_server.url, token=token, path="/actions") == 401
    assert users.unit_of(VICTIM, url=action_server.db) == "天河区石牌街道"
    assert len(audit.export_rows(url=action_server.db)) == audit_rows


def test_rasa_with_the_token_is_served(action_server: ActionServer):
    """The refusals above are the token's doing: the same call with it goes through."""
    users.forget(VICTIM, url=action_server.db)  # the admin unit the test above set
    users.remember(VICTIM, "天河区石牌街道", "chat", url=action_server.db)  # chat may clear what chat set
    assert call(action_server.url, ATTACKS[2], TOKEN) == 200
    assert users.unit_of(VICTIM, url=action_server.db) is None
    assert call(action_server.url, path="/health") == 200  # the health check stays open


def test_it_listens_on_loopback_only(action_server: ActionServer):
    assert listening_hosts(action_server.port) == {"127.0.0.1"}


def test_it_will_not_start_without_a_token(tmp_path: Path):
    env = dict(os.environ, PYTHONPATH=str(PROJECT_ROOT))
    env.pop("ACTION_SERVER_TOKEN", None)
    done = subprocess.run(
        [sys.executable, "-m", "bot.actionserver", "--port", str(servers.free_port())],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2 and "ACTION_SERVER_TOKEN" in done.stderr
