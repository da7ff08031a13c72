"""Exceptions of the knowledge layer. Actions turn these into replies."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class KnowledgeError(Exception):
    """Base class for every error the knowledge layer raises on purpose."""


class KnowledgeUnavailable(KnowledgeError):
    """The knowledge base cannot be reached or has not been built."""


@dataclass(frozen=True)
class SourceProblem:
    """One problem in a knowledge source file, located for a human editor."""

    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


class BuildRejected(KnowledgeError):
    """The knowledge sources have errors; nothing was written."""

    def __init__(self, problems: list[SourceProblem]):
        self.problems = problems
        listed = _listing(problems, 50, "… and {n} more")
        super().__init__(f"{len(problems)} problem(s) in the knowledge sources:\n{listed}")


class LawRejected(KnowledgeError):
    """A law text given to ``python -m bot.kb laws add`` cannot be read; nothing was written."""


@dataclass(frozen=True)
class ImportProblem:
    """One problem in an imported official list, located by sheet, row and column."""

    sheet: str
    row: int  # 1-based row as a spreadsheet shows it; 0: the file as a whole
    column: str  # e.g. "E列「权力类型」"; "" when the problem is the row or the file
    reason: str

    def __str__(self) -> str:
        if not self.row:
            return f"{self.sheet}: {self.reason}"
        where = f"{self.sheet}, 第{self.row}行"
        return f"{where}, {self.column}: {self.reason}" if self.column else f"{where}: {self.reason}"


class ImportRejected(KnowledgeError):
    """An official list has errors; nothing was written."""

    def __init__(self, problems: list[ImportProblem]):
        self.problems = problems
        super().__init__(f"清单有 {len(problems)} 个问题：\n{_listing(problems, 200, '… 另有 {n} 个问题')}")


def _listing(problems: Sequence[object], limit: int, more: str) -> str:
    """The first ``limit`` problems, one per indented line, and how many more there are."""
    lines = [f"  {p}" for p in problems[:limit]]
    if len(problems) > limit:
        lines.append("  " + more.format(n=len(problems) - limit))
    return "\n".join(lines)


class OpsUnavailable(KnowledgeError):
    """The operational database (audit log, ratings, users' units, message ids) cannot be used.

    A :class:`KnowledgeError`, so that every caller that already turns "the store is
    down" into a reply (actions, the widget, the CLIs) does the same for this one.
    """
