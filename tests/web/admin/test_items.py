"""权责清单 in the console: browse, filter, and one item with everything answers cite."""

from __future__ import annotations

import re


def codes(html: str) -> list[str]:
    return re.findall(r'<a href="/admin/items/([^"]+)">', html)


async def test_items_are_listed_with_a_verdict_per_unit_kind(open_console, knowledge):
    console = await open_console("viewer")
    status, html = await console.page("/admin/items")
    assert status == 200
    assert f"共 {len(knowledge.items)} 项" in html
    assert "<th>镇</th><th>中心城区街道</th><th>非中心城区街道</th>" in html
    assert len(codes(html)) == 50 and "第 1 / " in html


async def test_filters_by_unit_power_type_office_law_and_words(open_console, knowledge):
    console = await open_console("viewer")
    _, html = await console.page("/admin/items?q=占道经营")
    assert codes(html) == ["zhandao_jingying"]

    _, html = await console.page("/admin/items?power_type=行政处罚&office=综合行政执法办公室")
    expected = [i for i in knowledge.items.values() if i.power_type == "行政处罚" and i.office == "综合行政执法办公室"]
    assert f"符合条件 {len(expected)} 项" in html
    assert all(knowledge.items[c].power_type == "行政处罚" for c in codes(html))
    _, html = await console.page("/admin/items?power_type=行政处罚&office=综合行政执法办公室&page=2")
    assert "第 2 / " in html and codes(html)

    _, html = await console.page("/admin/items?law=城市道路管理条例&q=占道")
    assert "zhandao_jingying" in codes(html)
    assert all(any("城市道路管理条例" in r.law for r in knowledge.items[c].references) for c in codes(html))

    # a central street does not approve homesteads; a town does
    _, street = await console.page("/admin/items?unit=石牌街道&q=宅基地")
    _, town = await console.page("/admin/items?unit=江高镇&q=宅基地")
    assert "zhaijidi" not in codes(street) and "zhaijidi" in codes(town)
    assert "<th>白云区江高镇</th>" in town

    _, html = await console.page("/admin/items?unit=不存在的街道")
    assert "找不到唯一的镇街" in html


async def test_an_item_page_shows_verdicts_basis_article_document_aliases(open_console, knowledge):
    console = await open_console("viewer")
    item = knowledge.items["zhandao_jingying"]
    status, html = await console.page("/admin/items/zhandao_jingying")
    assert status == 200
    assert f"<h1>{item.name}</h1>" in html
    assert "《城市道路管理条例》第四十二条" in html
    assert "违反本条例第二十七条规定" in html  # the article's text itself
    assert item.document is not None and item.document.title in html
    assert all(alias in html for alias in item.aliases)
    assert knowledge.version in html
    verdicts = re.findall(r"<td>(镇|中心城区街道|非中心城区街道)</td><td><span class=\"badge badge-(\w+)\"", html)
    assert verdicts == [
        ("镇", item.rules.get("town", "no")),
        ("中心城区街道", item.rules["central_street"]),
        ("非中心城区街道", item.rules.get("noncentral_street", "no")),
    ]

    status, html = await console.page("/admin/items/no_such_item")
    assert status == 404 and "没有事项“no_such_item”" in html


async def test_duties_and_posts_of_an_item(open_console, knowledge):
    console = await open_console("viewer")
    code = next(code for post in knowledge.posts for duty in post.duties for code in duty.items)
    post = next(p for p in knowledge.posts if any(code in d.items for d in p.duties))
    _, html = await console.page(f"/admin/items/{code}")
    assert "职责与岗位" in html and post.name in html
