"""The console's knowledge pages in headless Chromium against the real servers (issue 13, Done when):
sign in, upload a sample list, see the preview, apply it, ask in the test box and see the new item,
roll back and see it gone; resolve an unknown question into an alias and see the assistant
answer the same wording right after — over the real Rasa and action server, without a restart.

The session's servers build from a copy of knowledge/ (tests/conftest.py, ``stack_dirs``);
each test puts the version it found back in force when it ends.
"""

from __future__ import annotations

import json
import os
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from bot.config import KNOWLEDGE_DIR, PROJECT_ROOT
from bot.kb.versions import history, rollback
from bot.ops import accounts
from tests.stack import Stack

TOWN_XLSX = KNOWLEDGE_DIR / "samples" / "下放事项目录_镇.xlsx"
NEW_ITEM, NEW_NAME = "440100-XF-GF-0101", "培育农村实用人才"  # only in the town sample
NEW_QUESTION = "白云区江高镇能不能培育农村实用人才？"
MISSED = "能不能处罚在小区里养鸡的"
UNIT = "天河区石牌街道"
PASSWORD = "Tianhe-2026-bian"


def screenshot(page: Page, name: str, tmp_path: Path) -> None:
    """Written to docs/screenshots/ with UPDATE_SCREENSHOTS=1 (make screenshots)."""
    target = PROJECT_ROOT / "docs" / "screenshots" if os.environ.get("UPDATE_SCREENSHOTS") else tmp_path
    page.screenshot(path=str(target / name), full_page=True)


@pytest.fixture()
def editor(stack: Stack, ops_url: str) -> str:
    name = f"bianji{uuid.uuid4().hex[:6]}"
    accounts.create(name, "editor", PASSWORD, actor="test", url=ops_url)
    return name


