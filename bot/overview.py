"""Answers to the questions staff ask besides "can we do X": what a power's legal basis is before
the unit is known, a unit's offices and posts, a summary of one type of a unit's powers, and which
of the matters in a forwarded complaint (12345 work order) the unit holds. Pure Python.

Only rendering, like ``bot.structure`` (whose payload shape these answers share): what a question
asks is read by ``bot.dialogue.parse``.
"""

from __future__ import annotations

from bot import answer
from bot.answer import DISCLAIMER, Reply, short_name
from bot.kb.types import UNIT_KIND_LABELS, ItemInfo, Knowledge, UnitInfo
from bot.structure import outside_list_rule, structural_reply
from bot.verdict import decide, delegation_of, office_base, rule_for

UNIT_KINDS = ("town", "central_street", "noncentral_street")
SUMMARY_OPTIONS = 5  # matters offered as buttons under a summary
QUOTE_LIMIT = 300
DUTY_LIMIT = 60  # characters of a post's duties in a list of posts; asking for the post gives them all


def legal_basis_overview(knowledge: Knowledge, item: ItemInfo, question: str) -> Reply:
    """What does not depend on the unit: the law and article, and which level holds the power for
    each kind of unit; then an offer to check the asker's own unit."""
    name = short_name(item)
    law = []
    if item.references:
        law.append(f"“{name}”的法律依据：")
        for ref in item.references:
            text = ref.text or ""
            quote = f"：{text[:QUOTE_LIMIT]}{'…' if len(text) > QUOTE_LIMIT else ''}" if text else ""
            law.append(f"· {ref.citation}{quote}")
    else:
        law.append(f"“{name}”在知识库中没有记录具体法条：{item.legal_basis_text or '见说明'}。")
    delegation = delegation_of(item)
    if delegation is not None and item.document is not None:
        law.append(f"下放依据：{delegation.document}，自 {delegation.effective} 起施行。")
    # "归谁管" asks who holds it first; "依据哪条法律" the law first.
    held = [f"“{name}”由哪一级行使（按镇街类别）：" if question == "who" else "由哪一级行使（按镇街类别）："]
    levels = {}
    for kind in UNIT_KINDS:
        verdict = item.rules.get(kind, "no")
        levels[kind] = {"verdict": verdict, "office": item.office, "held_by": item.held_by}
        held.append(f"· {UNIT_KIND_LABELS[kind]}：{_holder(item, verdict)}{_without_office(knowledge, item, kind)}")
    if item.unit_rules:
        held.append(f"另有 {len(item.unit_rules)} 个镇街按本镇街清单另行规定。")
    lines = held + law if question == "who" else law + held
    lines.append("告诉我您是哪个镇街（例如“天河区石牌街道”），我帮您核对本镇街的情况。")
    lines.append(DISCLAIMER)
    return structural_reply(
        "\n".join(lines),
        "legal_basis_overview",
        question=question,
        item={"code": item.code, "name": item.name, "power_type": item.power_type},
        legal_basis=[
            {"law": r.law, "article": f"{r.article or ''}{r.detail}" or None, "text": r.text} for r in item.references
        ],
        levels=levels,
    )


def _without_office(knowledge: Knowledge, item: ItemInfo, kind: str) -> str:
    """ "（未设应急管理办公室的由综合治理办公室承办）" when some units of the kind lack the item's office."""
    if item.office is None or item.rules.get(kind, "no") == "no":
        return ""
    office = office_base(item.office)
    of_kind = [u for u in knowledge.units if u.kind == kind]
    if all(office in {office_base(o) for o in u.offices} for u in of_kind):
        return ""
    substitute = knowledge.office_substitutes.get(office)
    return f"（未设{office}的，由{substitute}承办）" if substitute else f"（部分{UNIT_KIND_LABELS[kind]}未设{office}）"


def _holder(item: ItemInfo, verdict: str) -> str:
    if verdict == "yes":
        return "镇街自行行使" + (f"，由{office_base(item.office)}承办" if item.office else "")
    if verdict == "assist":
        return f"镇街协助办理（受理、调查或初审），由{item.held_by or '区级有关部门'}决定"
    return f"镇街不行使，由{item.held_by or '区级有关部门'}行使"


