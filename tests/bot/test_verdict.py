import csv
from pathlib import Path

import pytest

from bot.verdict import decide

REFERENCE = Path(__file__).resolve().parents[1] / "data" / "reference" / "core_matters.csv"
SAMPLE_UNIT = {"town": "白云区江高镇", "central_street": "天河区石牌街道", "noncentral_street": "增城区荔城街道"}


def _reference_rows():
    with open(REFERENCE, encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("row", _reference_rows(), ids=lambda r: r["key"])
@pytest.mark.parametrize("kind", ["town", "central_street", "noncentral_street"])
def test_every_core_matter_for_every_unit_kind(knowledge, row, kind):
    unit = next(u for u in knowledge.units if u.full_name == SAMPLE_UNIT[kind])
    v = decide(knowledge, unit, knowledge.items[row["key"]])
    assert v.verdict == row[kind]
    if v.verdict in ("yes", "assist"):
        expected = row["office"]
        if expected == "应急管理办公室" and "应急管理办公室" not in unit.offices:
            expected = "综合治理办公室"
        assert v.handled_by == expected
    else:
        assert v.handled_by is None
    if v.verdict in ("no", "assist") and row["held_by"]:
        assert v.held_by == row["held_by"]
    laws = {ref.law for ref in v.legal_basis}
    assert all(f"《{law}》" in row["legal_basis"] for law in laws)
    assert v.delegation is not None and v.trace


def test_trace_explains_the_substitute_office(knowledge):
    unit = next(u for u in knowledge.units if u.full_name == "白云区江高镇")
    v = decide(knowledge, unit, knowledge.items["anquan_jiancha"])
    assert v.handled_by == "综合治理办公室"
    assert any("未设应急管理办公室" in step for step in v.trace)


def test_law_given_duty_cites_the_law_as_its_source(knowledge):
    unit = next(u for u in knowledge.units if u.full_name == "白云区江高镇")
    v = decide(knowledge, unit, knowledge.items["zhaijidi"])
    assert "土地管理法" in v.delegation.document and v.delegation.effective == "2019-08-26"
