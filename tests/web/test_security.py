"""Who may call the widget API and how often, and the headers on every response (aiohttp level)."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from bot.ratelimit import RequestLimits
from bot.web.security import ORIGIN_REFUSED
from tests.web.conftest import FakeRasa, Serve
from tests.web.test_api import chat_body

PORTAL = "http://portal.example"
EVIL = "http://evil.example"


async def chat(client: TestClient, body: Any, origin: str | None = None) -> tuple[int, dict[str, Any], Any]:
    headers = {"Content-Type": "application/json"}
    if origin:
        headers["Origin"] = origin
    response = await client.post("/api/chat", json=body, headers=headers)
    return response.status, await response.json(), response.headers


async def preflight(client: TestClient, origin: str) -> Any:
    response = await client.options("/api/chat", headers={"Origin": origin, "Access-Control-Request-Method": "POST"})
    assert response.status == 204
    return response.headers


async def test_an_allowed_origin_gets_cors_on_preflight_answers_and_errors(serve: Serve):
    client = await serve(FakeRasa(), allowed_origins=[PORTAL + "/"])
    headers = await preflight(client, PORTAL)
    assert headers["Access-Control-Allow-Origin"] == PORTAL
    assert "Content-Type" in headers["Access-Control-Allow-Headers"]
    status, _, headers = await chat(client, chat_body("石牌街道能不能处罚占道经营"), PORTAL)
    assert status == 200 and headers["Access-Control-Allow-Origin"] == PORTAL
    # errors too: the widget on the portal page must be able to read and show them
    status, data, headers = await chat(client, chat_body(""), PORTAL)
    assert status == 400 and data["error"] == "请输入要问的问题。"
    assert headers["Access-Control-Allow-Origin"] == PORTAL
    response = await client.get("/api/nothing", headers={"Origin": PORTAL})
    assert response.status == 404 and response.headers["Access-Control-Allow-Origin"] == PORTAL


async def test_a_rasa_failure_keeps_the_cors_header(serve: Serve):
    client = await serve(rasa=None, allowed_origins=[PORTAL])
    status, data, headers = await chat(client, chat_body("石牌街道能不能处罚占道经营"), PORTAL)
    assert status == 502 and "暂时连接不上" in data["error"]
    assert headers["Access-Control-Allow-Origin"] == PORTAL


async def test_another_sites_page_gets_no_cors_and_is_refused_before_any_work(serve: Serve):
    rasa = FakeRasa()

    client = await serve(rasa, allowed_origins=[PORTAL])
    headers = await preflight(client, EVIL)
    assert "Access-Control-Allow-Origin" not in headers
    status, data, headers = await chat(client, chat_body("石牌街道能不能处罚占道经营"), EVIL)
    assert (status, data["error"]) == (403, ORIGIN_REFUSED)
    assert "Access-Control-Allow-Origin" not in headers
    # a form post needs no preflight: refused all the same
    response = await client.post(
        "/api/chat",
        data='{"sender": "web-0123456789abcdef", "message": "x"}',
        headers={"Origin": EVIL, "Content-Type": "text/plain"},
    )
    assert response.status == 403 and "Access-Control-Allow-Origin" not in response.headers
    # the widget on its own page (same origin) needs no allowlist
    own = f"http://{client.server.host}:{client.server.port}"
    status, _, headers = await chat(client, chat_body("石牌街道能不能处罚占道经营"), own)
    assert status == 200 and "Access-Control-Allow-Origin" not in headers
    assert [m["message"] for m in rasa.messages] == ["石牌街道能不能处罚占道经营"]  # only the same-origin one


async def test_no_origin_is_allowed_by_default(serve: Serve):
    client = await serve(FakeRasa())
    headers = await preflight(client, PORTAL)
    assert "Access-Control-Allow-Origin" not in headers
    status, _, _ = await chat(client, chat_body("石牌街道能不能处罚占道经营"), PORTAL)
    assert status == 403


async def test_a_sender_asking_too_often_gets_429_in_chinese(serve: Serve):
    rasa = FakeRasa()

    client = await serve(rasa, limits=RequestLimits.per_minute(sender=3, address=100))
    for _ in range(3):
        assert (await chat(client, chat_body("石牌街道能不能处罚占道经营")))[0] == 200
    status, data, headers = await chat(client, chat_body("石牌街道能不能处罚占道经营"))
    assert status == 429 and data["error"].startswith("请求太频繁，请 ") and data["error"].endswith(" 秒后再试。")
    assert 15 <= int(headers["Retry-After"]) <= 20  # one request back every 60/3 s
    # another sender is not held up by this one
    other = chat_body("石牌街道能不能处罚占道经营", sender="web-another-sender-01")
    assert (await chat(client, other))[0] == 200
    # the unit and feedback calls count for the same sender
    response = await client.post("/api/unit", json={"sender": "web-0123456789abcdef", "unit": "江高镇"})
    assert response.status == 429
    assert len(rasa.messages) == 4  # the refused requests never reached Rasa


async def test_one_address_rotating_senders_is_stopped_by_the_address_limit(serve: Serve):
    rasa = FakeRasa()

    client = await serve(rasa, limits=RequestLimits.per_minute(sender=100, address=4))
    statuses = []
    for i in range(6):
        body = chat_body("石牌街道能不能处罚占道经营", sender=f"web-rotating-sender-{i:02d}")
        statuses.append((await chat(client, body))[0])
    assert statuses == [200, 200, 200, 200, 429, 429]
    response = await client.get("/api/units", params={"q": "石牌"})
    assert response.status == 429 and "请求太频繁" in (await response.json())["error"]
    assert len(rasa.messages) == 4


async def test_every_response_says_nosniff_and_the_page_runs_only_its_own_scripts(serve: Serve):
    client = await serve(FakeRasa())
    page = await client.get("/")
    csp = page.headers["Content-Security-Policy"]
    script_src = next(d for d in csp.split(";") if d.strip().startswith("script-src")).split()
    assert script_src == ["script-src", "'self'"]  # no 'unsafe-inline', no 'unsafe-eval'
    assert "connect-src 'self'" in csp and "base-uri 'none'" in csp
    for response in (
        page,
        await client.get("/widget.js"),
        await client.post("/api/chat", data=b"{"),
        await client.get("/missing.js"),
    ):
        assert response.headers["X-Content-Type-Options"] == "nosniff", response.url
        assert "default-src 'none'" in response.headers["Content-Security-Policy"]
