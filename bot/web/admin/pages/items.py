"""权责清单: the list in force — browse and search, and one item with everything answers cite."""

from __future__ import annotations

from aiohttp import web

from bot.web.admin import Routes, knowledge, render
from bot.web.admin.catalog import LABELS, Filters, choices, duties_of, kind_verdicts, own_rules, search

routes = Routes()

PAGE_SIZE = 50


@routes.get("/items", role="viewer", nav="权责清单", order=10)
async def item_list(request: web.Request) -> web.StreamResponse:
    kb = await knowledge(request)
    filters = Filters.of(dict(request.query))
    listing = search(kb, filters)
    try:
        page = max(1, int(request.query.get("page", "1")))
    except ValueError:
        page = 1
    pages = max(1, -(-len(listing.rows) // PAGE_SIZE))
    page = min(page, pages)
    shown_rows = listing.rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    query = {k: v for k, v in vars(filters).items() if v}
    return await render(
        request,
        "items.html",
        title="权责清单",
        kb=kb,
        f=filters,
        query=query,
        listing=listing,
        rows=shown_rows,
        page=page,
        pages=pages,
        choices=choices(kb),
        labels=LABELS,
    )


@routes.get("/items/{code}", role="viewer")
async def item_page(request: web.Request) -> web.StreamResponse:
    kb = await knowledge(request)
    item = kb.items.get(request.match_info["code"])
    if item is None:
        raise web.HTTPNotFound(text=f"知识库（版本 {kb.version}）中没有事项“{request.match_info['code']}”。")
    agencies = [a for a in kb.agencies if item.code in a.items]
    return await render(
        request,
        "item.html",
        title=item.name,
        kb=kb,
        item=item,
        kinds=kind_verdicts(item),
        own=own_rules(item),
        duties=duties_of(kb, item.code),
        agencies=agencies,
        labels=LABELS,
    )
