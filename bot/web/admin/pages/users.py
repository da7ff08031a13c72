"""用户镇街: which unit each staff account belongs to (what ``python -m bot.users`` does).

A unit set here is an administrator's (``source = admin``): chat and channel
metadata never overwrite it (bot.users.PRECEDENCE).
"""

from __future__ import annotations

import asyncio

from aiohttp import web

from bot import users
from bot.units import find_unit
from bot.web.admin import Routes, knowledge, options, record_change, redirect, render
from bot.web.unit_search import search_units

routes = Routes()

SOURCE_NAMES = {"admin": "管理员设置", "chat": "对话中告知", "metadata": "渠道信息"}
MAX_SENDER = 128


@routes.get("/users", role="viewer", nav="用户镇街", order=30)
async def user_list(request: web.Request) -> web.StreamResponse:
    query = request.query.get("q", "").strip()[:64]
    rows = await asyncio.to_thread(users.all_users, options(request).ops_url)
    if query:
        rows = [r for r in rows if query in r[0] or query in r[1]]
    return await render(
        request,
        "users.html",
        title="用户镇街",
        rows=rows,
        q=query,
        sources=SOURCE_NAMES,
        error=None,
        form={},
        options=[],
    )


@routes.post("/users", role="editor")
async def set_unit(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    sender = str(form.get("sender") or "").strip()[:MAX_SENDER]
    wanted = str(form.get("unit") or "").strip()[:64]
    kb = await knowledge(request)
    unit = find_unit(kb, wanted) if wanted else None
    if not sender or unit is None:
        if not sender:
            error = "请填写用户标识（例如 wecom:zhangsan）。"
        elif not wanted:
            error = "请填写镇街。"
        else:
            error = f"找不到唯一的镇街“{wanted}”，请写全称，例如“天河区石牌街道”。"
        rows = await asyncio.to_thread(users.all_users, options(request).ops_url)
        return await render(
            request,
            "users.html",
            title="用户镇街",
            status=400,
            rows=rows,
            q="",
            sources=SOURCE_NAMES,
            error=error,
            form={"sender": sender, "unit": wanted},
            options=search_units(kb, wanted) if wanted else [],
        )
    ops_url = options(request).ops_url
    before = await asyncio.to_thread(_stored, sender, ops_url)
    await asyncio.to_thread(users.remember, sender, unit.full_name, "admin", ops_url)
    await record_change(request, "user_unit.set", sender, before, {"unit": unit.full_name, "source": "admin"})
    raise redirect("/admin/users", f"已设置 {sender} → {unit.full_name}。")


@routes.post("/users/clear", role="editor")
async def clear_unit(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    sender = str(form.get("sender") or "").strip()[:MAX_SENDER]
    ops_url = options(request).ops_url
    before = await asyncio.to_thread(_stored, sender, ops_url)
    if before is None:
        raise redirect("/admin/users", f"{sender} 没有保存镇街。")
    await asyncio.to_thread(users.forget, sender, ops_url)
    await record_change(request, "user_unit.clear", sender, before, None)
    raise redirect("/admin/users", f"已清除 {sender} 的镇街。")


def _stored(sender: str, url: str | None) -> dict[str, str] | None:
    unit = users.unit_of(sender, url)
    return None if unit is None else {"unit": unit, "source": users.source_of(sender, url) or ""}
