"""Exceptions of the knowledge layer. Actions turn these into replies."""

from __future__ import annotations

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
        lines = "\n".join(f"  {p}" for p in problems[:50])
        more = f"\n  … and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(f"{len(problems)} problem(s) in the knowledge sources:\n{lines}{more}")