def unit_powers(knowledge: Knowledge, unit: UnitInfo, power_type: str) -> list[ItemInfo]:
    """The unit's powers (its own or assisted) of one type, the most talked-about first.

    No record of what is asked most exists yet; the matters staff have the most names and
    situation words for (aliases, keywords) are the everyday ones, so they lead.
    """
    items = [
        i for i in knowledge.items.values() if i.power_type == power_type and rule_for(i, unit) in ("yes", "assist")
    ]
    order = {code: n for n, code in enumerate(knowledge.items)}
    return sorted(items, key=lambda i: (-(len(i.aliases) + len(i.keywords)), order[i.code]))


def power_summary(knowledge: Knowledge, unit: UnitInfo, power_type: str, question: str) -> tuple[Reply, list[ItemInfo]]:
    """ "石牌街道能不能罚款": how many powers of that type the unit has, a few of them to pick."""
    items = unit_powers(knowledge, unit, power_type)
    offered = items[:SUMMARY_OPTIONS]
    who = f"{unit.full_name}（{UNIT_KIND_LABELS[unit.kind]}）"
    if not items:
        text = f"{who}没有清单内的{power_type}事项。可以问具体事项，例如“{unit.name}能不能处罚占道经营？”"
        return answer.text_reply(text), []
    prompt = (
        f"{who}可以行使或协助办理的{power_type}事项共 {len(items)} 项，"
        f"常见的有下面 {len(offered)} 项，点选可查看详情；也可以直接说事项名称，"
        f"或问“{unit.name}有哪些{power_type}权”查看全部。"
    )
    return answer.clarify_matter(question, offered, prompt), offered


def kind_counts(knowledge: Knowledge, power_type: str | None, kinds: tuple[str, ...]) -> Reply:
    """Without a unit: how many powers (of a type) each kind of unit has, and a request for the unit."""
    scope = power_type or "各类"
    counts = {
        kind: sum(
            1
            for i in knowledge.items.values()
            if (power_type is None or i.power_type == power_type) and i.rules.get(kind) in ("yes", "assist")
        )
        for kind in kinds
    }
    parts = "；".join(f"{UNIT_KIND_LABELS[k]} {n} 项" for k, n in counts.items())
    text = (
        f"按镇街类别，可以行使或协助办理的{scope}事项：{parts}（个别镇街按本镇街清单另有规定）。\n"
        "请告诉我您是哪个镇街（例如“天河区石牌街道”），我列出具体事项。"
    )
    return structural_reply(text, "kind_counts", power_type=power_type, counts=counts)


def unit_offices(unit: UnitInfo) -> Reply:
    offices = [office_base(o) for o in unit.offices]
    lines = [f"{unit.full_name}（{UNIT_KIND_LABELS[unit.kind]}）设 {len(offices)} 个办公室："]
    lines += [f"{n}. {full}" for n, full in enumerate(unit.offices, start=1)]
    lines.append("可以接着问“××办公室负责哪些事项”或“××办公室有哪些岗位”。")
    lines.append(DISCLAIMER)
    return structural_reply("\n".join(lines), "unit_offices", unit=unit.full_name, offices=offices)


def compare_matter(knowledge: Knowledge, a: UnitInfo, b: UnitInfo, item: ItemInfo) -> Reply:
    """ "石牌街道和江高镇在宅基地审批上有什么区别": the verdict on one matter for each of two units."""
    lines = [f"“{short_name(item)}”（{item.name}，{item.power_type}）在两个镇街的情况："]
    verdicts = []
    for unit in (a, b):
        v = decide(knowledge, unit, item)
        if v.verdict == "yes":
            how = f"自行行使，由{v.handled_by or '本镇街'}承办"
        elif v.verdict == "assist":
            how = f"协助办理，由{v.handled_by or '本镇街'}负责受理、调查或初审，{v.held_by or '区级有关部门'}作出决定"
        else:
            how = f"不行使，由{v.held_by or '区级有关部门'}行使"
        lines.append(f"· {unit.full_name}（{UNIT_KIND_LABELS[unit.kind]}）：{how}。")
        verdicts.append(
            {"unit": unit.full_name, "verdict": v.verdict, "handled_by": v.handled_by, "held_by": v.held_by}
        )
    same = verdicts[0]["verdict"] == verdicts[1]["verdict"]
    lines.append("两者相同。" if same else "两者不同：权限按镇街类别（或本镇街清单）分别规定。")
    if item.references:
        lines.append("法律依据：" + "；".join(r.citation for r in item.references))
    lines.append(DISCLAIMER)
    return structural_reply(
        "\n".join(lines),
        "compare_units",
        units=[a.full_name, b.full_name],
        item={"code": item.code, "name": item.name, "power_type": item.power_type},
        verdicts=verdicts,
    )


