"""Where the knowledge pages (导入, 版本, 未答问题) write: the same places as ``python -m bot.kb``.

Read from the environment on every call (``KB_KNOWLEDGE_DIR``, ``KB_DATABASE_URL``,
``KB_BUILD_DIR``), like the command line, so the console and the CLI never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.config import settings
from bot.kb.lexicon import LexiconFiles


@dataclass(frozen=True)
class KbPaths:
    knowledge_dir: Path
    kb_url: str
    upload_dir: Path  # previewed uploads wait here until applied
    lexicon: LexiconFiles


def kb_paths() -> KbPaths:
    cfg = settings()
    return KbPaths(
        cfg.knowledge_dir,
        cfg.database_url,
        cfg.build_dir / "uploads",
        LexiconFiles(cfg.jieba_dir, cfg.lookup_file, cfg.asr_vocabulary_file),
    )
