"""Answers about the lists as a whole: a unit's powers, what was delegated to a
kind of unit, comparisons, offices, posts, stationed agencies, documents, the
knowledge-base version and the reform's facts. Pure Python.

Only rendering: what a question asks is read by ``bot.dialogue.parse``; the
newer overviews (offices, work orders, summaries) are in ``bot.overview``.
A little over 300 lines: one small renderer per topic of the original
structural intents, which read best side by side."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from bot.answer import DISCLAIMER, Message, Reply, short_name
from bot.kb.types import POWER_TYPES, UNIT_KIND_LABELS, AgencyInfo, FactInfo, ItemInfo, Knowledge, PostInfo, UnitInfo
from bot.verdict import decide, delegation_of, office_base, rule_for

PAGE_SIZE = 12


def structural_reply(text: str, topic: str, **payload: Any) -> Reply:
    """The chat text and its ``{"type": "structural", "topic": …}`` payload."""
    return Reply((Message(text=text), Message(custom={"type": "structural", "topic": topic, **payload})))


def list_powers(knowledge: Knowledge, unit: UnitInfo, power_type: str | None, page: int = 1) -> Reply:
    """The unit's powers (yes and assist), grouped by type, with counts, paged."""
    rows = []
    for item in knowledge.items.values():
        verdict = rule_for(item, unit)
        if verdict in ("yes", "assist") and (power_type is None or item.power_type == power_type):
            rows.append((item, verdict))
    order = {code: i for i, code in enumerate(knowledge.items)}  # the list's own order
    rows.sort(
        key=lambda r: (POWER_TYPES.index(r[0].power_type) if r[0].power_type in POWER_TYPES else 99, order[r[0].code])
    )
    counts = Counter(item.power_type for item, _ in rows)
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    page = min(max(1, page), pages)
    shown = rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    scope = power_type or "各类"
    summary = "；".join(f"{t} {n} 项" for t, n in sorted(counts.items(), key=lambda x: POWER_TYPES.index(x[0])))
    who = f"{unit.full_name}（{UNIT_KIND_LABELS[unit.kind]}）"
    lines = [f"{who}行使或协助办理的{scope}事项共 {len(rows)} 项：{summary or '无'}。"]
    current = None
    for item, verdict in shown:
        if item.power_type != current:
            current = item.power_type
            lines.append(f"【{current}】")
        lines.append(f"· {short_name(item)}：{item.name}" + ("（协助办理）" if verdict == "assist" else ""))
    if pages > 1:
        lines.append(f"第 {page}/{pages} 页" + ("，回复“下一页”继续查看。" if page < pages else "。"))
    lines.append(DISCLAIMER)
    return structural_reply(
        "\n".join(lines),
        "list_powers",
        unit=unit.full_name,
        power_type=power_type,
        page=page,
        pages=pages,
        total=len(rows),
        counts=dict(counts),
        items=[{"code": i.code, "name": i.name, "verdict": v} for i, v in shown],
    )


def delegated_to(knowledge: Knowledge, kind: str) -> Reply:
    """Powers that a kind of unit exercises by delegation (not those the law gives every unit)."""
    rows = [i for i in knowledge.items.values() if i.rules.get(kind) in ("yes", "assist") and i.document is not None]
    by_type: dict[str, list[ItemInfo]] = defaultdict(list)
    for item in rows:
        by_type[item.power_type].append(item)
    label = UNIT_KIND_LABELS[kind]
    lines = [f"下放或委托给{label}的事项共 {len(rows)} 项（不含法律直接规定由乡镇、街道履行的职责）："]
    for power_type in sorted(by_type, key=lambda t: POWER_TYPES.index(t) if t in POWER_TYPES else 99):
        names = "、".join(short_name(i) for i in by_type[power_type][:15])
        more = f" 等 {len(by_type[power_type])} 项" if len(by_type[power_type]) > 15 else ""
        lines.append(f"【{power_type}】{names}{more}")
    if kind == "central_street":
        lines.append(
            "按改革规则，中心城区街道不承接自然资源和规划建设、生态保护、卫生健康、镇区和乡村治理等领域的区级权限。"
        )
    elif kind in ("town", "noncentral_street"):
        lines.append(
            "按改革规则，镇重点承接自然资源和规划建设、生态保护、卫生健康、镇区和乡村治理等领域的区级权限；非中心城区街道参照镇。"
        )
    lines.append(DISCLAIMER)
    return structural_reply(
        "\n".join(lines), "delegated_list", kind=kind, total=len(rows), counts={t: len(v) for t, v in by_type.items()}
    )


