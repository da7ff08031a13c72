"""未答问题: questions answered 未找到, asked back which matter was meant, or rated 👎 —
grouped by similar wording, most frequent first. An editor picks the item a group means
(search as you type: ``/admin/api/items?q=``) and its wording becomes an alias — a new
knowledge-base version the assistant answers from right after — or marks it 不在清单中."""

from __future__ import annotations

import asyncio

from aiohttp import web

from bot.curation import misses
from bot.errors import BuildRejected, KnowledgeError
from bot.web.admin import Routes, current_user, knowledge, options, record_change, redirect, render
from bot.web.admin.kb_paths import kb_paths

routes = Routes()


@routes.get("/misses", role="viewer", nav="未答问题", order=65)
async def miss_list(request: web.Request) -> web.StreamResponse:
    kb = await knowledge(request)
    groups = await asyncio.to_thread(misses.queue, kb, kb_paths().kb_url, options(request).ops_url)
    return await render(
        request, "misses.html", title="未答问题", groups=groups[:100], total=len(groups), reasons=misses.REASON_LABELS
    )


@routes.get("/api/items", role="viewer")
async def item_search(request: web.Request) -> web.StreamResponse:
    kb = await knowledge(request)
    found = await asyncio.to_thread(misses.search_items, kb, request.query.get("q", "")[:50])
    return web.json_response({"items": found}, dumps=_dumps)


@routes.post("/misses/resolve", role="editor")
async def miss_resolve(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    code = str(form.get("code") or "").strip()
    alias = str(form.get("alias") or "").strip()
    group = await _group(request, str(form.get("wording") or ""))
    if not code:
        raise redirect("/admin/misses", "请先从候选或搜索结果中选一个事项。")
    paths = kb_paths()
    try:
        added = await asyncio.to_thread(
            misses.resolve,
            group,
            code,
            alias or group.wording,
            paths.knowledge_dir,
            paths.kb_url,
            actor=current_user(request).name,
            lexicon=paths.lexicon,
        )
    except BuildRejected as exc:
        raise redirect("/admin/misses", f"知识库来源有 {len(exc.problems)} 个问题，别名未添加。") from exc
    except KnowledgeError as exc:
        raise redirect("/admin/misses", str(exc)) from exc
    await record_change(
        request,
        "alias.add",
        added.code,
        None,
        {"alias": added.alias, "wording": group.wording, "version": added.version},
    )
    raise redirect(
        "/admin/misses", f"已把“{added.alias}”加为“{added.name}”的别名（版本 {added.version}），助手几秒内就能回答。"
    )


@routes.post("/misses/dismiss", role="editor")
async def miss_dismiss(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    group = await _group(request, str(form.get("wording") or ""))
    await asyncio.to_thread(misses.dismiss, group, kb_paths().kb_url, actor=current_user(request).name)
    await record_change(request, "miss.not_in_list", group.wording, None, {"count": group.count})
    raise redirect("/admin/misses", f"已标记“{group.wording}”为不在清单中。")


async def _group(request: web.Request, wording: str) -> misses.MissGroup:
    kb = await knowledge(request)
    groups = await asyncio.to_thread(misses.queue, kb, kb_paths().kb_url, options(request).ops_url)
    try:
        return misses.find_group(groups, wording)
    except KnowledgeError as exc:
        raise redirect("/admin/misses", str(exc)) from exc


def _dumps(value: object) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)
