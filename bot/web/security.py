"""Who may call the widget API, how often, and the headers every response carries.

- **CORS from an allowlist.** Pages on the origins in ``WEB_ALLOWED_ORIGINS``
  get ``Access-Control-Allow-Origin: <their origin>``; never ``*``. A
  cross-origin API request from any other page is refused 403 before any work:
  a form or ``text/plain`` POST needs no preflight, so withholding the header
  alone would still let any page a staff member opens spend the server's time.
- **Rate limits** per client address (every API request) and per sender
  (chat, unit, feedback): 429 with ``Retry-After`` and a message in Chinese.
- ``X-Content-Type-Options: nosniff`` and a Content-Security-Policy on every
  response, errors included: the demo page runs only its own scripts.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from urllib.parse import urlsplit

from aiohttp import web

from bot.ratelimit import RequestLimits, client_address, retry_seconds, too_many_message

ORIGIN_REFUSED = "此网页无权调用助手接口：请管理员把它的地址加入 WEB_ALLOWED_ORIGINS。"

# The demo page: its own scripts only (an injected inline script or handler never runs);
# inline styles are the page's own <style> and style attributes.
PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
)
OTHER_CSP = "default-src 'none'; frame-ancestors 'none'"
# The maintainers' console: its own stylesheet and script, forms to itself, never framed.
ADMIN_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)

ALLOWED_ORIGINS = web.AppKey("allowed_origins", frozenset)
LIMITS = web.AppKey("limits", RequestLimits)
TRUSTED_PROXIES: web.AppKey[tuple[str, ...]] = web.AppKey("trusted_proxies")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Refused(Exception):
    """The request is refused as sent; the app renders it as ``{"error": message}``."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def configure(
    app: web.Application, allowed_origins: Iterable[str], limits: RequestLimits, trusted_proxies: Iterable[str]
) -> None:
    app[ALLOWED_ORIGINS] = frozenset(o.rstrip("/") for o in allowed_origins)
    app[LIMITS] = limits
    app[TRUSTED_PROXIES] = tuple(trusted_proxies)


def _is_api(request: web.Request) -> bool:
    return request.path.startswith("/api/")


def _cross_origin(request: web.Request) -> str | None:
    """The Origin of an API request from another site's page, else None."""
    origin = request.headers.get("Origin")
    # Chromium sends Origin on same-origin POSTs too; the Host it connected to is the page's own.
    if origin is None or not _is_api(request) or urlsplit(origin).netloc == request.host:
        return None
    return origin


@web.middleware
async def headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Outermost: CORS for allowed origins, security headers for everyone, errors included."""
    origin = _cross_origin(request)
    allowed = origin is not None and origin in request.app[ALLOWED_ORIGINS]
    try:
        if request.method == "OPTIONS" and _is_api(request):
            response: web.StreamResponse = web.Response(status=204)
        else:
            response = await handler(request)
    except web.HTTPException as exc:  # a 404 page for a static path: headers all the same
        _security_headers(request, exc)
        raise
    if allowed:
        response.headers["Access-Control-Allow-Origin"] = origin  # type: ignore[assignment]
        if request.method == "OPTIONS":
            response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
            response.headers["Access-Control-Allow-Headers"] = "Content-Type"
            response.headers["Access-Control-Max-Age"] = "600"
    if _is_api(request):
        response.headers["Vary"] = "Origin"
    _security_headers(request, response)
    return response


def _security_headers(request: web.Request, response: web.StreamResponse) -> None:
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    if request.path == "/":
        csp = PAGE_CSP
    elif request.path == "/admin" or request.path.startswith("/admin/"):
        csp = ADMIN_CSP
        if not request.path.startswith("/admin/static/"):
            response.headers["Cache-Control"] = "no-store"  # pages of signed-in maintainers
    else:
        csp = OTHER_CSP
    response.headers["Content-Security-Policy"] = csp


@web.middleware
async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Innermost: refuse other sites' pages and over-eager addresses before any work."""
    if _is_api(request) and request.method != "OPTIONS":
        origin = _cross_origin(request)
        if origin is not None and origin not in request.app[ALLOWED_ORIGINS]:
            raise Refused(403, ORIGIN_REFUSED)
        proxies: tuple[str, ...] = request.app[TRUSTED_PROXIES]
        address = client_address(request.remote, request.headers.get("X-Forwarded-For"), proxies)
        _check(request.app[LIMITS].address_retry_after(address))
    return await handler(request)


def limit_sender(request: web.Request, sender: str) -> None:
    """Raises Refused (429) when ``sender`` has asked too often."""
    _check(request.app[LIMITS].sender_retry_after(sender))


def _check(wait: float) -> None:
    if wait:
        raise Refused(429, too_many_message(wait), {"Retry-After": str(retry_seconds(wait))})