def compare(knowledge: Knowledge, a: UnitInfo, b: UnitInfo) -> Reply:
    only_a, only_b, different = [], [], []
    for item in knowledge.items.values():
        va, vb = rule_for(item, a), rule_for(item, b)
        if va == vb:
            continue
        if va == "yes" and vb == "no":
            only_a.append(item)
        elif vb == "yes" and va == "no":
            only_b.append(item)
        else:
            different.append((item, va, vb))
    lines = [f"{a.full_name}（{UNIT_KIND_LABELS[a.kind]}）与 {b.full_name}（{UNIT_KIND_LABELS[b.kind]}）的比较："]
    if a.kind == b.kind and not (only_a or only_b or different):
        lines.append("两者同属一类镇街，清单中的权力事项相同。")
    else:
        if only_a:
            lines.append(f"仅{a.name}行使（{len(only_a)} 项）：" + "、".join(short_name(i) for i in only_a[:20]))
        if only_b:
            lines.append(f"仅{b.name}行使（{len(only_b)} 项）：" + "、".join(short_name(i) for i in only_b[:20]))
        for item, va, vb in different[:10]:
            lines.append(f"{short_name(item)}：{a.name} {_label(va)}，{b.name} {_label(vb)}")
    offices_a = {office_base(o) for o in a.offices}
    offices_b = {office_base(o) for o in b.offices}
    if offices_a != offices_b:
        if offices_a - offices_b:
            lines.append(f"机构：{a.name}另设" + "、".join(sorted(offices_a - offices_b)))
        if offices_b - offices_a:
            lines.append(f"机构：{b.name}另设" + "、".join(sorted(offices_b - offices_a)))
    lines.append(DISCLAIMER)
    return structural_reply(
        "\n".join(lines),
        "compare_units",
        units=[a.full_name, b.full_name],
        only_first=[i.code for i in only_a],
        only_second=[i.code for i in only_b],
    )


def _label(verdict: str | None) -> str:
    return {"yes": "自行行使", "no": "不行使", "assist": "协助办理"}.get(verdict or "", "—")


def office_duties(knowledge: Knowledge, office: str, unit: UnitInfo | None) -> Reply:
    items = [i for i in knowledge.items.values() if i.office and office_base(i.office) == office]
    substituted = [
        i
        for i in knowledge.items.values()
        if unit and i.office and office_base(i.office) != office and decide(knowledge, unit, i).handled_by == office
    ]
    if unit is not None:
        items = [i for i in items if rule_for(i, unit) in ("yes", "assist")] + substituted
    posts = [p for p in knowledge.posts if p.office == office]
    where = f"{unit.full_name}的" if unit else ""
    lines = [f"{where}{office}承办的清单事项共 {len(items)} 项："]
    by_type: dict[str, list[ItemInfo]] = defaultdict(list)
    for item in items:
        by_type[item.power_type].append(item)
    for power_type, group in by_type.items():
        lines.append(
            f"【{power_type}】"
            + "、".join(short_name(i) for i in group[:20])
            + (f" 等 {len(group)} 项" if len(group) > 20 else "")
        )
    if unit is not None and office not in {office_base(o) for o in unit.offices}:
        lines.insert(0, f"注意：{unit.full_name}未设{office}。")
    if posts:
        lines.append("岗位：" + "、".join(p.name for p in posts) + "（可问“××岗的职责是什么”）")
    lines.append(DISCLAIMER)
    return structural_reply(
        "\n".join(lines),
        "office_duties",
        office=office,
        unit=unit.full_name if unit else None,
        items=[i.code for i in items],
        posts=[p.name for p in posts],
    )


