"""The console in headless Chromium: sign in, browse an item, set a user's unit, see usage.

The console runs in the widget's app (``python -m bot.web``) with an operational
database of its own; Rasa is not needed for these pages, so none is started.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from bot import audit, users
from bot.config import PROJECT_ROOT
from bot.ops import accounts, changes, db
from bot.ops.models import AuditRecord
from bot.ops.timestamps import utcnow
from tests.web.admin.conftest import PASSWORDS
from tests.web.admin.test_usage import seed
from tests.web.conftest import web_app_without_rasa


@pytest.fixture(scope="module")
def console(kb_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(the app's URL, its operational database) with an admin, an editor, a viewer and some questions."""
    directory = tmp_path_factory.mktemp("console")
    ops_url = f"sqlite:///{directory / 'ops.sqlite3'}"
    for role, password in PASSWORDS.items():
        accounts.create(role, role, password, actor="test", url=ops_url)
    seed(ops_url)
    audit.record(audit.Entry(sender="web:x", text="街道能不能批宅基地", channel="web", verdict="no"), ops_url)
    earlier(ops_url)
    env = {"KB_DATABASE_URL": kb_url, "OPS_DATABASE_URL": ops_url, "OPS_SPOOL_FILE": str(directory / "spool.jsonl")}
    with web_app_without_rasa(env, directory / "web.log") as url:  # the console does not need Rasa
        yield url, ops_url


EARLIER = sum(3 + (day * 7) % 9 for day in range(1, 15))


def earlier(ops_url: str) -> None:
    """Questions on the two weeks before today, so that the chart by day has a shape."""
    verdicts = ["yes", "yes", "no", "assist", "unknown", "clarify", "yes", "fallback"]
    matters = ["zhandao_jingying", "zhaijidi", "canyin_youyan", None]
    now = utcnow()
    with db.session_scope(ops_url) as session:
        for day in range(1, 15):
            for n in range(3 + (day * 7) % 9):
                verdict = verdicts[(day + n) % len(verdicts)]
                session.add(
                    AuditRecord(
                        created_at=now - dt.timedelta(days=day, minutes=n),
                        sender=f"wecom:u{n}",
                        channel=("wecom", "web", "dingtalk")[n % 3],
                        text="问题",
                        unit=("天河区石牌街道", "白云区江高镇", "增城区新塘镇")[(day + n) % 3],
                        matter=matters[n % 4] if verdict in ("yes", "no", "assist") else None,
                        verdict=verdict,
                        latency_ms=300 + 97 * ((day * n) % 11),
                        rating=("up", None, None, "down", None)[(day + n) % 5],
                    )
                )


def sign_in(page: Page, url: str, name: str, start: str = "/admin/") -> None:
    page.goto(url + start)
    expect(page.get_by_role("heading", name="登录")).to_be_visible()
    page.get_by_label("账号").fill(name)
    page.get_by_label("密码").fill(PASSWORDS[name])
    page.get_by_role("button", name="登录").click()
    expect(page.locator(".who")).to_contain_text(name)


def test_sign_in_then_browse_an_item_with_its_article(page: Page, console, knowledge):
    url, _ = console
    name = knowledge.items["zhandao_jingying"].name
    sign_in(page, url, "viewer", "/admin/items")
    expect(page.get_by_role("heading", name="权责清单")).to_be_visible()  # back where the viewer was going
    page.get_by_label("名称、编码或别名").fill("占道经营")
    page.get_by_role("button", name="查找").click()
    page.locator("table.items").get_by_role("link", name=name, exact=True).click()
    expect(page.locator("h1")).to_have_text(name)
    article = page.locator(".reference", has_text="《城市道路管理条例》第四十二条")
    expect(article.locator("blockquote.article")).to_contain_text("违反本条例第二十七条规定")
    expect(page.locator("table.verdicts")).to_contain_text("中心城区街道")


def test_an_editor_sets_a_users_unit_and_it_is_in_the_trail(page: Page, browser, console):
    url, ops_url = console
    sign_in(page, url, "editor")
    page.get_by_role("navigation").get_by_role("link", name="用户镇街").click()
    page.get_by_label("用户标识", exact=True).fill("wecom:wangwu")
    page.get_by_label("镇街", exact=True).fill("石牌街道")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("status")).to_have_text("已设置 wecom:wangwu → 天河区石牌街道。")
    expect(page.locator("tr", has_text="wecom:wangwu")).to_contain_text("管理员设置")
    assert users.unit_of("wecom:wangwu", ops_url) == "天河区石牌街道"
    assert users.source_of("wecom:wangwu", ops_url) == "admin"
    entry = next(c for c in changes.recent(url=ops_url)[0] if c.action == "user_unit.set")
    assert (entry.actor, entry.target, entry.after["unit"]) == ("editor", "wecom:wangwu", "天河区石牌街道")
    # a name that is not one unit: an explanation and the candidates, nothing stored
    page.get_by_label("用户标识", exact=True).fill("wecom:zhaoliu")
    page.get_by_label("镇街", exact=True).fill("不存在街道")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("alert")).to_contain_text("找不到唯一的镇街")
    assert users.unit_of("wecom:zhaoliu", ops_url) is None


def test_usage_shows_figures_and_charts(page: Page, console):
    url, _ = console
    sign_in(page, url, "viewer")
    page.get_by_role("navigation").get_by_role("link", name="使用情况").click()
    expect(page.locator("#total")).to_have_text(str(7 + EARLIER))  # the last 30 days
    expect(page.locator("svg.chart")).to_have_count(4)
    expect(page.locator("svg.chart rect").first).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="按天汇总（CSV）").click()
    assert download.value.suggested_filename.startswith("usage-daily-")


def test_a_viewer_gets_no_forms_and_no_account_pages(page: Page, console):
    url, _ = console
    sign_in(page, url, "viewer")
    expect(page.get_by_role("navigation")).not_to_contain_text("账号")
    page.goto(url + "/admin/users")
    expect(page.get_by_role("button", name="保存")).to_have_count(0)
    page.goto(url + "/admin/accounts")
    expect(page.get_by_role("alert")).to_contain_text("没有权限")


def test_screenshots(page: Page, console, tmp_path: Path):
    """Every console page; written to docs/screenshots/ with UPDATE_SCREENSHOTS=1."""
    url, _ = console
    target = PROJECT_ROOT / "docs" / "screenshots" if os.environ.get("UPDATE_SCREENSHOTS") else tmp_path
    target.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(url + "/admin/login")
    page.screenshot(path=str(target / "admin-login.png"))
    sign_in(page, url, "admin")
    shots = {
        "admin-home.png": "/admin/",
        "admin-items.png": "/admin/items?kind=town&power_type=行政许可",
        "admin-item.png": "/admin/items/zhandao_jingying",
        "admin-usage.png": "/admin/usage",
        "admin-users.png": "/admin/users",
        "admin-accounts.png": "/admin/accounts",
        "admin-trail.png": "/admin/trail",
    }
    for name, path in shots.items():
        page.goto(url + path)
        expect(page.locator("h1")).to_be_visible()
        page.screenshot(path=str(target / name), full_page=name in ("admin-item.png", "admin-usage.png"))
        assert (target / name).stat().st_size > 10_000, name
