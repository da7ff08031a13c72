"""Sign-in, sessions, CSRF, roles and the audit trail of the console, over HTTP."""

from __future__ import annotations

import hashlib
import sqlite3

import pytest

from bot.config import AdminSettings
from bot.ops import accounts, changes
from bot.ops.__main__ import main as ops_main
from bot.web.admin.routes import Routes
from tests.web.admin.conftest import PASSWORDS, SETTINGS


def rows(url: str, sql: str) -> list[tuple]:
    with sqlite3.connect(url[len("sqlite:///") :]) as conn:
        return conn.execute(sql).fetchall()


@pytest.mark.parametrize("path", ["/admin/", "/admin/users", "/admin/accounts", "/admin/trail", "/admin/nope"])
async def test_pages_redirect_to_sign_in_without_a_session(open_console, path):
    console = await open_console()
    response = await console.client.get(path, allow_redirects=False)
    assert response.status == 303
    assert response.headers["Location"].startswith("/admin/login")
    assert (await console.client.get("/admin", allow_redirects=False)).headers["Location"] == "/admin/"


async def test_sign_in_sets_a_strict_http_only_cookie_and_lands_where_the_user_was_going(open_console, fresh_ops):
    console = await open_console()
    page = await console.client.get("/admin/users")  # redirected to the sign-in page, next=/admin/users
    assert "登录" in await page.text() and 'name="next" value="/admin/users"' in await page.text()
    token = __import__("re").search(r'name="csrf_token" value="([^"]*)"', await page.text()).group(1)
    data = {"csrf_token": token, "name": "editor", "password": PASSWORDS["editor"], "next": "/admin/users"}
    response = await console.client.post("/admin/login", data=data, allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/admin/users"
    cookie = next(v for k, v in response.headers.items() if k == "Set-Cookie" and v.startswith("zq_admin="))
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Secure" not in cookie
    session_token = cookie.split(";")[0].split("=", 1)[1]
    # the database never holds the token itself
    [(stored,)] = rows(fresh_ops, "SELECT token_hash FROM admin_session")
    assert stored == hashlib.sha256(session_token.encode()).hexdigest() != session_token
    status, html = await console.page("/admin/users")
    assert status == 200 and "editor（编辑者）" in html


async def test_next_never_leads_to_another_site(open_console):
    console = await open_console()
    page = await console.client.get("/admin/login?next=//evil.example/admin")
    assert 'name="next" value=""' in await page.text()


async def test_behind_https_the_cookie_is_secure_and_host_only(open_console):
    console = await open_console(settings=AdminSettings(True, 60, 12, 5))
    page = await console.client.get("/admin/login")
    login_cookie = page.headers["Set-Cookie"]
    assert login_cookie.startswith("__Host-zq_admin_login=") and "Secure" in login_cookie
    token = login_cookie.split(";")[0].split("=", 1)[1]
    # the test client speaks http and rightly keeps Secure cookies to itself: send it as a browser on https would
    response = await console.client.post(
        "/admin/login",
        data={"csrf_token": token, "name": "viewer", "password": PASSWORDS["viewer"]},
        headers={"Cookie": f"__Host-zq_admin_login={token}"},
        allow_redirects=False,
    )
    assert response.status == 303
    cookie = next(v for k, v in response.headers.items() if k == "Set-Cookie" and "zq_admin=" in v)
    assert cookie.startswith("__Host-zq_admin=") and "Secure" in cookie and "HttpOnly" in cookie
    assert "Path=/;" in cookie + ";" and "SameSite=Strict" in cookie


async def test_a_wrong_password_is_refused_alike_for_unknown_names(open_console):
    console = await open_console()
    wrong = await console.login("editor", "not-the-password-1")
    unknown = await console.login("nobody", "not-the-password-1")
    assert wrong.status == unknown.status == 401
    assert "账号或密码不正确" in await wrong.text() and "账号或密码不正确" in await unknown.text()
    assert (await console.client.get("/admin/", allow_redirects=False)).status == 303


async def test_sign_in_attempts_are_rate_limited(open_console):
    console = await open_console()
    statuses = [(await console.login("editor", f"guess-number-{i}")).status for i in range(6)]
    assert statuses == [401] * 5 + [429]
    # even the right password waits now: guessing cannot continue at full speed
    right = await console.login("editor")
    assert right.status == 429 and "登录尝试太频繁" in await right.text()


async def test_forms_without_the_csrf_token_are_refused(open_console, fresh_ops):
    console = await open_console("editor")
    change = {"sender": "wecom:zhangsan", "unit": "石牌街道"}
    assert (await console.post("/admin/users", change, csrf=False)).status == 403
    refused = await console.post("/admin/users", {**change, "csrf_token": "forged"}, csrf=False)
    assert refused.status == 403 and "CSRF" in await refused.text()
    other_site = await console.post("/admin/users", change, headers={"Origin": "http://evil.example"})
    assert other_site.status == 403
    assert rows(fresh_ops, "SELECT * FROM user_unit") == []
    # the sign-in form and sign-out need it too
    login = await console.client.post(
        "/admin/login", data={"name": "editor", "password": PASSWORDS["editor"]}, allow_redirects=False
    )
    assert login.status == 403
    assert (await console.post("/admin/logout", {}, csrf=False)).status == 403

    done = await console.post("/admin/users", change)
    assert done.status == 303
    assert rows(fresh_ops, "SELECT sender, unit, source FROM user_unit") == [
        ("wecom:zhangsan", "天河区石牌街道", "admin")
    ]


async def test_a_viewer_can_look_but_not_change_anything(open_console, console_app, fresh_ops):
    console = await open_console("viewer")
    status, html = await console.page("/admin/users")
    assert status == 200 and "设置用户的镇街" not in html and "清除" not in html
    posts = sorted(
        {
            r.resource.canonical
            for r in console_app().router.routes()
            if r.method == "POST" and r.resource and r.resource.canonical.startswith("/admin/")
        }
        - {"/admin/login", "/admin/logout"}
    )
    assert "/admin/users" in posts and "/admin/accounts" in posts
    for path in posts:
        path = path.replace("{name}", "editor")
        response = await console.post(path, {"sender": "wecom:x", "unit": "石牌街道", "role": "admin"})
        assert response.status == 403, path
        assert "没有权限" in await response.text()
    assert rows(fresh_ops, "SELECT * FROM user_unit") == []
    assert [a.role for a in accounts.all_accounts(fresh_ops) if a.name == "editor"] == ["editor"]
    assert (await console.page("/admin/accounts"))[0] == 403


def test_a_route_that_changes_something_cannot_be_opened_to_viewers():
    with pytest.raises(ValueError, match="viewer cannot change"):
        Routes().post("/anything", role="viewer")


async def test_only_admins_manage_accounts_and_every_change_is_in_the_trail(open_console, fresh_ops):
    editor = await open_console("editor")
    assert (await editor.page("/admin/accounts"))[0] == 403
    assert (
        await editor.post("/admin/accounts", {"name": "李四", "role": "viewer", "password": "x" * 12})
    ).status == 403

    admin = await open_console("admin")
    created = await admin.post("/admin/accounts", {"name": "李四", "role": "viewer", "password": "Baiyun-jiang-99"})
    assert created.status == 303
    weak = await admin.post("/admin/accounts", {"name": "王五", "role": "viewer", "password": "short"})
    assert weak.status == 400 and "至少 10 个字符" in await weak.text()
    assert (await admin.post("/admin/accounts/李四", {"role": "editor"})).status == 303
    await editor.post("/admin/users", {"sender": "wecom:zhangsan", "unit": "江高镇"})
    await editor.post("/admin/users", {"sender": "wecom:zhangsan", "unit": "石牌街道"})
    await editor.post("/admin/users/clear", {"sender": "wecom:zhangsan"})

    trail, _ = changes.recent(url=fresh_ops)
    done = [(c.actor, c.action, c.target, c.before, c.after) for c in trail if c.action != "session.sign_in"]
    assert done[:5] == [
        ("editor", "user_unit.clear", "wecom:zhangsan", {"unit": "天河区石牌街道", "source": "admin"}, None),
        (
            "editor",
            "user_unit.set",
            "wecom:zhangsan",
            {"unit": "白云区江高镇", "source": "admin"},
            {"unit": "天河区石牌街道", "source": "admin"},
        ),
        ("editor", "user_unit.set", "wecom:zhangsan", None, {"unit": "白云区江高镇", "source": "admin"}),
        ("admin", "account.update", "李四", {"role": "viewer", "active": True}, {"role": "editor", "active": True}),
        ("admin", "account.create", "李四", None, {"role": "viewer", "active": True}),
    ]
    assert all(c.address == "127.0.0.1" and c.created_at.tzinfo for c in trail if c.actor != "test")
    status, html = await admin.page("/admin/trail")
    assert status == 200 and "user_unit.clear" in html and "白云区江高镇" in html


async def test_signing_out_or_switching_an_account_off_ends_its_sessions(open_console):
    editor = await open_console("editor")
    assert (await editor.post("/admin/logout", {})).status == 303
    assert (await editor.page("/admin/"))[0] == 303

    editor = await open_console("editor")
    admin = await open_console("admin")
    assert (await admin.post("/admin/accounts/editor", {"active": "0"})).status == 303
    assert (await editor.page("/admin/"))[0] == 303
    assert (await editor.login("editor")).status == 401


async def test_the_last_admin_stays(open_console, fresh_ops):
    admin = await open_console("admin")
    response = await admin.post("/admin/accounts/admin", {"role": "viewer"})
    assert response.status == 303
    assert [a.role for a in accounts.all_accounts(fresh_ops) if a.name == "admin"] == ["admin"]
    status, html = await admin.page("/admin/accounts")
    assert "至少要保留一个启用的管理员账号" in html


def test_the_command_line_takes_the_password_from_stdin_or_the_environment(fresh_ops, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("Haizhu-2026-abc\n"))
    assert ops_main(["admin", "add", "赵六", "--role", "editor", "--password-stdin"]) == 0
    assert "已创建账号 赵六（编辑者）" in capsys.readouterr().out
    assert accounts.authenticate("赵六", "Haizhu-2026-abc", fresh_ops) is not None
    monkeypatch.setenv("ADMIN_PASSWORD", "Liwan-2026-xyz")
    assert ops_main(["admin", "add", "钱七", "--role", "viewer"]) == 0
    assert accounts.authenticate("钱七", "Liwan-2026-xyz", fresh_ops) is not None
    with pytest.raises(SystemExit):  # there is no way to put a password on the command line
        ops_main(["admin", "add", "孙八", "--role", "viewer", "--password", "Liwan-2026-xyz"])
    monkeypatch.setenv("ADMIN_PASSWORD", "short")
    assert ops_main(["admin", "add", "孙八", "--role", "viewer"]) == 2
    assert "至少 10 个字符" in capsys.readouterr().err
    [(stored,)] = rows(fresh_ops, "SELECT password_hash FROM admin_account WHERE name = '赵六'")
    assert stored.startswith("scrypt$") and "Haizhu" not in stored


async def test_console_pages_carry_a_strict_policy_and_are_not_cached(open_console):
    console = await open_console("viewer")
    response = await console.client.get("/admin/")
    assert "form-action 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"
    assert (await console.client.get("/admin/static/admin.css")).status == 200


def test_settings_from_the_environment():
    from bot.config import admin_settings

    assert admin_settings({}) == SETTINGS
    assert admin_settings({"ADMIN_COOKIE_SECURE": "1"}).cookie_secure is True


async def test_a_page_module_can_take_a_file_larger_than_the_widget_api_allows(aiohttp_client, console_app):
    """The scaffold for list uploads: multipart up to 20 MB, CSRF checked like every form."""
    from aiohttp import FormData, web

    from tests.web.admin.conftest import Console

    routes = Routes()

    @routes.post("/upload-test", role="editor")
    async def upload(request: web.Request) -> web.Response:
        form = await request.post()
        return web.Response(text=str(len(form["file"].file.read())))

    app = console_app()
    for route in routes.routes:
        app.router.add_route(route.method, "/admin" + route.path, route.handler)
    console = Console(await aiohttp_client(app))
    assert (await console.login("editor")).status == 303
    await console.page("/admin/")

    def body(token: str | None) -> FormData:
        data = FormData()
        if token is not None:
            data.add_field("csrf_token", token)
        data.add_field("file", b"x" * 300_000, filename="清单.xlsx", content_type="application/octet-stream")
        return data

    accepted = await console.client.post("/admin/upload-test", data=body(console.token))
    assert accepted.status == 200 and await accepted.text() == "300000"
    assert (await console.client.post("/admin/upload-test", data=body(None))).status == 403
    assert (await console.login("viewer")).status == 303  # the same browser, now signed in as a viewer
    await console.page("/admin/")
    assert (await console.client.post("/admin/upload-test", data=body(console.token))).status == 403


async def test_a_database_that_is_down_gives_a_page_in_chinese(open_console, monkeypatch):
    from bot.errors import OpsUnavailable

    console = await open_console("viewer")

    def down(*args, **kwargs):
        raise OpsUnavailable("业务数据库不可用：OperationalError")

    monkeypatch.setattr(accounts, "session_of", down)
    response = await console.client.get("/admin/usage")
    assert response.status == 503 and "暂时不可用" in await response.text()


async def test_an_idle_session_ends(open_console, fresh_ops):
    from bot.ops import retention

    console = await open_console("viewer", settings=AdminSettings(False, 0, 12, 5))  # idle after 0 minutes
    response = await console.client.get("/admin/usage", allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/admin/login?next=/admin/usage"
    assert rows(fresh_ops, "SELECT * FROM admin_session") == []  # the ended session is gone

    await open_console("editor")  # a browser that never comes back: its session goes with the retention purge
    with sqlite3.connect(fresh_ops[len("sqlite:///") :]) as conn:
        conn.execute("UPDATE admin_session SET expires_at = '2020-01-01 00:00:00'")
    retention.purge(fresh_ops)
    assert rows(fresh_ops, "SELECT * FROM admin_session") == []
