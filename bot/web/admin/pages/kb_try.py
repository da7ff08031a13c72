"""试一试: ask as any unit and see the answer card plus why — the unit resolved, the candidate
items with their scores, the rule that gave the verdict. Read-only, and never audited.

The intent comes from the running model (Rasa's ``/model/parse``), the answer from the same
dialogue code the action server runs (bot.curation.tryit) over the knowledge in force.
"""

from __future__ import annotations

import asyncio
import logging

import aiohttp
from aiohttp import web

from bot.curation.tryit import try_question
from bot.kb.types import UNIT_KIND_LABELS
from bot.verdict import VERDICT_LABELS
from bot.web.admin import Routes, knowledge, render

routes = Routes()
logger = logging.getLogger(__name__)

SIGNAL_LABELS = {"name": "事项名称", "alias": "别名", "terms": "词语覆盖", "keywords": "情形关键词"}
MAX_QUESTION = 300


@routes.get("/try", role="viewer", nav="试一试", order=60)
async def try_page(request: web.Request) -> web.StreamResponse:
    question = request.query.get("q", "").strip()[:MAX_QUESTION]
    unit = request.query.get("unit", "").strip()[:64]
    trial = None
    if question:
        kb = await knowledge(request)
        intent = await _intent(request, question)
        trial = await asyncio.to_thread(try_question, kb, question, unit or None, intent or "ask_can")
    return await render(
        request,
        "try.html",
        title="试一试",
        q=question,
        unit=unit,
        trial=trial,
        card=trial.payload if trial else None,
        verdicts=VERDICT_LABELS,
        signals=SIGNAL_LABELS,
        kinds=UNIT_KIND_LABELS,
    )


async def _intent(request: web.Request, text: str) -> str | None:
    """What the running model takes the question for; None when Rasa cannot be asked."""
    from bot.web.app import HTTP, RASA_TOKEN, RASA_URL  # the app module imports this package

    app = request.app
    if HTTP not in app:
        return None
    params = {"token": app[RASA_TOKEN]} if app[RASA_TOKEN] else {}
    try:
        async with app[HTTP].post(
            f"{app[RASA_URL]}/model/parse", json={"text": text}, params=params, timeout=aiohttp.ClientTimeout(total=15)
        ) as response:
            if response.status != 200:
                return None
            parsed = await response.json()
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
        logger.info("Rasa NLU not reachable for 试一试: %r", exc)
        return None
    name = (parsed.get("intent") or {}).get("name")
    return name if isinstance(name, str) else None
