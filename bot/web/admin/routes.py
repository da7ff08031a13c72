"""How a page module declares its routes: a :class:`Routes` table with a role per route.

Every route needs a signed-in account (the middleware in :mod:`bot.web.admin.auth`
sends others to the sign-in page); the role is checked here, in the wrapper each
route is registered with, so a route cannot be added without one. A ``POST``
route changes something, so it may not be open to viewers: declaring one with
``role="viewer"`` fails when the module is loaded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import web

from bot.ops.accounts import ROLE_NAMES, ROLES
from bot.web.admin.context import Handler, current_user

NEED_ROLE = "您的账号没有权限进行此操作（需要“{role}”或更高角色）。"


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # under /admin, e.g. "/items/{code}"
    handler: Handler
    role: str


@dataclass(frozen=True)
class NavEntry:
    path: str  # under /admin
    title: str
    role: str
    order: int


class Routes:
    """The routes of one page module (``routes = Routes()`` at module level)."""

    def __init__(self) -> None:
        self.routes: list[Route] = []
        self.nav: list[NavEntry] = []

    def get(
        self, path: str, *, role: str = "viewer", nav: str | None = None, order: int = 100
    ) -> Callable[[Handler], Handler]:
        """Declare a page; ``nav`` puts it in the navigation bar (for accounts that may open it)."""
        _check(role)

        def register(handler: Handler) -> Handler:
            self.routes.append(Route("GET", path, _guarded(handler, role), role))
            if nav:
                self.nav.append(NavEntry(path, nav, role, order))
            return handler

        return register

    def post(self, path: str, *, role: str = "editor") -> Callable[[Handler], Handler]:
        """Declare a form target: CSRF-checked by the middleware; never open to viewers."""
        _check(role)
        if role == "viewer":
            raise ValueError(f"POST {path}: a viewer cannot change anything; use role='editor' or 'admin'")

        def register(handler: Handler) -> Handler:
            self.routes.append(Route("POST", path, _guarded(handler, role), role))
            return handler

        return register


def _check(role: str) -> None:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; one of {ROLES}")


def _guarded(handler: Handler, role: str) -> Handler:
    async def guarded(request: web.Request) -> web.StreamResponse:
        if not current_user(request).may(role):
            raise web.HTTPForbidden(text=NEED_ROLE.format(role=ROLE_NAMES[role]))
        return await handler(request)

    guarded.__name__ = getattr(handler, "__name__", "page")
    guarded.__doc__ = handler.__doc__
    return guarded
