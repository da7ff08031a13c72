"""版本: every knowledge-base version (when, who, how, which file, counts) and rolling back
to any earlier one in one click; the running assistant answers from it within seconds."""

from __future__ import annotations

import asyncio

from aiohttp import web

from bot.errors import BuildRejected, KnowledgeError
from bot.kb.versions import history, rollback
from bot.web.admin import Routes, current_user, record_change, redirect, render
from bot.web.admin.kb_paths import kb_paths

routes = Routes()


@routes.get("/versions", role="viewer", nav="版本", order=55)
async def version_list(request: web.Request) -> web.StreamResponse:
    versions = await asyncio.to_thread(history, kb_paths().kb_url)
    return await render(request, "versions.html", title="知识库版本", versions=versions)


@routes.post("/versions/rollback", role="editor")
async def version_rollback(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    target = str(form.get("version") or "")[:32]
    paths = kb_paths()
    try:
        result = await asyncio.to_thread(
            rollback,
            target,
            paths.knowledge_dir,
            paths.kb_url,
            actor=current_user(request).name,
            lexicon=paths.lexicon,
        )
    except BuildRejected as exc:
        raise redirect(
            "/admin/versions",
            f"无法回滚：该版本的来源文件未通过当前校验（{len(exc.problems)} 个问题，见 python -m bot.kb build）。",
        ) from exc
    except KnowledgeError as exc:
        raise redirect("/admin/versions", str(exc)) from exc
    await record_change(request, "kb.rollback", target, None, {"version": result.version, "files": list(result.files)})
    raise redirect("/admin/versions", f"已回滚到版本 {target} 的内容（新版本 {result.version}），助手几秒内生效。")
