"""The HTTP API (and the page's server side) through a real HTTP client against the running app:
every endpoint, every error status, the security headers, CORS, and that nothing users send is
stored unless the operator turns the unanswered-question log on."""

from __future__ import annotations

import io
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import types
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from bot.config import ConfigError, Settings
from bot.storage import Storage
from bot.web import create_app
from bot.web.guard import SlidingWindow
from bot.web.server import running
from bot.web.state import discover_ocr

from .conftest import ROOT
from .web_env import PNG, SCAM_SMS, serving, web_settings

QUESTION = "借呗被盗了怎么办"
OFF_TOPIC = "今天北京天气怎么样，适合去爬山吗"
TEXT_ENDPOINTS = ("/api/v1/ask", "/api/v1/check", "/api/v1/scan", "/api/v1/respond")


@pytest.fixture(scope="module")
def api(assistant, tmp_path_factory):
    settings = web_settings(tmp_path_factory.mktemp("web"))
    with serving(assistant, settings) as client:
        client.settings = settings
        yield client


def cli_json(*args: str, stdin: str | None = None) -> dict:
    done = subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True,
                          cwd=ROOT, timeout=300, check=True)
    return json.loads(done.stdout.splitlines()[-1])


# --- the endpoints ----------------------------------------------------------------------------

def test_healthz_says_ready_with_the_knowledge_loaded(api):
    response = api.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["entries"] > 50 and body["ocr"] is True


def test_ask_check_and_scan_return_exactly_what_the_command_line_prints(api):
    assert api.post("/api/v1/ask", json={"text": QUESTION}).json() == cli_json("ask", "--json", QUESTION)
    assert api.post("/api/v1/check", json={"text": "+86 95588"}).json() == cli_json("check", "--json", "+86 95588")
    assert api.post("/api/v1/scan", json={"text": SCAM_SMS}).json() == cli_json("scan", "--json", stdin=SCAM_SMS)


def test_ask_answers_with_the_public_shape(api):
    body = api.post("/api/v1/ask", json={"text": QUESTION}).json()
    assert body["status"] == "answered" and body["entry"]["id"] == "theft-first-steps"
    assert "95188" in body["answer"] and 0 <= body["score"] <= 1
    assert api.post("/api/v1/ask", json={"text": OFF_TOPIC}).json()["status"] == "no_match"


def test_check_gives_a_number_verdict_or_a_link_verdict(api):
    number = api.post("/api/v1/check", json={"text": "+86 95588"}).json()
    assert number["verdict"] == "lookalike" and number["institution"] == "中国工商银行"
    link = api.post("/api/v1/check", json={"text": "alipay.com.verify-hb.top"}).json()
    assert set(link) == {"url", "domain", "verdict", "institution", "reasons"}
    assert link["verdict"] == "lookalike" and link["domain"] == "verify-hb.top"


def test_scan_finds_a_scam_and_refuses_an_empty_message(api):
    body = api.post("/api/v1/scan", json={"text": SCAM_SMS}).json()
    assert body["risk"] == "high" and body["signals"] and body["links"][0]["verdict"] == "lookalike"
    response = api.post("/api/v1/scan", json={"text": "  \n "})
    assert response.status_code == 400 and response.json()["error"] == "empty"


def test_respond_routes_like_the_chat_and_adds_kind_reply_and_buttons(api):
    question = api.post("/api/v1/respond", json={"text": QUESTION}).json()
    assert question["kind"] == "question" and question["status"] == "answered"
    assert "95188" in question["reply"] and "审核于" in question["reply"] and question["script"] == "simplified"
    assert any(b["action"] == "entry" for b in question["buttons"])
    number = api.post("/api/v1/respond", json={"text": "95188"}).json()
    assert number["kind"] == "check" and number["verdict"] == "official"
    link = api.post("/api/v1/respond", json={"text": "a1ipay.com"}).json()
    assert link["kind"] == "link" and link["verdict"] == "lookalike"
    message = api.post("/api/v1/respond", json={"text": SCAM_SMS}).json()
    assert message["kind"] == "scan" and message["risk"] == "high" and "高风险" in message["reply"]
    both = api.post("/api/v1/respond", json={"text": "这条短信是真的吗\n【工商银行】您的积分即将清零，请登录 icbc-jf.top 兑换现金"}).json()
    assert both["kind"] == "both" and both["scan"]["risk"] == "high" and "status" in both["ask"]
    empty = api.post("/api/v1/respond", json={"text": "？？"}).json()
    assert empty["kind"] == "empty" and empty["reply"]


