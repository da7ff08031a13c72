"""Rasa's per-call overheads removed (bot/rasa_speedups.py): same validation, fewer events sent."""

from __future__ import annotations

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot import rasa_speedups
from bot.config import PROJECT_ROOT


@pytest.fixture(scope="module")
def action() -> RemoteAction:
    rasa_speedups.install()
    endpoint = EndpointConfig("http://127.0.0.1:9/webhook", enable_selective_domain=True)
    return RemoteAction("action_answer_power", endpoint)


def test_action_responses_are_validated_as_before(action: RemoteAction) -> None:
    assert action._validate_action_result({"events": [], "responses": [{"text": "好"}]})
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        action._validate_action_result({"events": "not a list", "responses": []})


def test_an_action_call_carries_the_latest_turn_only(action: RemoteAction) -> None:
    domain = Domain.load(PROJECT_ROOT / "domain.yml")
    tracker = DialogueStateTracker("speedups", domain.slots)
    for text in ("第一问", "第二问"):
        tracker.update(UserUttered(text, {"name": "ask_can", "confidence": 1.0}, input_channel="rest"))
        tracker.update(ActionExecuted("action_answer_power"))
        tracker.update(BotUttered(text="答"))
        tracker.update(ActionExecuted("action_listen"))
    tracker.update(UserUttered("第三问", {"name": "ask_can", "confidence": 1.0}, input_channel="rest"))
    call = action._action_call_format(tracker, domain)
    assert [e["event"] for e in call["tracker"]["events"]] == ["user"]
    assert call["tracker"]["latest_message"]["text"] == "第三问"
    assert "domain" not in call


def test_events_are_read_back_as_before(action: RemoteAction) -> None:
    from rasa.shared.core.events import Event, SlotSet

    events = [UserUttered("问", {"name": "ask_can", "confidence": 1.0}), BotUttered("答", {"custom": {"a": 1}})]
    events += [SlotSet("unit", "天河区石牌街道"), ActionExecuted("action_listen")]
    for _ in range(2):  # the second time from the remembered classes
        assert [Event.from_parameters(e.as_dict()) for e in events] == events
    with pytest.raises(ValueError, match="Unknown event name"):
        Event.resolve_by_type("no_such_event")


def test_action_calls_reuse_one_connection(action: RemoteAction) -> None:
    import asyncio

    from aiohttp import web

    from bot.servers import free_port

    peers: list[object] = []

    async def webhook(request: web.Request) -> web.Response:
        peers.append(request.transport.get_extra_info("peername") if request.transport else None)
        return web.json_response({"events": [], "responses": [{"text": "好"}]})

    async def calls() -> list[object]:
        app = web.Application()
        app.router.add_post("/webhook", webhook)
        runner = web.AppRunner(app)
        await runner.setup()
        port = free_port()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        try:
            endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook", headers={"Authorization": "Bearer x"})
            return [await endpoint.request(json={"n": i}, method="post") for i in range(3)]
        finally:
            await runner.cleanup()

    answers = asyncio.run(calls())
    assert answers == [{"events": [], "responses": [{"text": "好"}]}] * 3
    assert len(peers) == 3 and len(set(peers)) == 1  # one connection, kept alive
