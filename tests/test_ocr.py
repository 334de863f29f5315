"""Screenshots read offline (bot/core/ocr.py): the real engine on committed screenshots
(tests/data/images/, made by make_images.py there), the limits, reading order and tiles with a
fake engine, the bounded worker, and `python -m bot scan --image`."""

from __future__ import annotations

import asyncio
import io
import json
import struct
import subprocess
import sys
import threading
import zlib

import pytest
from PIL import Image

from bot.core import ocr
from bot.core.assistant import IMAGE_ERROR, SCAN
from bot.core.ocr import (BUSY, MAX_BYTES, NOT_AN_IMAGE, NOTHING_READ, TIMEOUT, TOO_BIG, TOO_MANY_PIXELS, UNAVAILABLE, Box,
                          OcrError, OcrPool, join_boxes, ocr_available, read_text, tiles)
from bot.core.replies import QUOTE, render_html_chunks, render_text

from .conftest import DATA, ROOT

IMAGES = DATA / "images"


def image_bytes(name: str) -> bytes:
    return (IMAGES / name).read_bytes()


def png_header(width: int, height: int) -> bytes:
    """A PNG that claims width × height pixels but holds almost nothing (only its header is read)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 16)) + chunk(b"IEND", b"")


def blank_png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (255, 255, 255)).save(out, format="PNG")
    return out.getvalue()


class FakeEngine:
    """Stands in for RapidOCR: records the images it is given, answers with `boxes(index, image)`."""

    def __init__(self, boxes=lambda index, image: [], on_call=None):
        self.boxes = boxes
        self.on_call = on_call
        self.sizes: list[tuple[int, int]] = []

    def __call__(self, image):
        index = len(self.sizes)
        self.sizes.append(image.size)
        if self.on_call:
            self.on_call()
        found = self.boxes(index, image)

        class Result:
            boxes = [[(b.x0, b.y0), (b.x1, b.y0), (b.x1, b.y1), (b.x0, b.y1)] for b in found] or None
            txts = [b.text for b in found]
            scores = [b.score for b in found]
        return Result()


# --- the real engine on committed screenshots ----------------------------------------------------

def test_the_engine_is_installed():
    assert ocr_available()


def test_a_scam_sms_screenshot_is_read_with_its_wrapped_link_and_number(assistant):
    text = read_text(image_bytes("scam_sms.png"))
    assert "icbc.com.cn-verify.top" in text            # wrapped over two lines in the image, whole here
    assert "400-820-9588" in text
    assert text.index("工商银行") < text.index("征信")     # top to bottom
    response = assistant.scan_image_text(text)
    assert response.kind == SCAN and response.scan.risk == "high"
    assert [link.verdict for link in response.scan.links] == ["lookalike"]
    assert [n.verdict for n in response.scan.numbers] == ["lookalike"]


def test_a_dark_mode_jpeg_chat_is_read_and_judged_high_risk(assistant):
    text = read_text(image_bytes("task_chat_dark.jpg"))
    assert "刷单" in text and "17012345678" in text
    result = assistant.scan_image_text(text).scan
    assert result.risk == "high"
    assert {n.normalized: n.verdict for n in result.numbers} == {"17012345678": "risky"}


def test_a_genuine_notice_stays_low_risk(assistant):
    text = read_text(image_bytes("genuine_sms.png"))
    assert "顺丰" in text and "95338" in text
    assert assistant.scan_image_text(text).scan.risk == "low"


def test_a_picture_without_text_reads_as_nothing(assistant):
    assert read_text(image_bytes("blank.png")) == ""       # its round sun is not an "O"
    response = assistant.scan_image_text("")
    assert response.kind == IMAGE_ERROR and response.scan is None
    assert render_text(response.reply) == ocr.MESSAGES[NOTHING_READ]


def test_the_reply_quotes_what_was_read_folded_and_defanged(assistant):
    text = "【工商银行】您的账户已冻结，请登录 icbc.com.cn-verify.top 验证 <b>"
    reply = assistant.scan_image_text(text).reply
    assert reply.lines[0].text.startswith("🚨") and reply.lines[2].style == QUOTE
    html_text = "".join(render_html_chunks(reply))
    assert "<blockquote expandable>" in html_text and "icbc[.]com[.]cn-verify[.]top" in html_text
    assert "icbc.com.cn-verify.top" not in html_text and "&lt;b&gt;" in html_text
    plain = "".join(render_html_chunks(reply, expandable=False))
    assert "<blockquote" not in plain and "&gt; 【工商银行】" in plain
    long = assistant.scan_image_text("请把验证码发给我。" * 200).reply
    assert len(long.lines[2].text) <= ocr_excerpt_limit() + 1


def ocr_excerpt_limit() -> int:
    from bot.core.replies import OCR_EXCERPT_CHARS
    return OCR_EXCERPT_CHARS


# --- limits, checked before the expensive step ------------------------------------------------------

def test_too_many_bytes_is_refused_before_anything_is_decoded():
    engine = FakeEngine()
    with pytest.raises(OcrError) as caught:
        read_text(b"\x89PNG" + b"\0" * MAX_BYTES, engine=engine)
    assert caught.value.reason == TOO_BIG and engine.sizes == []
    assert "5 MB" in caught.value.message


@pytest.mark.parametrize("width, height", [(6000, 4000), (20000, 20000)])
def test_too_many_pixels_is_refused_from_the_header(width, height):
    engine = FakeEngine()
    with pytest.raises(OcrError) as caught:
        read_text(png_header(width, height), engine=engine)
    assert caught.value.reason == TOO_MANY_PIXELS and engine.sizes == []


def test_what_is_not_an_image_is_said_so():
    with pytest.raises(OcrError) as caught:
        read_text(b"%PDF-1.4 not a picture", engine=FakeEngine())
    assert caught.value.reason == NOT_AN_IMAGE


def test_wide_images_are_scaled_down_before_reading():
    engine = FakeEngine()
    assert read_text(blank_png(3200, 800), engine=engine) == ""
    assert engine.sizes == [(1600, 400)]


def test_a_tall_screenshot_is_read_in_tiles_and_each_line_kept_once():
    height = 4500
    parts = tiles(height)
    assert len(parts) == 3 and parts[0][0] == 0 and parts[-1][1] == height
    lines = [Box(f"L{k:02d}", 40, k * 100 + 20, 400, k * 100 + 60) for k in range(height // 100)]

    def boxes(index, image):
        top = parts[index][0]
        return [Box(b.text, b.x0, b.y0 - top, b.x1, b.y1 - top) for b in lines if top <= b.y0 and b.y1 <= top + image.height]

    engine = FakeEngine(boxes)
    text = read_text(blank_png(800, height), engine=engine)
    assert text.split("\n") == [b.text for b in lines]
    assert len(engine.sizes) == 3 and all(h <= 2000 for _, h in engine.sizes)


def test_reading_stops_between_tiles_when_time_is_up():
    clock = {"now": 0.0}

    def slow():
        clock["now"] += 20.0

    engine = FakeEngine(on_call=slow)
    with pytest.raises(OcrError) as caught:
        read_text(blank_png(800, 5600), engine=engine, timeout=30, clock=lambda: clock["now"])
    assert caught.value.reason == TIMEOUT and len(engine.sizes) == 2   # of 4 tiles


def test_without_the_engine_reading_says_ocr_is_unavailable(monkeypatch):
    monkeypatch.setattr(ocr, "_engine", None)
    monkeypatch.setattr(ocr, "ocr_available", lambda: False)
    with pytest.raises(OcrError) as caught:
        read_text(image_bytes("genuine_sms.png"))
    assert caught.value.reason == UNAVAILABLE and "OCR" in caught.value.message


def test_the_core_imports_and_says_so_when_the_package_is_missing():
    code = ("import sys\n"
            "for name in ('rapidocr', 'onnxruntime', 'cv2'): sys.modules[name] = None\n"
            "from bot.core.assistant import Assistant\n"
            "from bot.core.ocr import OcrError, ocr_available, read_text\n"
            "print(ocr_available())\n"
            "try:\n"
            "    read_text(open(sys.argv[1], 'rb').read())\n"
            "except OcrError as error:\n"
            "    print(error.reason)\n")
    proc = subprocess.run([sys.executable, "-c", code, str(IMAGES / "genuine_sms.png")], capture_output=True,
                          cwd=ROOT, timeout=60, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["False", "unavailable"]


# --- reading order ------------------------------------------------------------------------------

def test_wrapped_lines_of_a_paragraph_are_joined_so_numbers_and_links_come_back_whole():
    boxes = [Box("天联系客服：028-8615", 80, 190, 980, 233), Box("9973，那个链接是10086.cn.jfdh-p", 80, 250, 986, 293),
             Box("ay.top，根本不是移动的网站。", 80, 311, 600, 353)]
    assert join_boxes(boxes) == "天联系客服：028-86159973，那个链接是10086.cn.jfdh-pay.top，根本不是移动的网站。"


def test_english_words_wrapped_over_a_line_keep_their_space():
    boxes = [Box("Your Apple", 80, 190, 980, 233), Box("ID was used", 80, 250, 500, 293)]
    assert join_boxes(boxes) == "Your Apple ID was used"


def test_separate_lines_bubbles_and_columns_stay_apart():
    boxes = [Box("5G 87%", 520, 28, 600, 60), Box("10:42", 48, 28, 110, 60),          # one row, two boxes
             Box("14:02", 60, 230, 400, 270),                                          # a bubble…
             Box("95588 您的账户", 60, 330, 500, 370),                                  # …and the next, further down
             Box("短的一行", 60, 390, 300, 430),                                        # a short last line
             Box("新的一段从这里开始写得很长很长", 60, 450, 500, 490)]
    assert join_boxes(boxes) == "10:42 5G 87%\n14:02\n95588 您的账户短的一行\n新的一段从这里开始写得很长很长"


def test_a_full_stop_read_as_the_letter_o_after_a_number_is_a_full_stop_again():
    engine = FakeEngine(lambda index, image: [Box("如非本人操作，请立即致电95555O", 40, 40, 700, 80)])
    assert read_text(blank_png(800, 200), engine=engine) == "如非本人操作，请立即致电95555。"
    wrapped = [Box("App，如非本人操作，请立即致电95555", 81, 391, 866, 446), Box("O", 85, 483, 102, 503)]
    assert join_boxes(wrapped) == "App，如非本人操作，请立即致电95555。"   # the stop wrapped onto a line alone


# --- the bounded worker ------------------------------------------------------------------------------

async def test_the_worker_bounds_its_queue_and_frees_slots_when_jobs_finish():
    release = threading.Event()
    started = threading.Event()

    def reader(data: bytes) -> str:
        started.set()
        assert release.wait(10)
        return data.decode()

    pool = OcrPool(reader, workers=1, queue=1)
    first = asyncio.create_task(pool.read(b"one"))
    second = asyncio.create_task(pool.read(b"two"))
    await asyncio.to_thread(started.wait, 10)
    assert pool.busy and pool.pending == 2
    with pytest.raises(OcrError) as caught:
        await pool.read(b"three")                # the queue is full: refused at once, not queued
    assert caught.value.reason == BUSY
    release.set()
    assert await first == "one" and await second == "two"
    pool.shutdown(wait=True)
    assert pool.pending == 0


async def test_a_caller_that_stops_waiting_keeps_the_slot_until_the_job_ends():
    release = threading.Event()
    pool = OcrPool(lambda data: (release.wait(10), "done")[1], workers=1, queue=0, wait_limit=0)
    with pytest.raises(OcrError) as caught:
        await pool.read(b"x")
    assert caught.value.reason == TIMEOUT
    assert pool.pending == 1                       # the thread still runs: no second job meanwhile
    with pytest.raises(OcrError):
        await pool.read(b"y")
    release.set()
    pool.shutdown(wait=True)
    assert pool.pending == 0


# --- python -m bot scan --image -------------------------------------------------------------------

def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, cwd=ROOT, timeout=120, text=True,
                          encoding="utf-8")


def test_cli_scan_image_json_adds_the_read_text():
    proc = run_cli("scan", "--image", str(IMAGES / "scam_sms.png"), "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["risk"] == "high" and "icbc.com.cn-verify.top" in data["ocr_text"]
    assert [link["verdict"] for link in data["links"]] == ["lookalike"]
    assert {"numbers", "signals", "fraud_type", "urls"} <= set(data)


def test_cli_scan_image_text_and_unreadable_images():
    proc = run_cli("scan", "--image", str(IMAGES / "genuine_sms.png"))
    assert proc.returncode == 0 and "低风险" in proc.stdout and "> " in proc.stdout
    proc = run_cli("scan", "--image", str(IMAGES / "blank.png"), "--json")
    assert proc.returncode == 2 and json.loads(proc.stdout)["error"] == NOTHING_READ
    proc = run_cli("scan", "--image", str(IMAGES / "make_images.py"))
    assert proc.returncode == 2 and "不是我能读的图片" in proc.stderr
    proc = run_cli("scan", "--image", str(IMAGES / "missing.png"))
    assert proc.returncode == 2 and "cannot read" in proc.stderr
