"""Runtime configuration, read from the environment in one place.

Defaults make the embedded setup work with no configuration at all: a SQLite
file under ``build/`` and the local ports used by ``make run``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
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


def settings() -> Settings:
    """Current settings; cheap, re-reads the environment every call."""
    build_dir = Path(os.environ.get("KB_BUILD_DIR", BUILD_DIR))
    rasa_port = int(os.environ.get("RASA_PORT", "5005"))
    return Settings(
        database_url=os.environ.get("KB_DATABASE_URL") or default_database_url(build_dir),
        knowledge_dir=Path(os.environ.get("KB_KNOWLEDGE_DIR", KNOWLEDGE_DIR)),
        build_dir=build_dir,
        rasa_url=os.environ.get("RASA_URL", f"http://127.0.0.1:{rasa_port}"),
        action_port=int(os.environ.get("ACTION_PORT", "5055")),
        rasa_port=rasa_port,
        web_port=int(os.environ.get("WEB_PORT", "8080")),
    )
