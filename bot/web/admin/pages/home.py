"""首页: the knowledge base in force and what the account may do."""

from __future__ import annotations

from aiohttp import web

from bot.web.admin import Routes, knowledge, render

routes = Routes()


@routes.get("/", role="viewer", nav="首页", order=0)
async def home(request: web.Request) -> web.StreamResponse:
    kb = await knowledge(request)
    kinds: dict[str, int] = {}
    for unit in kb.units:
        kinds[unit.kind] = kinds.get(unit.kind, 0) + 1
    return await render(
        request,
        "home.html",
        title="首页",
        kb=kb,
        unit_kinds=sorted(kinds.items()),
        power_types=len({item.power_type for item in kb.items.values()}),
    )
