"""Command line: ``python -m bot serve | shell | ask "问题"``.

``ask`` and ``shell`` talk to the Rasa server over REST (``RASA_URL``,
default http://127.0.0.1:5005); when none answers they start the action
server and Rasa server for the duration of the command.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import aiohttp

from bot import servers
from bot.client import payload_of, send, texts_of
from bot.config import settings


@contextmanager
def _reachable_rasa() -> Iterator[str]:
    cfg = settings()
    if servers.is_up(f"{cfg.rasa_url}/version"):  # /status wants Rasa's token
        yield cfg.rasa_url
        return
    print("未连接到 Rasa 服务器，正在启动动作服务器和 Rasa 服务器（约半分钟）…", file=sys.stderr)
    with servers.start(cfg.action_port, cfg.rasa_port, log=subprocess.DEVNULL) as running:
        yield running.rasa_url


async def _ask(url: str, sender: str, text: str, metadata: dict[str, Any] | None) -> list[dict[str, Any]]:
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        return await send(session, url, sender, text, metadata)


def _print_reply(messages: list[dict[str, Any]], as_json: bool) -> None:
    for text in texts_of(messages):
        print(text)
    for message in messages:
        for i, button in enumerate(message.get("buttons") or [], start=1):
            print(f"  [{i}] {button.get('title')}")
    payload = payload_of(messages)
    if as_json and payload is not None:
        print(json.dumps(payload, ensure_ascii=False, indent=2))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description="镇街权责助手")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("serve", help="在前台启动动作服务器、Rasa 服务器和网页组件（Ctrl-C 停止）")
    ask = sub.add_parser("ask", help="问一个问题，打印回答及其 JSON")
    ask.add_argument("question")
    ask.add_argument("--unit", help="以该镇街身份提问（作为 metadata.unit 发送）")
    ask.add_argument("--sender", default=None)
    shell = sub.add_parser("shell", help="在终端里对话")
    shell.add_argument("--unit", help="以该镇街身份提问（作为 metadata.unit 发送）")
    args = parser.parse_args(argv)

    if args.command == "serve":
        import signal

        def _stop(signum: int, frame: object) -> None:
            raise KeyboardInterrupt  # a supervisor's SIGTERM stops the servers like Ctrl-C

        signal.signal(signal.SIGTERM, _stop)
        cfg = settings()
        web = f"，网页组件 127.0.0.1:{cfg.web_port}" if cfg.web_port else ""
        print(f"启动：动作服务器 127.0.0.1:{cfg.action_port}，Rasa REST 127.0.0.1:{cfg.rasa_port}{web}（Ctrl-C 停止）")
        running = servers.start(cfg.action_port, cfg.rasa_port, web_port=cfg.web_port or None)
        print(
            f"就绪：curl -s {running.rasa_url}/webhooks/rest/webhook "
            f'-d \'{{"sender":"u1","message":"石牌街道能不能处罚占道经营"}}\''
        )
        if running.web_url:
            print(
                f"网页组件：在浏览器打开 {running.web_url}/ ；"
                f'嵌入其他页面：<script src="{running.web_url}/widget.js" defer></script>'
            )
        try:
            while all(p.poll() is None for p in running.processes):
                for p in running.processes:
                    try:
                        p.wait(timeout=1)
                    except Exception:
                        pass
        except KeyboardInterrupt:
            print("\n正在停止…")
        finally:
            running.stop()
        return 0

    metadata = {"unit": args.unit} if getattr(args, "unit", None) else None
    try:
        with _reachable_rasa() as url:
            if args.command == "ask":
                sender = args.sender or f"cli-{uuid.uuid4().hex[:8]}"
                _print_reply(asyncio.run(_ask(url, sender, args.question, metadata)), as_json=True)
                return 0
            sender = f"shell-{uuid.uuid4().hex[:8]}"
            print("镇街权责助手（输入问题，空行或 Ctrl-D 退出）")
            while True:
                try:
                    text = input("> ").strip()
                except EOFError:
                    break
                if not text:
                    break
                _print_reply(asyncio.run(_ask(url, sender, text, metadata)), as_json=False)
    except servers.ServerError as exc:
        print(f"无法启动服务器：{exc}", file=sys.stderr)
        return 1
    except aiohttp.ClientError as exc:
        print(f"无法连接 Rasa 服务器：{exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
