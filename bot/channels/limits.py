"""Request body limits: refused before they are read in full.

Webhooks of the platforms stream their body (``stream=True`` routes) through
:func:`read_body`, which checks Content-Length before reading anything and
counts a chunked body as it arrives. Everything else on the Rasa server (the
REST channel, the HTTP API) is capped by Sanic itself at
``RASA_MAX_BODY_BYTES`` (:func:`cap_server_body`; Sanic's default is 100 MB).
"""

from __future__ import annotations

from typing import Any

from sanic import Blueprint
from sanic.request import Request

from bot.channels.config import server_max_body_bytes
from bot.channels.errors import MalformedMessage, TooLarge

MAX_BODY_BYTES = 64 * 1024  # a webhook body beyond this is refused with 413
BODY_TOO_LARGE = "请求内容过大（上限 {limit} 字节），已拒绝。"


async def read_body(request: Request, limit: int = MAX_BODY_BYTES) -> bytes:
    """The request body, refused as soon as it is known to exceed ``limit``.

    Raises:
        TooLarge: the body exceeds ``limit``.
        MalformedMessage: Content-Length is not a number.
    """
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            size = int(declared)
        except ValueError as exc:
            raise MalformedMessage("Content-Length is not a number") from exc
        if size > limit:
            raise TooLarge(f"Content-Length {size} exceeds {limit}")
    body = bytearray(request.body or b"")
    if not body and request.stream is not None:  # a streaming route: nothing read yet
        async for chunk in request.stream:
            body += chunk
            if len(body) > limit:
                raise TooLarge(f"body exceeds {limit} bytes")
    if len(body) > limit:
        raise TooLarge(f"body of {len(body)} bytes exceeds {limit}")
    return bytes(body)


def too_large_text(limit: int = MAX_BODY_BYTES) -> str:
    """What a refused caller reads."""
    return BODY_TOO_LARGE.format(limit=limit)


def cap_server_body(blueprint: Blueprint) -> None:
    """Lower Sanic's own body limit for the whole Rasa server when it starts.

    Set from the channels' blueprints so that it holds however Rasa is launched;
    a lower limit already configured (``SANIC_REQUEST_MAX_SIZE``) is kept.
    """

    @blueprint.listener("before_server_start")
    async def _cap(app: Any, _loop: Any) -> None:
        limit = server_max_body_bytes()
        if app.config.REQUEST_MAX_SIZE > limit:
            app.config.REQUEST_MAX_SIZE = limit
