"""Text from screenshots, read on this machine (no cloud service, no download at run time).

People rarely forward an SMS as text: they send a screenshot. `read_text` turns one into the text
the scanner reads, with the lines joined so that a link or a number wrapped over two lines comes
back whole (`10086.cn.jfdh-p` + `ay.top`), and `OcrPool` runs it in a bounded worker so a bot keeps
answering other people meanwhile.

The engine is RapidOCR 3.x on onnxruntime (PP-OCRv6 models inside its wheel). It is optional: the
module imports without it, `ocr_available()` says whether it is installed, and every failure is an
`OcrError` whose `reason` picks the reply (`MESSAGES`).

Limits, each checked before the expensive step it protects:
- file size (`MAX_BYTES`), before anything is decoded;
- pixels (`MAX_PIXELS`), from the image header, before the pixels are decoded;
- width: wider images are scaled down to `MAX_WIDTH` while decoding (JPEG draft mode);
- time (`timeout`): a tall screenshot is read in overlapping tiles, and reading stops between
  tiles once the time is up (one tile takes a few seconds at most).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import dataclasses
import importlib.util
import io
import logging
import re
import threading
import time
import warnings
from dataclasses import dataclass
from typing import Callable, Sequence

log = logging.getLogger(__name__)

MAX_BYTES = 5 * 1024 * 1024          # a phone screenshot is 0.2–2 MB; Telegram photos are smaller
MAX_PIXELS = 20_000_000              # checked in the header before decoding
MAX_WIDTH = 1600                     # wider images are scaled down (phone screenshots are 720–1440)
TILE_HEIGHT = 2000                   # taller images are read in tiles of this height…
TILE_OVERLAP = 240                   # …overlapping by this much (more than two lines of text)
DEFAULT_TIMEOUT = 30.0               # seconds of reading per image
FORMATS = ("JPEG", "PNG", "WEBP", "BMP", "GIF")
MIN_SCORE = 0.5                      # recognised lines less certain than this are dropped
MIN_WORD_CHARS = 2                   # fewer letters, digits or characters than this: nothing read

# Why a screenshot could not be read, as the reply both the bot and the console give.
UNAVAILABLE, TOO_BIG, TOO_MANY_PIXELS, NOT_AN_IMAGE, TIMEOUT, BUSY, NOTHING_READ = (
    "unavailable", "too_big", "too_many_pixels", "not_an_image", "timeout", "busy", "nothing_read")
MESSAGES = {
    UNAVAILABLE: "这里没有安装图片识别（OCR），暂时读不了截图。请把文字复制粘贴过来，或者直接转发原来的短信或消息。",
    TOO_BIG: f"图片太大了（超过 {MAX_BYTES // (1024 * 1024)} MB）。请只截取有文字的部分再发，或者把文字复制粘贴过来。",
    TOO_MANY_PIXELS: f"图片尺寸太大了（超过 {MAX_PIXELS // 10_000} 万像素）。请只截取有文字的部分再发。",
    NOT_AN_IMAGE: "这个文件不是我能读的图片（支持 JPG、PNG、WebP）。请直接发截图，或者把文字复制粘贴过来。",
    TIMEOUT: "这张图片识别太久，已经停下了。请只截取有文字的部分再发，或者把文字复制粘贴过来。",
    BUSY: "现在要识别的图片太多了，请过一分钟再发。着急的话，把文字复制粘贴过来马上就能查。",
    NOTHING_READ: "图片里没有读到文字。请发一张清晰的截图（不要拍屏幕），或者把文字复制粘贴过来。",
}


class OcrError(Exception):
    """A screenshot that could not be read; `reason` is one of MESSAGES' keys."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(detail or reason)
        self.reason = reason

    @property
    def message(self) -> str:
        return MESSAGES[self.reason]


def ocr_available() -> bool:
    """Whether the OCR engine is installed (found without importing it: importing onnxruntime and
    OpenCV costs memory a bot that never sees an image need not pay), and did not fail to load."""
    if _engine_failed:
        return False
    return all(importlib.util.find_spec(name) is not None for name in ("rapidocr", "onnxruntime", "cv2", "PIL"))


