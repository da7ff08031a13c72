"""What an import changes: the items added, changed (field by field) and removed,
and the result of an import as the command line shows it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.errors import ImportProblem
from bot.kb.import_mapping import FIELD_LABELS
from bot.kb.source_items import ACCOUNTABILITY_COLUMNS, ItemRow
from bot.kb.types import UNIT_KINDS


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: str
    after: str


@dataclass(frozen=True)
class ItemChange:
    kind: str  # added / changed / removed
    code: str
    name: str
    fields: tuple[FieldChange, ...] = ()


@dataclass(frozen=True)
class ImportResult:
    name: str
    target: Path  # knowledge/imports/<name>.csv
    rows: int
    changes: tuple[ItemChange, ...]
    dry_run: bool
    version: str | None = None  # the version built; None for a dry run
    unchanged: bool = False  # the build found nothing new
    lexicon_changed: bool = False
    seconds: float = 0.0
    skipped_sheets: tuple[str, ...] = ()
    warnings: tuple[ImportProblem, ...] = ()  # imported anyway; worth a look (an article a held law lacks)
    not_held: tuple[tuple[str, int], ...] = ()  # (《law》 the library does not hold, rows citing it)
    kept: int = 0  # items the list names that stay as they were

    def of_kind(self, kind: str) -> list[ItemChange]:
        return [c for c in self.changes if c.kind == kind]


def diff_items(before: list[ItemRow], after: list[ItemRow]) -> list[ItemChange]:
    """Added, changed (with the fields that changed) and removed items, in list order."""
    old = {i.code: i for i in before}
    new = {i.code: i for i in after}
    changes = [ItemChange("added", i.code, i.name) for i in after if i.code not in old]
    for item in after:
        if item.code in old:
            fields = _changed_fields(old[item.code], item)
            if fields:
                changes.append(ItemChange("changed", item.code, item.name, tuple(fields)))
    changes += [ItemChange("removed", i.code, i.name) for i in before if i.code not in new]
    return changes


def kept_items(codes: list[str], changes: tuple[ItemChange, ...]) -> int:
    """How many of the list's items (by code) neither come new nor change."""
    touched = {c.code for c in changes if c.kind != "removed"}
    return len(set(codes) - touched)


def _changed_fields(a: ItemRow, b: ItemRow) -> list[FieldChange]:
    out = []
    for name in (
        "name",
        "power_type",
        "legal_basis",
        "department",
        "office",
        "held_by",
        "document",
        "note",
        *ACCOUNTABILITY_COLUMNS,
    ):
        x, y = getattr(a, name) or "", getattr(b, name) or ""
        if x != y:
            out.append(FieldChange(name, x, y))
    for kind in UNIT_KINDS:
        if a.rules.get(kind) != b.rules.get(kind):
            out.append(FieldChange(kind, a.rules.get(kind, ""), b.rules.get(kind, "")))
    for unit in sorted(set(a.unit_rules) | set(b.unit_rules)):
        if a.unit_rules.get(unit) != b.unit_rules.get(unit):
            out.append(FieldChange(unit, a.unit_rules.get(unit, "（按类型）"), b.unit_rules.get(unit, "（按类型）")))
    added = [x for x in b.aliases if x not in a.aliases]
    if added:
        out.append(FieldChange("aliases", ";".join(a.aliases), ";".join(b.aliases)))
    return out


def describe(result: ImportResult, limit: int = 200) -> str:
    """The diff as a reader wants it: counts, then every item with its code, name and changed fields."""
    added, changed, removed = (result.of_kind(k) for k in ("added", "changed", "removed"))
    counts = f"新增 {len(added)} 项，修改 {len(changed)} 项，未变 {result.kept} 项，删除 {len(removed)} 项"
    head = f"{result.rows} 行 → {counts}"
    lines = [head]
    shown = 0
    for title, group, mark in (("新增", added, "+"), ("修改", changed, "~"), ("删除", removed, "-")):
        if not group:
            continue
        lines.append(f"{title}：")
        for change in group:
            if shown >= limit:
                break
            shown += 1
            line = f"  {mark} {change.code} {change.name}"
            if change.fields:
                line += "：" + "；".join(_field_change(f) for f in change.fields)
            lines.append(line)
    if shown < len(result.changes):
        lines.append(f"  … 另有 {len(result.changes) - shown} 项未列出")
    if result.not_held:
        laws = "、".join(f"{title}（{n} 行）" for title, n in result.not_held[:10])
        more = f" 等 {len(result.not_held)} 部" if len(result.not_held) > 10 else ""
        add = "可用 python -m bot.kb laws add 法规全文.txt 补充"
        lines.append(f"法律文本库未收录、按原文保留的依据：{laws}{more}（{add}）")
    if result.warnings:
        lines.append("提示（不影响导入，请核对）：")
        lines += [f"  ! {w}" for w in result.warnings[:limit]]
    return "\n".join(lines)


def _field_change(change: FieldChange) -> str:
    label = FIELD_LABELS.get(change.field, change.field)
    return f"{label} {_short(change.before) or '（空）'} → {_short(change.after) or '（空）'}"


def _short(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
