"""The page for people: one box, a screenshot upload, the replies the bot gives. Everything works
with a plain form post (the reply is rendered here); with JavaScript, /static/app.js posts the
same forms with `?fragment=1` and inserts the one exchange it gets back."""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ..core.assistant import BOTH
from ..core.locale import SCRIPTS, SIMPLIFIED, TRADITIONAL_HK, TRADITIONAL_TW
from ..core.replies import TEXT, Line, Reply
from .api import image_bytes, read_screenshot
from .render import HTML_LANG, SCRIPT_COOKIE, Exchange, exchange, page_script
from .state import WebState

SCRIPT_LABELS = ((SIMPLIFIED, "简体"), (TRADITIONAL_HK, "繁體（香港）"), (TRADITIONAL_TW, "繁體（台灣）"))
COOKIE_SECONDS = 365 * 24 * 3600

# What people are told when something goes wrong (the API says it in JSON).
PAGE_ERRORS = {
    "rate_limited": "请求太频繁了，请稍等一分钟再试。紧急情况请直接拨打 110。",
    "too_large": "内容太长了：文字请控制在几万字以内，截图不要超过 5 MB。",
    "not_found": "没有找到这个页面，或者这个问题已经更新、下线了。请重新提问。",
    "method_not_allowed": "请在首页的输入框里提问。",
    "internal_error": "抱歉，出了点问题，请稍后再试。紧急情况请直接拨打 110。",
    # Screenshots (the OCR module's own sentences are used when it gives them).
    "missing_image": "请先选择一张截图再上传。",
    "unsupported_image": "只能识别 PNG、JPEG、GIF、WebP 或 BMP 格式的图片。",
    "bad_image": "这张图片打不开，请换一张截图试试。",
    "ocr_unavailable": "本服务暂时不能识别图片。请把短信或聊天的文字复制，粘贴到上面的输入框里。",
    "ocr_busy": "现在要识别的图片太多了，请过一分钟再试。着急的话，把文字复制粘贴到上面的输入框里马上就能查。",
    "ocr_timeout": "这张图片识别太久，已经停下了。请只截取有文字的部分再试。",
    "no_text": "没有从图片里读出文字。请换一张更清楚的截图，或者把文字复制粘贴到上面的输入框里。",
}


def _state(request: Request) -> WebState:
    return request.app.state.web


def _script(request: Request, text: str = "") -> str:
    return page_script(request.cookies.get(SCRIPT_COOKIE), request.headers.get("accept-language"), text)


def _fragment(request: Request) -> bool:
    return request.query_params.get("fragment") == "1"


def render(request: Request, script: str, items: list[Exchange], *, status: int = 200) -> Response:
    """The whole page, or with ?fragment=1 only the exchanges (for app.js)."""
    templates = request.app.state.templates
    state = _state(request)
    context = {"script": script, "html_lang": HTML_LANG[script], "items": items, "scripts": SCRIPT_LABELS,
               "ocr": state.ocr is not None, "examples": state.assistant.knowledge.messages.examples[:3],
               "path": request.url.path, "logging": state.settings.web_log_unanswered}
    name = "_exchanges.html" if _fragment(request) else "page.html"
    return templates.TemplateResponse(request, name, context, status_code=status)


def message_exchange(text: str, script: str, *, kind: str = "notice") -> Exchange:
    return exchange(Reply(kind, (Line(text, TEXT),)), script)


def error_page(request: Request, status: int, code: str, text: str | None = None) -> Response:
    script = _script(request)
    text = text or PAGE_ERRORS.get(code, PAGE_ERRORS["internal_error"])
    return render(request, script, [message_exchange(text, script, kind="error")], status=status)


async def home(request: Request) -> Response:
    return render(request, _script(request), [])


async def ask(request: Request) -> Response:
    """The main box: a question, a number, a link or a pasted message, routed like the chat."""
    async with request.form(max_files=0, max_fields=4) as form:
        text = form.get("text")
    text = text if isinstance(text, str) else ""
    state = _state(request)
    script = _script(request, text)
    response = await state.run(state.assistant.respond, text)
    state.note_unanswered(response.match if response.kind != BOTH else None, text)
    risk = response.scan.risk if response.scan is not None else None
    return render(request, script, [exchange(response.reply, script, question=text.strip() or None, risk=risk)])


async def image(request: Request) -> Response:
    """A screenshot: read with OCR (when this server has it), then scanned. Errors are shown in
    the conversation (ApiError is rendered as a page for paths outside /api/)."""
    state = _state(request)
    text = await read_screenshot(state, await image_bytes(request))
    script = _script(request)
    response = await state.run(state.assistant.scan_image_text, text)  # the bot's reply to a screenshot
    return render(request, script, [exchange(response.reply, script, risk=response.scan.risk)])


async def entry(request: Request) -> Response:
    """A suggested or related question, picked."""
    reply = _state(request).assistant.entry_reply(request.path_params["entry_id"])
    if reply is None:
        return error_page(request, 404, "not_found")
    script = _script(request)
    return render(request, script, [exchange(reply, script)])


async def none_of_these(request: Request) -> Response:
    """None of the suggested questions: ask for other words; the emergency lines stay in view."""
    script = _script(request)
    return render(request, script, [exchange(_state(request).assistant.none_of_these_reply(), script)])


async def choose_script(request: Request) -> Response:
    """The 简体 / 繁體 switch: remembered in a cookie (nothing is stored on the server)."""
    async with request.form(max_files=0, max_fields=4) as form:
        script = form.get("script")
        back = form.get("next")
    back = back if isinstance(back, str) and re.fullmatch(r"/(?:entry/[\w\-%]+|none)?", back) else "/"
    response = RedirectResponse(back, status_code=303)
    if script in SCRIPTS:
        response.set_cookie(SCRIPT_COOKIE, script, max_age=COOKIE_SECONDS, path="/", samesite="lax", httponly=True,
                            secure=request.url.scheme == "https")
    return response
