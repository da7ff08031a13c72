"""Channel settings, read from the environment in one place.

``credentials.yml`` names the channels without secrets: Rasa refuses to
start when a ``${VAR}`` there is unset, and ``make run`` must work with no
platform configured. A key given in ``credentials.yml`` wins over the
environment, so a deployment may still write ``token: ${WECOM_TOKEN}``.
An unconfigured channel answers 503 and says which variables are missing.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

WECOM_API_BASE = "https://qyapi.weixin.qq.com"
DINGTALK_API_BASE = "https://oapi.dingtalk.com"
HTTP_TIMEOUT_S = 10.0  # one call to a platform; then retried
SERVER_MAX_BODY_BYTES = 1024 * 1024  # Sanic's limit for every request to the Rasa server


def _pick(credentials: Mapping[str, Any] | None, env: Mapping[str, str], key: str, var: str) -> str:
    value = (credentials or {}).get(key)
    if value is None or str(value).strip() == "":
        value = env.get(var, "")
    return str(value).strip()


def _int(value: str, default: int) -> int:
    try:
        return int(value)
    except ValueError:
        return default


def _seconds(value: str, default: float) -> float:
    try:
        seconds = float(value)
    except ValueError:
        return default
    return seconds if seconds > 0 else default


def server_max_body_bytes(env: Mapping[str, str] | None = None) -> int:
    """``RASA_MAX_BODY_BYTES``: the largest request body the Rasa server reads (1 MiB)."""
    value = _int((os.environ if env is None else env).get("RASA_MAX_BODY_BYTES", ""), SERVER_MAX_BODY_BYTES)
    return value if value > 0 else SERVER_MAX_BODY_BYTES


@dataclass(frozen=True)
class WeComSettings:
    corp_id: str
    token: str
    aes_key: str
    agent_id: str
    secret: str
    api_base: str = WECOM_API_BASE
    max_skew_s: int = 300
    http_timeout_s: float = HTTP_TIMEOUT_S

    REQUIRED = (
        ("corp_id", "WECOM_CORP_ID"),
        ("token", "WECOM_TOKEN"),
        ("aes_key", "WECOM_AES_KEY"),
        ("agent_id", "WECOM_AGENT_ID"),
        ("secret", "WECOM_SECRET"),
    )

    @property
    def missing(self) -> list[str]:
        """Names of the environment variables still to set."""
        return [var for attr, var in self.REQUIRED if not getattr(self, attr)]

    @classmethod
    def load(cls, credentials: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None) -> WeComSettings:
        env = os.environ if env is None else env
        values = {attr: _pick(credentials, env, attr, var) for attr, var in cls.REQUIRED}
        return cls(
            **values,
            api_base=(_pick(credentials, env, "api_base", "WECOM_API_BASE") or WECOM_API_BASE).rstrip("/"),
            max_skew_s=_int(_pick(credentials, env, "max_skew_s", "WECOM_MAX_SKEW_S"), 300),
            http_timeout_s=_seconds(_pick(credentials, env, "http_timeout_s", "WECOM_HTTP_TIMEOUT_S"), HTTP_TIMEOUT_S),
        )


@dataclass(frozen=True)
class DingTalkSettings:
    app_secret: str
    app_key: str = ""  # the robot's AppKey: a callback's robotCode must be this
    api_base: str = DINGTALK_API_BASE  # a sessionWebhook must live under it
    http_timeout_s: float = HTTP_TIMEOUT_S

    @property
    def missing(self) -> list[str]:
        required = (("DINGTALK_APP_KEY", self.app_key), ("DINGTALK_APP_SECRET", self.app_secret))
        return [var for var, value in required if not value]

    @classmethod
    def load(
        cls, credentials: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None
    ) -> DingTalkSettings:
        env = os.environ if env is None else env
        return cls(
            app_secret=_pick(credentials, env, "app_secret", "DINGTALK_APP_SECRET"),
            app_key=_pick(credentials, env, "app_key", "DINGTALK_APP_KEY"),
            api_base=(_pick(credentials, env, "api_base", "DINGTALK_API_BASE") or DINGTALK_API_BASE).rstrip("/"),
            http_timeout_s=_seconds(
                _pick(credentials, env, "http_timeout_s", "DINGTALK_HTTP_TIMEOUT_S"), HTTP_TIMEOUT_S
            ),
        )


@dataclass(frozen=True)
class VoiceSettings:
    token: str = ""  # when set, callers send "Authorization: Bearer <token>"
    min_confidence: float = 0.0  # below it the caller is asked to repeat

    @classmethod
    def load(cls, credentials: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None) -> VoiceSettings:
        env = os.environ if env is None else env
        raw = _pick(credentials, env, "min_confidence", "VOICE_MIN_CONFIDENCE")
        try:
            min_confidence = float(raw) if raw else 0.0
        except ValueError:
            min_confidence = 0.0
        return cls(token=_pick(credentials, env, "token", "VOICE_TOKEN"), min_confidence=min_confidence)
