"""``python -m bot.ops admin …``: console accounts from the command line.

The password never goes on the command line (it would sit in the shell history
and in ``ps``): it is read from ``ADMIN_PASSWORD``, from standard input with
``--password-stdin``, or asked for twice at the terminal.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from bot.ops import accounts
from bot.ops.passwords import WeakPassword
from bot.ops.timestamps import shown


def add_parser(sub: argparse._SubParsersAction) -> None:
    admin = sub.add_parser("admin", help="维护控制台账号（add / list / passwd / set）")
    commands = admin.add_subparsers(dest="admin_command", required=True)
    add = commands.add_parser("add", help="新建账号（密码从 ADMIN_PASSWORD、--password-stdin 或终端输入）")
    add.add_argument("name")
    add.add_argument("--role", choices=accounts.ROLES, required=True, help="viewer 查看 / editor 编辑 / admin 管理")
    add.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码（一行）")
    commands.add_parser("list", help="列出账号")
    passwd = commands.add_parser("passwd", help="重设密码（该账号的登录会话全部失效）")
    passwd.add_argument("name")
    passwd.add_argument("--password-stdin", action="store_true")
    change = commands.add_parser("set", help="修改角色或停用/启用账号")
    change.add_argument("name")
    change.add_argument("--role", choices=accounts.ROLES)
    state = change.add_mutually_exclusive_group()
    state.add_argument("--disable", action="store_true")
    state.add_argument("--enable", action="store_true")


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if os.environ.get("ADMIN_PASSWORD"):
        return os.environ["ADMIN_PASSWORD"]
    if not sys.stdin.isatty():
        raise accounts.AccountError("请设置 ADMIN_PASSWORD，或用 --password-stdin 从标准输入提供密码。")
    first = getpass.getpass("密码：")
    if getpass.getpass("再输入一次：") != first:
        raise accounts.AccountError("两次输入的密码不一致。")
    return first


def run(args: argparse.Namespace, url: str) -> int:
    """Raises OpsUnavailable when the database cannot be used; other refusals are printed."""
    try:
        if args.admin_command == "add":
            account = accounts.create(args.name, args.role, _password(args.password_stdin), _actor(), url=url)
            print(f"已创建账号 {account.name}（{accounts.ROLE_NAMES[account.role]}）")
        elif args.admin_command == "passwd":
            accounts.set_password(args.name, _password(args.password_stdin), _actor(), url=url)
            print(f"已重设 {args.name} 的密码")
        elif args.admin_command == "set":
            active = True if args.enable else False if args.disable else None
            account = accounts.update(args.name, _actor(), role=args.role, active=active, url=url)
            state = "启用" if account.active else "停用"
            print(f"{account.name}：{accounts.ROLE_NAMES[account.role]}，{state}")
        else:
            rows = accounts.all_accounts(url)
            for a in rows:
                last = shown(a.last_login_at) if a.last_login_at else "从未登录"
                print(f"{a.name}\t{accounts.ROLE_NAMES[a.role]}\t{'启用' if a.active else '停用'}\t{last}")
            if not rows:
                print("（还没有账号：python -m bot.ops admin add NAME --role admin）")
    except (accounts.AccountError, WeakPassword) as exc:
        print(str(exc), file=sys.stderr)
        return 2
    return 0
