"""操作记录 (admin only): the audit trail of every change made in the console or its CLI."""

from __future__ import annotations

import asyncio

from aiohttp import web

from bot.ops import changes
from bot.web.admin import Routes, options, render

routes = Routes()

PAGE_SIZE = 50


@routes.get("/trail", role="admin", nav="操作记录", order=95)
async def trail(request: web.Request) -> web.StreamResponse:
    try:
        page = max(1, int(request.query.get("page", "1")))
    except ValueError:
        page = 1
    action = request.query.get("action", "").strip()[:64] or None
    rows, total = await asyncio.to_thread(
        changes.recent, PAGE_SIZE, (page - 1) * PAGE_SIZE, action, options(request).ops_url
    )
    return await render(
        request,
        "trail.html",
        title="操作记录",
        changes=rows,
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        action=action or "",
    )
