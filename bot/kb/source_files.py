"""Reading the files under ``knowledge/``: CSV and YAML with every problem collected
by file and line, and the content hashes a build is versioned by."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path
from typing import Any

import yaml

from bot.errors import SourceProblem


class Collector:
    """Problems found so far, so an editor sees all of them at once."""

    def __init__(self) -> None:
        self.problems: list[SourceProblem] = []

    def add(self, file: str, line: int, reason: str) -> None:
        self.problems.append(SourceProblem(file, line, reason))


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_csv(
    path: Path, required: list[str], problems: Collector, label: str | None = None
) -> list[tuple[int, dict[str, str]]]:
    """(line number, row) for every row; leading ``#`` lines are comments (generated files say so there)."""
    label = label or path.name
    if not path.exists():
        problems.add(label, 0, "文件不存在")
        return []
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        problems.add(label, 0, f"不是 UTF-8 编码：{exc}")
        return []
    lines = text.splitlines()
    comments = 0
    while comments < len(lines) and lines[comments].startswith("#"):
        comments += 1
    reader = csv.DictReader(lines[comments:])
    missing = [c for c in required if c not in (reader.fieldnames or [])]
    if missing:
        problems.add(label, comments + 1, f"缺少列：{'、'.join(missing)}")
        return []
    rows = []
    for index, row in enumerate(reader, start=comments + 2):
        if None in row:
            problems.add(label, index, "列数多于表头")
            continue
        rows.append((index, {k: (v or "").strip() for k, v in row.items()}))
    return rows


# libyaml's loader when PyYAML has it: the same documents, read about ten times faster.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(path: Path, problems: Collector, required: bool = False) -> Any:
    """The parsed file; None when it is missing (a problem only if ``required``) or malformed."""
    if not path.exists():
        if required:
            problems.add(path.name, 0, "文件不存在")
        return None
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problems.add(path.name, (mark.line + 1) if mark else 0, f"YAML 格式错误：{getattr(exc, 'problem', exc)}")
        return None
