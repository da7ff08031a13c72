"""Who a platform user is: the unit (镇街) they work for.

For now the map comes from ``WECOM_USER_UNITS`` / ``DINGTALK_USER_UNITS``,
each a JSON object ``{"userid": "天河区石牌街道"}``. A real user directory
replaces :func:`unit_for` and nothing else.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from functools import lru_cache

logger = logging.getLogger(__name__)


def unit_for(channel: str, user_id: str, env: Mapping[str, str] | None = None) -> str | None:
    """The full name of the user's unit, or None when the directory does not know them."""
    env = os.environ if env is None else env
    units = _parse(channel, env.get(f"{channel.upper()}_USER_UNITS", ""))
    unit = units.get(user_id)
    return unit if isinstance(unit, str) and unit.strip() else None


@lru_cache(maxsize=8)
def _parse(channel: str, raw: str) -> dict[str, object]:
    if not raw.strip():
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        logger.error("%s_USER_UNITS is not valid JSON; no user is mapped to a unit", channel.upper())
        return {}
    if not isinstance(value, dict):
        logger.error("%s_USER_UNITS must be a JSON object {userid: unit}", channel.upper())
        return {}
    return value
