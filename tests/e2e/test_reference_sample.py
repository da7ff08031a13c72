"""A sample of the 42 reference matters × the three unit kinds, through REST."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from bot.client import payload_of

REFERENCE = Path(__file__).resolve().parents[1] / "data" / "reference" / "core_matters.csv"
UNITS = {"town": "白云区钟落潭镇", "central_street": "越秀区流花街道", "noncentral_street": "番禺区市桥街道"}


def _sample():
    with open(REFERENCE, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return rows[::3]  # 14 matters, spread over the list


@pytest.mark.parametrize("row", _sample(), ids=lambda r: r["key"])
def test_reference_matter_for_each_unit_kind(chat_factory, row):
    alias = row["aliases"].split(";")[0]
    for kind, unit in UNITS.items():
        chat = chat_factory()
        payload = payload_of(chat.say(f"{unit}能不能管{alias}？"))
        assert payload is not None and payload["type"] == "power_answer", (unit, alias, payload)
        assert payload["item"]["code"] == row["key"], (unit, alias)
        assert payload["verdict"] == row[kind], (unit, alias)
        if row[kind] in ("yes", "assist") and row["office"] != "应急管理办公室":
            assert payload["handled_by"] == row["office"]
