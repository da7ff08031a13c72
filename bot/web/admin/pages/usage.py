"""使用情况: questions per day / unit / channel, outcomes, top matters, 👍/👎, latency; CSV export.

CSV cells a spreadsheet would run as formulas (``=``, ``+``, ``-``, ``@``) are
prefixed with ``'`` (bot.report.spreadsheet_safe). Exports are written to the
audit trail: the records name the staff who asked.
"""

from __future__ import annotations

import asyncio
import csv
import io

from aiohttp import web

from bot import usage as stats
from bot.ops.models import AuditRecord
from bot.report import spreadsheet_safe
from bot.web.admin import Routes, knowledge, options, record_change, render
from bot.web.admin.charts import horizontal_bars, stacked_bars

routes = Routes()

PERIODS = (7, 30, 90, 365)
SERIES = [(key, stats.OUTCOME_NAMES[key]) for key in stats.OUTCOMES]
RECORD_COLUMNS = [c.name for c in AuditRecord.__table__.columns if c.name != "import_id"]


def _days(request: web.Request) -> int:
    try:
        return max(1, min(int(request.query.get("days", "30")), stats.MAX_DAYS))
    except ValueError:
        return 30


def _percent(part: int, whole: int) -> str:
    return f"{part * 100 / whole:.0f}%" if whole else "—"


@routes.get("/usage", role="viewer", nav="使用情况", order=20)
async def usage_page(request: web.Request) -> web.StreamResponse:
    days = _days(request)
    first, last = stats.period(days)
    u = await asyncio.to_thread(stats.usage, first, last, 15, options(request).ops_url)
    kb = await knowledge(request)
    names = {code: item.name for code, item in kb.items.items()}
    per_day = [(d.strftime("%m-%d"), v) for d, v in u.per_day]
    channel = [(stats.CHANNEL_NAMES.get(c or None, c), n) for c, n in u.per_channel]
    return await render(
        request,
        "usage.html",
        title="使用情况",
        u=u,
        days=days,
        periods=PERIODS,
        names=stats.OUTCOME_NAMES,
        percent=_percent,
        day_chart=stacked_bars(f"{first} 至 {last} 每天的提问", per_day, SERIES),
        unit_chart=horizontal_bars("提问最多的镇街", [(unit or "未说明镇街", n) for unit, n in u.per_unit]),
        channel_chart=horizontal_bars("各渠道提问数", channel),
        matter_chart=horizontal_bars("问得最多的事项", [(names.get(code, code), n) for code, n in u.top_matters]),
    )


@routes.get("/usage.csv", role="viewer")
async def usage_csv(request: web.Request) -> web.StreamResponse:
    """``what=daily``: one row a day; ``what=records``: every question of the period."""
    days = _days(request)
    what = "records" if request.query.get("what") == "records" else "daily"
    first, last = stats.period(days)
    ops_url = options(request).ops_url
    if what == "daily":
        u = await asyncio.to_thread(stats.usage, first, last, 15, ops_url)
        header = ["日期", "提问数", *(stats.OUTCOME_NAMES[o] for o in stats.OUTCOMES)]
        rows: list[list[object]] = [
            [day.isoformat(), sum(v.values()), *(v[o] for o in stats.OUTCOMES)] for day, v in u.per_day
        ]
    else:
        records = await asyncio.to_thread(stats.records, first, last, ops_url)
        header = RECORD_COLUMNS
        rows = [[getattr(r, c) for c in RECORD_COLUMNS] for r in records]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows([spreadsheet_safe(v) for v in row] for row in rows)
    await record_change(request, "usage.export", what, None, {"from": str(first), "to": str(last), "rows": len(rows)})
    name = f"usage-{what}-{first}_{last}.csv"
    return web.Response(
        body=("\ufeff" + buffer.getvalue()).encode("utf-8"),  # with BOM: Excel opens UTF-8 as such
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
