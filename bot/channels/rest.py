"""Rasa's REST channel, at the same address, minus choosing other channels' users,
with an answer for every message and a body limit.

``/webhooks/rest/webhook`` serves the CLI, the tests and tools on loopback,
and the web widget's server. Rasa's own ``RestInput`` takes any ``sender``
and any ``input_channel``, so a REST call could write into ``wecom:zhangsan``'s
conversation and saved unit. Here the sender goes through
:func:`bot.identity.rest_sender` (plain ids only; ``web:`` ids when the widget's
server relays them with the Rasa token) and the input channel is ours to say.
A refused id is answered 403 ``{"error": "中文说明"}`` before Rasa sees it.

When a custom action fails (the action server is down or crashed), Rasa logs
it and replies nothing; this channel sends the apology instead
(:func:`inbox.with_apology`), and lowers the Rasa server's body limit
(:func:`limits.cap_server_body`).
"""

from __future__ import annotations

import os
from typing import Any

from rasa.core.channels.rest import RestInput as RasaRestInput
from sanic import Blueprint, response
from sanic.exceptions import InvalidUsage
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import identity
from bot.channels import inbox, limits


class RestInput(RasaRestInput):
    @classmethod
    def name(cls) -> str:
        return identity.REST

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> RestInput:
        return cls(os.environ.get("RASA_AUTH_TOKEN", ""))

    def __init__(self, relay_token: str = "") -> None:
        self.relay_token = relay_token

    async def _extract_sender(self, req: Request) -> str:
        body = req.json
        if not isinstance(body, dict):
            raise InvalidUsage("请求内容应为 JSON 对象。")
        relayed = identity.bearer_matches(self.relay_token, req.headers.get("authorization"))
        sender = identity.rest_sender(body.get("sender"), relayed_by_web=relayed)
        req.ctx.channel = identity.channel_of(sender)
        return sender

    def _extract_input_channel(self, req: Request) -> str:
        # Never the caller's word: audit rows would otherwise say "wecom" for a REST call.
        return getattr(req.ctx, "channel", identity.REST)

    def blueprint(self, on_new_message: Any) -> Blueprint:
        hook = super().blueprint(inbox.with_apology(on_new_message))
        limits.cap_server_body(hook)

        @hook.exception(identity.IdentityError)
        async def refused(request: Request, exc: identity.IdentityError) -> HTTPResponse:
            return response.json({"error": str(exc)}, status=403, ensure_ascii=False)

        return hook
