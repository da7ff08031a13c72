"""The widget in a real headless Chromium against the real servers: what a user sees and does."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from bot.config import PROJECT_ROOT
from bot.feedback import recent_feedback


class Widget:
    """The chat widget on a page, driven the way a user drives it."""

    def __init__(self, page: Page, url: str):
        self.page = page
        self.url = url

    def open(self) -> Widget:
        self.page.goto(self.url + "/")
        self.page.get_by_role("button", name="打开镇街权责助手").click()
        expect(self.input).to_be_focused()
        return self

    @property
    def input(self):
        return self.page.get_by_role("textbox", name="输入问题")

    @property
    def cards(self):
        return self.page.locator("article.zq-card")

    def ask(self, question: str) -> None:
        count = self.cards.count()
        self.input.fill(question)
        self.input.press("Enter")
        expect(self.page.locator(".zq-bubble-user").last).to_have_text(question)
        expect(self.page.locator(".zq-typing")).to_have_count(0)
        self.expected_cards = count

    def answer(self, count_before: int | None = None):
        """The newest answer card, once it has arrived."""
        before = self.expected_cards if count_before is None else count_before
        expect(self.cards).to_have_count(before + 1)
        return self.cards.last

    def storage(self, key: str):
        return self.page.evaluate(f"JSON.parse(localStorage.getItem('{key}'))")


def conversation_id(browser_id: str) -> str:
    """The server files the browser's ``web-<id>`` as ``web:<id>`` (bot.identity)."""
    return "web:" + browser_id.removeprefix("web-")


@pytest.fixture()
def widget(page: Page, web_url: str) -> Widget:
    return Widget(page, web_url).open()


def test_answer_shows_badge_office_and_expandable_article(widget: Widget):
    widget.ask("天河区石牌街道能不能处罚占道经营")
    card = widget.answer()
    badge = card.locator(".zq-badge")
    expect(badge).to_have_text("可以")
    expect(badge).to_have_class("zq-badge zq-badge-yes")
    expect(card).to_contain_text("天河区石牌街道")
    expect(card.locator(".zq-field-office dd")).to_have_text("综合行政执法办公室")
    expect(card).to_contain_text("《城市道路管理条例》第四十二条")
    expect(card.locator(".zq-field", has_text="职责依据")).to_contain_text("2020-12-31 起施行")
    expect(card.locator(".zq-disclaimer")).to_contain_text("演示数据")

    article = card.locator("details", has_text="第四十二条").locator(".zq-article")
    expect(article).to_be_hidden()
    card.locator("summary", has_text="第四十二条").click()
    expect(article).to_be_visible()
    expect(article).to_contain_text("违反本条例第二十七条规定")


def test_card_shows_headline_understanding_and_next_step_from_the_payload(widget: Widget):
    widget.ask("石牌街道能不能审批采矿许可证")
    card = widget.answer()
    expect(card.locator(".zq-badge")).to_have_text("未找到")
    expect(card.locator(".zq-headline")).to_contain_text("知识库里没有与")
    expect(card.locator(".zq-field", has_text="建议")).to_contain_text("天河区委编办")
    expect(card.locator(".zq-understood")).to_have_text("我的理解：天河区石牌街道 · 未识别的事项 · 能否行使")
    # the chat text is not kept: the card is drawn from the payload alone, also after a reload
    assert "text" not in widget.storage("zjqz.history.v1")[-1]
    widget.page.reload()
    expect(widget.cards.last.locator(".zq-field", has_text="建议")).to_contain_text("天河区委编办")


def test_clarify_button_sends_its_payload_and_shows_its_title(widget: Widget):
    widget.ask("新塘能不能批宅基地")
    option = widget.page.get_by_role("button", name="增城区新塘镇")
    expect(option).to_be_visible()
    expect(widget.page.get_by_role("button", name="天河区新塘街道")).to_be_visible()
    option.click()
    expect(widget.page.locator(".zq-bubble-user").last).to_have_text("增城区新塘镇")
    card = widget.answer(0)
    expect(card.locator(".zq-badge")).to_have_text("可以")
    expect(card.locator(".zq-card-unit")).to_have_text("增城区新塘镇")
    expect(card).to_contain_text("宅基地")
    # the choice is made: the options stay visible but cannot be clicked again
    expect(widget.page.get_by_role("button", name="天河区新塘街道")).to_be_disabled()


