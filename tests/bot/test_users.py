"""The user directory: who may set a unit, and the administrators' command line, end to end."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from bot import users
from bot.config import PROJECT_ROOT
from bot.ops.timestamps import shown


def test_precedence_admin_over_chat_over_metadata(fresh_ops):
    assert users.remember("u", "天河区五山街道", "metadata")
    assert users.remember("u", "白云区江高镇", "chat")  # what the user says beats what the channel sent
    assert not users.remember("u", "天河区五山街道", "metadata")
    assert users.unit_of("u") == "白云区江高镇"
    assert users.remember("u", "天河区石牌街道", "admin")
    assert not users.remember("u", "白云区江高镇", "chat")
    assert not users.remember("u", "天河区五山街道", "metadata")
    assert users.all_users()[0][:3] == ("u", "天河区石牌街道", "admin")
    assert users.remember("u", "天河区沙河街道", "admin")  # an administrator may correct themselves
    assert users.unit_of("u") == "天河区沙河街道"
    with pytest.raises(ValueError):
        users.remember("u", "天河区沙河街道", "guess")


def cli(*args: str, kb_url: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, KB_DATABASE_URL=kb_url, TZ="UTC")
    return subprocess.run(
        [sys.executable, "-m", "bot.users", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_set_list_clear_from_the_command_line(fresh_ops, kb_url):
    empty = cli("list", kb_url=kb_url)
    assert empty.returncode == 0 and "还没有用户" in empty.stdout

    done = cli("set", "wecom:zhangsan", "石牌街道", kb_url=kb_url)
    assert done.returncode == 0 and "已设置 wecom:zhangsan → 天河区石牌街道" in done.stdout
    assert not users.remember("wecom:zhangsan", "白云区江高镇", "chat")

    unknown = cli("set", "wecom:lisi", "不存在镇", kb_url=kb_url)
    assert unknown.returncode == 2 and "找不到唯一的镇街：不存在镇" in unknown.stdout

    listed = cli("list", kb_url=kb_url)
    [line] = listed.stdout.splitlines()
    sender, unit, source, when = line.split("\t")
    assert (sender, unit, source) == ("wecom:zhangsan", "天河区石牌街道", "管理员设置")
    [(_, _, _, updated)] = users.all_users()
    assert when == shown(updated)  # Beijing time, though the process runs in UTC
    assert when != updated.strftime("%Y-%m-%d %H:%M")

    assert "已清除" in cli("clear", "wecom:zhangsan", kb_url=kb_url).stdout
    assert "该用户没有保存镇街" in cli("clear", "wecom:zhangsan", kb_url=kb_url).stdout
    assert users.all_users() == []


def test_unavailable_directory_is_reported(fresh_ops, kb_url, monkeypatch):
    monkeypatch.setenv("OPS_DATABASE_URL", "sqlite:////proc/no-such-dir/ops.sqlite3")
    result = cli("list", kb_url=kb_url)
    assert result.returncode == 1 and "用户目录不可用" in result.stdout
