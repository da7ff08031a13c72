"""账号 (admin only): create accounts, change roles, switch accounts off, reset passwords.

Every change goes to the audit trail through :mod:`bot.ops.accounts` itself,
in the transaction of the change.
"""

from __future__ import annotations

import asyncio

from aiohttp import web

from bot.ops import accounts
from bot.ops.passwords import WeakPassword
from bot.web.admin import Routes, current_user, options, redirect, render
from bot.web.admin.context import address

routes = Routes()


@routes.get("/accounts", role="admin", nav="账号", order=90)
async def account_list(request: web.Request) -> web.StreamResponse:
    rows = await asyncio.to_thread(accounts.all_accounts, options(request).ops_url)
    return await render(
        request, "accounts.html", title="账号", accounts=rows, roles=accounts.ROLES, error=None, form={}
    )


async def _form(request: web.Request) -> dict[str, str]:
    form = await request.post()
    return {k: v.strip() for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}


@routes.post("/accounts", role="admin")
async def create(request: web.Request) -> web.StreamResponse:
    form = await _form(request)
    try:
        await asyncio.to_thread(
            accounts.create,
            form.get("name", ""),
            form.get("role", ""),
            form.get("password", ""),
            current_user(request).name,
            address(request),
            options(request).ops_url,
        )
    except (accounts.AccountError, WeakPassword) as exc:
        rows = await asyncio.to_thread(accounts.all_accounts, options(request).ops_url)
        form.pop("password", None)
        return await render(
            request,
            "accounts.html",
            title="账号",
            status=400,
            accounts=rows,
            roles=accounts.ROLES,
            error=str(exc),
            form=form,
        )
    raise redirect("/admin/accounts", f"已创建账号 {form['name']}。")


@routes.post("/accounts/{name}", role="admin")
async def change(request: web.Request) -> web.StreamResponse:
    name = request.match_info["name"]
    form = await _form(request)
    ops_url = options(request).ops_url
    actor, where = current_user(request).name, address(request)
    try:
        if form.get("password"):
            await asyncio.to_thread(accounts.set_password, name, form["password"], actor, where, ops_url)
            message = f"已重设 {name} 的密码，其登录会话已全部失效。"
        else:
            active = {"1": True, "0": False}.get(form.get("active", ""))
            role = form.get("role") or None
            await asyncio.to_thread(accounts.update, name, actor, role=role, active=active, address=where, url=ops_url)
            message = f"已更新账号 {name}。"
    except (accounts.AccountError, WeakPassword) as exc:
        raise redirect("/admin/accounts", f"未能修改 {name}：{exc}") from None
    raise redirect("/admin/accounts", message)
