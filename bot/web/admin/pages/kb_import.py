"""导入: upload an official list, see what it would change (the dry-run diff, or every row's
problem), then apply it as a new knowledge-base version. The running assistant picks it up
within seconds (bot.kb.provider); 版本 rolls it back."""

from __future__ import annotations

import asyncio
from urllib.parse import unquote

from aiohttp import web

from bot.errors import ImportRejected, KnowledgeError
from bot.kb.import_mapping import FIELD_LABELS
from bot.kb.types import UNIT_KIND_LABELS, UNIT_KINDS
from bot.kb.uploads import Options, apply, discard, preview
from bot.web.admin import Routes, current_user, record_change, redirect, render
from bot.web.admin.kb_paths import kb_paths

routes = Routes()

KIND_TITLES = {"added": "新增", "changed": "修改", "removed": "删除"}


@routes.get("/import", role="editor", nav="导入", order=50)
async def import_form(request: web.Request) -> web.StreamResponse:
    return await _form(request)


@routes.post("/import/preview", role="editor")
async def import_preview(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    upload = form.get("file")
    scope = str(form.get("scope") or "")
    unit = str(form.get("unit") or "").strip()[:64]
    options = Options(
        unit_kind=scope if scope in UNIT_KINDS else None,
        unit=unit if scope == "unit" and unit else None,
        name=str(form.get("name") or "").strip()[:64] or None,
        document=str(form.get("document") or "").strip()[:64] or None,
    )
    if not isinstance(upload, web.FileField):
        return await _form(request, "请选择要导入的 .xlsx 或 .csv 文件。", status=400)
    data = upload.file.read()
    filename = unquote(upload.filename or "")  # some clients percent-encode non-ASCII names
    paths = kb_paths()
    try:
        shown = await asyncio.to_thread(
            preview, data, filename, options, paths.knowledge_dir, paths.kb_url, paths.upload_dir
        )
    except KnowledgeError as exc:
        return await _form(request, str(exc), status=400)
    result = shown.result
    return await render(
        request,
        "import_preview.html",
        title="导入预览",
        preview=shown,
        result=result,
        options=options,
        groups=[(KIND_TITLES[k], k, result.of_kind(k)) for k in KIND_TITLES] if result else [],
        field_labels=FIELD_LABELS,
        kind_labels=UNIT_KIND_LABELS,
    )


@routes.post("/import/apply", role="editor")
async def import_apply(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    token = str(form.get("token") or "")
    paths = kb_paths()
    try:
        result = await asyncio.to_thread(
            apply,
            token,
            paths.knowledge_dir,
            paths.kb_url,
            paths.upload_dir,
            actor=current_user(request).name,
            lexicon=paths.lexicon,
        )
    except ImportRejected as exc:
        return await _form(request, f"清单被拒绝，知识库未改动。{exc}", status=400)
    except KnowledgeError as exc:
        return await _form(request, str(exc), status=400)
    counts = {kind: len(result.of_kind(kind)) for kind in KIND_TITLES}
    await record_change(request, "kb.import", result.target.name, None, {"version": result.version, **counts})
    if result.unchanged:
        raise redirect("/admin/versions", f"清单内容与当前版本相同，沿用版本 {result.version}。")
    raise redirect(
        "/admin/versions",
        f"已导入 {result.target.name}：新增 {counts['added']} 项，修改 {counts['changed']} 项，"
        f"删除 {counts['removed']} 项；知识库版本 {result.version}，助手几秒内生效。",
    )


@routes.post("/import/discard", role="editor")
async def import_discard(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    await asyncio.to_thread(discard, str(form.get("token") or ""), kb_paths().upload_dir)
    raise redirect("/admin/import", "已放弃这次导入，知识库未改动。")


async def _form(request: web.Request, error: str | None = None, status: int = 200) -> web.StreamResponse:
    return await render(request, "import.html", title="导入清单", error=error, status=status, kinds=UNIT_KIND_LABELS)
