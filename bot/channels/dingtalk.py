"""DingTalk (钉钉) robot with an HTTP callback.

``/webhooks/dingtalk/webhook`` checks the ``timestamp``/``sign`` headers
(base64 HMAC-SHA256 of ``timestamp + "\\n" + appSecret``, at most one hour
old) and that the callback names our robot (``robotCode`` is
``DINGTALK_APP_KEY``), refuses an oversized body before reading it,
deduplicates by msgId, strips the @mention, answers 200 at once and replies in
the background through the message's ``sessionWebhook`` (markdown for the
answer card), as long as that webhook has not expired; each call is limited to
``DINGTALK_HTTP_TIMEOUT_S`` and retried with backoff.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import logging
import re
import time
from collections.abc import Callable, Mapping
from typing import Any

import aiohttp
from rasa.core.channels.channel import InputChannel
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels import inbox, limits
from bot.channels.config import DingTalkSettings
from bot.channels.directory import unit_for
from bot.channels.errors import (
    DeliveryError,
    MalformedMessage,
    NotConfigured,
    ReceiverMismatch,
    RequestRejected,
    SignatureInvalid,
    TooLarge,
)
from bot.channels.render import Outgoing, split_by_bytes

logger = logging.getLogger(__name__)

CHANNEL = "dingtalk"
MAX_AGE_MS = 3600 * 1000
TEXT_LIMIT_BYTES = 4096  # DingTalk takes more; shorter messages read better on a phone
LINE_BREAK = "  \n"  # DingTalk markdown needs a hard break to keep lines apart
_MENTION = re.compile(r"^\s*(?:@\S+\s+)+")


# ---- signatures (pure) ------------------------------------------------------------------------


def sign(app_secret: str, timestamp: str) -> str:
    """base64(HMAC-SHA256(appSecret, timestamp + "\\n" + appSecret))."""
    digest = hmac.new(app_secret.encode("utf-8"), f"{timestamp}\n{app_secret}".encode(), hashlib.sha256)
    return base64.b64encode(digest.digest()).decode("ascii")


def verify_signature(
    app_secret: str, timestamp: str, signature: str, now_ms: int | None = None, max_age_ms: int = MAX_AGE_MS
) -> bool:
    """True when ``signature`` is right for ``timestamp`` (ms) and that is within an hour of now."""
    if not (app_secret and timestamp and signature):
        return False
    try:
        sent = int(timestamp)
    except ValueError:
        return False
    now_ms = int(time.time() * 1000) if now_ms is None else now_ms
    if abs(now_ms - sent) > max_age_ms:
        return False
    return hmac.compare_digest(
        sign(app_secret, timestamp).encode("ascii"), signature.strip().encode("ascii", "replace")
    )


def strip_mention(text: str) -> str:
    """The question without the leading @robot (and any other leading @names)."""
    return _MENTION.sub("", text).strip()


def webhook_expired(expires_ms: int | None, now_ms: int | None = None) -> bool:
    """A sessionWebhook is usable until sessionWebhookExpiredTime (ms since the epoch)."""
    if not expires_ms:
        return False
    return (int(time.time() * 1000) if now_ms is None else now_ms) >= expires_ms


def reply_body(message: Outgoing, piece: str, at_user: str | None = None) -> dict[str, Any]:
    """The JSON DingTalk takes on a sessionWebhook."""
    if message.kind == "markdown":
        body: dict[str, Any] = {"msgtype": "markdown", "markdown": {"title": message.title, "text": piece}}
    else:
        body = {"msgtype": "text", "text": {"content": piece}}
    if at_user:
        body["at"] = {"atUserIds": [at_user]}
    return body


# ---- replying ---------------------------------------------------------------------------------


class SessionReplier:
    """Posts replies to sessionWebhooks, retrying with backoff until the webhook expires."""

    def __init__(self, retry: inbox.RetryPolicy | None = None, timeout_s: float = 10.0):
        self.retry = retry or inbox.RetryPolicy()
        self.timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self.timeout)
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def send(self, webhook: str, expires_ms: int | None, message: Outgoing, at_user: str | None = None) -> None:
        """Raises SendFailed when the webhook expired or every attempt failed."""

        def still_possible() -> str | None:
            return "sessionWebhook expired" if webhook_expired(expires_ms) else None

        for piece in split_by_bytes(message.content, TEXT_LIMIT_BYTES):
            body = reply_body(message, piece, at_user)
            await inbox.with_retries(
                functools.partial(self._post, webhook, body), "dingtalk reply", self.retry, still_possible
            )

    async def _post(self, webhook: str, body: dict[str, Any]) -> None:
        try:
            async with self._client().post(webhook, json=body) as resp:
                if resp.status != 200:
                    raise DeliveryError(f"HTTP {resp.status}")
                data = await resp.json(content_type=None)
        except inbox.HTTP_ERRORS as exc:
            raise DeliveryError(f"{exc.__class__.__name__}: {exc}") from exc
        if isinstance(data, dict) and data.get("errcode", 0) != 0:
            raise DeliveryError(f"errcode {data.get('errcode')}: {data.get('errmsg')}")


# ---- the input channel ------------------------------------------------------------------------


class DingTalkInput(InputChannel):
    """The DingTalk robot callback. Unconfigured, it answers 503."""

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> DingTalkInput:
        return cls(DingTalkSettings.load(credentials))

    def __init__(self, settings: DingTalkSettings, clock_ms: Callable[[], int] = lambda: int(time.time() * 1000)):
        self.settings = settings
        self.clock_ms = clock_ms
        self.replier = SessionReplier(timeout_s=settings.http_timeout_s)
        self.claims = inbox.Claims()
        self.tasks = inbox.Tasks()
        if settings.missing:
            logger.info(
                "dingtalk channel not configured (missing %s): webhook answers 503", ", ".join(settings.missing)
            )

    def blueprint(self, on_new_message: inbox.OnNewMessage) -> Blueprint:
        hook = Blueprint("dingtalk_webhook", __name__)

        @hook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok", "configured": not self.settings.missing})

        @hook.route("/webhook", methods=["POST"], stream=True)  # stream: the size is checked first
        async def webhook(request: Request) -> HTTPResponse:
            try:
                if self.settings.missing:
                    raise NotConfigured("钉钉通道未配置：请设置环境变量 " + "、".join(self.settings.missing))
                accepted = self.accept(request.headers, await limits.read_body(request))
            except NotConfigured as exc:
                return response.json({"error": str(exc)}, status=503)
            except TooLarge as exc:
                logger.warning("dingtalk: rejected request from %s: %s", request.ip, exc)
                return response.json({"error": limits.too_large_text()}, status=exc.status)
            except RequestRejected as exc:
                logger.warning("dingtalk: rejected request from %s: %s", request.ip, exc)
                return response.json({"error": type(exc).__name__}, status=exc.status)
            message, webhook_url, expires_ms, at_user = accepted
            if webhook_expired(expires_ms, self.clock_ms()):
                logger.warning(
                    "dingtalk: message %s arrived with an expired sessionWebhook; no reply possible", message.msg_id
                )
            elif await self.claims.claim(message):
                self.tasks.spawn(
                    inbox.handle(
                        on_new_message,
                        message,
                        lambda out: self.replier.send(webhook_url, expires_ms, out, at_user),
                        LINE_BREAK,
                    ),
                    name=f"dingtalk-{message.msg_id}",
                )
            else:
                logger.info("dingtalk: duplicate message %s from %s ignored", message.msg_id, message.user_id)
            return response.json({})

        @hook.listener("before_server_stop")
        async def finish(*_: Any) -> None:
            await self.tasks.drain()

        @hook.listener("after_server_stop")
        async def close(*_: Any) -> None:
            await self.replier.close()

        limits.cap_server_body(hook)
        return hook

    def accept(self, headers: Mapping[str, str], body: bytes) -> tuple[inbox.Incoming, str, int | None, str | None]:
        """Verify a callback; the message, its sessionWebhook, expiry (ms) and whom to @ in a group.

        Raises:
            RequestRejected: unsigned, stale, oversized, malformed or for another robot.
        """
        if len(body) > limits.MAX_BODY_BYTES:
            raise TooLarge(f"body of {len(body)} bytes")
        if not verify_signature(
            self.settings.app_secret, headers.get("timestamp", ""), headers.get("sign", ""), now_ms=self.clock_ms()
        ):
            raise SignatureInvalid("bad sign or timestamp older than one hour")
        try:
            data = json.loads(body)
        except ValueError as exc:
            raise MalformedMessage("body is not JSON") from exc
        if not isinstance(data, dict):
            raise MalformedMessage("body is not a JSON object")
        robot = str(data.get("robotCode") or "")
        if not (self.settings.app_key and hmac.compare_digest(robot.encode(), self.settings.app_key.encode())):
            raise ReceiverMismatch("robotCode is not DINGTALK_APP_KEY")
        msg_id = str(data.get("msgId") or "")
        user = str(data.get("senderStaffId") or data.get("senderId") or "")
        webhook_url = str(data.get("sessionWebhook") or "")
        if not (msg_id and user and webhook_url):
            raise MalformedMessage("msgId, sender or sessionWebhook missing")
        if not webhook_url.startswith(self.settings.api_base + "/"):
            raise MalformedMessage("sessionWebhook is not on the DingTalk API host")
        try:
            expires_ms = int(data["sessionWebhookExpiredTime"]) if data.get("sessionWebhookExpiredTime") else None
        except (TypeError, ValueError) as exc:
            raise MalformedMessage("sessionWebhookExpiredTime is not a number") from exc
        kind = data.get("msgtype")
        text = _text_of(data)
        metadata: dict[str, Any] = {"channel_user": user, "conversation_id": data.get("conversationId", "")}
        unit = unit_for(CHANNEL, user)
        if unit:
            metadata["unit"] = unit
        message = inbox.Incoming(
            channel=CHANNEL,
            msg_id=msg_id,
            user_id=user,
            text=text,
            metadata=metadata,
            text_only_notice=text == "" and kind != "text",
        )
        at_user = user if str(data.get("conversationType")) == "2" else None  # @ the asker in a group
        return message, webhook_url, expires_ms, at_user


def _text_of(data: Mapping[str, Any]) -> str:
    """The question: text content without the @mention, or DingTalk's own speech recognition."""
    if data.get("msgtype") == "text":
        text = data.get("text")
        return strip_mention(str(text.get("content", ""))) if isinstance(text, dict) else ""
    if data.get("msgtype") == "audio":
        content = data.get("content")
        if isinstance(content, dict) and content.get("recognition"):
            return strip_mention(str(content["recognition"]))
    return ""
