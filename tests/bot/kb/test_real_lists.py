"""Real published lists (tests/data/real_lists/, copied verbatim) and lists of their shapes go in
as they are: any header spelling, no codes, legal bases as written, no internal office.

Each test imports into its own copy of knowledge/ and of the session's database (fixture ``kb``).
"""

from __future__ import annotations

import csv
import io
import random
import shutil
from pathlib import Path

import pytest

from bot.errors import ImportRejected
from bot.kb.importer import describe, import_list
from bot.kb.provider import KnowledgeProvider
from bot.kb.source_items import OFFICE_UNSTATED
from bot.kb.types import Knowledge
from bot.units import find_unit
from bot.verdict import Verdict, decide

REAL = Path(__file__).resolve().parents[2] / "data" / "real_lists"
QINGSHUIHE = REAL / "qingshuihe_xiangzhen_fuquan_qingdan_neimenggu.csv"
MINGGUANG = REAL / "mingguang_mingnan_jiedao_quanli_zeren_qingdan_anhui.csv"
XIAN = REAL / "xian_shiji_quanzeqingdan.csv"
# A unit of each kind: a town, a central-district street, a non-central street.
UNIT_OF_KIND = {"town": "白云区江高镇", "central_street": "天河区石牌街道", "noncentral_street": "从化区街口街道"}
ROWS = {QINGSHUIHE: 4, MINGGUANG: 1, XIAN: 6}


@pytest.fixture()
def kb(tmp_path: Path, knowledge_copy: Path, kb_url: str) -> tuple[Path, str]:
    database = tmp_path / "kb.sqlite3"
    shutil.copyfile(kb_url[len("sqlite:///") :], database)
    return knowledge_copy, f"sqlite:///{database}"


def _knowledge(url: str) -> Knowledge:
    return KnowledgeProvider(url, check_every_s=0).get()


def _named(k: Knowledge, name: str) -> str:
    codes = [code for code, item in k.items.items() if item.name == name]
    assert len(codes) == 1, (name, codes)
    return codes[0]


def _ask(k: Knowledge, kind: str, name: str) -> Verdict:
    unit = find_unit(k, UNIT_OF_KIND[kind])
    assert unit is not None
    return decide(k, unit, k.items[_named(k, name)])


def _counts(result) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    return tuple(len(result.of_kind(kind)) for kind in ("added", "changed", "removed"))  # type: ignore[return-value]


# ---------------------------------------------------------------------------
# The published files, unedited


@pytest.mark.parametrize("kind", list(UNIT_OF_KIND))
@pytest.mark.parametrize("path", [QINGSHUIHE, MINGGUANG, XIAN], ids=lambda p: p.stem.split("_")[0])
def test_each_real_list_previews_for_each_unit_kind_and_writes_nothing(kb, path, kind):
    knowledge_dir, url = kb
    version = _knowledge(url).version
    result = import_list(path, knowledge_dir, url, unit_kind=kind, dry_run=True, progress=False)
    assert result.rows == ROWS[path]
    assert sum(_counts(result)) == ROWS[path]  # every row is new or updates an item; none is refused
    assert not (knowledge_dir / "imports").exists() and _knowledge(url).version == version


def test_qingshuihe_delegation_list_imports_for_towns(kb):
    knowledge_dir, url = kb
    result = import_list(QINGSHUIHE, knowledge_dir, url, unit_kind="town", progress=False)
    # 乡村建设规划许可证核发 is already in the knowledge base: matched by name, not duplicated.
    assert _counts(result) == (3, 1, 0)
    assert [c.name for c in result.of_kind("changed")] == ["乡村建设规划许可证核发"]
    assert ("《中华人民共和国草原法》", 1) in result.not_held

    k = _knowledge(url)
    v = _ask(k, "town", "农村居民宅基地的审批")
    assert v.verdict == "yes"
    # The basis as written (prefix and the regional law kept); the law we hold is quoted.
    assert v.item.legal_basis_text.startswith("《中华人民共和国土地管理法》第六十二条《内蒙古自治区实施")
    assert [(r.law, r.article) for r in v.legal_basis] == [("土地管理法", "第六十二条")]
    # The subject is 乡镇人民政府 and 宅基地 is no field with a known office: kept, with the note.
    assert v.handled_by is None and OFFICE_UNSTATED in (v.note or "")
    assert v.item.department == "县自然资源局"
    grassland = _ask(k, "town", "在草原上开展经营性旅游活动的许可")
    assert grassland.verdict == "yes" and grassland.item.legal_basis_text == "《中华人民共和国草原法》第五十二条"
    assert grassland.legal_basis == ()  # not in knowledge/laws: kept as written, nothing quoted
    # A street is not covered by a town list.
    assert _ask(k, "central_street", "农村居民宅基地的审批").verdict == "no"

    again = import_list(QINGSHUIHE, knowledge_dir, url, unit_kind="town", progress=False)
    assert _counts(again) == (0, 0, 0) and again.unchanged
    assert len([i for i in _knowledge(url).items.values() if i.name == "农村居民宅基地的审批"]) == 1


