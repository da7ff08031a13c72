"""Importing official lists (python -m bot.kb import) against a real SQLite database.

Each test works on its own copy of knowledge/ and of a database built from it, so
imports never touch the repository's knowledge/ or build/.
"""

from __future__ import annotations

import csv
import io
import shutil
import time
from pathlib import Path

import pytest

from bot.config import KNOWLEDGE_DIR
from bot.errors import BuildRejected, ImportRejected
from bot.kb import build as build_module
from bot.kb.build import build
from bot.kb.importer import describe, import_list, normalize_header
from bot.kb.lexicon import LexiconFiles, write_lexicon
from bot.kb.provider import KnowledgeProvider
from bot.kb.sheets import read_sheets
from bot.structure import list_powers
from bot.units import find_unit
from bot.verdict import decide
from tests.bot.kb.sample_lists import HEADER, ROWS, SAMPLE_XLSX

SAMPLES = KNOWLEDGE_DIR / "samples"
TOWN_XLSX = SAMPLES / "下放事项目录_镇.xlsx"
STREET_CSV = SAMPLES / "下放事项目录_非中心城区街道.csv"
BROKEN_CSV = SAMPLES / "下放事项目录_错误示例.csv"


@pytest.fixture()
def kb(tmp_path: Path, knowledge_copy: Path, kb_url: str) -> tuple[Path, str]:
    """(knowledge dir, database url): copies of knowledge/ and of the session's built database."""
    database = tmp_path / "kb.sqlite3"
    shutil.copyfile(kb_url[len("sqlite:///") :], database)
    url = f"sqlite:///{database}"
    build(knowledge_copy, url)  # a no-op unless knowledge/ changed since the session's build
    return knowledge_copy, url


