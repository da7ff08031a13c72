"""WeCom (企业微信) self-built app: callback webhook and active message API.

``/webhooks/wecom/webhook`` takes WeCom's URL verification (GET) and message
callbacks (POST). Every request is checked before anything else: body size
(refused before it is read), SHA1 signature over the sorted token, timestamp,
nonce and ciphertext, a timestamp window (``WECOM_MAX_SKEW_S``), AES-256-CBC
decryption with the EncodingAESKey and the CorpID inside the plaintext
(:mod:`bot.channels.wecom_crypto`). The POST is answered at once; the
message is deduplicated by MsgId, answered by Rasa in the background and the
reply sent with ``/cgi-bin/message/send`` (text, or markdown for the answer
card), each piece at most 2048 bytes, each call limited to
``WECOM_HTTP_TIMEOUT_S`` and retried with backoff.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

import aiohttp
from rasa.core.channels.channel import InputChannel
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels import inbox, limits
from bot.channels.config import WeComSettings
from bot.channels.directory import unit_for
from bot.channels.errors import (
    DeliveryError,
    MalformedMessage,
    NotConfigured,
    RequestRejected,
    SignatureInvalid,
    TooLarge,
)
from bot.channels.render import Outgoing, split_by_bytes
from bot.channels.wecom_crypto import decrypt, encrypt, parse_xml, signature, verify_signature

logger = logging.getLogger(__name__)

CHANNEL = "wecom"
TEXT = "text/plain; charset=utf-8"
TEXT_LIMIT_BYTES = 2048
TOKEN_ERRORS = {40001, 40014, 42001}  # invalid or expired access_token: fetch a new one
TOKEN_MARGIN_S = 300


# ---- the active message API -------------------------------------------------------------------


class WeComApi:
    """Sends app messages; caches the access_token and refreshes it when WeCom says it expired."""

    def __init__(self, settings: WeComSettings, retry: inbox.RetryPolicy | None = None):
        self.settings = settings
        self.retry = retry or inbox.RetryPolicy()
        self._session: aiohttp.ClientSession | None = None
        self._token: str | None = None
        self._token_until = 0.0

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.settings.http_timeout_s))
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def access_token(self, refresh: bool = False) -> str:
        if not refresh and self._token and time.monotonic() < self._token_until:
            return self._token
        url = f"{self.settings.api_base}/cgi-bin/gettoken"
        params = {"corpid": self.settings.corp_id, "corpsecret": self.settings.secret}
        data = await self._call("GET", url, params=params)
        if data.get("errcode", 0) != 0 or not data.get("access_token"):
            raise DeliveryError(f"gettoken errcode {data.get('errcode')}: {data.get('errmsg')}")
        self._token = str(data["access_token"])
        lifetime = int(data.get("expires_in") or 7200)
        self._token_until = time.monotonic() + max(60, lifetime - TOKEN_MARGIN_S)
        return self._token

    async def send(self, user: str, message: Outgoing) -> None:
        """Send one rendered message, split into pieces WeCom accepts.

        Raises:
            SendFailed: when a piece could not be delivered after all retries.
        """
        for piece in split_by_bytes(message.content, TEXT_LIMIT_BYTES):
            body: dict[str, Any] = {
                "touser": user,
                "msgtype": message.kind,
                "agentid": int(self.settings.agent_id) if self.settings.agent_id.isdigit() else self.settings.agent_id,
                message.kind: {"content": piece},
                # WeCom drops a repeat of the same content within the interval: a retry after a
                # lost response cannot show the user the same answer twice.
                "enable_duplicate_check": 1,
                "duplicate_check_interval": 600,
            }
            await inbox.with_retries(functools.partial(self._send_once, body), f"wecom send to {user}", self.retry)

    async def _send_once(self, body: dict[str, Any]) -> None:
        url = f"{self.settings.api_base}/cgi-bin/message/send"
        data = await self._call("POST", url, params={"access_token": await self.access_token()}, json=body)
        if data.get("errcode") in TOKEN_ERRORS:
            params = {"access_token": await self.access_token(refresh=True)}
            data = await self._call("POST", url, params=params, json=body)
        if data.get("errcode", 0) != 0:
            raise DeliveryError(f"message/send errcode {data.get('errcode')}: {data.get('errmsg')}")

    async def _call(self, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
        try:
            async with self._client().request(method, url, **kwargs) as resp:
                if resp.status != 200:
                    raise DeliveryError(f"HTTP {resp.status} from {url}")
                data = await resp.json(content_type=None)
        except inbox.HTTP_ERRORS as exc:
            raise DeliveryError(f"{exc.__class__.__name__} calling {url}: {exc}") from exc
        if not isinstance(data, dict):
            raise DeliveryError(f"unexpected answer from {url}")
        return data


# ---- the input channel ------------------------------------------------------------------------


class WeComInput(InputChannel):
    """The WeCom callback. Unconfigured, it answers 503 and names the missing variables."""

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> WeComInput:
        return cls(WeComSettings.load(credentials))

    def __init__(self, settings: WeComSettings, clock: Callable[[], float] = time.time):
        self.settings = settings
        self.clock = clock
        self.api = WeComApi(settings)
        self.claims = inbox.Claims()
        self.tasks = inbox.Tasks()
        if settings.missing:
            logger.info("wecom channel not configured (missing %s): webhook answers 503", ", ".join(settings.missing))

    def blueprint(self, on_new_message: inbox.OnNewMessage) -> Blueprint:
        hook = Blueprint("wecom_webhook", __name__)

        @hook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok", "configured": not self.settings.missing})

        @hook.route("/webhook", methods=["GET", "POST"], stream=True)  # stream: the size is checked first
        async def webhook(request: Request) -> HTTPResponse:
            try:
                self._require_config()
                if request.method == "GET":
                    return response.text(self.verify_url(request.args), content_type=TEXT)
                message = self.accept(request.args, await limits.read_body(request))
            except NotConfigured as exc:
                return response.text(str(exc), status=503, content_type=TEXT)
            except TooLarge as exc:
                logger.warning("wecom: rejected %s from %s: %s", request.method, request.ip, exc)
                return response.text(limits.too_large_text(), status=exc.status, content_type=TEXT)
            except RequestRejected as exc:
                logger.warning("wecom: rejected %s from %s: %s", request.method, request.ip, exc)
                return response.text(type(exc).__name__, status=exc.status)
            if message is not None and await self.claims.claim(message):
                self.tasks.spawn(
                    inbox.handle(on_new_message, message, lambda out: self.api.send(message.user_id, out)),
                    name=f"wecom-{message.msg_id}",
                )
            elif message is not None:
                logger.info("wecom: duplicate message %s from %s ignored", message.msg_id, message.user_id)
            return response.text("", status=200)

        @hook.listener("before_server_stop")
        async def finish(*_: Any) -> None:
            await self.tasks.drain()

        @hook.listener("after_server_stop")
        async def close(*_: Any) -> None:
            await self.api.close()

        limits.cap_server_body(hook)
        return hook

    def _require_config(self) -> None:
        if self.settings.missing:
            raise NotConfigured("企业微信通道未配置：请设置环境变量 " + "、".join(self.settings.missing))

    def _check(self, args: Mapping[str, Any], encrypted: str) -> None:
        ok = verify_signature(
            self.settings.token,
            _arg(args, "timestamp"),
            _arg(args, "nonce"),
            encrypted,
            _arg(args, "msg_signature"),
            now=self.clock(),
            max_skew_s=self.settings.max_skew_s,
        )
        if not ok:
            raise SignatureInvalid("bad msg_signature or timestamp outside the window")

    def verify_url(self, args: Mapping[str, Any]) -> str:
        """URL verification: the decrypted echostr."""
        echostr = _arg(args, "echostr")
        self._check(args, echostr)
        return decrypt(self.settings.aes_key, echostr, self.settings.corp_id)

    def accept(self, args: Mapping[str, Any], body: bytes) -> inbox.Incoming | None:
        """Verify and decrypt a callback; the user message in it, or None for events.

        Raises:
            RequestRejected: on anything not signed, not for us, or not well-formed.
        """
        if len(body) > limits.MAX_BODY_BYTES:
            raise TooLarge(f"body of {len(body)} bytes")
        encrypted = parse_xml(body).get("Encrypt", "")
        if not encrypted:
            raise MalformedMessage("no Encrypt element")
        self._check(args, encrypted)
        fields = parse_xml(decrypt(self.settings.aes_key, encrypted, self.settings.corp_id))
        kind = fields.get("MsgType", "")
        user = fields.get("FromUserName", "")
        if kind == "event":
            logger.debug("wecom: event %s from %s ignored", fields.get("Event"), user)
            return None
        if not user:
            raise MalformedMessage("no FromUserName")
        msg_id = fields.get("MsgId") or f"{user}:{fields.get('CreateTime', '')}"
        metadata: dict[str, Any] = {"channel_user": user, "agent_id": fields.get("AgentID", "")}
        unit = unit_for(CHANNEL, user)
        if unit:
            metadata["unit"] = unit
        return inbox.Incoming(
            channel=CHANNEL,
            msg_id=msg_id,
            user_id=user,
            text=fields.get("Content", "") if kind == "text" else "",
            metadata=metadata,
            text_only_notice=kind != "text",
        )


def _arg(args: Mapping[str, Any], name: str) -> str:
    """A query argument; Sanic's args map names to lists."""
    value = args.get(name, "")
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value)


__all__ = [  # the pure functions live in wecom_crypto; named here for callers of this module
    "WeComApi",
    "WeComInput",
    "decrypt",
    "encrypt",
    "parse_xml",
    "signature",
    "verify_signature",
]
