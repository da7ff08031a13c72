"""The maintainers' console: ``/admin`` on the widget's aiohttp app (same port), 简体中文, offline.

Server-rendered pages (Jinja2 templates, one small bundled CSS and JS file, no
CDN); accounts, sessions and the audit trail of changes live in the operational
database (bot.ops.accounts, bot.ops.changes; migration 0002). Create the first
account with ``python -m bot.ops admin add NAME --role admin``.

Roles (weakest first): ``viewer`` reads reports and the lists; ``editor`` also
changes lists, aliases and users' units; ``admin`` also manages accounts.

How to write a page
-------------------
1. A module under ``bot/web/admin/pages/`` with a route table, and its name in
   :data:`bot.web.admin.app.PAGE_MODULES`::

       from aiohttp import web
       from bot.web.admin import Routes, current_user, knowledge, record_change, redirect, render

       routes = Routes()

       @routes.get("/aliases", role="viewer", nav="别名", order=40)   # GET /admin/aliases, in the nav bar
       async def aliases(request: web.Request) -> web.StreamResponse:
           kb = await knowledge(request)                # the knowledge base in force (frozen snapshot)
           return await render(request, "aliases.html", title="别名", items=kb.items)

       @routes.post("/aliases", role="editor")          # POST: editor or admin only (viewer: refused at load)
       async def add_alias(request: web.Request) -> web.StreamResponse:
           form = await request.post()                  # the CSRF token was already checked
           ...                                          # blocking work: await asyncio.to_thread(fn, ...)
           await record_change(request, "alias.add", target=code, before=None, after={"alias": alias})
           raise redirect("/admin/aliases", "已添加别名。")   # 303 + a message shown once on the next page

2. A template in ``bot/web/admin/templates/`` (or your own directory: pass it to
   :func:`bot.web.admin.render.environment`)::

       {% extends "base.html" %}
       {% block content %}
       <form method="post" action="/admin/aliases">{{ csrf_field }} … <button>保存</button></form>
       {% endblock %}

   Every ``<form method="post">`` must contain ``{{ csrf_field }}`` (a POST without the
   session's token is refused 403). For ``fetch`` from a script send the header
   ``X-CSRF-Token`` with the value of ``<meta name="csrf-token">`` (base.html has it).
   File uploads: ``enctype="multipart/form-data"`` (up to 20 MB here, where the widget
   API takes 64 KB); ``await request.post()`` gives the file as a ``FileField``.

What a handler has
------------------
- the role was checked before the handler runs (403 page otherwise); a page
  without sign-in redirects to ``/admin/login?next=…``;
- ``current_user(request)`` → :class:`bot.ops.accounts.Account` (``name``,
  ``role``, ``may("editor")`` to show or hide buttons in a page);
- ``knowledge(request)`` → the :class:`bot.kb.types.Knowledge` in force;
  ``options(request).ops_url`` → the operational database URL (None: default);
- ``record_change(request, action, target, before, after)`` → one entry of the
  audit trail (shown on 操作记录); or ``bot.ops.changes.add(session, …)`` in the
  same transaction as your change;
- ``render(request, template, title=…, **context)``; ``redirect(path, flash)``;
  raise ``web.HTTPForbidden(text="中文说明")`` / ``web.HTTPNotFound()`` for an error page;
  a ``KnowledgeError`` becomes a 503 page.
- templates get ``user``, ``nav``, ``csrf_field``, ``csrf_token``, ``kb_version``, ``flash``;
  filters ``shown`` (Beijing time) and ``role_name``. CSS classes: see static/admin.css
  (``table.grid``, ``.badge-yes|no|assist|unknown``, ``.actions``, ``.muted``, ``.notice``).
"""

from bot.web.admin.context import AdminOptions, current_user, knowledge, options, record_change
from bot.web.admin.render import redirect, render
from bot.web.admin.routes import Routes

__all__ = [
    "AdminOptions",
    "Routes",
    "current_user",
    "knowledge",
    "options",
    "record_change",
    "redirect",
    "render",
]