@pytest.fixture()
def cli_env(kb, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    knowledge_dir, url = kb
    monkeypatch.setenv("KB_KNOWLEDGE_DIR", str(knowledge_dir))
    monkeypatch.setenv("KB_DATABASE_URL", url)
    monkeypatch.setenv("KB_BUILD_DIR", str(tmp_path / "build"))
    return kb


def _cli(*args: str) -> int:
    from bot.kb.__main__ import main

    return main(["import", *args])


def _unit(knowledge, name):  # type: ignore[no-untyped-def]
    unit = find_unit(knowledge, name)
    assert unit is not None, name
    return unit


def _version(url: str) -> str:
    return KnowledgeProvider(url, check_every_s=0).get().version


def _snapshot(directory: Path) -> dict[str, bytes] | None:
    if not directory.exists():
        return None
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


def _write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8-sig") -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


# ---------------------------------------------------------------------------
# The samples


def test_xlsx_and_csv_samples_import_and_verdicts_follow_the_lists(kb):
    knowledge_dir, url = kb
    before = _version(url)

    town = import_list(TOWN_XLSX, knowledge_dir, url, unit_kind="town", document="DEMO-XF-2020", progress=False)
    assert (len(town.of_kind("added")), len(town.of_kind("changed")), len(town.of_kind("removed"))) == (10, 2, 0)
    assert town.target == knowledge_dir / "imports" / "下放事项目录_镇.csv" and town.target.exists()
    street = import_list(
        STREET_CSV, knowledge_dir, url, unit_kind="noncentral_street", document="DEMO-XF-2020", progress=False
    )
    assert street.version and street.version != town.version != before

    k = KnowledgeProvider(url, check_every_s=0).get()
    assert k.version == street.version
    jianggao, shipai, jiekou = (_unit(k, n) for n in ("白云区江高镇", "天河区石牌街道", "从化区街口街道"))

    # An existing item: the town list made the towns' rule yes; the street list the streets'.
    paishui = k.items["paishui"]
    assert paishui.rules == {"town": "yes", "central_street": "no", "noncentral_street": "yes"}
    v = decide(k, jianggao, paishui)
    assert (v.verdict, v.handled_by) == ("yes", "综合行政执法办公室")
    assert v.delegation is not None and "下放区级经济社会管理权限" in v.delegation.document
    assert decide(k, shipai, paishui).verdict == "no"
    assert decide(k, shipai, paishui).held_by == "区水务局"

    # xiangcun_xuke was assist for towns; the list delegates it: now yes, with the list's note.
    assert decide(k, jianggao, k.items["xiangcun_xuke"]).verdict == "yes"

    # A new item from the xlsx (a 子项: its name is the 子项), also listed for non-central streets by the csv.
    housing = k.items["440100-XF-XK-0101"]
    assert housing.name == "使用原有宅基地、村内空闲地和其他土地建住宅的审批"
    assert housing.rules == {"town": "yes", "central_street": "no", "noncentral_street": "yes"}
    granted = decide(k, jiekou, housing)
    assert (granted.verdict, granted.handled_by) == ("yes", "公共服务办公室")
    off = decide(k, shipai, housing)
    assert (off.verdict, off.held_by) == ("no", "区规划和自然资源局")  # the list's 原实施部门
    assert [(r.law, r.article, r.detail) for r in housing.references] == [
        ("村庄和集镇规划建设管理条例", "第十八条", "第一款第（二）项")
    ]
    assert "使用原有宅基地" in housing.references[0].text

    # The next 子项 under the merged 主项 takes the 主项's type; synonyms of types are mapped.
    assert k.items["440100-XF-XK-0102"].power_type == "行政许可"
    assert k.items["440100-XF-QT-0201"].power_type == "其他行政权力"
    # A list line-broken inside the article list ("第五十五条、⏎第五十九条") still parses.
    assert [r.article for r in k.items["440100-XF-GF-0101"].references] == ["第五十五条", "第五十九条"]
    # A title nested in a title, and the town's office substitute, work for imported items too.
    fire = decide(k, jianggao, k.items["440100-XF-QT-0301"])
    assert fire.legal_basis[0].law == "广东省实施《消防法》办法"
    assert fire.handled_by == "综合治理办公室"

    # The knowledge base is a function of the files: a plain build finds nothing new.
    assert build(knowledge_dir, url).skipped


def test_samples_in_gbk_and_with_the_header_lower_down_read_the_same(tmp_path):
    text = STREET_CSV.read_text(encoding="utf-8-sig")
    gbk = tmp_path / "清单_gbk.csv"
    gbk.write_bytes(("××区下放事项目录\r\n\r\n" + text).encode("gbk"))
    utf8, legacy = read_sheets(STREET_CSV)[0], read_sheets(gbk)[0]
    assert [cells for _, cells in legacy.rows[1:]] == [cells for _, cells in utf8.rows]
    assert legacy.rows[1][0] == 3  # the header is on the third line
    assert normalize_header(" 事项 名称（必填）") == "事项名称"
    assert normalize_header("实施主体／承办机构") == "实施主体/承办机构"


def test_committed_xlsx_sample_is_what_the_generator_writes():
    sheet = read_sheets(SAMPLE_XLSX)[0]
    cells = {number: values for number, values in sheet.rows}
    assert cells[3] == HEADER
    for offset, row in enumerate(ROWS, start=4):
        expected = tuple("" if (offset == 10 and i in (2, 4)) else v for i, v in enumerate(row))
        assert cells[offset] == expected, offset


def test_dry_run_prints_the_diff_and_writes_nothing(cli_env, capsys):
    knowledge_dir, url = cli_env
    before = _version(url)
    assert _cli(str(TOWN_XLSX), "--unit-kind", "town", "--document", "DEMO-XF-2020", "--dry-run") == 0
    out = capsys.readouterr().out
    assert "预览（--dry-run，未写入）：15 行 → 新增 10 项，修改 2 项，未变 3 项，删除 0 项" in out
    assert "+ 440100-XF-XK-0101 使用原有宅基地、村内空闲地和其他土地建住宅的审批" in out
    assert "~ paishui 对排水户未取得污水排入排水管网许可证排放污水的处罚" in out
    assert "镇 no → yes" in out and "承办机构 （空） → 综合行政执法办公室" in out
    assert "canyin_youyan" not in out  # listed, but nothing changes
    assert not (knowledge_dir / "imports").exists()
    assert _version(url) == before


def test_reimporting_a_list_replaces_it_and_reports_removed_items(kb):
    knowledge_dir, url = kb
    import_list(STREET_CSV, knowledge_dir, url, unit_kind="noncentral_street", progress=False)
    rows = list(csv.reader(io.StringIO(STREET_CSV.read_text(encoding="utf-8-sig"))))
    shorter = _write_csv(knowledge_dir.parent / "shorter.csv", rows[:-1])  # drops 440100-XF-QT-0701
    result = import_list(
        shorter,
        knowledge_dir,
        url,
        unit_kind="noncentral_street",
        progress=False,
        name="下放事项目录_非中心城区街道",
        dry_run=True,
    )
    assert [(c.kind, c.code) for c in result.changes] == [("removed", "440100-XF-QT-0701")]
    assert "- 440100-XF-QT-0701 主动公开农业农村政策落实" in describe(result)


# ---------------------------------------------------------------------------
# Rejections: everything at once, nothing written


def test_erroneous_sample_is_rejected_row_by_row_and_nothing_changes(kb):
    knowledge_dir, url = kb
    import_list(STREET_CSV, knowledge_dir, url, unit_kind="noncentral_street", progress=False)
    version, imports = _version(url), _snapshot(knowledge_dir / "imports")

    with pytest.raises(ImportRejected) as rejected:
        import_list(
            BROKEN_CSV, knowledge_dir, url, unit_kind="town", name="下放事项目录_非中心城区街道", progress=False
        )
    problems = rejected.value.problems
    found = {(p.sheet, p.row, p.column.split("「")[-1].rstrip("」")): p.reason for p in problems}
    sheet = BROKEN_CSV.name
    expected = {
        (sheet, 3, "权力类型"): "未知的权力类型：'行政乱罚'",
        (sheet, 4, "事项名称"): "缺少事项名称",
        (sheet, 5, "实施依据"): "缺少实施依据",
        (sheet, 6, "事项编码"): "事项编码重复：440100-XF-CF-0901（与第2行相同）",
        (sheet, 7, "适用镇街"): "未知的镇街：'天河区不存在街道'",
    }
    assert set(found) == set(expected)
    for key, reason in expected.items():
        assert reason in found[key], (key, found[key])
    assert str(problems[0]).startswith(f"{sheet}, 第3行, E列「权力类型」: 未知的权力类型")

    assert _version(url) == version
    assert _snapshot(knowledge_dir / "imports") == imports


def test_cli_rejects_with_exit_code_2_and_row_level_messages(cli_env, capsys):
    knowledge_dir, url = cli_env
    version = _version(url)
    assert _cli(str(BROKEN_CSV), "--unit-kind", "town") == 2
    err = capsys.readouterr().err
    assert "清单被拒绝，知识库和 knowledge/imports/ 均未改动" in err
    assert "下放事项目录_错误示例.csv, 第7行, H列「适用镇街」: 未知的镇街" in err
    assert _version(url) == version and not (knowledge_dir / "imports").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.xlsx", "--unit-kind", "town"], "文件不存在"),
        ([str(TOWN_XLSX), "--unit", "天河区不存在街道"], "未知的镇街"),
        ([str(TOWN_XLSX), "--unit-kind", "town", "--document", "NO-SUCH-DOC"], "未知的文件编号"),
        ([str(TOWN_XLSX)], "未指定适用范围"),
        ([str(TOWN_XLSX), "--unit-kind", "town", "--name", "../escape"], "导入名称只能包含"),
    ],
)
def test_cli_exit_code_2_for_bad_input(cli_env, capsys, args, message):
    assert _cli(*args) == 2
    assert message in capsys.readouterr().err
    assert not (cli_env[0] / "imports").exists()


