"""The bare-Rasa anchor of ``make bench``: the same Rasa with JiebaTokenizer + DIET (Rasa's defaults),
rules and one trivial custom action, trained on our own intents and run beside ours in the same
benchmark run.

Absolute times on these shared machines vary twofold from run to run; ratios to a bare Rasa
measured in the same run do not. The project is generated under ``build/bench/anchor`` and trained
once per content (the model's name is the hash of its inputs).
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml

from bot import servers
from bot.config import PROJECT_ROOT, settings

_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")

# Rasa's documented pipeline for Chinese with DIET's defaults (fewer epochs: training time only,
# what a message costs does not depend on them), and the rule and memoization policies.
CONFIG = """recipe: default.v1
assistant_id: bench-anchor
language: zh
pipeline:
  - name: JiebaTokenizer
  - name: CountVectorsFeaturizer
  - name: CountVectorsFeaturizer
    analyzer: char_wb
    min_ngram: 1
    max_ngram: 4
  - name: DIETClassifier
    epochs: 20
    random_seed: 42
policies:
  - name: MemoizationPolicy
  - name: RulePolicy
"""

ACTIONS = """from rasa_sdk import Action


class ActionTrivial(Action):
    def name(self):
        return "action_trivial"

    async def run(self, dispatcher, tracker, domain):
        dispatcher.utter_message(text="收到：" + (tracker.latest_message.get("text") or ""))
        return []
"""


def _intents() -> dict[str, list[str]]:
    """Our NLU examples by intent, entity annotations removed (the anchor extracts no entities)."""
    out: dict[str, list[str]] = {}
    for path in sorted((PROJECT_ROOT / "data" / "nlu").glob("*.yml")):
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            if "intent" in block and block.get("examples"):
                lines = [ln.strip()[2:].strip() for ln in block["examples"].splitlines() if ln.strip().startswith("- ")]
                out.setdefault(block["intent"], []).extend(_ANNOTATION.sub(r"\1", ln) for ln in lines if ln)
    return out


def _files() -> dict[str, str]:
    intents = _intents()
    nlu = {
        "version": "3.1",
        "nlu": [{"intent": k, "examples": "".join(f"- {e}\n" for e in v)} for k, v in intents.items()],
    }
    rules = {
        "version": "3.1",
        "rules": [{"rule": f"{k} answered", "steps": [{"intent": k}, {"action": "action_trivial"}]} for k in intents],
    }
    domain = {"version": "3.1", "intents": list(intents), "actions": ["action_trivial"]}
    dump = lambda data: yaml.safe_dump(data, allow_unicode=True, sort_keys=False)  # noqa: E731
    return {
        "config.yml": CONFIG,
        "domain.yml": dump(domain),
        "data/nlu.yml": dump(nlu),
        "data/rules.yml": dump(rules),
        "actions/__init__.py": "",
        "actions/actions.py": ACTIONS,
        "credentials.yml": "rest:\n",
        "endpoints.yml": "action_endpoint:\n  url: ${ANCHOR_ACTION_URL}\n",
    }


def prepare(root: Path | None = None) -> Path:
    """Write the anchor project and train it unless a model of the same inputs exists; the model."""
    root = root or settings().build_dir / "bench" / "anchor"
    files = _files()
    digest = hashlib.sha256(repr(sorted(files.items())).encode()).hexdigest()[:16]
    model = root / "models" / f"{digest}.tar.gz"
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
    if not model.exists():
        print("训练基准用的空白 Rasa 机器人（只在输入变化时）…")
        subprocess.run(
            [_rasa(), "train", "--out", "models", "--fixed-model-name", digest],
            cwd=root,
            env=_env(),
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
    return model


def _rasa() -> str:
    return str(Path(sys.executable).parent / "rasa")


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", RASA_TELEMETRY_ENABLED="false", **extra)
    env.pop("PYTHONPATH", None)  # nothing of ours
    return env


@contextmanager
def running(model: Path, log: Path) -> Iterator[tuple[str, list[int]]]:
    """The anchor's action server and Rasa (in-memory tracker store, Rasa's defaults); its URL and pids."""
    root = model.parent.parent
    action_port, rasa_port = servers.free_port(), servers.free_port()
    env = _env(ANCHOR_ACTION_URL=f"http://127.0.0.1:{action_port}/webhook")
    procs: list[subprocess.Popen] = []
    with open(log, "ab") as out:
        try:
            procs.append(
                subprocess.Popen(
                    [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "-p", str(action_port)],
                    cwd=root,
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            )
            procs.append(
                subprocess.Popen(
                    [_rasa(), "run", "-m", str(model), "-i", "127.0.0.1", "-p", str(rasa_port)]
                    + ["--endpoints", "endpoints.yml", "--credentials", "credentials.yml"],
                    cwd=root,
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            )
            url = f"http://127.0.0.1:{rasa_port}"
            deadline = time.monotonic() + 300
            while not (servers.is_up(url) and servers.is_up(f"http://127.0.0.1:{action_port}/health")):
                if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
                    raise servers.ServerError(f"基准用的空白 Rasa 没有启动，见 {log}")
                time.sleep(1)
            yield url, [p.pid for p in procs]
        finally:
            for proc in reversed(procs):
                proc.terminate()
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
