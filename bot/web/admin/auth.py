"""Sign-in, sessions and CSRF for every console request (one middleware), and the sign-in pages.

- **Sessions.** A random token in an ``HttpOnly``, ``SameSite=Strict`` cookie
  (``Secure`` and the ``__Host-`` name with ``ADMIN_COOKIE_SECURE=1``); the
  database keeps only its SHA-256 (bot.ops.accounts), with an idle and an
  absolute lifetime. A page without a session redirects to ``/admin/login``.
- **CSRF.** Every POST must carry the session's token (form field
  ``csrf_token`` or header ``X-CSRF-Token``), else 403; the sign-in form
  carries a double-submit token of its own. A POST whose ``Origin`` is another
  site's is refused as well.
- **Sign-in attempts** are limited per client address and per account name (429).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hmac
import logging
import secrets
from urllib.parse import quote, urlsplit

from aiohttp import web

from bot.errors import KnowledgeError
from bot.ops import accounts
from bot.ratelimit import too_many_message
from bot.web.admin.context import LOGIN_LIMITS, SIGNED_IN, Handler, address, options
from bot.web.admin.render import redirect, render

logger = logging.getLogger(__name__)

LOGIN_PATH = "/admin/login"
PUBLIC_PREFIXES = (LOGIN_PATH, "/admin/static/")
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"

CSRF_REFUSED = "表单已过期或来源不明（缺少有效的 CSRF 令牌），请刷新页面后重试。"
BAD_LOGIN = "账号或密码不正确。"
ERRORS = {
    400: "请求有误。",
    403: "没有权限。",
    404: "没有这个页面。",
    405: "不支持这种请求方式。",
    413: "提交的内容过大。",
}


def cookie_name(request: web.Request, base: str) -> str:
    # __Host-: the browser takes it only over https, for this host, with Path=/ (no subdomain can set it).
    return f"__Host-{base}" if options(request).settings.cookie_secure else base


def _set_cookie(request: web.Request, response: web.StreamResponse, base: str, value: str) -> None:
    secure = options(request).settings.cookie_secure
    path = "/" if secure else "/admin"
    response.set_cookie(
        cookie_name(request, base), value, path=path, httponly=True, samesite="Strict", secure=secure or None
    )


def _del_cookie(request: web.Request, response: web.StreamResponse, base: str) -> None:
    response.del_cookie(cookie_name(request, base), path="/" if options(request).settings.cookie_secure else "/admin")


def _idle(request: web.Request) -> dt.timedelta:
    return dt.timedelta(minutes=options(request).settings.session_idle_minutes)


@web.middleware
async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Sign-in, CSRF and error pages for everything under /admin (other paths pass through)."""
    if not request.path.startswith("/admin/"):
        return await handler(request)
    opts = options(request)
    try:
        if request.method == "POST":
            _same_origin(request)
            if request.content_type == "multipart/form-data":  # list uploads: larger than the API's bodies
                request = request.clone(client_max_size=opts.max_upload_bytes)
        if not request.path.startswith(PUBLIC_PREFIXES):
            token = request.cookies.get(cookie_name(request, "zq_admin"), "")
            session = await asyncio.to_thread(accounts.session_of, token, _idle(request), opts.ops_url)
            if session is None:
                if request.method == "GET":
                    target = request.path_qs if request.path not in ("/admin", "/admin/") else ""
                    raise web.HTTPSeeOther(LOGIN_PATH + (f"?next={_quote(target)}" if target else ""))
                raise redirect(LOGIN_PATH, "登录已过期，请重新登录。")
            request[SIGNED_IN] = session
            if request.method == "POST":
                await _check_csrf(request, session.csrf_token)
        response = await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400 or exc.status == 429:
            raise
        message = exc.text if exc.text and not exc.text.startswith(f"{exc.status}:") else ERRORS.get(exc.status)
        return await _error_page(request, exc.status, message or "请求未能处理。")
    except KnowledgeError:  # OpsUnavailable too
        logger.exception("knowledge base or operational database unavailable")
        return await _error_page(request, 503, "知识库或业务数据库暂时不可用，请稍后再试。")
    except Exception:
        logger.exception("console page failed: %s", request.path)
        return await _error_page(request, 500, "服务器内部出错，请稍后再试。")
    return response


async def _error_page(request: web.Request, status: int, message: str) -> web.StreamResponse:
    try:
        return await render(request, "error.html", title="出错了", status=status, message=message)
    except Exception:  # the database behind the page is what failed: plain text then
        logger.exception("error page failed")
        return web.Response(status=status, text=message)


def _quote(path: str) -> str:
    return quote(path, safe="/")


def _same_origin(request: web.Request) -> None:
    origin = request.headers.get("Origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.host:
        raise web.HTTPForbidden(text=CSRF_REFUSED)


async def _check_csrf(request: web.Request, expected: str) -> None:
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        form = await request.post()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else ""
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise web.HTTPForbidden(text=CSRF_REFUSED)


# ---- the sign-in pages --------------------------------------------------------------------------


async def login_page(request: web.Request) -> web.StreamResponse:
    token = request.cookies.get(cookie_name(request, "zq_admin_login")) or secrets.token_urlsafe(32)
    response = await render(
        request, "login.html", title="登录", csrf_token=token, next=_safe_next(request.query.get("next")), error=None
    )
    _set_cookie(request, response, "zq_admin_login", token)
    return response


async def login(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    cookie = request.cookies.get(cookie_name(request, "zq_admin_login"), "")
    sent = form.get(CSRF_FIELD)
    if not cookie or not isinstance(sent, str) or not hmac.compare_digest(sent.encode(), cookie.encode()):
        raise web.HTTPForbidden(text=CSRF_REFUSED)
    name = str(form.get("name") or "").strip()[:64]
    password = str(form.get("password") or "")
    next_path = _safe_next(str(form.get("next") or ""))
    limits = request.config_dict[LOGIN_LIMITS]
    wait = limits.address_retry_after(address(request)) or limits.sender_retry_after(name.lower())
    if wait:
        message = "登录尝试太频繁。" + too_many_message(wait)
        return await render(
            request, "login.html", title="登录", status=429, csrf_token=cookie, next=next_path, error=message
        )
    opts = options(request)
    account = await asyncio.to_thread(accounts.authenticate, name, password, opts.ops_url)
    if account is None:
        logger.warning("failed console sign-in for %r from %s", name, address(request))
        return await render(
            request, "login.html", title="登录", status=401, csrf_token=cookie, next=next_path, error=BAD_LOGIN
        )
    lifetime = dt.timedelta(hours=opts.settings.session_max_hours)
    token, _ = await asyncio.to_thread(
        accounts.sign_in, account, _idle(request), lifetime, address(request), opts.ops_url
    )
    response = web.HTTPSeeOther(next_path or "/admin/")
    _set_cookie(request, response, "zq_admin", token)
    _del_cookie(request, response, "zq_admin_login")
    return response


async def logout(request: web.Request) -> web.StreamResponse:
    token = request.cookies.get(cookie_name(request, "zq_admin"), "")
    await asyncio.to_thread(accounts.sign_out, token, options(request).ops_url)
    response = redirect(LOGIN_PATH, "已退出登录。")
    _del_cookie(request, response, "zq_admin")
    return response


def _safe_next(value: str | None) -> str:
    """Only a path of the console itself: never another site (``//evil``, ``https://…``)."""
    if value and value.startswith("/admin") and not value.startswith("//") and "\\" not in value:
        return value
    return ""
