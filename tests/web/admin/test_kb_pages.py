"""导入, 版本, 试一试, 未答问题 at the aiohttp level, over a copy of knowledge/ and its own database."""

from __future__ import annotations

import re
import shutil
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient

from bot import audit
from bot.config import KNOWLEDGE_DIR
from bot.kb.build import build
from bot.kb.provider import KnowledgeProvider
from bot.ops import changes
from bot.web.app import create_app
from tests.web.admin.conftest import SETTINGS, Console

TOWN_XLSX = KNOWLEDGE_DIR / "samples" / "下放事项目录_镇.xlsx"
BROKEN_CSV = KNOWLEDGE_DIR / "samples" / "下放事项目录_错误示例.csv"
NEW_ITEM = "440100-XF-GF-0101"  # 培育农村实用人才, only in the town sample
NEW_QUESTION = "白云区江高镇能不能培育农村实用人才？"


@pytest.fixture()
def kb_console(
    aiohttp_client: Callable[..., Awaitable[TestClient]],
    console_app: Any,  # creates the accounts
    fresh_ops: str,
    knowledge_copy: Path,
    kb_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Callable[[str], Awaitable[Console]]:
    database = tmp_path / "kb.sqlite3"
    shutil.copyfile(kb_url[len("sqlite:///") :], database)
    url = f"sqlite:///{database}"
    monkeypatch.setenv("KB_KNOWLEDGE_DIR", str(knowledge_copy))
    monkeypatch.setenv("KB_DATABASE_URL", url)
    monkeypatch.setenv("KB_BUILD_DIR", str(tmp_path / "build"))
    build(knowledge_copy, url, force=True)
    provider = KnowledgeProvider(url, check_every_s=0)

    async def go(name: str) -> Console:
        app = create_app("http://127.0.0.1:9", knowledge=provider.get, admin=SETTINGS, ops_url=fresh_ops)
        console = Console(await aiohttp_client(app))
        assert (await console.login(name)).status == 303
        return console

    return go


async def _upload(console: Console, path: Path, scope: str = "town") -> tuple[int, str]:
    await console.page("/admin/import")
    form = aiohttp.FormData()
    form.add_field("csrf_token", console.token)
    form.add_field("scope", scope)
    form.add_field("file", path.read_bytes(), filename=path.name)
    response = await console.client.post("/admin/import/preview", data=form, allow_redirects=False)
    return response.status, await response.text()


async def test_upload_preview_apply_try_and_roll_back(kb_console, fresh_ops) -> None:  # type: ignore[no-untyped-def]
    console = await kb_console("editor")
    _, html = await console.page(f"/admin/try?q={NEW_QUESTION}")
    assert "未找到" in html and NEW_ITEM not in html

    status, html = await _upload(console, TOWN_XLSX)
    assert status == 200
    assert re.findall(r'data-count="(\w+)">(\d+)<', html) == [
        ("added", "10"),
        ("changed", "2"),
        ("unchanged", "3"),
        ("removed", "0"),
    ]
    assert NEW_ITEM in html and "知识库尚未改动" in html
    token = re.search(r'name="token" value="([0-9a-f]+)"', html)
    assert token

    response = await console.post("/admin/import/apply", {"token": token.group(1)})
    assert response.status == 303 and response.headers["Location"] == "/admin/versions", await response.text()
    _, html = await console.page("/admin/versions")
    assert "已导入 下放事项目录_镇.csv：新增 10 项" in html
    assert re.search(r"<td>editor</td>\s*<td>导入清单</td>\s*<td>下放事项目录_镇.xlsx", html)

    _, html = await console.page(f"/admin/try?q={NEW_QUESTION}")
    assert f"<code>{NEW_ITEM}</code>" in html and "badge-yes" in html and "白云区江高镇为镇" in html

    _, html = await console.page("/admin/versions")
    first = re.findall(r'name="version" value="([^"]+)"', html)[-1]
    response = await console.post("/admin/versions/rollback", {"version": first})
    assert response.status == 303
    _, html = await console.page("/admin/try?q=" + NEW_QUESTION)
    assert NEW_ITEM not in html and "未找到" in html
    trail = [c.action for c in changes.recent(url=fresh_ops)[0]]
    assert "kb.import" in trail and "kb.rollback" in trail


async def test_a_rejected_upload_lists_every_row_problem(kb_console) -> None:  # type: ignore[no-untyped-def]
    console = await kb_console("editor")
    status, html = await _upload(console, BROKEN_CSV)
    assert status == 200 and "不能导入" in html and "确认导入" not in html
    assert "未知的权力类型" in html and "缺少事项名称" in html


async def test_a_viewer_sees_versions_but_cannot_import_or_roll_back(kb_console) -> None:  # type: ignore[no-untyped-def]
    console = await kb_console("viewer")
    status, html = await console.page("/admin/versions")
    assert status == 200 and "回滚到此版本" not in html
    assert (await console.page("/admin/import"))[0] == 403
    response = await console.post("/admin/versions/rollback", {"version": "x"})
    assert response.status == 403
    editor = await kb_console("editor")
    await editor.page("/admin/versions")
    assert (await editor.post("/admin/versions/rollback", {"version": "x"}, csrf=False)).status == 403


async def test_a_miss_becomes_an_alias_answered_right_after(kb_console, fresh_ops) -> None:  # type: ignore[no-untyped-def]
    question = "能不能处罚在小区里养鸡的"
    audit.record(audit.Entry(sender="u1", text=question, unit="天河区石牌街道", verdict="unknown"), fresh_ops)
    console = await kb_console("editor")
    _, html = await console.page("/admin/misses")
    assert "处罚在小区里养鸡" in html and "siyang_jiaqin" in html
    assert 'name="alias" value="小区里养鸡"' in html
    response = await console.client.get("/admin/api/items", params={"q": "家禽"})
    assert (await response.json())["items"][0]["code"] == "siyang_jiaqin"

    response = await console.post(
        "/admin/misses/resolve", {"wording": "处罚在小区里养鸡", "code": "siyang_jiaqin", "alias": "小区里养鸡"}
    )
    assert response.status == 303
    _, html = await console.page("/admin/misses")
    assert "已把“小区里养鸡”加为" in html and "没有待处理的未答问题" in html
    _, html = await console.page(f"/admin/try?q={question}&unit=石牌街道")
    assert "<code>siyang_jiaqin</code>" in html and "badge-yes" in html
    assert changes.recent(url=fresh_ops)[0][0].action == "alias.add"
