import csv
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.errors import BuildRejected
from bot.kb import models as m
from bot.kb.build import build
from bot.kb.provider import KnowledgeProvider
from bot.kb.store import session_scope

REFERENCE = Path(__file__).resolve().parents[2] / "data" / "reference"


def _rows(name):
    with open(REFERENCE / name, encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_every_required_unit_exists_with_its_district_and_kind(knowledge):
    units = {(u.name, u.district): u for u in knowledge.units}
    for row in _rows("units_required.csv"):
        unit = units.get((row["unit"], row["district"]))
        assert unit is not None, row
        assert unit.kind == row["kind"], row


def test_all_districts_and_many_units(knowledge):
    assert len(knowledge.districts) == 11
    assert len(knowledge.units) >= 150
    for district in ("天河区", "白云区", "增城区"):
        assert sum(u.district == district for u in knowledge.units) >= 10


def test_offices_follow_the_reform(knowledge):
    by_name = {u.full_name: u for u in knowledge.units}
    for unit in knowledge.units:
        low, high = (7, 12) if unit.kind == "town" else (6, 9)
        assert low <= len(unit.offices) <= high, unit
        assert "综合行政执法办公室（综合行政执法队）" in unit.offices
    assert "应急管理办公室" in by_name["天河区石牌街道"].offices
    assert "应急管理办公室" not in by_name["白云区江高镇"].offices
    assert "城市管理办公室" in by_name["白云区京溪街道"].offices
    assert "城市管理办公室" not in by_name["白云区江高镇"].offices
    assert "生态环境保护办公室" in by_name["白云区江高镇"].offices
    assert "生态环境保护办公室" in by_name["增城区新塘镇"].offices
    assert "生态环境保护办公室" not in by_name["增城区派潭镇"].offices


def test_items_carry_the_reference_verdicts_and_cited_text(knowledge):
    for row in _rows("core_matters.csv"):
        item = knowledge.items[row["key"]]
        assert item.power_type == row["power_type"]
        assert {k: item.rules[k] for k in ("town", "central_street", "noncentral_street")} == {
            k: row[k] for k in ("town", "central_street", "noncentral_street")
        }
        for alias in row["aliases"].split(";"):
            assert alias in item.aliases
        assert item.references and all(r.text for r in item.references if r.article)


def test_rebuild_of_unchanged_sources_is_skipped(kb_url, knowledge_copy):
    again = build(knowledge_copy, kb_url)
    assert again.skipped


def test_bad_rows_are_reported_with_file_line_and_reason_and_nothing_changes(tmp_path, knowledge_copy):
    url = f"sqlite:///{tmp_path / 'kb.sqlite3'}"
    first = build(knowledge_copy, url)
    items = knowledge_copy / "items.csv"
    lines = items.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace("行政处罚", "行政乱罚", 1)  # unknown power type on line 2
    lines[3] = lines[3].replace("《城市市容和环境卫生管理条例》第十四条", "《城市市容和环境卫生管理条例》第九十九条")
    items.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(BuildRejected) as rejected:
        build(knowledge_copy, url)
    problems = {(p.file, p.line) for p in rejected.value.problems}
    assert ("items.csv", 2) in problems and ("items.csv", 4) in problems
    assert any("第九十九条" in p.reason for p in rejected.value.problems)
    knowledge = KnowledgeProvider(url).get()
    assert knowledge.version == first.version and len(knowledge.items) == first.items


def test_failure_midway_rolls_back(tmp_path, knowledge_copy, monkeypatch):
    url = f"sqlite:///{tmp_path / 'kb.sqlite3'}"
    first = build(knowledge_copy, url)
    (knowledge_copy / "aliases.csv").write_text("code,aliases\nzhandao_jingying,新叫法\n", encoding="utf-8")

    import bot.kb.build as build_module

    def explode(session, sources):
        session.execute(select(m.Unit))
        raise RuntimeError("disk full")

    monkeypatch.setattr(build_module, "_fill", explode)
    with pytest.raises(RuntimeError):
        build(knowledge_copy, url)
    with session_scope(url) as session:
        assert session.execute(select(func.count()).select_from(m.PowerItem)).scalar() == first.items
        assert session.execute(select(func.count()).select_from(m.KbVersion)).scalar() == 1


def test_cases_told_in_staff_words_reach_the_items_and_bad_ones_are_reported(tmp_path, knowledge_copy):
    url = f"sqlite:///{tmp_path / 'kb.sqlite3'}"
    situations = knowledge_copy / "situations.csv"
    situations.write_text(
        "# 注释行\ncode,text\n"
        "zhandao_jingying,有人推着三轮车在地铁口卖水果\n"
        "zhandao_jingying,有人推着三轮车在地铁口卖水果\n"  # the same case twice is kept once
        "luan_zhangtie,电梯里贴满了开锁小卡片\n",
        encoding="utf-8",
    )
    build(knowledge_copy, url)
    knowledge = KnowledgeProvider(url).get()
    assert knowledge.items["zhandao_jingying"].situations == ("有人推着三轮车在地铁口卖水果",)
    assert knowledge.items["luan_zhangtie"].situations == ("电梯里贴满了开锁小卡片",)
    assert knowledge.items["shumu"].situations == ()

    situations.write_text("code,text\nno_such_item,有人在路边乱摆卖\nshumu,砍树\n", encoding="utf-8")
    with pytest.raises(BuildRejected) as rejected:
        build(knowledge_copy, url)
    reasons = {(p.file, p.line): p.reason for p in rejected.value.problems}
    assert "未知的事项编码" in reasons[("situations.csv", 2)]
    assert "情形描述应为" in reasons[("situations.csv", 3)]
    assert KnowledgeProvider(url).get().items["zhandao_jingying"].situations  # the good build is kept