def test_thumbs_down_with_reason_is_stored(widget: Widget):
    widget.ask("天河区石牌街道能不能处罚占道经营")
    card = widget.answer()
    card.get_by_role("button", name="没有帮助").click()
    reason = card.get_by_label("哪里不对？（可选）")
    expect(reason).to_be_focused()
    reason.fill("条文引用不全，缺少实施细则")
    card.get_by_role("button", name="提交反馈").click()
    expect(card.locator(".zq-thanks")).to_have_text("已收到反馈，谢谢！")

    sender = conversation_id(widget.storage("zjqz.sender"))
    stored = [r.entry for r in recent_feedback() if r.entry.sender == sender]
    assert len(stored) == 1
    entry = stored[0]
    assert entry.rating == "down"
    assert entry.reason == "条文引用不全，缺少实施细则"
    assert entry.question == "天河区石牌街道能不能处罚占道经营"
    assert (entry.verdict, entry.item_code, entry.unit) == ("yes", "zhandao_jingying", "天河区石牌街道")
    assert entry.kb_version


def test_thumbs_up_is_stored_and_remembered(widget: Widget):
    widget.ask("石牌街道能不能处罚占道经营")
    card = widget.answer()
    card.get_by_role("button", name="有帮助", exact=True).click()
    expect(card.locator(".zq-thanks")).to_be_visible()
    sender = conversation_id(widget.storage("zjqz.sender"))
    assert [r.entry.rating for r in recent_feedback() if r.entry.sender == sender] == ["up"]
    widget.page.reload()
    expect(widget.cards.last.locator(".zq-thanks")).to_be_visible()
    expect(widget.cards.last.get_by_role("button", name="有帮助", exact=True)).to_have_count(0)


def test_reload_keeps_the_conversation(widget: Widget):
    widget.ask("天河区石牌街道能不能处罚占道经营")
    widget.answer()
    sender = widget.storage("zjqz.sender")
    widget.page.reload()
    # the widget reopens by itself, with the same conversation
    expect(widget.input).to_be_visible()
    expect(widget.page.locator(".zq-bubble-user")).to_have_text(["天河区石牌街道能不能处罚占道经营"])
    expect(widget.cards).to_have_count(1)
    expect(widget.cards.first.locator(".zq-badge")).to_have_text("可以")
    assert widget.storage("zjqz.sender") == sender
    # and the conversation goes on where it was: a follow-up about the same matter
    widget.ask("那沙河街道呢")
    card = widget.answer()
    expect(card.locator(".zq-card-unit")).to_have_text("天河区沙河街道")


def test_unit_control_sets_the_unit_for_our_questions(widget: Widget):
    page = widget.page
    # an earlier question about another unit must not decide who "we" are
    widget.ask("天河区石牌街道能不能处罚占道经营")
    widget.answer()
    sender = widget.storage("zjqz.sender")

    expect(page.locator(".zq-unit-value")).to_have_text("未设置")
    page.get_by_role("button", name="设置所在镇街").click()
    unit_box = page.get_by_label("所在镇街", exact=True)
    expect(unit_box).to_be_focused()
    unit_box.fill("江高镇")
    unit_box.press("Enter")
    expect(page.locator(".zq-unit-value")).to_have_text("白云区江高镇")
    expect(page.locator(".zq-note").last).to_have_text("所在镇街已设为 白云区江高镇。")
    assert widget.storage("zjqz.unit") == "白云区江高镇"
    assert widget.storage("zjqz.sender") == sender  # the conversation went on

    widget.ask("我们能审批宅基地吗")
    card = widget.answer()
    expect(card.locator(".zq-badge")).to_have_text("可以")
    expect(card.locator(".zq-card-unit")).to_have_text("白云区江高镇")


def test_unit_control_offers_a_choice_for_a_shared_name(widget: Widget):
    page = widget.page
    page.get_by_role("button", name="设置所在镇街").click()
    page.get_by_label("所在镇街", exact=True).fill("新塘")
    page.get_by_role("button", name="确定").click()
    expect(page.locator(".zq-unit-status")).to_contain_text("对应多个镇街")
    page.get_by_role("group", name="候选镇街").get_by_role("button", name="天河区新塘街道").click()
    expect(page.locator(".zq-unit-value")).to_have_text("天河区新塘街道")

    page.get_by_role("button", name="更改所在镇街").click()
    page.get_by_label("所在镇街", exact=True).fill("不存在的地方")
    page.get_by_role("button", name="确定").click()
    expect(page.locator(".zq-unit-status")).to_contain_text("没有找到")
    expect(page.locator(".zq-unit-value")).to_have_text("天河区新塘街道")