@pytest.fixture()
def restored(stack: Stack, stack_dirs: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Whatever a test does to the knowledge, the version it found is back in force afterwards."""
    monkeypatch.setenv("KB_BUILD_DIR", str(stack_dirs[1]))  # the servers' lock
    found = history(stack.kb_url)[0].version
    yield
    if history(stack.kb_url)[0].version != found:
        rollback(found, stack_dirs[0], stack.kb_url, actor="test")


def sign_in(page: Page, web_url: str, name: str, then: str) -> None:
    page.goto(f"{web_url}{then}")
    expect(page).to_have_url(f"{web_url}/admin/login?next={then}")
    page.get_by_label("账号").fill(name)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(f"{web_url}{then}")


def assistant_says(stack: Stack, text: str, unit: str | None = None, want: Any = None) -> dict[str, Any]:
    """The real assistant's answer card; asked again for up to 15 s until ``want(card)`` (the provider's reload)."""
    deadline = time.monotonic() + 15
    while True:
        sender = f"console-{uuid.uuid4().hex[:8]}"
        messages = _rest(stack.rasa_url, sender, text, unit)
        card = next((m["custom"] for m in messages if m.get("custom")), {})
        if want is None or want(card) or time.monotonic() > deadline:
            return card
        time.sleep(1)


def _rest(rasa_url: str, sender: str, text: str, unit: str | None) -> list[dict[str, Any]]:
    """Rasa's REST channel with plain urllib: Playwright's sync API holds this thread's event loop."""
    body: dict[str, Any] = {"sender": sender, "message": text}
    if unit:
        body["metadata"] = {"unit": unit}
    request = urllib.request.Request(
        f"{rasa_url}/webhooks/rest/webhook",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return list(json.loads(response.read()))


def item_of(card: dict[str, Any]) -> str | None:
    return (card.get("item") or {}).get("code")


def try_it(page: Page, web_url: str, question: str, unit: str = "") -> None:
    page.goto(f"{web_url}/admin/try")
    page.get_by_label("问题").fill(question)
    page.get_by_label("提问人所在镇街（可选）").fill(unit)
    page.get_by_role("button", name="提问").click()
    expect(page.locator("section.try-why")).to_be_visible()


def test_import_preview_apply_try_and_roll_back(
    page: Page, web_url: str, stack: Stack, editor: str, restored: None, tmp_path: Path
) -> None:
    sign_in(page, web_url, editor, "/admin/import")
    page.locator("input[name=file]").set_input_files(str(TOWN_XLSX))
    page.get_by_label("所有镇").check()
    page.get_by_role("button", name="预览").click()

    expect(page.get_by_role("heading", name="导入预览")).to_be_visible()
    expect(page.locator('[data-count="added"]')).to_have_text("10")
    expect(page.locator('[data-count="changed"]')).to_have_text("2")
    expect(page.locator("table.diff-added")).to_contain_text(NEW_NAME)
    screenshot(page, "admin-import-preview.png", tmp_path)
    assert item_of(assistant_says(stack, NEW_QUESTION)) is None, "a preview changes nothing"

    page.get_by_role("button", name="确认导入").click()
    expect(page.get_by_role("status")).to_contain_text("新增 10 项")
    expect(page.locator("table.versions tbody tr").first).to_contain_text("导入清单")
    expect(page.locator("table.versions tbody tr").first).to_contain_text(editor)

    try_it(page, web_url, NEW_QUESTION)
    expect(page.locator(".try-answer .item-name")).to_contain_text(NEW_NAME)
    expect(page.locator(".try-answer .badge")).to_have_text("可以")
    expect(page.locator("table.candidates tr.chosen")).to_contain_text(NEW_ITEM)
    expect(page.locator("ol.trace")).to_contain_text("白云区江高镇为镇")
    screenshot(page, "admin-try.png", tmp_path)
    assert item_of(assistant_says(stack, NEW_QUESTION, want=lambda c: item_of(c) == NEW_ITEM)) == NEW_ITEM

    page.get_by_role("link", name="版本").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("table.versions tbody tr").nth(1).get_by_role("button", name="回滚到此版本").click()
    expect(page.get_by_role("status")).to_contain_text("已回滚到版本")
    expect(page.locator("table.versions tbody tr").first).to_contain_text("回滚")
    screenshot(page, "admin-versions.png", tmp_path)

    try_it(page, web_url, NEW_QUESTION)
    expect(page.locator(".try-answer")).to_contain_text("未找到")
    expect(page.locator(".try-answer .item-name")).to_have_count(0)
    expect(page.locator("table.candidates")).not_to_contain_text(NEW_ITEM)
    card = assistant_says(stack, NEW_QUESTION, want=lambda c: item_of(c) is None)
    assert card.get("verdict") == "unknown" and item_of(card) is None


def test_an_unknown_question_becomes_an_alias_the_assistant_answers_right_after(
    page: Page, web_url: str, stack: Stack, editor: str, restored: None, tmp_path: Path
) -> None:
    assert assistant_says(stack, MISSED, UNIT).get("verdict") == "unknown"  # audited as a miss

    sign_in(page, web_url, editor, "/admin/misses")
    group = page.locator('section.miss[data-wording="处罚在小区里养鸡"]')
    expect(group).to_contain_text(MISSED)
    group.get_by_role("searchbox", name="搜索事项").fill("家禽")
    choice = group.locator(".found label", has_text="饲养家畜家禽")
    expect(choice).to_be_visible()
    screenshot(page, "admin-misses.png", tmp_path)
    choice.click()  # the label, as a person would
    expect(choice.get_by_role("radio")).to_be_checked()
    expect(group.get_by_label("作为别名的说法")).to_have_value("小区里养鸡")  # the verb in front left out
    group.get_by_role("button", name="设为别名").click()
    expect(page.get_by_role("status")).to_contain_text("已把“小区里养鸡”加为")
    expect(page.locator('section.miss[data-wording="处罚在小区里养鸡"]')).to_have_count(0)

    card = assistant_says(stack, MISSED, UNIT, want=lambda c: item_of(c) == "siyang_jiaqin")
    assert item_of(card) == "siyang_jiaqin" and card["verdict"] == "yes"