def post_duties(knowledge: Knowledge, item: ItemInfo | None, stage: str | None, posts: list[PostInfo]) -> Reply | None:
    """The posts that do a step (立案…) of an item, else the duties of the named posts; None without either."""
    if item is not None and stage is not None:
        hits = [(p, d) for p in knowledge.posts for d in p.duties if d.stage == stage and item.code in d.items]
        if not hits:
            hits = [(p, d) for p in knowledge.posts for d in p.duties if item.code in d.items]
        if hits:
            lines = [f"“{short_name(item)}”的{stage}环节由以下岗位负责："]
            lines += [f"· {p.office}·{p.name}：{d.text}" for p, d in hits[:6]]
            lines.append(DISCLAIMER)
            return structural_reply(
                "\n".join(lines),
                "post_duties",
                item=item.code,
                stage=stage,
                posts=[f"{p.office}/{p.name}" for p, _ in hits],
            )
    if not posts:
        return None
    lines = []
    for post in posts[:3]:
        lines.append(f"{post.office}·{post.name}的职责：")
        for duty in post.duties:
            covered = "、".join(short_name(knowledge.items[c]) for c in duty.items[:8] if c in knowledge.items)
            lines.append(f"· {duty.text}" + (f"（涉及：{covered}）" if covered else ""))
    lines.append(DISCLAIMER)
    return structural_reply("\n".join(lines), "post_duties", posts=[f"{p.office}/{p.name}" for p in posts[:3]])


def agency_answer(knowledge: Knowledge, agency: AgencyInfo | None, unit: UnitInfo | None) -> Reply:
    relationship = next((f for f in knowledge.facts if f.key == "agency_relationship"), None)
    if agency is None:
        stationed = "、".join(
            a.name + ("（仅镇）" if a.scope == "town" else "") for a in knowledge.agencies if a.scope != "none"
        )
        lines = [f"派驻镇街的机构有：{stationed}。"]
    elif agency.merged_into:
        lines = [f"{agency.name}已不再作为派驻机构保留：{agency.note or ''}".rstrip("：")]
        lines.append(f"现并入镇街{agency.merged_into}，由镇街管理。")
    else:
        scope = "每个镇街都设有" if agency.scope == "all" else "设在镇"
        lines = [f"{agency.name}是{agency.parent}的派驻机构（{scope}），人财物仍归{agency.parent}管理。"]
        if agency.duties:
            lines.append(f"职责：{agency.duties}")
        if unit is not None and agency.scope == "town" and unit.kind != "town":
            lines.append(f"注意：{unit.full_name}是街道，按本演示清单不设{agency.name}。")
        if agency.items:
            lines.append(
                "相关事项：" + "、".join(short_name(knowledge.items[c]) for c in agency.items if c in knowledge.items)
            )
    if relationship and (agency is None or not agency.merged_into):
        lines.append(f"与镇街的关系：{relationship.answer}")
        lines.append(f"出处：{relationship.source}")
    elif agency is not None and agency.source:
        lines.append(f"出处：{agency.source}")
    return structural_reply("\n".join(lines), "stationed_agency", agency=agency.name if agency else None)


def document_answer(knowledge: Knowledge, item: ItemInfo, unit: UnitInfo | None) -> Reply:
    if unit is not None:
        v = decide(knowledge, unit, item)
        delegation, verdict = v.delegation, v.verdict
    else:
        delegation, verdict = delegation_of(item), None
    if delegation is None:
        text = f"“{short_name(item)}”在知识库中没有记录下放文件。"
    elif item.document is None:
        text = (
            f"“{short_name(item)}”不是下放的权力，而是法律直接规定的镇街职责：{delegation.document}，"
            f"所引法律文本版本日期 {delegation.effective}。"
        )
    else:
        who = f"{unit.full_name}（{_label(verdict)}）" if unit else "镇街"
        text = f"“{short_name(item)}”：依据{delegation.document}，自 {delegation.effective} 起施行；{who}。"
        if item.document.note:
            text += f"\n说明：{item.document.note}"
    return structural_reply(
        text + "\n" + DISCLAIMER,
        "delegation_document",
        item=item.code,
        document=delegation.document if delegation else None,
        effective=delegation.effective if delegation else None,
    )


