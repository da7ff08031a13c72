"""The generator of ``knowledge/samples/下放事项目录_镇.xlsx`` (kept as a test fixture).

Run ``python -m tests.bot.kb.sample_lists`` after changing the rows; a test checks that the
committed file holds exactly these cells. The layout is the one official lists use: a title
and a note above the header row, 主项 cells merged over their 子项 rows, a footnote below.
"""

from __future__ import annotations

from pathlib import Path

SAMPLE_XLSX = Path(__file__).resolve().parents[3] / "knowledge" / "samples" / "下放事项目录_镇.xlsx"
TITLE = "××区向镇下放区级管理权限事项目录（演示）"
SUBTITLE = "演示数据：按广州镇街体制改革规则编制，非官方文件"
HEADER = ("序号", "事项编码", "事项名称", "子项", "权力类型", "实施依据", "实施主体/承办机构", "原实施部门", "备注")
FOOTNOTE = "注：本目录所列事项自文件生效之日起由镇人民政府以自己的名义实施。"
_CF = "综合行政执法办公室"
ROWS = (
    (
        "1",
        "paishui",
        "对排水户未取得污水排入排水管网许可证排放污水的处罚",
        "",
        "行政处罚",
        "《城镇排水与污水处理条例》第五十条",
        f"镇人民政府/{_CF}",
        "区水务局",
        "",
    ),
    (
        "2",
        "xiangcun_xuke",
        "乡村建设规划许可证核发",
        "",
        "行政许可",
        "《城乡规划法》第四十一条",
        "镇人民政府/公共服务办公室",
        "区规划和自然资源局",
        "委托实施",
    ),
    (
        "3",
        "canyin_youyan",
        "对餐饮服务业经营者超过排放标准排放油烟的处罚",
        "",
        "行政处罚",
        "《大气污染防治法》第一百一十八条第一款",
        f"镇人民政府/{_CF}",
        "区生态环境分局",
        "",
    ),
    (
        "4",
        "feifa_zhandi",
        "对农村村民未经批准非法占用土地建住宅的责令退还、限期拆除",
        "",
        "行政处罚",
        "《土地管理法》第七十八条",
        f"镇人民政府/{_CF}",
        "区农业农村局",
        "",
    ),
    (
        "5",
        "maizang",
        "对在公墓和农村公益性墓地以外埋葬遗体、建造坟墓的责令限期改正",
        "",
        "行政处罚",
        "《殡葬管理条例》第二十条",
        f"镇人民政府/{_CF}",
        "区民政局",
        "",
    ),
    (
        "6",
        "440100-XF-XK-0101",
        "农村村民在村庄、集镇规划区内建住宅的审批",
        "使用原有宅基地、村内空闲地和其他土地建住宅的审批",
        "行政许可",
        "《村庄和集镇规划建设管理条例》第十八条第一款第（二）项",
        "镇人民政府/公共服务办公室",
        "区规划和自然资源局",
        "",
    ),
    (
        "7",
        "440100-XF-XK-0102",
        "",
        "需要使用耕地建住宅的审核",
        "",
        "《村庄和集镇规划建设管理条例》第十八条第一款第（一）项",
        "镇人民政府/公共服务办公室",
        "区规划和自然资源局",
        "镇审核后报区审查批准",
    ),
    (
        "8",
        "440100-XF-QT-0101",
        "公布经批准的村庄、集镇规划",
        "",
        "其他行政权力",
        "《村庄和集镇规划建设管理条例》第十七条",
        "党政综合办公室",
        "区规划和自然资源局",
        "",
    ),
    (
        "9",
        "440100-XF-QT-0102",
        "村庄、集镇规划的局部调整并报区人民政府备案",
        "",
        "其他行政权力",
        "《村庄和集镇规划建设管理条例》第十五条",
        "党政综合办公室",
        "区规划和自然资源局",
        "",
    ),
    (
        "10",
        "440100-XF-QT-0201",
        "与农村集体经济组织或者村民委员会签订基本农田保护责任书",
        "",
        "其他权力",
        "《基本农田保护条例》第二十七条第一款",
        "公共服务办公室",
        "区规划和自然资源局",
        "",
    ),
    (
        "11",
        "440100-XF-QT-0202",
        "统筹使用进城落户农村村民自愿有偿退出的宅基地",
        "",
        "其他权力",
        "《土地管理法实施条例》第三十五条",
        "公共服务办公室",
        "区农业农村局",
        "",
    ),
    (
        "12",
        "440100-XF-QT-0301",
        "将消防水源、消防车通道等农村消防设施建设纳入农村基础设施建设",
        "",
        "其他行政权力",
        "《广东省实施《消防法》办法》第十六条第一款",
        "应急管理办公室",
        "区消防救援大队",
        "",
    ),
    (
        "13",
        "440100-XF-QT-0401",
        "向社会力量购买免疫注射、清洗消毒、无害化处理等动物防疫服务",
        "",
        "其他行政权力",
        "《广东省动物防疫条例》第九条第二款",
        "公共服务办公室",
        "区农业农村局",
        "",
    ),
    (
        "14",
        "440100-XF-QT-0501",
        "对业主大会、业主委员会违反法律法规的决定责令限期改正或者撤销",
        "",
        "其他行政权力",
        "《物业管理条例》第十九条第二款",
        "公共服务办公室",
        "区住房和城乡建设局",
        "",
    ),
    (
        "15",
        "440100-XF-GF-0101",
        "培育农村实用人才",
        "",
        "公共服务",
        "《广东省乡村振兴促进条例》第五十五条",
        "公共服务办公室",
        "区农业农村局",
        "",
    ),
)
MERGED = ("C9:C10", "E9:E10")  # the 主项 and its type over rows 6 and 7 of the list


def write_town_list(path: Path) -> None:
    import openpyxl
    from openpyxl.styles import Alignment, Font

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "下放事项目录"
    sheet.append([TITLE])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([SUBTITLE])
    sheet.append(list(HEADER))
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for row in ROWS:
        sheet.append(list(row))
    for span in MERGED:
        sheet.merge_cells(span)
    sheet.append([])
    sheet.append([FOOTNOTE])
    for column, width in zip("ABCDEFGHI", (6, 20, 40, 36, 12, 40, 28, 18, 16), strict=True):
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=4):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="center")
    workbook.properties.creator = "镇街权责助手 samples"
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)


if __name__ == "__main__":
    write_town_list(SAMPLE_XLSX)
    print(f"wrote {SAMPLE_XLSX}")
