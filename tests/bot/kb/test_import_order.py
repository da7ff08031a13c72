"""Lists without codes, imported in any order and again next year: the same items, updated by
their normalised name, never duplicated; the dry run says what is new, changed, unchanged, gone."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest

from bot.config import KNOWLEDGE_DIR
from bot.kb.build import build
from bot.kb.importer import describe, import_list
from bot.kb.provider import KnowledgeProvider
from bot.kb.types import Knowledge
from bot.units import find_unit
from bot.verdict import decide

HEADER = ["序号", "事项名称", "权力类型", "实施依据", "实施主体", "原实施部门"]
# One matter both lists name (written a little differently), one each of their own.
TOWN_LIST = [
    ["1", "对在村道上擅自晾晒农作物的处罚", "行政处罚", "《城市道路管理条例》第二十七条", "乡镇人民政府", "区交通局"],
    [
        "2",
        "农村集体经济组织成员身份确认",
        "行政确认",
        "《某省农村集体经济组织条例》第十条",
        "乡镇人民政府",
        "区农业农村局",
    ],
]
STREET_LIST = [
    ["1", "对在村道上擅自晾晒农作物的处罚。", "行政处罚", "《城市道路管理条例》第二十七条", "街道办事处", "区交通局"],
    [
        "2",
        "对擅自在街巷内摆放花盆的处罚",
        "行政处罚",
        "《城市市容和环境卫生管理条例》第十七条",
        "街道办事处",
        "区城管局",
    ],
]
UNITS = {"town": "白云区江高镇", "central_street": "天河区石牌街道", "noncentral_street": "从化区街口街道"}


def _csv(path: Path, rows: list[list[str]]) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([HEADER, *rows])
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def _fresh(tmp_path: Path, kb_url: str, name: str) -> tuple[Path, str]:
    knowledge = tmp_path / name / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, knowledge, ignore=shutil.ignore_patterns("imports"))
    database = tmp_path / name / "kb.sqlite3"
    shutil.copyfile(kb_url[len("sqlite:///") :], database)
    url = f"sqlite:///{database}"
    build(knowledge, url)
    return knowledge, url


def _answers(k: Knowledge) -> dict[tuple[str, str], tuple[object, ...]]:
    """What a user would be told about each imported item, in each kind of unit."""
    out = {}
    for item in k.items.values():
        if not item.code.startswith("QD-"):
            continue
        for kind, unit_name in UNITS.items():
            unit = find_unit(k, unit_name)
            assert unit is not None
            v = decide(k, unit, item)
            out[(item.name, kind)] = (item.code, v.verdict, v.handled_by, v.held_by, item.legal_basis_text, v.note)
    return out


def _import(knowledge: Path, url: str, path: Path, kind: str):  # type: ignore[no-untyped-def]
    return import_list(path, knowledge, url, unit_kind=kind, progress=False)


@pytest.fixture()
def lists(tmp_path: Path) -> dict[str, Path]:
    # File names sort the other way round from one of the import orders below.
    return {
        "town": _csv(tmp_path / "b_镇清单.csv", TOWN_LIST),
        "central_street": _csv(tmp_path / "a_街道清单.csv", STREET_LIST),
    }


def test_two_lists_naming_the_same_matter_give_the_same_answers_in_either_import_order(tmp_path, kb_url, lists):
    results = []
    for order in (("town", "central_street"), ("central_street", "town")):
        knowledge, url = _fresh(tmp_path, kb_url, "-".join(order))
        for kind in order:
            _import(knowledge, url, lists[kind], kind)
        k = KnowledgeProvider(url, check_every_s=0).get()
        names = [i.name for i in k.items.values()]
        assert names.count("对在村道上擅自晾晒农作物的处罚") == 1, order  # one item, not one per list
        results.append(_answers(k))
    assert results[0] == results[1]
    shared = results[0][("对在村道上擅自晾晒农作物的处罚", "town")]
    assert shared[1] == "yes" and results[0][("对在村道上擅自晾晒农作物的处罚", "central_street")][1] == "yes"
    assert results[0][("对在村道上擅自晾晒农作物的处罚", "noncentral_street")][1] == "no"


def test_next_years_list_updates_by_name_and_the_dry_run_shows_new_changed_unchanged_gone(tmp_path, kb_url):
    knowledge, url = _fresh(tmp_path, kb_url, "years")
    first = _csv(tmp_path / "2024.csv", TOWN_LIST)
    import_list(first, knowledge, url, unit_kind="town", name="镇清单", progress=False)
    before = KnowledgeProvider(url, check_every_s=0).get()
    code = next(c for c, i in before.items.items() if i.name == "对在村道上擅自晾晒农作物的处罚")

    next_year = [
        # Same matter, name written with spaces and a full stop, new legal basis: changed, same code.
        [
            "1",
            "对在村道上擅自 晾晒农作物的处罚。",
            "行政处罚",
            "《城市道路管理条例》第二十七条、第四十二条",
            "乡镇人民政府",
            "区交通局",
        ],
        [
            "2",
            "农村集体经济组织成员身份确认",
            "行政确认",
            "《某省农村集体经济组织条例》第十条",
            "乡镇人民政府",
            "区农业农村局",
        ],
        [
            "3",
            "对擅自在街巷内摆放花盆的处罚",
            "行政处罚",
            "《城市市容和环境卫生管理条例》第十七条",
            "乡镇人民政府",
            "区城管局",
        ],
    ]
    second = _csv(tmp_path / "2025.csv", next_year)
    preview = import_list(second, knowledge, url, unit_kind="town", name="镇清单", dry_run=True, progress=False)
    assert [c.code for c in preview.of_kind("changed")] == [code]
    assert len(preview.of_kind("added")) == 1 and preview.of_kind("removed") == []
    assert preview.kept == 1
    assert "3 行 → 新增 1 项，修改 1 项，未变 1 项，删除 0 项" in describe(preview)

    import_list(second, knowledge, url, unit_kind="town", name="镇清单", progress=False)
    after = KnowledgeProvider(url, check_every_s=0).get()
    assert after.items[code].legal_basis_text == "《城市道路管理条例》第二十七条、第四十二条"
    assert [i.name for i in after.items.values()].count("对在村道上擅自晾晒农作物的处罚") == 1

    # The year after, one matter is dropped: it is gone, the others unchanged.
    third = _csv(tmp_path / "2026.csv", next_year[:2])
    gone = import_list(third, knowledge, url, unit_kind="town", name="镇清单", dry_run=True, progress=False)
    assert [c.name for c in gone.of_kind("removed")] == ["对擅自在街巷内摆放花盆的处罚"]
    assert "2 行 → 新增 0 项，修改 0 项，未变 2 项，删除 1 项" in describe(gone)


def test_a_list_with_codes_and_one_without_naming_the_same_matter_give_one_item_in_either_order(
    tmp_path, kb_url, lists
):
    coded = tmp_path / "c_编码清单.csv"
    coded.write_text(
        "序号,事项编码,事项名称,权力类型,实施依据,实施主体,原实施部门\n"
        "1,440100-XX-0001,对在村道上擅自晾晒农作物的处罚,行政处罚,《城市道路管理条例》第二十七条,镇人民政府,区交通局\n",
        encoding="utf-8",
    )
    for order in ((coded, lists["central_street"]), (lists["central_street"], coded)):
        knowledge, url = _fresh(tmp_path, kb_url, "mixed-" + order[0].stem)
        for path in order:
            _import(knowledge, url, path, "town" if path == coded else "central_street")
        k = KnowledgeProvider(url, check_every_s=0).get()
        same = [i for i in k.items.values() if i.name == "对在村道上擅自晾晒农作物的处罚"]
        assert len(same) == 1, order
        assert (same[0].rules["town"], same[0].rules["central_street"]) == ("yes", "yes")
