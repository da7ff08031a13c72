"""Reading and validating the human-edited files under ``knowledge/``.

Every problem is collected with its file and line, so an editor sees all of
them at once; the build writes nothing unless the list is empty.
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


def _read_csv(path: Path, required: list[str], problems: _Collector) -> list[tuple[int, dict[str, str]]]:
    if not path.exists():
        problems.add(path.name, 0, "文件不存在")
        return []
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        problems.add(path.name, 0, f"不是 UTF-8 编码：{exc}")
        return []
    reader = csv.DictReader(text.splitlines())
    missing = [c for c in required if c not in (reader.fieldnames or [])]
    if missing:
        problems.add(path.name, 1, f"缺少列：{'、'.join(missing)}")
        return []
    rows = []
    for index, row in enumerate(reader, start=2):
        if None in row:
            problems.add(path.name, index, "列数多于表头")
            continue
        rows.append((index, {k: (v or "").strip() for k, v in row.items()}))
    return rows


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.replace("；", ";").split(";") if part.strip()]


def load_sources(directory: Path) -> Sources:
    """Read and validate every source file.

    Raises:
        BuildRejected: with every problem found, located by file and line.
    """
    problems = _Collector()
    hashes = {}
    for name in SOURCE_FILES:
        path = directory / name
        if path.exists():
            hashes[name] = hashlib.sha256(path.read_bytes()).hexdigest()
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

    items = _read_items(directory, documents, laws, problems)
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
    directory: Path, documents: dict[str, dict[str, str]], laws: dict[str, LawText], problems: _Collector
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
        if any(v in ("yes", "assist") for v in rules.values()) and not row["office"]:
            problems.add(*where, "镇街承担的事项须写明承办机构（office）")
        if "assist" in rules.values() and not row["held_by"]:
            problems.add(*where, "协助办理的事项须写明决定机关（held_by）")
        if "no" in rules.values() and not (row["held_by"] or row.get("note")):
            problems.add(*where, "有不承接的镇街类型时须写明实施主体（held_by）或说明（note）")
        document = row["document"] or None
        if document and document != LAW_DOCUMENT and document not in documents:
            problems.add(*where, f"未知的文件编号：{document}")
        references: list[ArticleRef] = []
        try:
            references = parse_legal_basis(row["legal_basis"])
        except LegalReferenceError as exc:
            problems.add(*where, f"法律依据无法解析：{exc}")
        for ref in references:
            law = laws.get(ref.law)
            if law is None:
                problems.add(*where, f"法律文本中没有《{ref.law}》")
            elif ref.article and ref.article not in law.articles:
                problems.add(*where, f"《{ref.law}》没有{ref.article}")
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
            )
        )
    return items


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