def office_exists(knowledge: Knowledge, unit: UnitInfo, office: str) -> Reply:
    """Whether the unit has the office; when not, which office does its work there."""
    present = {office_base(o) for o in unit.offices}
    has = office in present
    substitute = knowledge.office_substitutes.get(office)
    substitute = substitute if substitute and office_base(substitute) in present else None
    if has:
        text = f"有。{unit.full_name}设有{office}。"
    else:
        text = f"没有。{unit.full_name}未设{office}。"
        if substitute:
            text += f"清单中由{office}承办的事项，在{unit.name}由{substitute}承办。"
        else:
            text += f"清单中由{office}承办的事项，请向{unit.name}党政综合办公室确认承办机构。"
    text += f"\n{unit.name}设有：" + "、".join(sorted(present)) + "。\n" + DISCLAIMER
    return structural_reply(
        text, "office_exists", unit=unit.full_name, office=office, exists=has, substitute=None if has else substitute
    )


def office_posts(knowledge: Knowledge, office: str, unit: UnitInfo | None) -> Reply:
    """The posts of an office and what each does."""
    posts = [p for p in knowledge.posts if p.office == office]
    lines = []
    if unit is not None and office not in {office_base(o) for o in unit.offices}:
        lines.append(f"注意：{unit.full_name}未设{office}。")
    if not posts:
        lines.append(f"知识库没有记录{office}的岗位设置。")
    else:
        lines.append(f"{office}设 {len(posts)} 个岗位：")
        for post in posts:
            duties = "；".join(d.text for d in post.duties)
            brief = duties[:DUTY_LIMIT] + ("…" if len(duties) > DUTY_LIMIT else "")
            lines.append(f"· {post.name}" + (f"：{brief}" if brief else ""))
        lines.append("可以接着问“××岗的职责是什么”。")
    lines.append(DISCLAIMER)
    return structural_reply(
        "\n".join(lines),
        "office_posts",
        office=office,
        unit=unit.full_name if unit else None,
        posts=[p.name for p in posts],
    )


def work_order(knowledge: Knowledge, unit: UnitInfo, items: list[ItemInfo]) -> Reply:
    """For each matter of a forwarded complaint: whether the unit holds it, which office handles it,
    who holds it otherwise; with no matter found, the rule for work outside the list."""
    if not items:
        lines = [
            f"这份反映中没有找到与{unit.full_name}权责清单事项对应的内容，我不能判断归谁管。",
            *outside_list_rule(knowledge),
            f"如需确认，可以换个说法写出具体事项，或向{_editorial_office(knowledge, unit)}核实。",
            DISCLAIMER,
        ]
        return structural_reply("\n".join(lines), "work_order", unit=unit.full_name, matters=[], in_list=False)
    lines = [f"这份反映涉及 {len(items)} 个清单事项，对{unit.full_name}（{UNIT_KIND_LABELS[unit.kind]}）："]
    matters = []
    for n, item in enumerate(items, start=1):
        v = decide(knowledge, unit, item)
        name = short_name(item)
        if v.verdict == "yes":
            line = f"归{unit.name}管：由{v.handled_by}承办。"
        elif v.verdict == "assist":
            line = f"{unit.name}协助办理：{v.handled_by}负责受理、调查或初审，由{v.held_by}作出决定。"
        else:
            line = f"不归{unit.name}管：由{v.held_by or '区级有关部门'}负责，请转交或告知群众向其反映。"
        cited = v.legal_basis[0].citation if v.legal_basis else ""
        lines.append(f"{n}. {name}（{item.power_type}）：{line}" + (f"依据：{cited}" if cited else ""))
        matters.append(
            {
                "code": item.code,
                "name": item.name,
                "verdict": v.verdict,
                "handled_by": v.handled_by,
                "held_by": v.held_by,
            }
        )
    lines.append("如果还有没列出的情况，请单独问我，例如“这个占道经营归谁管？”")
    lines.append(DISCLAIMER)
    return structural_reply("\n".join(lines), "work_order", unit=unit.full_name, matters=matters, in_list=True)


def _editorial_office(knowledge: Knowledge, unit: UnitInfo) -> str:
    district = knowledge.districts.get(unit.district)
    return district.editorial_office if district is not None else "所在区的区委编办"
