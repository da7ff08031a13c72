"""``python -m bot.web --port 8080 --rasa-url http://127.0.0.1:5005``: serve the widget."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from aiohttp import web

from bot.config import settings
from bot.ratelimit import RequestLimits
from bot.web.app import create_app


def main(argv: list[str] | None = None) -> int:
    cfg = settings()
    parser = argparse.ArgumentParser(prog="python -m bot.web", description="镇街权责助手网页组件")
    parser.add_argument("--host", default=cfg.web_host)
    parser.add_argument("--port", type=int, default=cfg.web_port)
    parser.add_argument("--rasa-url", default=cfg.rasa_url, help="Rasa 服务器地址（REST 通道和 HTTP API）")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    token = os.environ.get("RASA_AUTH_TOKEN", "")
    if not token:
        logging.warning(
            "RASA_AUTH_TOKEN 未设置：无法向 Rasa 转发网页会话，提问将失败（python -m bot serve 会自动设置）"
        )
    app = create_app(
        args.rasa_url,
        rasa_token=token,
        allowed_origins=cfg.web_allowed_origins,
        limits=RequestLimits.per_minute(cfg.web_sender_per_min, cfg.web_address_per_min),
        trusted_proxies=cfg.trusted_proxies,
    )
    web.run_app(
        app,
        host=args.host,
        port=args.port,
        print=lambda _: print(f"网页组件：http://{args.host}:{args.port}/（Rasa：{args.rasa_url}）", flush=True),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
