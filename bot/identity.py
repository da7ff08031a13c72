"""Who is asking: the one owner of conversation ids across channels.

A conversation id is also the key of the user's saved unit, audit rows and
feedback, so whoever can name an id can act as that user. Each channel
therefore owns a namespace, ``<channel>:<id>`` (``wecom:zhangsan``,
``dingtalk:manager123``, ``voice:desk-3``, ``web:Ab12…``), assigned on the
server side by that channel's code. A caller of one channel can never name a
conversation of another:

- voice and web callers give only the part after the prefix; an id that
  carries another channel's prefix (or any ``:``) is refused;
- the REST channel (loopback only: the CLI, tests and tools) keeps its plain
  ids (``u1``, ``cli-…``) and refuses every prefixed id, except ``web:`` ids
  relayed by the web widget's server, which proves itself with the Rasa token;
- a caller who gives no id gets a fresh anonymous conversation
  (``voice:anon-…``), never one shared with other anonymous callers.

Pure functions: no Rasa, no server, no database.
"""

from __future__ import annotations

import hmac
import re
import uuid

WECOM = "wecom"
DINGTALK = "dingtalk"
VOICE = "voice"
WEB = "web"
REST = "rest"
CHANNELS = (WECOM, DINGTALK, VOICE, WEB)

# What a channel's own part of an id may hold: platform user ids (WeCom: letters,
# digits, _-.@), widget ids, voice device ids. No ":": namespaces stay unambiguous.
LOCAL_ID = re.compile(r"[A-Za-z0-9_.@-]{1,64}")


class IdentityError(ValueError):
    """The caller named a conversation it may not use; ``str(exc)`` is for the user."""


def sender_id(channel: str, given: object = None) -> str:
    """The conversation id for a caller of ``channel`` who says they are ``given``.

    ``given`` may already carry this channel's prefix (a client sending back the
    ``recipient_id`` it was answered with). Empty or missing: a new anonymous id.

    Raises:
        IdentityError: ``given`` names another channel's conversation or is malformed.
    """
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    if given is None or given == "":
        return f"{channel}:anon-{uuid.uuid4().hex}"
    if not isinstance(given, str):
        raise IdentityError("会话标识应为文字。")
    local = given.removeprefix(f"{channel}:")
    if ":" in local:
        raise IdentityError(f"会话标识不能使用其他通道的前缀（本通道的会话标识为 {channel}:…）。")
    if not LOCAL_ID.fullmatch(local):
        raise IdentityError("会话标识只能包含字母、数字和 _-.@，最长 64 个字符。")
    return f"{channel}:{local}"


def rest_sender(given: object, relayed_by_web: bool = False) -> str:
    """The conversation id for a caller of the REST channel.

    Plain ids are REST's own; ``web:`` ids only when ``relayed_by_web`` (the
    request carried the Rasa token, which only the widget's server holds).

    Raises:
        IdentityError: the id is another channel's, or malformed.
    """
    if relayed_by_web and isinstance(given, str) and given.startswith(f"{WEB}:"):
        return sender_id(WEB, given)
    if given is None or given == "":
        return f"anon-{uuid.uuid4().hex}"
    if not isinstance(given, str):
        raise IdentityError("会话标识应为文字。")
    if ":" in given:
        raise IdentityError("REST 通道不能使用带通道前缀的会话标识（如 wecom:、dingtalk:、voice:、web:）。")
    if not LOCAL_ID.fullmatch(given):
        raise IdentityError("会话标识只能包含字母、数字和 _-.@，最长 64 个字符。")
    return given


def channel_of(sender: str) -> str:
    """The channel whose namespace ``sender`` is in (``rest`` for plain ids)."""
    prefix, sep, _ = sender.partition(":")
    return prefix if sep and prefix in CHANNELS else REST


def bearer_matches(secret: str, header: str | None) -> bool:
    """True when ``header`` is ``Bearer <secret>``; never for an empty secret. Constant time."""
    if not secret:
        return False
    given = (header or "").removeprefix("Bearer ").strip()
    return hmac.compare_digest(given.encode("utf-8"), secret.encode("utf-8"))
