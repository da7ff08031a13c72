"""Server-rendered pages: Jinja2 templates in ``templates/`` extending ``base.html``.

Autoescaping is on; templates get ``user``, ``nav``, ``csrf_field`` (the hidden
input every form must carry), ``csrf_token``, ``kb_version``, ``flash`` and
whatever the handler passes. Times: the ``shown`` filter (Beijing time).
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import jinja2
from aiohttp import web
from markupsafe import Markup, escape

from bot.errors import KnowledgeError
from bot.ops.accounts import ROLE_NAMES
from bot.ops.timestamps import shown
from bot.web.admin.context import SIGNED_IN, knowledge

TEMPLATES = Path(__file__).resolve().parent / "templates"
FLASH_COOKIE = "zq_admin_flash"
NAV = web.AppKey("admin_nav", list)

logger = logging.getLogger(__name__)


def _shown(moment: dt.datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if moment is None:
        return "—"
    # The knowledge base records its build time in the server's local time (naive).
    return shown(moment.astimezone() if moment.tzinfo is None else moment, fmt)


def environment(extra_dirs: tuple[Path, ...] = ()) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([TEMPLATES, *extra_dirs]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}
    env.filters["shown"] = _shown
    env.filters["role_name"] = lambda role: ROLE_NAMES.get(role, role)
    return env


ENV = web.AppKey("admin_jinja", jinja2.Environment)


async def render(request: web.Request, template: str, *, title: str, status: int = 200, **context: Any) -> web.Response:
    """A page of ``template`` (which extends ``base.html``) with ``title`` in the header."""
    session = request.get(SIGNED_IN)
    user = session.account if session else None
    token = session.csrf_token if session else context.pop("csrf_token", "")
    version = None
    if user is not None:
        try:
            version = (await knowledge(request)).version
        except KnowledgeError:
            logger.warning("knowledge base unavailable while rendering %s", request.path)
    nav = [entry for entry in request.config_dict[NAV] if user is not None and user.may(entry.role)]
    flash = unquote(request.cookies.get(FLASH_COOKIE, ""))[:500]
    html = (
        request.config_dict[ENV]
        .get_template(template)
        .render(
            title=title,
            user=user,
            nav=nav,
            path=request.path,
            csrf_token=token,
            csrf_field=Markup('<input type="hidden" name="csrf_token" value="{}">').format(escape(token)),
            kb_version=version,
            flash=flash,
            **context,
        )
    )
    response = web.Response(text=html, content_type="text/html", charset="utf-8", status=status)
    if flash:
        response.del_cookie(FLASH_COOKIE, path="/admin")
    return response


def redirect(location: str, flash: str | None = None) -> web.HTTPSeeOther:
    """``raise redirect("/admin/users", "已保存")``: 303 to a page that shows ``flash`` once."""
    response = web.HTTPSeeOther(location)
    if flash:
        response.set_cookie(FLASH_COOKIE, quote(flash), path="/admin", httponly=True, samesite="Strict", max_age=60)
    return response
