"""使用情况 in the console: figures from the audit records, SVG charts, formula-safe CSV."""

from __future__ import annotations

import csv
import io
import re

from bot import audit
from bot.ops import changes


def seed(url: str) -> None:
    """Six questions: 3 answered (one 👍, one 👎), 1 unknown, 1 clarified, 1 not understood."""
    asked = [
        ("web:a", "web", "石牌街道能不能处罚占道经营", "天河区石牌街道", "zhandao_jingying", "yes", 800),
        ("web:a", "web", "那沙河街道呢", "天河区沙河街道", "zhandao_jingying", "yes", 600),
        ("wecom:b", "wecom", "江高镇能批宅基地吗", "白云区江高镇", "zhaijidi", "yes", 1000),
        ("wecom:b", "wecom", '=HYPERLINK("http://evil")', "白云区江高镇", None, "unknown", 400),
        ("dingtalk:c", "dingtalk", "能不能处罚", None, None, "clarify", 300),
        ("dingtalk:c", "dingtalk", "你好呀", None, None, "fallback", None),
    ]
    ids = []
    for sender, channel, text, unit, matter, verdict, latency in asked:
        entry = audit.Entry(
            sender=sender, text=text, channel=channel, unit=unit, matter=matter, verdict=verdict, latency_ms=latency
        )
        ids.append(audit.record(entry, url))
    audit.rate("web:a", "up", record_id=ids[0], url=url)
    audit.rate("wecom:b", "down", "清单已调整", record_id=ids[2], url=url)


async def test_usage_page_shows_outcomes_ratings_latency_and_charts(open_console, fresh_ops):
    seed(fresh_ops)
    console = await open_console("viewer")
    status, html = await console.page("/admin/usage?days=7")
    assert status == 200
    assert '<div class="figure" id="total">6</div>' in html
    figures = dict(
        re.findall(r'<div class="muted">(已回答|未找到|反问澄清|未理解/其他)</div><div class="figure">(\d+)', html)
    )
    assert figures == {"已回答": "3", "未找到": "1", "反问澄清": "1", "未理解/其他": "1"}
    assert "1 / 1" in html and "好评率 50%" in html
    assert "600 ms" in html  # median of 800, 600, 1000, 400, 300
    assert html.count('<svg class="chart"') == 4
    assert "占道经营" in html and "天河区石牌街道" in html and "企业微信" in html
    assert "<title>" in html and "HYPERLINK" not in html.split("<h2>每天的提问</h2>")[1].split("<h2>导出")[0]


async def test_csv_exports_are_formula_safe_and_written_to_the_trail(open_console, fresh_ops):
    seed(fresh_ops)
    console = await open_console("viewer")
    response = await console.client.get("/admin/usage.csv?days=7&what=records")
    assert response.status == 200 and response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    body = (await response.read()).decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    assert len(rows) == 6
    assert rows[3]["text"] == '\'=HYPERLINK("http://evil")'
    assert rows[2]["rating"] == "down" and rows[2]["latency_ms"] == "1000"

    daily = (await (await console.client.get("/admin/usage.csv?days=7")).read()).decode("utf-8").lstrip("\ufeff")
    lines = list(csv.reader(io.StringIO(daily)))
    assert lines[0] == ["日期", "提问数", "已回答", "未找到", "反问澄清", "未理解/其他"]
    assert len(lines) == 8 and lines[-1][1:] == ["6", "3", "1", "1", "1"]

    exports = [c for c in changes.recent(url=fresh_ops)[0] if c.action == "usage.export"]
    assert [(c.actor, c.target, c.after["rows"]) for c in exports] == [("viewer", "daily", 7), ("viewer", "records", 6)]
