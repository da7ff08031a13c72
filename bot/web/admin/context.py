"""What a page handler may ask of the request: who is signed in, the databases, the trail."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot.config import AdminSettings
from bot.kb.provider import default_provider
from bot.kb.types import Knowledge
from bot.ops import changes
from bot.ops.accounts import Account, SignedIn
from bot.ratelimit import RequestLimits, client_address


@dataclass(frozen=True)
class AdminOptions:
    """The console's dependencies (tests pass their own)."""

    settings: AdminSettings
    knowledge: Callable[[], Knowledge]
    ops_url: str | None = None  # None: OPS_DATABASE_URL
    trusted_proxies: tuple[str, ...] = ("127.0.0.1", "::1")
    max_upload_bytes: int = 20 * 1024 * 1024  # multipart forms (list uploads)


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

OPTIONS = web.AppKey("admin_options", AdminOptions)
LOGIN_LIMITS = web.AppKey("admin_login_limits", RequestLimits)
SIGNED_IN = "admin_signed_in"  # request key: the SignedIn of the request, set by the middleware


def options(request: web.Request) -> AdminOptions:
    return request.config_dict[OPTIONS]


def signed_in(request: web.Request) -> SignedIn:
    """The request's session (account and CSRF token); only pages behind sign-in have one."""
    session: SignedIn | None = request.get(SIGNED_IN)
    if session is None:
        raise web.HTTPUnauthorized(text="请先登录。")
    return session


def current_user(request: web.Request) -> Account:
    """The signed-in account: ``.name``, ``.role``, ``.may("editor")``."""
    return signed_in(request).account


def address(request: web.Request) -> str:
    """The client's address (behind a trusted proxy: the address it names)."""
    return client_address(request.remote, request.headers.get("X-Forwarded-For"), options(request).trusted_proxies)


async def knowledge(request: web.Request) -> Knowledge:
    """The knowledge base in force. Console pages check the version on every request (one
    indexed query), so an import, rollback or alias made here shows on the very next page."""
    default_provider().expire()
    return await asyncio.to_thread(options(request).knowledge)


async def record_change(
    request: web.Request, action: str, target: str = "", before: Any = None, after: Any = None
) -> None:
    """Write an entry of the audit trail as the signed-in account (who, when, from where, before/after).

    ``action`` is ``<thing>.<verb>`` (``user_unit.set``, ``alias.add``); before/after are
    JSON-able values (None for "did not exist" / "removed").
    """
    actor = current_user(request).name
    where = address(request)
    await asyncio.to_thread(changes.record, actor, action, target, before, after, where, options(request).ops_url)