def test_mingguang_street_list_with_an_empty_code_column_imports_for_central_streets(kb):
    knowledge_dir, url = kb
    result = import_list(MINGGUANG, knowledge_dir, url, unit_kind="central_street", progress=False)
    assert _counts(result) == (1, 0, 0)
    v = _ask(_knowledge(url), "central_street", "独生子女父母光荣证核发与注销")
    assert (v.verdict, v.item.power_type) == ("yes", "行政确认")
    # No office in the list: the field (独生子女 → 公共服务) gives it, and the note says so.
    assert v.handled_by == "公共服务办公室" and "按事项领域" in (v.note or "")
    assert v.item.legal_basis_text.startswith("《安徽省人口与计划生育条例》第三十九条")
    assert _ask(_knowledge(url), "town", "独生子女父母光荣证核发与注销").verdict == "no"


def test_xian_city_list_imports_for_noncentral_streets_keeping_its_offices_in_the_note(kb):
    knowledge_dir, url = kb
    result = import_list(XIAN, knowledge_dir, url, unit_kind="noncentral_street", progress=False)
    assert _counts(result) == (6, 0, 0)
    # Its offices are the city's, not a street's: imported, each one pointed at.
    assert [(w.row, w.column) for w in result.warnings][:2] == [(2, "E列「承办机构」"), (21, "E列「承办机构」")]
    assert "! xian_shiji_quanzeqingdan.csv, 第2行, E列「承办机构」: 未知的承办机构：'消防支队、大队'" in describe(
        result
    )

    k = _knowledge(url)
    fire = _ask(k, "noncentral_street", "对擅自停用、拆除消防设施、器材的处罚")
    assert fire.verdict == "yes" and fire.item.department == "市公安局"
    assert "清单所列承办机构：消防支队、大队" in (fire.note or "")
    # The pasted article text is not taken for references; the article is quoted from the library.
    assert [(r.law, r.article) for r in fire.legal_basis] == [("消防法", "第六十条")]
    assert fire.item.legal_basis_text.startswith("《中华人民共和国消防法》")
    show = _ask(k, "noncentral_street", "对营业性演出广告的内容误导、欺骗公众或者含有其他违法内容行为的行政处罚")
    assert "国务院令第439号" in show.item.legal_basis_text and show.legal_basis == ()


# ---------------------------------------------------------------------------
# Lists of the same shapes that no one here has seen

HEADER = ["序号", "实施清单事项名称", "事项类别", "事项依据", "行使主体", "原实施部门", "责任事项", "监管电话"]
ROWS_OF_SHAPE = [
    [
        "1",
        "对在城市道路上擅自设置广告牌的处罚",
        "处罚",
        "【行政法规】《城市道路管理条例》（2019年修订）第二十七条第（四）项",
        "镇人民政府",
        "区城管局",
        "受理、调查",
        "12345",
    ],
    [
        "2",
        "村民建房用地初审",
        "行政许可类",
        "1.《中华人民共和国土地管理法》第六十二条\n2.《某省农村宅基地管理办法》第八条",
        "乡镇人民政府",
        "区规划和自然资源局",
        "",
        "",
    ],
]