def test_cli_refuses_two_scopes_and_old_xls(cli_env, capsys, tmp_path):
    with pytest.raises(SystemExit) as exited:
        _cli(str(TOWN_XLSX), "--unit-kind", "town", "--unit", "天河区石牌街道")
    assert exited.value.code == 2
    old = tmp_path / "清单.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    assert _cli(str(old), "--unit-kind", "town") == 2
    assert "另存为 .xlsx" in capsys.readouterr().err


def test_cli_success_exit_code_0_and_retrain_notice(cli_env, capsys, tmp_path):
    knowledge_dir, url = cli_env
    build_dir = tmp_path / "build"
    lexicon = LexiconFiles(build_dir / "jieba", build_dir / "nlu" / "lookups.yml", build_dir / "asr" / "vocabulary.txt")
    write_lexicon(KnowledgeProvider(url, check_every_s=0).get(), lexicon)
    listing = _write_csv(
        tmp_path / "别名清单.csv",
        [
            ["序号", "事项编码", "事项名称", "权力类型", "实施依据", "承办机构", "别名"],
            [
                "1",
                "440100-XF-QT-0601",
                "业主委员会备案",
                "其他行政权力",
                "《物业管理条例》第十六条第一款",
                "公共服务办公室",
                "业委会备案;业主委员会成立备案",
            ],
        ],
    )
    assert _cli(str(listing), "--unit-kind", "town") == 0
    out = capsys.readouterr().out
    assert "已导入" in out and "下次 make run / make setup 会重新训练模型" in out
    assert "业委会备案" in lexicon.lookup_file.read_text(encoding="utf-8")
    assert "matter 业委会备案" in lexicon.vocabulary_file.read_text(encoding="utf-8").splitlines()
    assert (knowledge_dir / "imports" / "别名清单.csv").exists()