def list_documents(knowledge: Knowledge, unit: UnitInfo | None) -> Reply:
    """The documents a unit's list rests on (those its items were delegated by), or all of them."""
    held = [i for i in knowledge.items.values() if unit is None or rule_for(i, unit) in ("yes", "assist")]
    counts = Counter(i.document for i in held if i.document is not None)
    by_law = sum(1 for i in held if i.document is None)
    whose = f"{unit.full_name}的权责清单" if unit else "镇街权责清单"
    lines = [f"{whose}依据以下文件确定（知识库收录，按施行日期）："]
    for n, (doc, count) in enumerate(sorted(counts.items(), key=lambda dc: (dc[0].effective, dc[0].code)), 1):
        lines.append(f"{n}. 《{doc.title}》（{doc.issuer}，{doc.effective:%Y-%m-%d} 起施行）：{count} 项")
    if by_law:
        lines.append(f"另有 {by_law} 项是法律直接规定的镇街职责，不需要下放文件。")
    lines.append("要查某一事项依据哪个文件，可以问“占道经营是依据哪个文件下放的？”")
    lines.append(DISCLAIMER)
    return structural_reply(
        "\n".join(lines),
        "delegation_documents",
        documents=[d.code for d in counts],
        unit=unit.full_name if unit else None,
    )


def kb_version(knowledge: Knowledge) -> Reply:
    text = (
        f"知识库版本 {knowledge.version}，构建于 {knowledge.built_at:%Y-%m-%d %H:%M}。"
        f"收录 {len(knowledge.districts)} 个区、{len(knowledge.units)} 个镇街、{len(knowledge.items)} 个权责事项、"
        f"{len(knowledge.posts)} 个岗位、{len(knowledge.agencies)} 类派驻机构和 {len(knowledge.facts)} 条改革事实。\n"
        "这是依据改革规则和现行法律文本编制的演示数据，不是官方权责清单；正式使用时应导入区、市编办发布的清单。"
    )
    return structural_reply(
        text,
        "kb_version",
        version=knowledge.version,
        built_at=knowledge.built_at.isoformat(),
        items=len(knowledge.items),
        units=len(knowledge.units),
    )


def fact_answer(fact: FactInfo) -> Reply:
    return structural_reply(f"{fact.answer}\n出处：{fact.source}", "reform_fact", key=fact.key)


def push_down(knowledge: Knowledge, unit: UnitInfo | None, item: ItemInfo | None, asked: str) -> Reply:
    """区里要我们负责X，必须接吗 — the list decides; outside it, 权随事走、费随事走."""
    lines = []
    if item is not None and unit is not None:
        v = decide(knowledge, unit, item)
        if v.verdict == "yes":
            lines.append(f"“{short_name(item)}”在{unit.full_name}的权责清单内，由{v.handled_by}承办，应当依清单履行。")
        elif v.verdict == "assist":
            lines.append(
                f"“{short_name(item)}”在清单内，{unit.full_name}负责受理、调查或初审，由{v.held_by}决定；决定权不随之下放。"
            )
        else:
            lines.append(f"“{short_name(item)}”不在{unit.full_name}的权责清单内（由{v.held_by or '区级部门'}行使）。")
    else:
        what = f"“{asked}”" if asked else "这项工作"
        lines.append(f"{what}不在知识库收录的镇街权责清单事项中。")
    outside = not lines[0].startswith(f"“{short_name(item)}”在") if item is not None else True
    if outside:
        lines += outside_list_rule(knowledge)
    lines.append(DISCLAIMER)
    return structural_reply("\n".join(lines), "push_down", in_list=not outside, item=item.code if item else None)


def outside_list_rule(knowledge: Knowledge) -> list[str]:
    """The 清单之外 rule and its source: what outside the list a unit need not take on."""
    rule = next((f for f in knowledge.facts if "清单之外" in f.answer), None)
    follow = next((f for f in knowledge.facts if "权随事走" in f.answer and f is not rule), None)
    fact = rule or follow
    source = (
        fact.source
        if fact
        else "《以党的二十大精神为指引推动构建基层社会治理体系的实践与思考》（2022-12-26）三、（二）"
    )
    return [
        "按改革要求，清单之外的事项，上级职能部门不得随意下放或转嫁镇街承担；确需镇街协助办理的临时性工作任务，"
        "要按照“权随事走、费随事走”原则，给予镇街人员、经费等相关保障。",
        f"出处：{source}",
    ]
