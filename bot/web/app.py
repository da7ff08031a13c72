"""The intranet web widget: static files, a demo page, and a small JSON API.

The widget talks only to this app (one origin), which forwards chat messages
to Rasa's REST channel, looks units up in the knowledge base, and stores
feedback. Every error the widget may show is JSON ``{"error": "中文说明"}``.

Security (README, 安全): browsers never reach Rasa; this app talks to it with
the Rasa token, as ``web:<id>`` senders that no other caller may use. Pages of
other origins may call the API only when listed in ``WEB_ALLOWED_ORIGINS``
(CORS, never ``*``; others are refused 403). Requests are limited per client
address and per sender (429). Every response carries ``nosniff`` and a CSP.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from bot.config import AdminSettings, admin_settings
from bot.errors import KnowledgeError
from bot.feedback import record_feedback
from bot.kb.provider import default_provider
from bot.kb.types import Knowledge
from bot.ratelimit import RequestLimits
from bot.units import find_unit
from bot.web import security
from bot.web.admin import auth as admin_auth
from bot.web.admin.app import install as install_console
from bot.web.admin.context import AdminOptions
from bot.web.inputs import BadInput, parse_chat, parse_feedback, parse_unit, parse_unit_query
from bot.web.unit_search import search_units

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"
MAX_BODY_BYTES = 64 * 1024

RASA_DOWN = "暂时连接不上助手服务，请稍后再试。如一直如此，请联系系统管理员。"
KB_DOWN = "知识库暂时不可用，请稍后再试。"
INTERNAL = "服务器内部出错，请稍后再试。"

RASA_URL = web.AppKey("rasa_url", str)
RASA_TIMEOUT = web.AppKey("rasa_timeout", float)
HTTP = web.AppKey("http", aiohttp.ClientSession)
KNOWLEDGE: web.AppKey[Callable[[], Knowledge]] = web.AppKey("knowledge")
FEEDBACK_URL: web.AppKey[str | None] = web.AppKey("feedback_url")  # None: the operational database
RASA_TOKEN = web.AppKey("rasa_token", str)

_HTTP_ERRORS = {
    400: "请求有误。",
    404: "没有这个地址。",
    405: "不支持这种请求方式。",
    413: "请求内容过大。",
}


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def create_app(
    rasa_url: str,
    *,
    knowledge: Callable[[], Knowledge] | None = None,
    feedback_url: str | None = None,
    rasa_timeout: float = 60.0,
    rasa_token: str = "",
    allowed_origins: Iterable[str] = (),
    limits: RequestLimits | None = None,
    trusted_proxies: Iterable[str] = ("127.0.0.1", "::1"),
    admin: AdminSettings | None = None,
    ops_url: str | None = None,
) -> web.Application:
    """The widget's web application.

    Args:
        rasa_url: base URL of the Rasa server (REST channel and HTTP API).
        knowledge: returns the knowledge in force; the default provider when omitted.
        feedback_url: database for feedback; the operational database (OPS_DATABASE_URL) when omitted.
        rasa_timeout: seconds to wait for Rasa's answer.
        rasa_token: Rasa's ``--auth-token``: for its HTTP API and to relay ``web:`` senders.
        allowed_origins: other origins (``https://portal.example``) whose pages may call the API.
        limits: request limits; 20 a minute per sender and 120 per address when omitted.
        trusted_proxies: peers whose ``X-Forwarded-For`` names the client.
        admin: settings of the maintainers' console at /admin (bot.web.admin); from the environment when omitted.
        ops_url: the operational database of the console; OPS_DATABASE_URL when omitted.
    """
    # Outermost first: every response, errors included, gets the CORS and security headers;
    # refusals (origin, rate) happen before any work and are rendered like every other error.
    app = web.Application(
        client_max_size=MAX_BODY_BYTES,
        middlewares=[security.headers, _errors_as_json, security.guard, admin_auth.guard],
    )
    security.configure(app, allowed_origins, limits or RequestLimits.per_minute(20, 120), trusted_proxies)
    app[RASA_URL] = rasa_url.rstrip("/")
    app[RASA_TIMEOUT] = rasa_timeout
    app[RASA_TOKEN] = rasa_token
    app[KNOWLEDGE] = knowledge or (lambda: default_provider().get())
    app[FEEDBACK_URL] = feedback_url
    app.cleanup_ctx.append(_http_session)
    app.router.add_get("/", _static("index.html"))
    app.router.add_get("/widget.js", _static("widget.js"))
    app.router.add_get("/widget.css", _static("widget.css"))
    app.router.add_get("/health", health)
    app.router.add_post("/api/chat", chat)
    app.router.add_get("/api/units", units)
    app.router.add_post("/api/unit", set_unit)
    app.router.add_post("/api/feedback", feedback)
    console = AdminOptions(
        settings=admin or admin_settings(),
        knowledge=app[KNOWLEDGE],
        ops_url=ops_url,
        trusted_proxies=tuple(trusted_proxies),
    )
    install_console(app, console)
    return app


async def _http_session(app: web.Application):  # type: ignore[no-untyped-def]
    async with aiohttp.ClientSession() as session:
        app[HTTP] = session
        yield


def _static(name: str) -> Handler:
    path = STATIC_DIR / name

    async def serve(request: web.Request) -> web.StreamResponse:
        # Revalidate every time: an intranet page must pick up a new widget at once.
        return web.FileResponse(path, headers={"Cache-Control": "no-cache"})

    return serve


_dumps = functools.partial(json.dumps, ensure_ascii=False)


def json_response(data: Any, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, dumps=_dumps)


def error(status: int, message: str, **extra: Any) -> web.Response:
    return json_response({"error": message, **extra}, status=status)


@web.middleware
async def _errors_as_json(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except BadInput as exc:
        return error(400, str(exc))
    except security.Refused as exc:
        response = error(exc.status, exc.message)
        response.headers.update(exc.headers)
        return response
    except web.HTTPException as exc:
        if exc.status < 400 or not request.path.startswith("/api/"):
            raise
        return error(exc.status, _HTTP_ERRORS.get(exc.status, "请求未能处理。"))
    except KnowledgeError:
        logger.exception("knowledge base unavailable")
        return error(503, KB_DOWN)
    except Exception:
        if not request.path.startswith("/api/"):
            raise
        logger.exception("widget API failed")
        return error(500, INTERNAL)


def _rasa_headers(app: web.Application) -> dict[str, str]:
    token = app[RASA_TOKEN]
    return {"Authorization": f"Bearer {token}"} if token else {}


async def health(request: web.Request) -> web.Response:
    rasa = "up"
    try:
        timeout = aiohttp.ClientTimeout(total=2)
        async with request.app[HTTP].get(request.app[RASA_URL] + "/", timeout=timeout) as response:
            if response.status != 200:
                rasa = "down"
    except (aiohttp.ClientError, asyncio.TimeoutError):
        rasa = "down"
    return json_response({"status": "ok", "rasa": rasa})


async def chat(request: web.Request) -> web.Response:
    """Forward one message to Rasa's REST channel; answer ``{"messages": [...]}``."""
    parsed = parse_chat(await request.read())
    security.limit_sender(request, parsed.sender)
    metadata: dict[str, Any] = {"channel": "web"}
    if parsed.unit:
        metadata["unit"] = parsed.unit
    body = {"sender": parsed.sender, "message": parsed.message, "metadata": metadata}
    app = request.app
    try:
        timeout = aiohttp.ClientTimeout(total=app[RASA_TIMEOUT])
        url = f"{app[RASA_URL]}/webhooks/rest/webhook"
        async with app[HTTP].post(url, json=body, timeout=timeout, headers=_rasa_headers(app)) as resp:
            if resp.status != 200:
                logger.warning("Rasa answered HTTP %s", resp.status)
                return error(502, f"助手服务出错（HTTP {resp.status}），请稍后再试。")
            messages = await resp.json(content_type=None)
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
        logger.warning("Rasa unreachable: %r", exc)
        return error(502, RASA_DOWN)
    if not isinstance(messages, list):
        return error(502, "助手服务的回复格式不对，请稍后再试。")
    return json_response({"messages": messages})


async def units(request: web.Request) -> web.Response:
    """``?q=石牌`` → ``{"units": ["天河区石牌街道"]}``: the units the name may mean."""
    query = parse_unit_query(request.query.get("q"))
    knowledge = await asyncio.to_thread(request.app[KNOWLEDGE])
    return json_response({"units": search_units(knowledge, query)})


async def set_unit(request: web.Request) -> web.Response:
    """Set the user's unit for the conversation.

    The conversation's unit outranks the channel metadata in the dialogue, so
    a change of unit is written into the conversation as a slot. When Rasa's
    HTTP API does not take it, ``synced`` is false and the widget starts a new
    conversation, where the metadata applies.
    """
    parsed = parse_unit(await request.read())
    security.limit_sender(request, parsed.sender)
    knowledge = await asyncio.to_thread(request.app[KNOWLEDGE])
    unit = find_unit(knowledge, parsed.unit)
    if unit is None:
        options = search_units(knowledge, parsed.unit)
        message = (
            "请从候选中选择一个镇街。" if options else f"没有找到“{parsed.unit}”，请写镇街全称，例如“白云区江高镇”。"
        )
        return error(400, message, options=options)
    app = request.app
    event = {"event": "slot", "name": "unit", "value": unit.full_name}
    url = f"{app[RASA_URL]}/conversations/{parsed.sender}/tracker/events"
    params = {"include_events": "NONE", "token": app[RASA_TOKEN]}
    synced = False
    try:
        async with app[HTTP].post(url, json=event, params=params, timeout=aiohttp.ClientTimeout(total=15)) as resp:
            synced = resp.status == 200
            if not synced:
                logger.warning("Rasa did not take the unit slot: HTTP %s", resp.status)
    except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
        logger.warning("Rasa unreachable when setting the unit: %r", exc)
    return json_response({"unit": unit.full_name, "synced": synced})


async def feedback(request: web.Request) -> web.Response:
    entry = parse_feedback(await request.read())
    security.limit_sender(request, entry.sender)
    feedback_id = await asyncio.to_thread(record_feedback, entry, request.app[FEEDBACK_URL])
    return json_response({"id": feedback_id, "message": "已收到反馈，谢谢！"}, status=201)
