"""The widget's HTTP API at the aiohttp level, against a fake Rasa on loopback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.feedback import recent_feedback
from bot.web.app import RASA_DOWN
from bot.web.inputs import MAX_MESSAGE_CHARS
from tests.web.conftest import FakeRasa, Serve

SENDER = "web-0123456789abcdef"
CONVERSATION = "web:0123456789abcdef"  # how the server files the browser's id (bot.identity)


async def post_json(client: TestClient, path: str, body: Any) -> tuple[int, dict[str, Any]]:
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    response = await client.post(path, data=data, headers={"Content-Type": "application/json"})
    return response.status, await response.json()


def chat_body(message: Any, **extra: Any) -> dict[str, Any]:
    return {"sender": SENDER, "message": message, **extra}


@pytest.mark.parametrize(
    "body, status, message",
    [
        (b"", 400, "请求内容为空"),
        (b"{not json", 400, "不是有效的 JSON"),
        (b"[1, 2]", 400, "应为 JSON 对象"),
        (chat_body(""), 400, "请输入要问的问题"),
        (chat_body("   "), 400, "请输入要问的问题"),
        (chat_body(None), 400, "请输入要问的问题"),
        (chat_body("问" * (MAX_MESSAGE_CHARS + 1)), 400, "问题太长了"),
        (chat_body("石牌街道能不能处罚占道经营", sender="u1"), 400, "会话标识无效"),
        (chat_body("石牌街道能不能处罚占道经营", metadata="石牌"), 400, "metadata 应为 JSON 对象"),
        (chat_body("问" * 30_000), 413, "请求内容过大"),
    ],
)
async def test_chat_rejects_bad_input_in_chinese(serve: Serve, body: Any, status: int, message: str):
    rasa = FakeRasa()
    client = await serve(rasa)
    got_status, data = await post_json(client, "/api/chat", body)
    assert got_status == status
    assert message in data["error"]
    assert rasa.messages == []  # nothing reached Rasa


async def test_chat_forwards_message_and_unit_to_rasa_as_a_web_sender_with_the_token(serve: Serve):
    rasa = FakeRasa()
    client = await serve(rasa, rasa_token="rasa-secret")
    status, data = await post_json(
        client, "/api/chat", chat_body(" 我们能审批宅基地吗 ", metadata={"unit": "白云区江高镇"})
    )
    assert status == 200
    assert data["messages"][1]["custom"]["verdict"] == "yes"
    assert rasa.messages == [
        {
            "sender": CONVERSATION,
            "message": "我们能审批宅基地吗",
            "metadata": {"channel": "web", "unit": "白云区江高镇"},
        }
    ]
    assert rasa.credentials == ["Bearer rasa-secret"]


async def test_chat_rasa_unreachable_is_502_in_chinese(serve: Serve):
    client = await serve(rasa=None)
    status, data = await post_json(client, "/api/chat", chat_body("石牌街道能不能处罚占道经营"))
    assert status == 502
    assert data["error"] == RASA_DOWN


async def test_chat_rasa_error_is_502(serve: Serve):
    client = await serve(FakeRasa(status=500))
    status, data = await post_json(client, "/api/chat", chat_body("石牌街道能不能处罚占道经营"))
    assert status == 502
    assert "助手服务出错（HTTP 500）" in data["error"]


async def test_units_search(serve: Serve):
    client = await serve()

    async def units(q: str) -> tuple[int, dict[str, Any]]:
        response = await client.get("/api/units", params={"q": q})
        return response.status, await response.json()

    assert await units("江高镇") == (200, {"units": ["白云区江高镇"]})
    assert await units("石牌街") == (200, {"units": ["天河区石牌街道"]})
    status, data = await units("新塘")
    assert status == 200 and sorted(data["units"]) == ["增城区新塘镇", "天河区新塘街道"]
    assert await units("火星") == (200, {"units": []})
    status, data = await units("  ")
    assert status == 400 and data["error"] == "请输入镇街名称。"


async def test_set_unit_writes_the_slot_into_the_conversation(serve: Serve):
    rasa = FakeRasa()
    client = await serve(rasa, rasa_token="rasa-secret")
    assert await post_json(client, "/api/unit", {"sender": SENDER, "unit": "江高镇"}) == (
        200,
        {"unit": "白云区江高镇", "synced": True},
    )
    status, data = await post_json(client, "/api/unit", {"sender": SENDER, "unit": "新塘"})
    assert status == 400 and sorted(data["options"]) == ["增城区新塘镇", "天河区新塘街道"]
    status, data = await post_json(client, "/api/unit", {"sender": SENDER, "unit": "火星"})
    assert status == 400 and "没有找到" in data["error"]
    assert rasa.events == [(CONVERSATION, {"event": "slot", "name": "unit", "value": "白云区江高镇"})]
    assert rasa.credentials == ["rasa-secret"]  # Rasa's HTTP API takes its token as ?token=


async def test_set_unit_without_rasa_is_not_synced(serve: Serve):
    client = await serve()
    assert await post_json(client, "/api/unit", {"sender": SENDER, "unit": "江高镇"}) == (
        200,
        {"unit": "白云区江高镇", "synced": False},
    )


async def test_feedback_is_stored(serve: Serve, tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'feedback.sqlite3'}"
    body = {
        "sender": SENDER,
        "question": "石牌街道能不能处罚占道经营",
        "rating": "down",
        "reason": "办公室名称不对",
        "verdict": "yes",
        "item_code": "zhandao_jingying",
        "unit": "天河区石牌街道",
        "kb_version": "20260101.000000-abc",
    }
    client = await serve(feedback_url=url)
    status, data = await post_json(client, "/api/feedback", body)
    assert status == 201 and data["id"] >= 1
    status, data = await post_json(client, "/api/feedback", dict(body, rating="meh"))
    assert status == 400 and "评价" in data["error"]
    status, data = await post_json(client, "/api/feedback", dict(body, reason="长" * 1001))
    assert status == 400 and "原因太长" in data["error"]
    [record] = recent_feedback(url)
    entry = record.entry
    assert entry.sender == CONVERSATION
    assert (entry.rating, entry.reason, entry.item_code, entry.unit) == (
        "down",
        "办公室名称不对",
        "zhandao_jingying",
        "天河区石牌街道",
    )


async def test_static_files_health_and_json_404(serve: Serve):
    client = await serve(FakeRasa())
    response = await client.get("/widget.js")
    assert response.status == 200 and "javascript" in response.content_type
    assert "attachShadow" in await response.text()
    response = await client.get("/widget.css")
    assert response.status == 200 and response.content_type == "text/css"
    response = await client.get("/")
    page = await response.text()
    assert response.status == 200 and '<script src="/widget.js" defer></script>' in page
    response = await client.get("/health")
    assert await response.json() == {"status": "ok", "rasa": "up"}
    response = await client.get("/api/nothing")
    assert response.status == 404 and (await response.json())["error"] == "没有这个地址。"
    response = await client.get("/api/chat")
    assert response.status == 405 and "不支持" in (await response.json())["error"]
