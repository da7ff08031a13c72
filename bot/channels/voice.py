"""Voice front end: REST-compatible webhook whose reply also says what to speak.

``POST /webhooks/voice/webhook`` with ``{"sender", "message", "asr":
{"nbest": [...], "confidence": 0.87}, "metadata": {...}}``. ``message`` is
the recogniser's best transcript (when empty, ``asr.nbest[0]`` is used); the
``asr`` object reaches Rasa as ``metadata["asr"]``. The answer is the REST
channel's list of bot messages followed by one element
``{"recipient_id": sender, "speech": "可以。…"}`` holding the TTS text
(:func:`bot.speech.speech_text`), so REST clients keep working.

With ``VOICE_TOKEN`` set, callers must send ``Authorization: Bearer <token>``.
With ``VOICE_MIN_CONFIDENCE`` set, a transcript the recogniser is less sure
of is not guessed at: the caller is asked to repeat.

Conversations are ``voice:<sender>`` (:mod:`bot.identity`): a caller cannot
name another channel's user, and callers who give no sender each get their
own conversation (its id comes back as ``recipient_id``). Of the caller's
``metadata`` only ``unit`` is passed on. Requests are limited per sender and
per client address (``VOICE_SENDER_PER_MIN``, ``VOICE_ADDRESS_PER_MIN``): 429.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import identity
from bot.channels import inbox, limits
from bot.channels.config import VoiceSettings
from bot.channels.errors import RequestRejected, TooLarge
from bot.config import settings as app_settings
from bot.ratelimit import RequestLimits, client_address, retry_seconds, too_many_message
from bot.speech import speech_text

logger = logging.getLogger(__name__)

CHANNEL = "voice"
MAX_NBEST = 5
SAY_AGAIN = "抱歉，我没听清，请再说一遍您的问题。"


def asr_metadata(asr: Any) -> dict[str, Any] | None:
    """The recogniser's alternatives and confidence, checked and bounded, or None."""
    if not isinstance(asr, dict):
        return None
    nbest = [str(t)[: inbox.MAX_QUESTION_CHARS] for t in asr.get("nbest") or [] if isinstance(t, (str, int, float))]
    out: dict[str, Any] = {"nbest": nbest[:MAX_NBEST]}
    confidence = asr.get("confidence")
    if isinstance(confidence, (int, float)) and not isinstance(confidence, bool) and 0 <= confidence <= 1:
        out["confidence"] = float(confidence)
    return out


def authorized(token: str, header: str | None) -> bool:
    """True when no token is configured, or the Bearer token matches."""
    return not token or identity.bearer_matches(token, header)


def caller_metadata(metadata: Any) -> dict[str, Any]:
    """What a caller may tell the bot besides the text: only the unit it speaks for."""
    if isinstance(metadata, dict) and isinstance(metadata.get("unit"), str):
        return {"unit": metadata["unit"]}
    return {}


class VoiceInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> VoiceInput:
        return cls(VoiceSettings.load(credentials))

    def __init__(self, settings: VoiceSettings | None = None, limits: RequestLimits | None = None):
        self.settings = settings or VoiceSettings()
        cfg = app_settings()
        self.limits = limits or RequestLimits.per_minute(cfg.voice_sender_per_min, cfg.voice_address_per_min)
        self.trusted_proxies = cfg.trusted_proxies

    def _too_many(self, retry_after: float) -> HTTPResponse:
        return response.json(
            {"error": too_many_message(retry_after)},
            status=429,
            headers={"Retry-After": str(retry_seconds(retry_after))},
            ensure_ascii=False,
        )

    def blueprint(self, on_new_message: inbox.OnNewMessage) -> Blueprint:
        hook = Blueprint("voice_webhook", __name__)

        @hook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @hook.route("/webhook", methods=["POST"], stream=True)  # stream: the size is checked first
        async def webhook(request: Request) -> HTTPResponse:
            address = client_address(request.ip, request.headers.get("x-forwarded-for"), self.trusted_proxies)
            if wait := self.limits.address_retry_after(address):
                return self._too_many(wait)
            if not authorized(self.settings.token, request.headers.get("authorization")):
                logger.warning("voice: unauthorized request from %s", request.ip)
                return response.json({"error": "unauthorized"}, status=401)
            try:
                raw = await limits.read_body(request)
            except TooLarge as exc:
                return response.json({"error": limits.too_large_text()}, status=exc.status)
            except RequestRejected:  # an unreadable Content-Length: answered as a bad body below
                raw = b""
            try:
                body = json.loads(raw)
            except ValueError:
                body = None
            if not isinstance(body, dict):
                return response.json({"error": "body must be a JSON object"}, status=400)
            try:
                sender = identity.sender_id(identity.VOICE, body.get("sender"))
            except identity.IdentityError as exc:
                logger.warning("voice: refused sender %r from %s", body.get("sender"), request.ip)
                return response.json({"error": str(exc)}, status=403, ensure_ascii=False)
            if wait := self.limits.sender_retry_after(sender):
                return self._too_many(wait)
            asr = asr_metadata(body.get("asr"))
            text = str(body.get("message") or "").strip()
            if not text and asr and asr["nbest"]:
                text = asr["nbest"][0]
            metadata = caller_metadata(body.get("metadata"))
            if asr is not None:
                metadata["asr"] = asr
            messages = await self.answer(on_new_message, sender, text, metadata, asr)
            messages.append({"recipient_id": sender, "speech": speech_text(messages)})
            return response.json(messages)

        limits.cap_server_body(hook)
        return hook

    async def answer(
        self,
        on_new_message: inbox.OnNewMessage,
        sender: str,
        text: str,
        metadata: dict[str, Any],
        asr: dict[str, Any] | None,
    ) -> list[dict[str, Any]]:
        """The bot's messages, or one clear message when the transcript is unusable."""
        confidence = (asr or {}).get("confidence")
        if not text or (confidence is not None and confidence < self.settings.min_confidence):
            return [{"recipient_id": sender, "text": SAY_AGAIN}]
        if len(text) > inbox.MAX_QUESTION_CHARS:
            notice = inbox.TOO_LONG.format(chars=len(text), limit=inbox.MAX_QUESTION_CHARS)
            return [{"recipient_id": sender, "text": notice}]
        collector = CollectingOutputChannel()
        try:
            message = UserMessage(text, collector, sender, input_channel=CHANNEL, metadata=metadata)
            await inbox.with_apology(on_new_message)(message)
        except Exception:
            logger.exception("voice: the bot failed for %s", sender)
            return [{"recipient_id": sender, "text": inbox.BOT_FAILED}]
        return collector.messages