def test_respond_answers_in_the_script_of_the_text_or_the_one_asked_for(api):
    traditional = api.post("/api/v1/respond", json={"text": "借唄被盜了怎麼辦"}).json()
    assert traditional["script"] == "traditional-hk" and "支付寶" in traditional["reply"]
    assert traditional["answer"] == api.post("/api/v1/ask", json={"text": QUESTION}).json()["answer"]  # data stays simplified
    taiwan = api.post("/api/v1/respond", json={"text": QUESTION, "script": "traditional-tw"}).json()
    assert "稽核於" in taiwan["reply"]
    bad = api.post("/api/v1/respond", json={"text": QUESTION, "script": "klingon"})
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_script"


def test_entries_can_be_fetched_to_follow_a_button(api):
    body = api.get("/api/v1/entries/theft-first-steps").json()
    assert body["question"].startswith("支付宝") and body["reviewed"] and body["sources"]
    missing = api.get("/api/v1/entries/no-such-entry")
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"


def test_openapi_describes_every_api_route(api, assistant):
    spec = api.get("/api/v1/openapi.json").json()
    assert spec["openapi"].startswith("3.1")
    app = create_app(assistant, api.settings, ocr=None)  # its routes only: nothing is served
    routes = {r.path for r in app.routes if r.path.startswith("/api/") or r.path == "/healthz"}
    assert routes == set(spec["paths"])
    assert "/api/v1/scan-image" in routes and "/healthz" in routes
    refs = {m for m in json.dumps(spec).split('"') if m.startswith("#/components/schemas/")}
    assert refs and all(ref.rsplit("/", 1)[1] in spec["components"]["schemas"] for ref in refs)


# --- errors -----------------------------------------------------------------------------------