def test_a_failed_build_leaves_database_and_imports_folder_as_they_were(kb, monkeypatch):
    knowledge_dir, url = kb
    version = _version(url)

    def explode(session, sources):  # type: ignore[no-untyped-def]
        raise RuntimeError("disk full")

    monkeypatch.setattr(build_module, "_fill", explode)
    with pytest.raises(RuntimeError):
        import_list(TOWN_XLSX, knowledge_dir, url, unit_kind="town", progress=False)
    assert _version(url) == version
    assert not (knowledge_dir / "imports").exists()


def test_rows_that_break_whole_knowledge_rules_are_located_in_the_list(kb, tmp_path):
    knowledge_dir, url = kb
    # zhandao_jingying is yes for every kind and names no holder; a unit opting out must say who acts.
    listing = _write_csv(
        tmp_path / "石牌.csv",
        [
            ["序号", "事项编码", "事项名称", "权力类型", "实施依据", "承办机构", "行使方式"],
            [
                "1",
                "zhandao_jingying",
                "对擅自占用城市道路摆摊设点的处罚",
                "行政处罚",
                "《城市道路管理条例》第四十二条",
                "",
                "不承接",
            ],
        ],
    )
    with pytest.raises(ImportRejected) as rejected:
        import_list(listing, knowledge_dir, url, unit="石牌街道", progress=False)
    assert [(p.sheet, p.row) for p in rejected.value.problems] == [("石牌.csv", 2)]
    assert "实施主体" in rejected.value.problems[0].reason


def test_hand_edited_imports_file_is_validated_by_the_build(kb):
    knowledge_dir, url = kb
    imports = knowledge_dir / "imports"
    imports.mkdir()
    (imports / "手工.csv").write_text(
        "code,name,town,central_street,noncentral_street,unit_rules\npaishui,,,,,天河区不存在街道=yes\n",
        encoding="utf-8",
    )
    with pytest.raises(BuildRejected) as rejected:
        build(knowledge_dir, url)
    assert any(
        p.file == "imports/手工.csv" and p.line == 2 and "未知的镇街" in p.reason for p in rejected.value.problems
    )


# ---------------------------------------------------------------------------
# A unit's own list


