"""Reading and validating the human-edited files under ``knowledge/``.

Every problem is collected with its file and line, so an editor sees all of
them at once; the build writes nothing unless the list is empty. This module
reads the units and what surrounds them (districts, offices, documents, the
vocabulary) and puts the whole together; items and imported lists are read by
:mod:`bot.kb.source_items`, posts, agencies and facts by
:mod:`bot.kb.source_organisation`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from bot.errors import BuildRejected
from bot.kb.legal import LawText, load_laws
from bot.kb.names import bare_name, office_base, split_list, unit_full_name
from bot.kb.source_files import Collector, file_hash, load_yaml, read_csv
from bot.kb.source_items import (
    LAW_DOCUMENT,
    ItemRow,
    apply_import,
    read_extra_aliases,
    read_items,
    read_keywords,
    read_situations,
)
from bot.kb.source_organisation import read_agencies, read_facts, read_posts
from bot.kb.thesaurus import read_thesaurus
from bot.kb.types import UNIT_KINDS, UnitInfo

SOURCE_FILES = (
    "districts.csv",
    "units.csv",
    "offices.yaml",
    "documents.csv",
    "items.csv",
    "aliases.csv",
    "keywords.csv",
    "situations.csv",
    "posts.yaml",
    "agencies.yaml",
    "facts.yaml",
    "vocabulary.yaml",
    "thesaurus.yaml",
)
IMPORTS_DIR = "imports"
_SPEECH_TERM = re.compile(r"^[\u4e00-\u9fff]{2,8}$")


@dataclass
class UnitRow:
    name: str
    district: str
    kind: str
    aliases: list[str]
    offices: list[str] = field(default_factory=list)

    @property
    def full_name(self) -> str:
        return unit_full_name(self.district, self.name)


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
    office_aliases: dict[str, str] = field(default_factory=dict)  # short name -> office (base name)
    unit_common_words: list[str] = field(default_factory=list)
    speech_terms: list[str] = field(default_factory=list)
    paths: dict[str, Path] = field(default_factory=dict)  # where each hashed source was read from
    synonyms: list[tuple[str, ...]] = field(default_factory=list)  # thesaurus groups, canonical first

    @property
    def digest(self) -> str:
        h = hashlib.sha256()
        for name in sorted(self.hashes):
            h.update(f"{name}={self.hashes[name]}\n".encode())
        return h.hexdigest()

    def unit_infos(self) -> tuple[UnitInfo, ...]:
        """The units as the assistant sees them, before any build."""
        return tuple(UnitInfo(u.name, u.district, u.kind, tuple(u.offices), tuple(u.aliases)) for u in self.units)


def import_files_in(directory: Path) -> dict[str, Path]:
    """The imported lists under ``knowledge/imports/``, by name, in the order they apply."""
    return {path.stem: path for path in sorted((directory / IMPORTS_DIR).glob("*.csv"))}


def source_hashes(directory: Path, imports: dict[str, Path]) -> dict[str, str]:
    """The content hash of every file a build reads, by its path under ``knowledge/``."""
    return {label: file_hash(path) for label, path in source_paths(directory, imports).items()}


def source_paths(directory: Path, imports: dict[str, Path]) -> dict[str, Path]:
    """Every file a build reads, by its path under ``knowledge/`` (imports: where they are read from)."""
    paths = {name: directory / name for name in SOURCE_FILES if (directory / name).exists()}
    for name, path in imports.items():
        paths[f"{IMPORTS_DIR}/{name}.csv"] = path
    for path in sorted((directory / "laws").glob("*.md")):
        paths[f"laws/{path.name}"] = path
    return paths


def load_sources(directory: Path, import_files: dict[str, Path] | None = None) -> Sources:
    """Read and validate every source file.

    Args:
        import_files: imported lists to apply instead of ``knowledge/imports/*.csv``
            (name -> path); applied in name order.

    Raises:
        BuildRejected: with every problem found, located by file and line.
    """
    problems = Collector()
    imports = import_files_in(directory) if import_files is None else dict(sorted(import_files.items()))
    paths = source_paths(directory, imports)
    hashes = {label: file_hash(path) for label, path in paths.items()}
    districts = _read_districts(directory / "districts.csv", problems)
    units = _read_units(directory / "units.csv", districts, problems)
    substitutes, office_aliases = _apply_offices(directory / "offices.yaml", units, problems)
    documents = _read_documents(directory / "documents.csv", problems)
    common_words, speech_terms = _read_vocabulary(directory / "vocabulary.yaml", units, problems)
    synonyms = read_thesaurus(
        load_yaml(directory / "thesaurus.yaml", problems), lambda reason: problems.add("thesaurus.yaml", 0, reason)
    )

    law_dir = directory / "laws"
    laws = load_laws(law_dir) if law_dir.exists() else {}
    if not laws:
        problems.add("laws/", 0, "没有法律文本")

    unit_offices = {u.full_name: {office_base(o) for o in u.offices} for u in units}
    items = read_items(directory / "items.csv", documents, laws, problems, unit_offices)
    for name, path in imports.items():
        apply_import(f"{IMPORTS_DIR}/{name}.csv", path, items, documents, laws, unit_offices, substitutes, problems)
    read_extra_aliases(directory / "aliases.csv", items, problems)
    read_keywords(directory / "keywords.csv", items, problems)
    read_situations(directory / "situations.csv", items, problems)

    codes = {item.code for item in items}
    offices = {office_base(o) for unit in units for o in unit.offices}
    posts = read_posts(directory / "posts.yaml", codes, offices, problems)
    agencies, relationship = read_agencies(directory / "agencies.yaml", codes, problems)
    facts = read_facts(directory / "facts.yaml", problems)
    if relationship:
        facts.append(relationship)

    if problems.problems:
        raise BuildRejected(problems.problems)
    return Sources(
        districts,
        units,
        documents,
        items,
        laws,
        substitutes,
        hashes,
        posts,
        agencies,
        facts,
        office_aliases,
        common_words,
        speech_terms,
        paths,
        synonyms,
    )


def _read_districts(path: Path, problems: Collector) -> dict[str, tuple[bool, str]]:
    districts: dict[str, tuple[bool, str]] = {}
    for line, row in read_csv(path, ["name", "central", "editorial_office"], problems):
        if row["central"] not in ("yes", "no"):
            problems.add(path.name, line, f"central 须为 yes 或 no：{row['central']!r}")
        elif row["name"] in districts:
            problems.add(path.name, line, f"区重复：{row['name']}")
        else:
            districts[row["name"]] = (row["central"] == "yes", row["editorial_office"] or f"{row['name']}委编办")
    return districts


def _read_units(path: Path, districts: dict[str, tuple[bool, str]], problems: Collector) -> list[UnitRow]:
    units: list[UnitRow] = []
    seen: set[str] = set()
    for line, row in read_csv(path, ["name", "district", "kind"], problems):
        name, district, kind = row["name"], row["district"], row["kind"]
        full_name = unit_full_name(district, name)
        if not name.endswith(("街道", "镇")):
            problems.add(path.name, line, f"镇街名称须以“街道”或“镇”结尾：{name!r}")
            continue
        if district not in districts:
            problems.add(path.name, line, f"未知的区：{district!r}")
            continue
        if kind not in UNIT_KINDS:
            problems.add(path.name, line, f"未知的镇街类型：{kind!r}（应为 {'/'.join(UNIT_KINDS)}）")
            continue
        central = districts[district][0]
        expected = "town" if name.endswith("镇") else ("central_street" if central else "noncentral_street")
        if kind != expected:
            problems.add(path.name, line, f"{full_name} 的类型应为 {expected}，而不是 {kind}")
            continue
        if full_name in seen:
            problems.add(path.name, line, f"镇街重复：{full_name}")
            continue
        seen.add(full_name)
        units.append(UnitRow(name, district, kind, split_list(row.get("aliases", ""))))
    return units


def _apply_offices(path: Path, units: list[UnitRow], problems: Collector) -> tuple[dict[str, str], dict[str, str]]:
    """Give every unit its offices; (substitutes, short names -> office)."""
    spec = load_yaml(path, problems, required=True)
    if not isinstance(spec, dict):
        if spec is not None:
            problems.add(path.name, 0, "须为 common/conditional/substitutes/limits/short_names 的映射")
        return {}, {}
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
            problems.add(path.name, 0, f"{unit.full_name} 有 {len(unit.offices)} 个机构，超出 {low}-{high}")
    offices = {office_base(o) for o in [*common, *(r.get("office", "") for r in spec.get("conditional") or [])]}
    short_names: dict[str, str] = {}
    for short, office in (spec.get("short_names") or {}).items():
        short, office = str(short).strip(), office_base(str(office or ""))
        if not short or office not in offices:
            problems.add(path.name, 0, f"short_names：{short!r} 指向的机构 {office!r} 不在 common 或 conditional 中")
        else:
            short_names[short] = office
    return dict(spec.get("substitutes") or {}), short_names


def _read_documents(path: Path, problems: Collector) -> dict[str, dict[str, str]]:
    documents: dict[str, dict[str, str]] = {}
    for line, row in read_csv(path, ["id", "title", "issuer", "effective"], problems):
        try:
            dt.date.fromisoformat(row["effective"])
        except ValueError:
            problems.add(path.name, line, f"生效日期须为 YYYY-MM-DD：{row['effective']!r}")
            continue
        if row["id"] in documents or row["id"] == LAW_DOCUMENT:
            problems.add(path.name, line, f"文件编号重复或保留：{row['id']}")
            continue
        documents[row["id"]] = row
    return documents


def _read_vocabulary(path: Path, units: list[UnitRow], problems: Collector) -> tuple[list[str], list[str]]:
    """(bare unit names that are everyday words, speech terms); both optional."""
    spec = load_yaml(path, problems) or {}
    if not isinstance(spec, dict):
        problems.add(path.name, 0, "须为 unit_common_words/speech_terms 的映射")
        return [], []
    bare_names = {bare_name(u.name) for u in units}
    common: list[str] = []
    for word in (str(w) for w in spec.get("unit_common_words") or []):
        if word not in bare_names:
            problems.add(path.name, 0, f"unit_common_words：{word!r} 不是任何镇街去掉“街道/镇”后的名称")
        elif word in common:
            problems.add(path.name, 0, f"unit_common_words：{word!r} 重复")
        else:
            common.append(word)
    terms: list[str] = []
    for term in (str(t) for t in spec.get("speech_terms") or []):
        if not _SPEECH_TERM.match(term):
            problems.add(path.name, 0, f"speech_terms：{term!r} 须为 2 到 8 个汉字")
        elif term in terms:
            problems.add(path.name, 0, f"speech_terms：{term!r} 重复")
        else:
            terms.append(term)
    return common, terms
