"""The action server, bound to loopback and answering only Rasa.

``python -m bot.actionserver [--host 127.0.0.1] [--port 5055]`` runs rasa-sdk's
own app (``rasa_sdk.endpoint.create_app``) for the ``actions`` package, with
two differences from ``python -m rasa_sdk``: it listens on ``ACTION_HOST``
(127.0.0.1) instead of every interface, and every request except ``GET
/health`` must carry ``Authorization: Bearer $ACTION_SERVER_TOKEN``: a forged
``/webhook`` call could otherwise forget anyone's unit, overwrite it, or rate
anyone's answer. Rasa sends the header from ``endpoints.yml``. rasa-sdk 3.6
has no authentication of its own, hence this launcher.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from typing import Any

from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import service
from bot.config import settings
from bot.identity import bearer_matches

logger = logging.getLogger(__name__)

TOKEN_VARIABLE = "ACTION_SERVER_TOKEN"
OPEN_PATHS = frozenset({"/health"})


def create_app(token: str, actions_package: str = "actions") -> Sanic:
    """rasa-sdk's action server app, refusing callers without ``token``.

    Raises:
        ValueError: ``token`` is empty (an open action server is never started).
    """
    if not token:
        raise ValueError("empty action server token")
    from rasa_sdk.endpoint import create_app as create_sdk_app

    # No CORS origins: only Rasa calls this server, never a browser.
    app = create_sdk_app(actions_package, cors_origins="")

    @app.on_request
    async def require_token(request: Request) -> HTTPResponse | None:
        if request.path in OPEN_PATHS:
            return None
        if not bearer_matches(token, request.headers.get("authorization")):
            logger.warning(
                "action server: refused %s %s from %s (no or wrong token)", request.method, request.path, request.ip
            )
            return response.json({"error": "unauthorized"}, status=401)
        return None

    @app.listener("after_server_start")
    async def warm_up(app: Sanic, loop: Any) -> None:
        # In a worker thread, so that /health answers at once and early questions are not held up.
        loop.run_in_executor(None, service.warm_up)

    return app


def main(argv: list[str] | None = None) -> int:
    cfg = settings()
    parser = argparse.ArgumentParser(prog="python -m bot.actionserver", description="动作服务器（只接受 Rasa 的调用）")
    parser.add_argument("--host", default=cfg.action_host)
    parser.add_argument("--port", type=int, default=cfg.action_port)
    parser.add_argument("--actions", default="actions")
    args = parser.parse_args(argv)
    token = os.environ.get(TOKEN_VARIABLE, "")
    if not token:
        print(
            f"未设置 {TOKEN_VARIABLE}：动作服务器拒绝在没有访问令牌的情况下启动。"
            "请设置该环境变量（Rasa 的 endpoints.yml 使用同一个值），或用 python -m bot serve 启动。",
            file=sys.stderr,
        )
        return 2

    from rasa_sdk import utils
    from rasa_sdk.plugin import plugin_manager

    utils.configure_colored_logging(os.environ.get("LOG_LEVEL", "INFO"))
    utils.update_sanic_log_level()
    app = create_app(token, args.actions)
    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    logger.info("action server on http://%s:%s (token required)", args.host, args.port)
    app.run(args.host, args.port, workers=utils.number_of_sanic_workers(), access_log=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
