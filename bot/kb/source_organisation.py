"""The organisation around the items: posts and their duties (``posts.yaml``), the
agencies stationed in units (``agencies.yaml``) and the reform's facts (``facts.yaml``)."""

from __future__ import annotations

from pathlib import Path

from bot.kb.names import office_base
from bot.kb.source_files import Collector, load_yaml

STAGES = ("巡查", "受理", "立案", "调查", "审核", "决定", "执行", "初审", "指导", "服务")


def read_posts(path: Path, codes: set[str], offices: set[str], problems: Collector) -> list[dict]:
    """{office, name, duties: [{text, stage, items}]} per post."""
    spec = load_yaml(path, problems)
    posts: list[dict] = []
    for block in spec or []:
        office = office_base(str(block.get("office", "")))
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
                duties.append(
                    {
                        "text": str(duty.get("text", "")).strip(),
                        "stage": stage,
                        "items": [c for c in duty.get("items") or [] if c in codes],
                    }
                )
            if not post.get("name") or not duties:
                problems.add(path.name, 0, f"{office}：岗位缺少名称或职责")
                continue
            posts.append({"office": office, "name": str(post["name"]), "duties": duties})
    return posts


def read_agencies(path: Path, codes: set[str], problems: Collector) -> tuple[list[dict], dict | None]:
    """The agencies (stationed and merged), and the fact describing how units manage them."""
    spec = load_yaml(path, problems) or {}
    agencies = []
    for raw in spec.get("agencies") or []:
        scope = raw.get("units", "all")
        if scope not in ("all", "town"):
            problems.add(path.name, 0, f"{raw.get('name')}：units 须为 all 或 town")
        unknown = [c for c in raw.get("items") or [] if c not in codes]
        if unknown:
            problems.add(path.name, 0, f"{raw.get('name')}：未知的事项编码 {'、'.join(unknown)}")
        agencies.append(
            {
                "name": raw["name"],
                "aliases": list(raw.get("aliases") or []),
                "parent": raw.get("parent", ""),
                "scope": scope,
                "duties": raw.get("duties"),
                "merged_into": None,
                "note": raw.get("note"),
                "source": raw.get("source"),
                "items": [c for c in raw.get("items") or [] if c in codes],
            }
        )
    for raw in spec.get("merged") or []:
        agencies.append(
            {
                "name": raw["name"],
                "aliases": list(raw.get("aliases") or []),
                "parent": raw.get("parent", ""),
                "scope": "none",
                "duties": raw.get("before_reform"),
                "merged_into": raw.get("into"),
                "note": raw.get("note"),
                "source": raw.get("source"),
                "items": [],
            }
        )
    rel = spec.get("relationship")
    relationship = None
    if rel:
        consult = "、".join(rel.get("consult") or [])
        relationship = {
            "key": "agency_relationship",
            "topic": "派驻机构管理",
            "answer": "".join(str(rel.get("summary", "")).split()),
            "keywords": ["派驻机构", "指挥调度", "日常管理权", "请休假", "负责人任免", consult][:6],
            "source": rel.get("source", ""),
        }
    return agencies, relationship


def read_facts(path: Path, problems: Collector) -> list[dict]:
    """{key, topic, answer, keywords, source} per fact."""
    facts = []
    seen = set()
    for raw in load_yaml(path, problems) or []:
        key = raw.get("key")
        if not key or key in seen:
            problems.add(path.name, 0, f"事实缺少 key 或重复：{key!r}")
            continue
        if not raw.get("answer") or not raw.get("source") or not raw.get("keywords"):
            problems.add(path.name, 0, f"{key}：须有 answer、keywords 和 source")
            continue
        seen.add(key)
        facts.append(
            {
                "key": key,
                "topic": raw.get("topic", ""),
                "answer": "".join(str(raw["answer"]).split()),
                "keywords": [str(k) for k in raw["keywords"]],
                "source": str(raw["source"]),
            }
        )
    return facts
