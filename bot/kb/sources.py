"""Reading and validating the human-edited files under ``knowledge/``.

Every problem is collected with its file and line, so an editor sees all of
them at once; the build writes nothing unless the list is empty.

Imported official lists (``knowledge/imports/*.csv``, written by
``python -m bot.kb import``) are read after ``items.csv``, in file-name order.
Their rows use the ``items.csv`` columns plus ``unit_rules`` and ``source``,
and a blank cell means "this list says nothing about it":

- a code that is already defined keeps its item; the row's non-blank cells
  replace the item's fields, a non-blank unit-kind cell replaces the rule for
  that kind, ``unit_rules`` entries replace that unit's own rule, aliases add up;
- a new code adds an item whose blank unit-kind cells mean ``no``.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.errors import BuildRejected, SourceProblem
from bot.kb.legal import ArticleRef, LawText, LegalReferenceError, load_laws, parse_legal_basis
from bot.kb.types import POWER_TYPES, UNIT_KINDS, VERDICTS

SOURCE_FILES = (
    "districts.csv",
    "units.csv",
    "offices.yaml",
    "documents.csv",
    "items.csv",
    "aliases.csv",
    "keywords.csv",
    "posts.yaml",
    "agencies.yaml",
    "facts.yaml",
)
STAGES = ("巡查", "受理", "立案", "调查", "审核", "决定", "执行", "初审", "指导", "服务")
LAW_DOCUMENT = "LAW"  # document code meaning: the duty is given by the cited law
IMPORTS_DIR = "imports"
IMPORT_COLUMNS = (
    "code", "name", "power_type", "legal_basis", "department", *UNIT_KINDS,
    "office", "held_by", "document", "aliases", "note", "unit_rules", "source",
)


@dataclass
class UnitRow:
    name: str
    district: str
    kind: str
    aliases: list[str]
    offices: list[str] = field(default_factory=list)


@dataclass
class ItemRow:
    line: int
    code: str
    name: str
    power_type: str
    legal_basis: str
    references: list[ArticleRef]
    department: str
    rules: dict[str, str]
    office: str | None
    held_by: str | None
    document: str | None
    aliases: list[str]
    note: str | None
    keywords: list[str] = field(default_factory=list)
    unit_rules: dict[str, str] = field(default_factory=dict)  # unit full name -> yes/no/assist


@dataclass
class Sources:
    districts: dict[str, tuple[bool, str]]
    units: list[UnitRow]
    documents: dict[str, dict[str, str]]
    items: list[ItemRow]
    laws: dict[str, LawText]
    office_substitutes: dict[str, str]
    hashes: dict[str, str]
    posts: list[dict] = field(default_factory=list)  # {office, name, duties: [{text, stage, items}]}
    agencies: list[dict] = field(default_factory=list)  # {name, aliases, parent, scope, duties, ...}
    facts: list[dict] = field(default_factory=list)  # {key, topic, answer, keywords, source}

    @property
    def digest(self) -> str:
        h = hashlib.sha256()
        for name in sorted(self.hashes):
            h.update(f"{name}={self.hashes[name]}\n".encode())
        return h.hexdigest()


class _Collector:
    def __init__(self) -> None:
        self.problems: list[SourceProblem] = []

    def add(self, file: str, line: int, reason: str) -> None:
        self.problems.append(SourceProblem(file, line, reason))


def _read_csv(
    path: Path, required: list[str], problems: _Collector, label: str | None = None
) -> list[tuple[int, dict[str, str]]]:
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
    comments = 0  # generated files say so in leading "# " lines
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


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.replace("；", ";").split(";") if part.strip()]


def import_files_in(directory: Path) -> dict[str, Path]:
    """The imported lists under ``knowledge/imports/``, by name, in the order they apply."""
    return {path.stem: path for path in sorted((directory / IMPORTS_DIR).glob("*.csv"))}


def load_sources(directory: Path, import_files: dict[str, Path] | None = None) -> Sources:
    """Read and validate every source file.

    Args:
        import_files: imported lists to apply instead of ``knowledge/imports/*.csv``
            (name -> path); applied in name order.

    Raises:
        BuildRejected: with every problem found, located by file and line.
    """
    problems = _Collector()
    hashes = {}
    for name in SOURCE_FILES:
        path = directory / name
        if path.exists():
            hashes[name] = hashlib.sha256(path.read_bytes()).hexdigest()
    imports = import_files_in(directory) if import_files is None else dict(sorted(import_files.items()))
    for name, path in imports.items():
        hashes[f"{IMPORTS_DIR}/{name}.csv"] = hashlib.sha256(path.read_bytes()).hexdigest()
    law_dir = directory / "laws"
    for path in sorted(law_dir.glob("*.md")):
        hashes[f"laws/{path.name}"] = hashlib.sha256(path.read_bytes()).hexdigest()

    districts: dict[str, tuple[bool, str]] = {}
    for line, row in _read_csv(directory / "districts.csv", ["name", "central", "editorial_office"], problems):
        if row["central"] not in ("yes", "no"):
            problems.add("districts.csv", line, f"central 须为 yes 或 no：{row['central']!r}")
        elif row["name"] in districts:
            problems.add("districts.csv", line, f"区重复：{row['name']}")
        else:
            districts[row["name"]] = (row["central"] == "yes", row["editorial_office"] or f"{row['name']}委编办")

    units: list[UnitRow] = []
    seen_units: set[tuple[str, str]] = set()
    for line, row in _read_csv(directory / "units.csv", ["name", "district", "kind"], problems):
        name, district, kind = row["name"], row["district"], row["kind"]
        if not name.endswith(("街道", "镇")):
            problems.add("units.csv", line, f"镇街名称须以“街道”或“镇”结尾：{name!r}")
            continue
        if district not in districts:
            problems.add("units.csv", line, f"未知的区：{district!r}")
            continue
        if kind not in UNIT_KINDS:
            problems.add("units.csv", line, f"未知的镇街类型：{kind!r}（应为 {'/'.join(UNIT_KINDS)}）")
            continue
        central = districts[district][0]
        expected = "town" if name.endswith("镇") else ("central_street" if central else "noncentral_street")
        if kind != expected:
            problems.add("units.csv", line, f"{district}{name} 的类型应为 {expected}，而不是 {kind}")
            continue
        if (district, name) in seen_units:
            problems.add("units.csv", line, f"镇街重复：{district}{name}")
            continue
        seen_units.add((district, name))
        units.append(UnitRow(name, district, kind, _split(row.get("aliases", ""))))

    substitutes = _apply_offices(directory / "offices.yaml", units, problems)

    documents: dict[str, dict[str, str]] = {}
    for line, row in _read_csv(directory / "documents.csv", ["id", "title", "issuer", "effective"], problems):
        try:
            dt.date.fromisoformat(row["effective"])
        except ValueError:
            problems.add("documents.csv", line, f"生效日期须为 YYYY-MM-DD：{row['effective']!r}")
            continue
        if row["id"] in documents or row["id"] == LAW_DOCUMENT:
            problems.add("documents.csv", line, f"文件编号重复或保留：{row['id']}")
            continue
        documents[row["id"]] = row

    laws = load_laws(law_dir) if law_dir.exists() else {}
    if not laws:
        problems.add("laws/", 0, "没有法律文本")

    unit_offices = {f"{u.district}{u.name}": {_office_base(o) for o in u.offices} for u in units}
    items = _read_items(directory, documents, laws, problems, unit_offices)
    for name, path in imports.items():
        _apply_import(f"{IMPORTS_DIR}/{name}.csv", path, items, documents, laws, unit_offices, substitutes, problems)
    _read_extra_aliases(directory / "aliases.csv", items, problems)
    _read_keywords(directory / "keywords.csv", items, problems)

    codes = {item.code for item in items}
    offices = {_office_base(o) for unit in units for o in unit.offices}
    posts = _read_posts(directory / "posts.yaml", codes, offices, problems)
    agencies, relationship = _read_agencies(directory / "agencies.yaml", codes, problems)
    facts = _read_facts(directory / "facts.yaml", problems)
    if relationship:
        facts.append(relationship)

    if problems.problems:
        raise BuildRejected(problems.problems)
    return Sources(districts, units, documents, items, laws, substitutes, hashes, posts, agencies, facts)


def _office_base(name: str) -> str:
    import re

    return re.sub(r"[（(].*?[）)]$", "", name).strip()


def _load_yaml(path: Path, problems: _Collector):  # type: ignore[no-untyped-def]
    if not path.exists():
        return None
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problems.add(path.name, (mark.line + 1) if mark else 0, f"YAML 格式错误：{getattr(exc, 'problem', exc)}")
        return None


def _read_posts(path: Path, codes: set[str], offices: set[str], problems: _Collector) -> list[dict]:
    spec = _load_yaml(path, problems)
    posts: list[dict] = []
    for block in spec or []:
        office = _office_base(str(block.get("office", "")))
        if office not in offices:
            problems.add(path.name, 0, f"未知的机构：{block.get('office')!r}")
            continue
        for post in block.get("posts") or []:
            duties = []
            for duty in post.get("duties") or []:
                stage = duty.get("stage")
                if stage is not None and stage not in STAGES:
                    problems.add(path.name, 0, f"{office}/{post.get('name')}：未知的办理环节 {stage!r}")
                unknown = [c for c in duty.get("items") or [] if c not in codes]
                if unknown:
                    problems.add(path.name, 0, f"{office}/{post.get('name')}：未知的事项编码 {'、'.join(unknown)}")
                duties.append({"text": str(duty.get("text", "")).strip(), "stage": stage,
                               "items": [c for c in duty.get("items") or [] if c in codes]})
            if not post.get("name") or not duties:
                problems.add(path.name, 0, f"{office}：岗位缺少名称或职责")
                continue
            posts.append({"office": office, "name": str(post["name"]), "duties": duties})
    return posts


def _read_agencies(path: Path, codes: set[str], problems: _Collector) -> tuple[list[dict], dict | None]:
    spec = _load_yaml(path, problems) or {}
    agencies = []
    for raw in (spec.get("agencies") or []):
        scope = raw.get("units", "all")
        if scope not in ("all", "town"):
            problems.add(path.name, 0, f"{raw.get('name')}：units 须为 all 或 town")
        unknown = [c for c in raw.get("items") or [] if c not in codes]
        if unknown:
            problems.add(path.name, 0, f"{raw.get('name')}：未知的事项编码 {'、'.join(unknown)}")
        agencies.append({"name": raw["name"], "aliases": list(raw.get("aliases") or []), "parent": raw.get("parent", ""),
                         "scope": scope, "duties": raw.get("duties"), "merged_into": None, "note": raw.get("note"),
                         "source": raw.get("source"), "items": [c for c in raw.get("items") or [] if c in codes]})
    for raw in (spec.get("merged") or []):
        agencies.append({"name": raw["name"], "aliases": list(raw.get("aliases") or []), "parent": raw.get("parent", ""),
                         "scope": "none", "duties": raw.get("before_reform"), "merged_into": raw.get("into"),
                         "note": raw.get("note"), "source": raw.get("source"), "items": []})
    rel = spec.get("relationship")
    relationship = None
    if rel:
        consult = "、".join(rel.get("consult") or [])
        relationship = {
            "key": "agency_relationship", "topic": "派驻机构管理",
            "answer": "".join(str(rel.get("summary", "")).split()),
            "keywords": ["派驻机构", "指挥调度", "日常管理权", "请休假", "负责人任免", consult][:6],
            "source": rel.get("source", ""),
        }
    return agencies, relationship


def _read_facts(path: Path, problems: _Collector) -> list[dict]:
    facts = []
    seen = set()
    for raw in _load_yaml(path, problems) or []:
        key = raw.get("key")
        if not key or key in seen:
            problems.add(path.name, 0, f"事实缺少 key 或重复：{key!r}")
            continue
        if not raw.get("answer") or not raw.get("source") or not raw.get("keywords"):
            problems.add(path.name, 0, f"{key}：须有 answer、keywords 和 source")
            continue
        seen.add(key)
        facts.append({"key": key, "topic": raw.get("topic", ""), "answer": "".join(str(raw["answer"]).split()),
                      "keywords": [str(k) for k in raw["keywords"]], "source": str(raw["source"])})
    return facts


def _apply_offices(path: Path, units: list[UnitRow], problems: _Collector) -> dict[str, str]:
    try:
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        problems.add(path.name, getattr(getattr(exc, "problem_mark", None), "line", 0) + 1, f"无法读取：{exc}")
        return {}
    common = list(spec.get("common") or [])
    for unit in units:
        unit.offices = list(common)
        for rule in spec.get("conditional") or []:
            is_town = unit.kind == "town"
            applies = (
                unit.district in (rule.get("districts") or [])
                or (not is_town and unit.district in (rule.get("street_districts") or []))
                or (is_town and unit.district in (rule.get("town_districts") or []))
                or f"{unit.district}/{unit.name}" in (rule.get("units") or [])
            )
            if applies:
                unit.offices.append(rule["office"])
    limits = spec.get("limits") or {}
    for unit in units:
        low, high = limits.get("town" if unit.kind == "town" else "street", [1, 99])
        if not low <= len(unit.offices) <= high:
            problems.add(path.name, 0, f"{unit.district}{unit.name} 有 {len(unit.offices)} 个机构，超出 {low}-{high}")
    return dict(spec.get("substitutes") or {})


def _read_items(
    directory: Path,
    documents: dict[str, dict[str, str]],
    laws: dict[str, LawText],
    problems: _Collector,
    unit_offices: dict[str, set[str]],
) -> list[ItemRow]:
    required = ["code", "name", "power_type", "legal_basis", "department", *UNIT_KINDS, "office", "held_by", "document"]
    items: list[ItemRow] = []
    codes: set[str] = set()
    for line, row in _read_csv(directory / "items.csv", required, problems):
        where = ("items.csv", line)
        code = row["code"]
        errors_before = len(problems.problems)
        if not code:
            problems.add(*where, "缺少事项编码")
        elif code in codes:
            problems.add(*where, f"事项编码重复：{code}")
        if not row["name"]:
            problems.add(*where, "缺少事项名称")
        if row["power_type"] not in POWER_TYPES:
            problems.add(*where, f"未知的权力类型：{row['power_type']!r}")
        if not row["department"]:
            problems.add(*where, "缺少区级主管部门")
        rules = {}
        for kind in UNIT_KINDS:
            if row[kind] not in VERDICTS:
                problems.add(*where, f"{kind} 列须为 yes/no/assist：{row[kind]!r}")
            rules[kind] = row[kind]
        unit_rules = _parse_unit_rules(row.get("unit_rules", ""), unit_offices, where, problems)
        for reason in _rule_problems(
            [*rules.values(), *unit_rules.values()], row["office"], row["held_by"], row.get("note", "")
        ):
            problems.add(*where, reason)
        document = row["document"] or None
        if document and document != LAW_DOCUMENT and document not in documents:
            problems.add(*where, f"未知的文件编号：{document}")
        references = _references(row["legal_basis"], laws, where, problems)
        if len(problems.problems) > errors_before:
            continue
        codes.add(code)
        items.append(
            ItemRow(
                line=line,
                code=code,
                name=row["name"],
                power_type=row["power_type"],
                legal_basis=row["legal_basis"],
                references=references,
                department=row["department"],
                rules=rules,
                office=row["office"] or None,
                held_by=row["held_by"] or None,
                document=None if document == LAW_DOCUMENT else document,
                aliases=_split(row.get("aliases", "")),
                note=row.get("note") or None,
                unit_rules=unit_rules,
            )
        )
    return items


def _rule_problems(verdicts: list[str], office: str | None, held_by: str | None, note: str | None) -> list[str]:
    """What an item with these rules must also say (shared by items.csv and imported lists)."""
    reasons = []
    if any(v in ("yes", "assist") for v in verdicts) and not office:
        reasons.append("镇街承担的事项须写明承办机构（office）")
    if "assist" in verdicts and not held_by:
        reasons.append("协助办理的事项须写明决定机关（held_by）")
    if "no" in verdicts and not (held_by or note):
        reasons.append("有不承接的镇街类型时须写明实施主体（held_by）或说明（note）")
    return reasons


def _references(
    text: str, laws: dict[str, LawText], where: tuple[str, int], problems: _Collector
) -> list[ArticleRef]:
    """Parse a legal basis and check every law and article against ``knowledge/laws/``."""
    references: list[ArticleRef] = []
    try:
        references = parse_legal_basis(text)
    except LegalReferenceError as exc:
        problems.add(*where, f"法律依据无法解析：{exc}")
    for ref in references:
        law = laws.get(ref.law)
        if law is None:
            problems.add(*where, f"法律文本中没有《{ref.law}》")
        elif ref.article and ref.article not in law.articles:
            problems.add(*where, f"《{ref.law}》没有{ref.article}")
    return references


def _parse_unit_rules(
    text: str, unit_offices: dict[str, set[str]], where: tuple[str, int], problems: _Collector
) -> dict[str, str]:
    """``天河区石牌街道=yes;白云区江高镇=no`` -> {unit full name: verdict}."""
    rules: dict[str, str] = {}
    for part in _split(text or ""):
        unit, _, verdict = part.partition("=")
        unit, verdict = unit.strip(), verdict.strip()
        if unit not in unit_offices:
            problems.add(*where, f"unit_rules 中未知的镇街：{unit!r}（须写区名加镇街名，如 天河区石牌街道）")
        elif verdict not in VERDICTS:
            problems.add(*where, f"unit_rules 中 {unit} 的规则须为 yes/no/assist：{verdict!r}")
        else:
            rules[unit] = verdict
    return rules


def _apply_import(
    label: str,
    path: Path,
    items: list[ItemRow],
    documents: dict[str, dict[str, str]],
    laws: dict[str, LawText],
    unit_offices: dict[str, set[str]],
    substitutes: dict[str, str],
    problems: _Collector,
) -> None:
    """Apply one imported list on top of ``items`` (see the module docstring)."""
    known_offices = set().union(*unit_offices.values()) | set(substitutes)
    position = {item.code: i for i, item in enumerate(items)}
    seen: set[str] = set()
    for line, row in _read_csv(path, ["code", "name", *UNIT_KINDS, "unit_rules"], problems, label):
        where = (label, line)
        errors_before = len(problems.problems)
        cell = {column: row.get(column, "") for column in IMPORT_COLUMNS}
        code = cell["code"]
        if not code:
            problems.add(*where, "缺少事项编码")
            continue
        if code in seen:
            problems.add(*where, f"事项编码重复：{code}")
            continue
        seen.add(code)
        existing = items[position[code]] if code in position else None
        if existing is None:
            for column, reason in (("name", "缺少事项名称"), ("power_type", "缺少权力类型"),
                                   ("legal_basis", "缺少法律依据")):
                if not cell[column]:
                    problems.add(*where, f"新事项{reason}")
        if cell["power_type"] and cell["power_type"] not in POWER_TYPES:
            problems.add(*where, f"未知的权力类型：{cell['power_type']!r}")
        for kind in UNIT_KINDS:
            if cell[kind] and cell[kind] not in VERDICTS:
                problems.add(*where, f"{kind} 列须为 yes/no/assist 或留空：{cell[kind]!r}")
        unit_rules = _parse_unit_rules(cell["unit_rules"], unit_offices, where, problems)
        if not any(cell[k] for k in UNIT_KINDS) and not cell["unit_rules"]:
            problems.add(*where, "本行没有给出任何镇街类型或镇街的规则")
        if cell["office"] and _office_base(cell["office"]) not in known_offices:
            problems.add(*where, f"未知的承办机构：{cell['office']!r}")
        document = cell["document"]
        if document and document != LAW_DOCUMENT and document not in documents:
            problems.add(*where, f"未知的文件编号：{document}")
        references = _references(cell["legal_basis"], laws, where, problems) if cell["legal_basis"] else None
        if len(problems.problems) > errors_before:
            continue

        rules = {k: cell[k] or (existing.rules[k] if existing else "no") for k in UNIT_KINDS}
        merged = ItemRow(
            line=line,
            code=code,
            name=cell["name"] or (existing.name if existing else ""),
            power_type=cell["power_type"] or (existing.power_type if existing else ""),
            legal_basis=cell["legal_basis"] or (existing.legal_basis if existing else ""),
            references=references if references is not None else (existing.references if existing else []),
            department=cell["department"] or (existing.department if existing else ""),
            rules=rules,
            office=cell["office"] or (existing.office if existing else None),
            held_by=cell["held_by"] or (existing.held_by if existing else None),
            document=(None if document == LAW_DOCUMENT else document) if document
            else (existing.document if existing else None),
            aliases=list(dict.fromkeys([*(existing.aliases if existing else []), *_split(cell["aliases"])])),
            note=cell["note"] or (existing.note if existing else None),
            keywords=list(existing.keywords) if existing else [],
            unit_rules={**(existing.unit_rules if existing else {}), **unit_rules},
        )
        for reason in _rule_problems(
            [*merged.rules.values(), *merged.unit_rules.values()], merged.office, merged.held_by, merged.note
        ):
            problems.add(*where, reason)
        if merged.office:
            base = _office_base(merged.office)
            for unit, verdict in unit_rules.items():
                offices = unit_offices[unit]
                if verdict != "no" and base not in offices and substitutes.get(base) not in offices:
                    problems.add(*where, f"{unit}未设{merged.office}")
        if len(problems.problems) > errors_before:
            continue
        if existing is None:
            position[code] = len(items)
            items.append(merged)
        else:
            items[position[code]] = merged


def _read_extra_aliases(path: Path, items: list[ItemRow], problems: _Collector) -> None:
    if not path.exists():
        return
    by_code = {item.code: item for item in items}
    for line, row in _read_csv(path, ["code", "aliases"], problems):
        item = by_code.get(row["code"])
        if item is None:
            problems.add(path.name, line, f"未知的事项编码：{row['code']!r}")
            continue
        for alias in _split(row["aliases"]):
            if alias not in item.aliases:
                item.aliases.append(alias)


def _read_keywords(path: Path, items: list[ItemRow], problems: _Collector) -> None:
    """Situation words (饭馆, 黑烟, 排风口) that describe an item without naming it."""
    if not path.exists():
        return
    by_code = {item.code: item for item in items}
    for line, row in _read_csv(path, ["code", "keywords"], problems):
        item = by_code.get(row["code"])
        if item is None:
            problems.add(path.name, line, f"未知的事项编码：{row['code']!r}")
            continue
        for word in _split(row["keywords"]):
            if len(word) < 2:
                problems.add(path.name, line, f"关键词至少两个字：{word!r}")
            elif word not in item.keywords and word not in item.aliases:
                item.keywords.append(word)
