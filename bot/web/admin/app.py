"""The console's routes under ``/admin``, added to the widget's app by :func:`bot.web.app.create_app`.

Not an aiohttp sub-application: with the pinned yarl, resolving a sub-app prefix
builds ``request.url`` from a Host header with a port, which yarl refuses (500).
The console's middleware (:func:`bot.web.admin.auth.guard`) acts on /admin paths only.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from aiohttp import web

from bot.ratelimit import RequestLimits
from bot.web.admin import auth
from bot.web.admin.context import LOGIN_LIMITS, OPTIONS, AdminOptions
from bot.web.admin.render import ENV, NAV, environment
from bot.web.admin.routes import NavEntry, Routes

STATIC = Path(__file__).resolve().parent / "static"

# Page modules, each with ``routes = Routes()``; add yours here (order does not matter: ``nav`` has its own).
PAGE_MODULES = (
    "bot.web.admin.pages.home",
    "bot.web.admin.pages.items",
    "bot.web.admin.pages.usage",
    "bot.web.admin.pages.users",
    "bot.web.admin.pages.accounts",
    "bot.web.admin.pages.trail",
    "bot.web.admin.pages.kb_import",
    "bot.web.admin.pages.kb_versions",
    "bot.web.admin.pages.kb_try",
    "bot.web.admin.pages.kb_misses",
)


PREFIX = "/admin"


def install(app: web.Application, opts: AdminOptions, modules: tuple[str, ...] = PAGE_MODULES) -> None:
    """Add the console to ``app``, whose middlewares must end with :func:`bot.web.admin.auth.guard`."""
    if auth.guard not in app.middlewares:
        raise ValueError("the app needs bot.web.admin.auth.guard as its innermost middleware")
    app[OPTIONS] = opts
    per_min = opts.settings.login_per_min
    # Per address a few accounts' worth; per account name the configured number.
    app[LOGIN_LIMITS] = RequestLimits.per_minute(per_min, per_min * 4)
    app[ENV] = environment()
    app.router.add_get(PREFIX, _to_home)
    app.router.add_get(PREFIX + "/login", auth.login_page)
    app.router.add_post(PREFIX + "/login", auth.login)
    app.router.add_post(PREFIX + "/logout", auth.logout)
    app.router.add_static(PREFIX + "/static/", STATIC)
    nav: list[NavEntry] = []
    for name in modules:
        routes: Routes = importlib.import_module(name).routes
        for route in routes.routes:
            app.router.add_route(route.method, PREFIX + route.path, route.handler)
        nav.extend(routes.nav)
    app[NAV] = sorted(nav, key=lambda entry: (entry.order, entry.path))


async def _to_home(request: web.Request) -> web.StreamResponse:
    raise web.HTTPPermanentRedirect(PREFIX + "/")