def test_unit_list_changes_that_unit_and_not_its_neighbours(kb, tmp_path):
    knowledge_dir, url = kb
    listing = _write_csv(
        tmp_path / "石牌街道权责清单.csv",
        [
            ["石牌街道权责清单（演示）"],
            ["序号", "事项编码", "事项名称", "权力类型", "实施依据", "承办机构", "行使方式", "部门"],
            [
                "1",
                "paishui",
                "对排水户未取得污水排入排水管网许可证排放污水的处罚",
                "行政处罚",
                "《城镇排水与污水处理条例》第五十条",
                "综合行政执法办公室",
                "委托实施",
                "",
            ],
            [
                "2",
                "zhandao_jingying",
                "对擅自占用城市道路、公共场地摆摊设点（占道经营）的处罚",
                "行政处罚",
                "《城市道路管理条例》第二十七条、第四十二条",
                "",
                "不承接",
                "区城市管理和综合执法局",
            ],
        ],
    )
    result = import_list(listing, knowledge_dir, url, unit="石牌街道", progress=False)
    assert {c.code for c in result.of_kind("changed")} == {"paishui", "zhandao_jingying"}
    paishui_change = next(c for c in result.changes if c.code == "paishui")
    assert any(f.field == "天河区石牌街道" and f.after == "yes" for f in paishui_change.fields)

    k = KnowledgeProvider(url, check_every_s=0).get()
    shipai, shahe, liede = (_unit(k, n) for n in ("天河区石牌街道", "天河区沙河街道", "天河区猎德街道"))
    assert shipai.kind == shahe.kind == liede.kind == "central_street"

    own = decide(k, shipai, k.items["paishui"])
    assert (own.verdict, own.handled_by) == ("yes", "综合行政执法办公室")
    assert any("本镇街清单" in step and "优先于中心城区街道规则" in step for step in own.trace)
    for neighbour in (shahe, liede):
        assert decide(k, neighbour, k.items["paishui"]).verdict == "no"
        assert decide(k, neighbour, k.items["zhandao_jingying"]).verdict == "yes"
    opted_out = decide(k, shipai, k.items["zhandao_jingying"])
    assert (opted_out.verdict, opted_out.held_by) == ("no", "区城市管理和综合执法局")

    # Listing the unit's powers follows its own list too: one item in, one out.
    def listed(unit):  # type: ignore[no-untyped-def]
        first = list_powers(k, unit, "行政处罚").messages[1].custom
        pages = [list_powers(k, unit, "行政处罚", page=n).messages[1].custom for n in range(1, first["pages"] + 1)]
        return {row["code"] for page in pages for row in page["items"]}

    own_list, neighbours_list = listed(shipai), listed(shahe)
    assert own_list - neighbours_list == {"paishui"}
    assert neighbours_list - own_list == {"zhandao_jingying"}


# ---------------------------------------------------------------------------
# Running servers and large files


def test_a_provider_opened_before_the_import_serves_the_new_version(kb):
    knowledge_dir, url = kb
    provider = KnowledgeProvider(url)  # the running assistant's: checks the version every 2 s
    old = provider.get()
    assert "440100-XF-XK-0101" not in old.items
    result = import_list(TOWN_XLSX, knowledge_dir, url, unit_kind="town", progress=False)
    deadline = time.monotonic() + 5
    while provider.get().version == old.version and time.monotonic() < deadline:
        time.sleep(0.1)
    new = provider.get()
    assert new.version == result.version
    assert new.items["440100-XF-XK-0101"].rules["town"] == "yes"


def test_a_large_list_shows_progress(kb, tmp_path, capsys):
    knowledge_dir, url = kb
    bases = [
        ("《村庄和集镇规划建设管理条例》第四十条", "行政处罚"),
        ("《物业管理条例》第十六条第一款", "其他行政权力"),
        ("《地质灾害防治条例》第十五条", "行政检查"),
    ]
    rows = [["序号", "事项编码", "事项名称", "权力类型", "实施依据", "承办机构"]]
    for i in range(600):
        basis, power_type = bases[i % 3]
        rows.append([str(i + 1), f"GEN-{i:05d}", f"生成的演示事项第{i + 1}项", power_type, basis, "综合行政执法办公室"])
    listing = _write_csv(tmp_path / "大清单.csv", rows)
    result = import_list(listing, knowledge_dir, url, unit_kind="town", progress=True, dry_run=True)
    assert len(result.of_kind("added")) == 600
    assert "校验清单" in capsys.readouterr().err