def _csv(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def _shuffled(rows: list[list[str]], seed: int) -> list[list[str]]:
    order = list(range(len(rows[0])))
    random.Random(seed).shuffle(order)
    return [[row[i] for i in order] for row in rows]


def _check_shape_imported(knowledge_dir: Path, url: str, path: Path) -> None:
    result = import_list(path, knowledge_dir, url, unit_kind="town", progress=False)
    assert _counts(result) == (2, 0, 0)
    k = _knowledge(url)
    ads = _ask(k, "town", "对在城市道路上擅自设置广告牌的处罚")
    assert (ads.verdict, ads.item.power_type) == ("yes", "行政处罚")
    assert [(r.law, r.article, r.detail) for r in ads.legal_basis] == [("城市道路管理条例", "第二十七条", "第（四）项")]
    assert ads.handled_by == "综合行政执法办公室"  # a penalty with no office: the enforcement office
    house = _ask(k, "town", "村民建房用地初审")
    assert "《某省农村宅基地管理办法》第八条" in house.item.legal_basis_text
    assert [(r.law, r.article) for r in house.legal_basis] == [("土地管理法", "第六十二条")]


@pytest.mark.parametrize("seed", [1, 2])
def test_any_column_order_and_header_spelling_without_codes(kb, tmp_path, seed):
    _check_shape_imported(*kb, _csv(tmp_path / f"清单{seed}.csv", _shuffled([HEADER, *ROWS_OF_SHAPE], seed)))


def test_gbk_csv_with_a_title_row(kb, tmp_path):
    rows = [["某县乡镇权责清单（2024年版）"], [], HEADER, *ROWS_OF_SHAPE]
    _check_shape_imported(*kb, _csv(tmp_path / "清单_gbk.csv", rows, encoding="gbk"))


def test_xlsx_with_a_merged_title_row_and_a_notes_sheet(kb, tmp_path):
    import openpyxl

    workbook = openpyxl.Workbook()
    notes = workbook.active
    notes.title = "说明"
    notes.append(["本目录由县委编办编制"])
    sheet = workbook.create_sheet("目录")
    sheet.append(["某县乡镇权责清单"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    for row in [HEADER, *ROWS_OF_SHAPE]:
        sheet.append(row)
    path = tmp_path / "清单.xlsx"
    workbook.save(path)
    _check_shape_imported(*kb, path)


def test_an_article_a_held_law_lacks_is_a_warning_with_row_and_column(kb, tmp_path):
    knowledge_dir, url = kb
    rows = [HEADER, ["1", "对乱倒垃圾的处罚", "行政处罚", "《城市道路管理条例》第九百条", "街道办事处", "", "", ""]]
    result = import_list(_csv(tmp_path / "清单.csv", rows), knowledge_dir, url, unit_kind="town", progress=False)
    assert _counts(result) == (1, 0, 0)
    assert [str(w) for w in result.warnings] == [
        "清单.csv, 第2行, D列「事项依据」: 《城市道路管理条例》没有第九百条（依据按原文保留，请核对）"
    ]
    assert _ask(_knowledge(url), "town", "对乱倒垃圾的处罚").item.legal_basis_text == "《城市道路管理条例》第九百条"


def test_an_unknown_name_header_is_named_with_the_mapping_line_to_add_and_nothing_changes(kb, tmp_path):
    knowledge_dir, url = kb
    version = _knowledge(url).version
    rows = [["序号", "清单事项", "权力类型", "实施依据"], ["1", "某事项", "行政许可", "《城乡规划法》第四十一条"]]
    with pytest.raises(ImportRejected) as rejected:
        import_list(_csv(tmp_path / "清单.csv", rows), knowledge_dir, url, unit_kind="town", progress=False)
    reason = str(rejected.value.problems[0])
    assert "未能识别的表头：清单事项" in reason and "name: [事项名称," in reason and "清单事项]" in reason
    assert not (knowledge_dir / "imports").exists() and _knowledge(url).version == version


def test_the_command_line_previews_then_imports_a_real_list(kb, tmp_path, monkeypatch, capsys):
    from bot.kb.__main__ import main

    knowledge_dir, url = kb
    monkeypatch.setenv("KB_KNOWLEDGE_DIR", str(knowledge_dir))
    monkeypatch.setenv("KB_DATABASE_URL", url)
    monkeypatch.setenv("KB_BUILD_DIR", str(tmp_path / "build"))
    assert main(["import", str(MINGGUANG), "--unit-kind", "town", "--dry-run"]) == 0
    assert "新增 1 项" in capsys.readouterr().out and not (knowledge_dir / "imports").exists()
    assert main(["import", str(MINGGUANG), "--unit-kind", "town"]) == 0
    assert (knowledge_dir / "imports" / f"{MINGGUANG.stem}.csv").exists()
    assert _ask(_knowledge(url), "town", "独生子女父母光荣证核发与注销").verdict == "yes"