def test_keyboard_only(page: Page, web_url: str):
    widget = Widget(page, web_url)
    page.goto(web_url + "/")
    launcher = page.get_by_role("button", name="打开镇街权责助手")
    for _ in range(40):  # Tab through the portal page until the widget's launcher has the focus
        page.keyboard.press("Tab")
        if launcher.evaluate("b => b.getRootNode().activeElement === b"):
            break
    expect(launcher).to_be_focused()
    page.keyboard.press("Enter")
    expect(widget.input).to_be_focused()
    page.keyboard.press("Escape")
    expect(launcher).to_be_focused()
    page.keyboard.press("Enter")
    expect(widget.input).to_be_focused()
    page.keyboard.type("石牌街道能不能处罚占道经营")
    page.keyboard.press("Enter")
    card = widget.answer(0)
    expect(card.locator(".zq-badge")).to_have_text("可以")
    # the law text opens from the keyboard too
    summary = card.locator("summary").first
    summary.focus()
    page.keyboard.press("Enter")
    expect(card.locator(".zq-article").first).to_be_visible()
    # buttons are reachable with Tab
    page.get_by_role("button", name="有帮助", exact=True).focus()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="没有帮助")).to_be_focused()
    # new messages are announced
    log = page.get_by_role("log", name="对话记录")
    expect(log).to_have_attribute("aria-live", "polite")


def test_phone_width_has_no_horizontal_scroll(page: Page, web_url: str):
    page.set_viewport_size({"width": 375, "height": 740})
    widget = Widget(page, web_url).open()
    widget.ask("天河区石牌街道能不能处罚占道经营")
    card = widget.answer()
    card.locator("summary").first.click()
    expect(card.locator(".zq-article").first).to_be_visible()
    overflow = page.evaluate(
        """() => {
          const root = document.getElementById('zjqz-widget').shadowRoot;
          const panel = root.querySelector('.zq-panel').getBoundingClientRect();
          const log = root.querySelector('.zq-log');
          return {
            page: document.documentElement.scrollWidth - window.innerWidth,
            log: log.scrollWidth - log.clientWidth,
            panelLeft: panel.left, panelRight: panel.right,
          };
        }"""
    )
    assert overflow["page"] <= 0 and overflow["log"] <= 0, overflow
    assert overflow["panelLeft"] >= 0 and overflow["panelRight"] <= 375, overflow


def test_rasa_down_shows_the_server_message(page: Page, dead_rasa_web_url: str):
    widget = Widget(page, dead_rasa_web_url).open()
    widget.input.fill("石牌街道能不能处罚占道经营")
    widget.input.press("Enter")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("暂时连接不上助手服务")
    expect(widget.cards).to_have_count(0)


def test_screenshots(page: Page, web_url: str, tmp_path: Path):
    """Desktop and phone screenshots; written to docs/screenshots/ with UPDATE_SCREENSHOTS=1."""
    target = PROJECT_ROOT / "docs" / "screenshots" if os.environ.get("UPDATE_SCREENSHOTS") else tmp_path
    target.mkdir(parents=True, exist_ok=True)
    widget = Widget(page, web_url).open()
    page.get_by_role("button", name="设置所在镇街").click()
    page.get_by_label("所在镇街", exact=True).fill("石牌街道")
    page.get_by_role("button", name="确定").click()
    expect(page.locator(".zq-unit-value")).to_have_text("天河区石牌街道")
    widget.ask("我们能不能处罚占道经营？")
    card = widget.answer()
    card.locator("summary", has_text="第四十二条").click()
    expect(card.locator(".zq-article").last).to_be_visible()
    page.mouse.move(0, 0)
    page.screenshot(path=str(target / "widget-desktop.png"))

    page.set_viewport_size({"width": 375, "height": 812})
    widget.ask("新塘能不能批宅基地")
    page.get_by_role("button", name="增城区新塘镇").click()
    expect(widget.cards).to_have_count(2)
    page.mouse.move(0, 0)
    page.screenshot(path=str(target / "widget-phone.png"))
    assert (target / "widget-desktop.png").stat().st_size > 10_000