# --- the engine: one per process, created on first use ------------------------------------------

_engine = None
_engine_failed = False
_engine_lock = threading.Lock()


def _get_engine():
    """The RapidOCR engine, loaded once (about 1 s). One intra-op thread: on a small server the
    other core keeps answering messages while an image is read."""
    global _engine, _engine_failed
    if _engine is None:
        with _engine_lock:
            if _engine is None:
                if _engine_failed or not ocr_available():
                    raise OcrError(UNAVAILABLE)
                try:
                    from rapidocr import RapidOCR

                    _engine = RapidOCR(params={
                        "Global.log_level": "warning",
                        "EngineConfig.onnxruntime.intra_op_num_threads": 1,
                        "EngineConfig.onnxruntime.inter_op_num_threads": 1,
                    })
                except Exception as exc:  # a broken install (missing model, native library)
                    _engine_failed = True
                    log.warning("OCR engine could not be loaded: %s", exc)
                    raise OcrError(UNAVAILABLE, str(exc)) from exc
    return _engine


@dataclass(frozen=True)
class Box:
    """One recognised piece of text and where it is (pixels of the scaled image)."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    score: float = 1.0

    @property
    def height(self) -> float:
        return max(self.y1 - self.y0, 1.0)

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2


# The Chinese full stop after a number is sometimes read as a letter O ("致电95555。" -> "95555O"),
# which hides the number from the scanner: after a digit, at the end of a phrase, it is the stop.
_STOP_READ_AS_O = re.compile(r"(?<=\d)[Oo](?=$|[\s，。！？、；：\u4e00-\u9fff])")


def _engine_boxes(image, engine) -> list[Box]:
    """Run the engine on one RGB Pillow image; its boxes as `Box`es."""
    try:
        result = engine(image)
    except Exception as exc:  # pixels the engine chokes on: this image is unreadable, not the bot broken
        log.warning("OCR failed on an image", exc_info=True)
        raise OcrError(NOT_AN_IMAGE, str(exc)) from exc
    boxes = getattr(result, "boxes", None)
    if boxes is None:
        return []
    out = []
    for points, text, score in zip(boxes, result.txts, result.scores):
        xs = [float(p[0]) for p in points]
        ys = [float(p[1]) for p in points]
        if text and text.strip() and float(score) >= MIN_SCORE:
            text = _STOP_READ_AS_O.sub("。", text.strip())
            out.append(Box(text, min(xs), min(ys), max(xs), max(ys), float(score)))
    return out


# --- header, decoding, tiles ---------------------------------------------------------------------

def image_size(image_bytes: bytes) -> tuple[str, int, int]:
    """(format, width, height) from the header alone; raises OcrError for what is not an image
    or is too large. Nothing is decoded here."""
    if len(image_bytes) > MAX_BYTES:
        raise OcrError(TOO_BIG)
    try:
        from PIL import Image
    except ImportError as exc:
        raise OcrError(UNAVAILABLE) from exc
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(image_bytes), formats=FORMATS) as im:
                fmt, (width, height) = im.format, im.size
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise OcrError(TOO_MANY_PIXELS) from None
    except Exception:  # UnidentifiedImageError, truncated headers, anything Pillow rejects
        raise OcrError(NOT_AN_IMAGE) from None
    if width <= 0 or height <= 0:
        raise OcrError(NOT_AN_IMAGE)
    if width * height > MAX_PIXELS:
        raise OcrError(TOO_MANY_PIXELS)
    return fmt, width, height


def _decode(image_bytes: bytes, width: int, height: int):
    """The image as RGB, upright (EXIF orientation), at most MAX_WIDTH wide."""
    from PIL import Image, ImageOps

    im = Image.open(io.BytesIO(image_bytes), formats=FORMATS)
    if width > MAX_WIDTH:
        im.draft("RGB", (MAX_WIDTH, int(height * MAX_WIDTH / width)))  # JPEG: decode at a smaller scale
    try:
        im = ImageOps.exif_transpose(im)
        if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
            im = im.convert("RGBA")
            background = Image.new("RGBA", im.size, (255, 255, 255, 255))
            im = Image.alpha_composite(background, im)
        im = im.convert("RGB")
    except (OSError, ValueError, SyntaxError):  # the header was fine, the pixels are not
        raise OcrError(NOT_AN_IMAGE) from None
    if im.width > MAX_WIDTH:
        im = im.resize((MAX_WIDTH, max(1, round(im.height * MAX_WIDTH / im.width))), Image.Resampling.LANCZOS)
    return im


def tiles(height: int, tile: int = TILE_HEIGHT, overlap: int = TILE_OVERLAP) -> list[tuple[int, int, int, int]]:
    """(top, bottom, own_top, own_bottom) of each tile: a box belongs to the tile whose own band
    holds its centre, so a line in an overlap is read twice but kept once."""
    if height <= tile:
        return [(0, height, 0, height)]
    out = []
    step = tile - overlap
    top = 0
    while True:
        bottom = min(top + tile, height)
        last = bottom >= height
        own_top = 0 if top == 0 else top + overlap // 2
        own_bottom = height if last else bottom - overlap // 2
        out.append((top, bottom, own_top, own_bottom))
        if last:
            return out
        top += step


# --- reading order ---------------------------------------------------------------------------------

_URLISH = re.compile(r"[./:@\-_0-9]")
_ROUND_GLYPHS = {"O", "o", "0", "°", "○", "。"}


@dataclass
class _Row:
    boxes: list[Box]

    @property
    def x0(self) -> float:
        return min(b.x0 for b in self.boxes)

    @property
    def x1(self) -> float:
        return max(b.x1 for b in self.boxes)

    @property
    def y0(self) -> float:
        return min(b.y0 for b in self.boxes)

    @property
    def y1(self) -> float:
        return max(b.y1 for b in self.boxes)

    @property
    def height(self) -> float:
        return sorted(b.height for b in self.boxes)[len(self.boxes) // 2]

    def text(self) -> str:
        """Boxes on one line are apart (a time and a battery level, a name and a message)."""
        return " ".join(box.text for box in sorted(self.boxes, key=lambda b: b.x0))


def _rows(boxes: Sequence[Box]) -> list[_Row]:
    """Boxes on one visual line together, top to bottom; left to right within a line."""
    rows: list[_Row] = []
    for box in sorted(boxes, key=lambda b: b.cy):
        if rows:
            row = rows[-1]
            overlap = min(row.y1, box.y1) - max(row.y0, box.y0)
            if overlap >= 0.5 * min(row.height, box.height):
                row.boxes.append(box)
                continue
        rows.append(_Row([box]))
    return rows


def join_boxes(boxes: Sequence[Box]) -> str:
    """The recognised boxes as text in reading order. Lines of one paragraph (same left edge, close
    together) are joined where the line above was full, so wrapped text reads on: nothing between
    them for Chinese, links and numbers (`028-8615` + `9973`), a space between two English words.
    Other lines are separated by a newline."""
    if not boxes:
        return ""
    # A lone small round glyph is a full stop that wrapped onto its own line ("95555" / "。" read
    # as "O"): left as a letter it would hide the number before it from the scanner.
    typical = sorted(b.height for b in boxes)[len(boxes) // 2]
    boxes = [dataclasses.replace(b, text="。") if b.text in _ROUND_GLYPHS and b.height < 0.6 * typical else b
             for b in boxes]
    rows = _rows(boxes)
    # Paragraph blocks: consecutive rows with the same left edge and a small gap between them.
    blocks: list[list[_Row]] = [[rows[0]]]
    for row in rows[1:]:
        above = blocks[-1][-1]
        h = max(above.height, row.height)
        if abs(row.x0 - above.x0) <= 1.2 * h and row.y0 - above.y1 <= 0.9 * h:
            blocks[-1].append(row)
        else:
            blocks.append([row])
    out: list[str] = []
    for block in blocks:
        right = max(r.x1 for r in block)
        text = block[0].text()
        for above, row in zip(block, block[1:]):
            full = above.x1 >= right - 1.5 * above.height
            following = row.text()
            if not full:
                text += "\n" + following
                continue
            tail = text.rsplit(" ", 1)[-1].rsplit("\n", 1)[-1]
            words = (tail[-1:].isascii() and tail[-1:].isalpha() and following[:1].isascii()
                     and following[:1].isalpha() and not _URLISH.search(tail))
            text += (" " if words else "") + following
        out.append(text)
    return "\n".join(out)


# --- the entry point -------------------------------------------------------------------------------

def read_text(image_bytes: bytes, *, timeout: float | None = DEFAULT_TIMEOUT,
              clock: Callable[[], float] = time.monotonic, engine=None) -> str:
    """The text of a screenshot in reading order (top to bottom, left to right), wrapped lines
    joined; "" when nothing readable is found. Raises OcrError (see MESSAGES) when the image
    cannot be read. `engine` replaces RapidOCR (tests); `clock` measures `timeout`."""
    start = clock()
    _, width, height = image_size(image_bytes)
    engine = engine or _get_engine()
    image = _decode(image_bytes, width, height)
    boxes: list[Box] = []
    parts = tiles(image.height)
    for index, (top, bottom, own_top, own_bottom) in enumerate(parts):
        if index and timeout is not None and clock() - start > timeout:
            raise OcrError(TIMEOUT, f"stopped after {index} of {len(parts)} tiles")
        piece = image if len(parts) == 1 else image.crop((0, top, image.width, bottom))
        for box in _engine_boxes(piece, engine):
            centre = box.cy + top
            if own_top <= centre < own_bottom or (index == len(parts) - 1 and centre >= own_top):
                boxes.append(Box(box.text, box.x0, box.y0 + top, box.x1, box.y1 + top, box.score))
    text = join_boxes(boxes).strip()
    # A lone glyph is a shape taken for a letter (a round sun read as "O"), not a message.
    return text if len(re.findall(r"\w", text)) >= MIN_WORD_CHARS else ""


# --- a bounded worker for adapters that must not block ---------------------------------------------

class OcrPool:
    """Runs `reader` (default `read_text`) off the event loop, in a pool of `workers` threads
    (onnxruntime releases the GIL while it computes, so the loop keeps answering), with at most
    `queue` images waiting behind them: beyond that `read` raises OcrError(BUSY) at once instead of
    piling up work. A job's slot is held until its thread really finishes, so the bound holds even
    when a caller stops waiting (`wait_limit`: OcrError(TIMEOUT))."""

    def __init__(self, reader: Callable[[bytes], str] | None = None, *, workers: int = 1, queue: int = 4,
                 wait_limit: float | None = 120.0, available: Callable[[], bool] | None = None):
        self.reader = reader or read_text
        # Whether images can be read at all: the engine is installed (a custom reader always can).
        self.available = available or (ocr_available if reader is None else (lambda: True))
        self.workers = workers
        self.capacity = workers + queue
        self.wait_limit = wait_limit
        self.pending = 0
        self._executor: concurrent.futures.ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    @property
    def busy(self) -> bool:
        """Whether a new image would have to wait behind others."""
        return self.pending >= self.workers

    def _release(self, _future=None) -> None:
        with self._lock:
            self.pending -= 1

    async def read(self, image_bytes: bytes) -> str:
        with self._lock:
            if self.pending >= self.capacity:
                raise OcrError(BUSY)
            self.pending += 1
            if self._executor is None:
                self._executor = concurrent.futures.ThreadPoolExecutor(self.workers, thread_name_prefix="ocr")
        try:
            future = self._executor.submit(self.reader, image_bytes)
        except RuntimeError:  # shut down
            self._release()
            raise OcrError(UNAVAILABLE) from None
        future.add_done_callback(self._release)
        wrapped = asyncio.wrap_future(future)
        try:
            return await asyncio.wait_for(asyncio.shield(wrapped), self.wait_limit)
        except asyncio.TimeoutError:
            raise OcrError(TIMEOUT) from None

    def shutdown(self, wait: bool = False) -> None:
        """Stop taking images; queued ones are dropped, the running one finishes (`wait`: for it)."""
        if self._executor is not None:
            self._executor.shutdown(wait=wait, cancel_futures=True)
            self._executor = None