@pytest.mark.parametrize("endpoint", TEXT_ENDPOINTS)
@pytest.mark.parametrize("body, code", [
    (b"{", "malformed_json"), (b"", "malformed_json"), (b"\xff\xfe\x00", "malformed_json"),
    (b"[1, 2]", "missing_text"), (b'{"question": "x"}', "missing_text"),
    (b'{"text": 123}', "invalid_text"), (b'{"text": null}', "invalid_text"), (b'{"text": ["a"]}', "invalid_text"),
])
def test_malformed_json_or_a_missing_or_non_string_text_is_a_clear_400(api, endpoint, body, code):
    response = api.post(endpoint, content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["error"] == code and response.json()["message"]


def test_unknown_paths_and_wrong_methods_are_json_on_the_api(api):
    missing = api.get("/api/v1/nothing")
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"
    wrong = api.get("/api/v1/ask")
    assert wrong.status_code == 405 and wrong.json()["error"] == "method_not_allowed"
    page = api.get("/no-such-page")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")


def raw_request(base: str, head: str, body: bytes = b"") -> tuple[int, bytes]:
    """Send bytes over a plain socket (to announce a body we never send) and read the answer."""
    url = urlsplit(base)
    with socket.create_connection((url.hostname, url.port), timeout=30) as sock:
        sock.sendall(head.encode() + b"\r\n" + body)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    status = int(data.split(b" ", 2)[1])
    return status, data.split(b"\r\n\r\n", 1)[1]


@pytest.fixture(scope="module")
def small(assistant, tmp_path_factory):
    """Limits small enough to cross cheaply: 1 KB of JSON, 4 KB of image."""
    settings = web_settings(tmp_path_factory.mktemp("small"), web_max_json_bytes=1024, web_max_image_bytes=4096)
    with serving(assistant, settings) as client:
        yield client


def test_a_declared_oversized_body_is_refused_before_it_is_read(small):
    head = ("POST /api/v1/ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            "Content-Length: 100000000\r\nConnection: close\r\n")
    status, body = raw_request(str(small.base_url), head)  # the 100 MB never follow
    assert status == 413 and json.loads(body)["error"] == "too_large"


def test_a_streamed_body_is_cut_off_at_the_limit(small):
    def chunks():
        yield b'{"text": "'
        for _ in range(64):
            yield "借".encode() * 100
        yield b'"}'

    response = small.post("/api/v1/scan", content=chunks(), headers={"content-type": "application/json"})
    assert "content-length" not in response.request.headers  # sent chunked: only counting can stop it
    assert response.status_code == 413 and response.json()["error"] == "too_large"
    assert small.post("/api/v1/ask", json={"text": QUESTION}).status_code == 200  # under the limit: fine


def test_images_have_their_own_larger_limit(small):
    fits = small.post("/api/v1/scan-image", files={"image": ("s.png", PNG + b"\x00" * 2000, "image/png")})
    assert fits.status_code == 200
    too_big = small.post("/api/v1/scan-image", files={"image": ("s.png", PNG + b"\x00" * 5000, "image/png")})
    assert too_big.status_code == 413 and too_big.json()["error"] == "too_large"
    page = small.post("/", data={"text": "借" * 2000})
    assert page.status_code == 413 and "内容太长" in page.text


def test_too_many_requests_from_one_client_get_429_and_others_do_not(assistant, tmp_path):
    settings = web_settings(tmp_path, web_rate=3, web_rate_window=3600)
    with serving(assistant, settings) as client:
        first = {"x-forwarded-for": "203.0.113.7"}   # believed: the connection comes from a trusted proxy
        codes = [client.post("/api/v1/check", json={"text": "95188"}, headers=first).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        limited = client.post("/api/v1/ask", json={"text": QUESTION}, headers=first)
        assert limited.status_code == 429 and limited.json()["error"] == "rate_limited"
        assert 1 <= int(limited.headers["retry-after"]) <= 3600
        page = client.post("/", data={"text": QUESTION}, headers=first)
        assert page.status_code == 429 and "太频繁" in page.text
        other = {"x-forwarded-for": "198.51.100.9"}
        assert client.post("/api/v1/check", json={"text": "95188"}, headers=other).status_code == 200
        assert client.get("/healthz", headers=first).status_code == 200  # reading is never limited


def test_the_sliding_window_frees_up_as_hits_age():
    now = [0.0]
    window = SlidingWindow(2, 10, clock=lambda: now[0])
    assert window.hit("a") == 0 and window.hit("a") == 0
    assert window.hit("a") == pytest.approx(10)
    now[0] = 9.5
    assert window.hit("a") == pytest.approx(0.5) and window.hit("b") == 0
    now[0] = 10.0
    assert window.hit("a") == 0


# --- screenshots ---------------------------------------------------------------------------

def test_scan_image_returns_the_text_read_and_its_scan(api):
    response = api.post("/api/v1/scan-image", files={"image": ("shot.png", PNG, "image/png")})
    assert response.status_code == 200
    body = response.json()
    assert body["ocr_text"] == SCAM_SMS and body["scan"]["risk"] == "high"


@pytest.mark.parametrize("files, data, status, code", [
    (None, {"text": "x"}, 400, "missing_image"),
    ({"image": ("a.txt", b"hello, not an image", "image/png")}, None, 415, "unsupported_image"),
    ({"image": ("a.png", b"", "image/png")}, None, 400, "missing_image"),
    ({"image": ("a.png", PNG + b"blank", "image/png")}, None, 422, "no_text"),
    ({"image": ("a.png", PNG + b"busy", "image/png")}, None, 503, "ocr_busy"),
    ({"image": ("a.png", PNG + b"not_an_image", "image/png")}, None, 415, "unsupported_image"),
    ({"image": ("a.png", PNG + b"too_many_pixels", "image/png")}, None, 413, "too_large"),
    ({"image": ("a.png", PNG + b"timeout", "image/png")}, None, 422, "ocr_timeout"),
])
def test_scan_image_errors_are_clear(api, files, data, status, code):
    response = api.post("/api/v1/scan-image", files=files, data=data)
    assert response.status_code == status and response.json()["error"] == code
    if code == "ocr_busy":
        assert response.headers["retry-after"] == "60"


def test_scan_image_without_ocr_is_503(assistant, tmp_path):
    with serving(assistant, web_settings(tmp_path), ocr=None) as client:
        assert client.get("/healthz").json()["ocr"] is False
        response = client.post("/api/v1/scan-image", files={"image": ("shot.png", PNG, "image/png")})
        assert response.status_code == 503 and response.json()["error"] == "ocr_unavailable"
        page = client.post("/image", files={"image": ("shot.png", PNG, "image/png")})
        assert page.status_code == 503 and "不能识别图片" in page.text


def test_ocr_is_found_only_when_the_module_imports_and_says_it_works(monkeypatch):
    monkeypatch.setitem(sys.modules, "bot.core.ocr", None)  # importing it raises ImportError
    assert discover_ocr() is None
    module = types.ModuleType("bot.core.ocr")
    module.read_text = lambda data: "text"
    module.ocr_available = lambda: False
    monkeypatch.setitem(sys.modules, "bot.core.ocr", module)
    assert discover_ocr() is None
    module.ocr_available = lambda: True
    assert discover_ocr() is module.read_text


# --- headers, CORS, privacy ------------------------------------------------------------------

def test_security_headers_are_on_every_response(small):
    responses = [small.get("/"), small.get("/static/style.css"), small.get("/healthz"),
                 small.post("/api/v1/ask", json={"text": QUESTION}), small.get("/nowhere"),
                 small.post("/api/v1/ask", content=b"{"), small.post("/api/v1/ask", json={"text": "借" * 2000})]
    assert [r.status_code for r in responses] == [200, 200, 200, 200, 404, 400, 413]
    for response in responses:
        csp = response.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
    assert responses[3].headers["cache-control"] == "no-store"  # replies quote what users sent


def test_cors_is_off_unless_configured(api, assistant, tmp_path):
    origin = {"origin": "https://partner.example.org"}
    assert "access-control-allow-origin" not in api.post("/api/v1/ask", json={"text": QUESTION}, headers=origin).headers
    settings = web_settings(tmp_path, web_cors_origins=("https://partner.example.org",))
    with serving(assistant, settings) as client:
        allowed = client.post("/api/v1/ask", json={"text": QUESTION}, headers=origin)
        assert allowed.headers["access-control-allow-origin"] == "https://partner.example.org"
        preflight = client.options("/api/v1/ask", headers={**origin, "access-control-request-method": "POST",
                                                          "access-control-request-headers": "content-type"})
        assert preflight.status_code == 200 and "POST" in preflight.headers["access-control-allow-methods"]
        other = client.post("/api/v1/ask", json={"text": QUESTION}, headers={"origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers


def test_nothing_users_send_is_stored_by_default(api):
    for path in ("/api/v1/ask", "/api/v1/respond"):
        assert api.post(path, json={"text": OFF_TOPIC}).status_code == 200
    assert api.post("/", data={"text": OFF_TOPIC}).status_code == 200
    assert not api.settings.db_path.exists()
    assert not any(api.settings.db_path.parent.iterdir())  # no file of any kind


def test_the_unanswered_question_log_keeps_only_unanswered_text_when_turned_on(assistant, tmp_path):
    settings = web_settings(tmp_path, web_log_unanswered=True)
    with serving(assistant, settings) as client:
        client.post("/api/v1/ask", json={"text": OFF_TOPIC})
        client.post("/", data={"text": OFF_TOPIC + "？"})
        client.post("/api/v1/ask", json={"text": QUESTION})            # answered: not kept
        client.post("/api/v1/check", json={"text": "13800138000"})     # numbers: never kept
        page = client.get("/")
        assert "匿名保存" in page.text                                    # people are told
    storage = Storage(settings.db_path)
    try:
        gaps = storage.gaps()
    finally:
        storage.close()
    assert [(text, reason) for text, reason, _ in gaps] == [(OFF_TOPIC, "no_match"), (OFF_TOPIC + "？", "no_match")]


# --- the page's server side (the browser tests drive it for real) -------------------------------

def test_the_page_answers_a_plain_form_post_and_escapes_what_it_echoes(api):
    page = api.post("/", data={"text": QUESTION})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "支付宝（借呗、花呗）被盗了怎么办？" in page.text and "审核于" in page.text
    assert 'href="/entry/' in page.text and "tel:110" in page.text and "96110" in page.text
    hostile = api.post("/", data={"text": '<script>alert(1)</script> 借呗被盗了怎么办'})
    assert "<script>alert(1)</script>" not in hostile.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in hostile.text
    fragment = api.post("/?fragment=1", data={"text": "95188"})
    assert fragment.text.lstrip().startswith("<article") and "<html" not in fragment.text


def test_links_in_replies_are_defanged_and_never_clickable(api):
    page = api.post("/", data={"text": "alipay.com.verify-hb.top"}).text
    assert "alipay[.]com[.]verify-hb[.]top" in page
    assert 'href="http' not in page and "alipay.com.verify-hb.top" not in page


def test_the_script_switch_sets_a_cookie_and_converts_the_page(api):
    response = api.post("/lang", data={"script": "traditional-hk", "next": "/entry/theft-first-steps"},
                        follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/entry/theft-first-steps"
    cookie = response.headers["set-cookie"]
    assert "script=traditional-hk" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    page = api.get("/entry/theft-first-steps", headers={"cookie": "script=traditional-hk"})
    assert 'lang="zh-HK"' in page.text and "支付寶" in page.text and "審核於" in page.text and "正在識別圖片" in page.text
    escape = api.post("/lang", data={"script": "simplified", "next": "//evil.example/"}, follow_redirects=False)
    assert escape.headers["location"] == "/"


def test_matching_runs_off_the_event_loop(assistant, tmp_path):
    """While one question is stuck in the core, the server still answers others."""
    release, entered = threading.Event(), threading.Event()

    class Slow:
        def __getattr__(self, name):
            return getattr(assistant, name)

        def ask(self, text):
            if text == "stuck":
                entered.set()
                assert release.wait(60)
            return assistant.ask(text)

    settings = web_settings(tmp_path)
    app = create_app(Slow(), settings, ocr=None)
    with running(app, settings) as base, httpx.Client(base_url=base, timeout=60, trust_env=False) as client:
        assert client.get("/healthz").status_code == 200
        stuck = threading.Thread(target=lambda: client.post("/api/v1/ask", json={"text": "stuck"}))
        stuck.start()
        assert entered.wait(60)
        try:
            assert client.get("/healthz", timeout=5).status_code == 200
            assert client.post("/api/v1/check", json={"text": "95188"}, timeout=5).json()["verdict"] == "official"
        finally:
            release.set()
            stuck.join(60)


# --- the entry point and its settings --------------------------------------------------------

def test_python_m_bot_web_serves_and_stops_gracefully_on_sigterm(tmp_path):
    from .test_tg_entrypoint import Bot  # `python -m bot …` with its output read line by line

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "BOT_DB_PATH": str(tmp_path / "bot.sqlite")}
    env.pop("TELEGRAM_BOT_TOKEN", None)  # the web page needs no token
    server = Bot(["web", "--port", str(port)], env)
    try:
        assert server.wait_for_line("Application startup complete", timeout=120), "".join(server.lines)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", trust_env=False, timeout=30) as client:
            assert client.post("/api/v1/check", json={"text": "13912345678"}).json()["verdict"] == "unknown"
            assert "反诈助手" in client.get("/").text
    finally:
        output = server.stop()
    # uvicorn finishes in-flight requests and the app's shutdown, then re-raises the SIGTERM it
    # caught, as a clean stop (systemd and Docker count ending by SIGTERM as success).
    assert server.returncode in (0, -signal.SIGTERM), output
    assert "Application shutdown complete" in output and "Finished server process" in output
    assert "Traceback" not in output
    assert "13912345678" not in output and not (tmp_path / "bot.sqlite").exists()  # nothing users send is kept


@pytest.mark.parametrize("name, value", [
    ("BOT_WEB_RATE_LIMIT", "many"), ("BOT_WEB_RATE_LIMIT", "0/60"), ("BOT_WEB_MAX_JSON_BYTES", "-1"),
    ("BOT_WEB_MAX_IMAGE_BYTES", "5MB"), ("BOT_WEB_CORS_ORIGINS", "https://ok.example, partner.example.org/api"),
    ("BOT_WEB_LOG_UNANSWERED", "maybe"), ("BOT_WEB_TRUSTED_PROXIES", "10.0.0.1/8"),
])
def test_malformed_web_settings_stop_start_up_with_one_line_naming_them(name, value):
    with pytest.raises(ConfigError, match=name):
        Settings.from_env({name: value}, require_token=False)


def test_web_settings_have_safe_defaults_and_parse(tmp_path):
    default = Settings.from_env({}, require_token=False)
    assert (default.web_rate, default.web_rate_window) == (60, 60.0)
    assert default.web_max_json_bytes == 64 * 1024 and default.web_max_image_bytes == 5 * 1024 * 1024
    assert default.web_cors_origins == () and default.web_log_unanswered is False
    custom = Settings.from_env({"BOT_WEB_RATE_LIMIT": "10/30", "BOT_WEB_CORS_ORIGINS": "https://a.example, http://b.example:8080",
                                "BOT_WEB_LOG_UNANSWERED": "on", "BOT_WEB_TRUSTED_PROXIES": "10.0.0.0/8 ::1"},
                               require_token=False)
    assert (custom.web_rate, custom.web_rate_window) == (10, 30.0)
    assert custom.web_cors_origins == ("https://a.example", "http://b.example:8080")
    assert custom.web_log_unanswered is True and custom.web_trusted_proxies == "10.0.0.0/8,::1"
    done = subprocess.run([sys.executable, "-m", "bot", "web"], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "BOT_WEB_RATE_LIMIT": "lots"})
    assert done.returncode == 2 and done.stderr.strip().count("\n") == 0 and "BOT_WEB_RATE_LIMIT" in done.stderr


def test_the_real_ocr_module_is_found_and_its_errors_are_mapped(assistant, tmp_path):
    """With bot.core.ocr's engine installed, the default app reads a rendered screenshot and maps
    its OcrError reasons (an undecodable image is a 415)."""
    if discover_ocr() is None:
        pytest.skip("OCR (bot.core.ocr and its engine) is not installed here")
    from PIL import Image, ImageDraw, ImageFont

    fonts = sorted(Path("/usr/share/fonts").glob("**/NotoSansCJK-Regular.ttc")) + \
        sorted(Path("/usr/share/fonts").glob("**/*CJK*.tt[cf]"))
    app_settings = web_settings(tmp_path)
    with running(create_app(assistant, app_settings), app_settings) as base, \
            httpx.Client(base_url=base, timeout=120, trust_env=False) as client:
        assert client.get("/healthz").json()["ocr"] is True
        broken = client.post("/api/v1/scan-image", files={"image": ("x.png", PNG + b"\x01" * 200, "image/png")})
        assert broken.status_code == 415 and broken.json()["error"] == "unsupported_image"
        if fonts:
            image = Image.new("RGB", (900, 260), "white")
            draw = ImageDraw.Draw(image)
            font = ImageFont.truetype(str(fonts[0]), 34)
            for row, line in enumerate(["【工商银行】您的账户存在异常已被冻结", "请立即登录 icbc-verify.top", "并提供验证码解冻"]):
                draw.text((20, 20 + row * 70), line, fill="black", font=font)
            shot = io.BytesIO()
            image.save(shot, "PNG")
            read = client.post("/api/v1/scan-image", files={"image": ("shot.png", shot.getvalue(), "image/png")})
            assert read.status_code == 200, read.text
            assert "icbc-verify.top" in read.json()["ocr_text"] and read.json()["scan"]["risk"] == "high"


async def test_screenshots_are_read_one_at_a_time_and_a_full_queue_is_refused_at_once(assistant):
    import asyncio

    import anyio

    from bot.web.state import OCR_QUEUE, OCR_WORKERS, OcrFailed, WebState

    release, reading = threading.Event(), []

    def slow_ocr(data: bytes) -> str:
        reading.append(data)
        assert release.wait(60)
        return "text"

    state = WebState(assistant, web_settings(Path("/nonexistent")), slow_ocr, ocr_limiter=anyio.CapacityLimiter(OCR_WORKERS))
    jobs = [asyncio.ensure_future(state.read_image(bytes([i]))) for i in range(OCR_WORKERS + OCR_QUEUE)]
    await asyncio.sleep(0)  # a yield to the loop: every job has taken its place
    assert state.ocr_pending == OCR_WORKERS + OCR_QUEUE
    with pytest.raises(OcrFailed) as refused:
        await state.read_image(b"one too many")
    assert refused.value.reason == "busy"
    assert len(reading) <= OCR_WORKERS  # the others wait for the worker
    release.set()
    assert await asyncio.gather(*jobs) == ["text"] * len(jobs)
    assert state.ocr_pending == 0 and len(reading) == len(jobs)
