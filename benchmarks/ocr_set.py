"""Screenshots of scam and genuine messages, for measuring OCR (`python benchmarks/bench.py --only ocr`).

Messages come from benchmarks/data/scans/dev_messages.yaml (a stratified sample, scam and genuine
alike). Each is rendered twice as a phone screenshot, 1080 pixels wide with a status bar and
bubbles (chat lines as left and right bubbles, an SMS under a sender line):

- clean: PNG, light mode, a sans font at a common size; the benchmark checks that every number and
  link the scanner finds in the typed text is found in the read text too;
- varied: a rotating mix of five CJK fonts (sans, serif, Ming), four text sizes, dark mode and
  JPEG qualities 30–95.

Images go to benchmarks/.cache/ocr-v<RENDERER>/ (never committed) and are re-rendered only when missing.
Rendering needs Pillow and a CJK font (Debian: fonts-noto-cjk, fonts-wqy-zenhei,
fonts-wqy-microhei, fonts-arphic-uming); the section says what is missing and skips otherwise.

The OCR runs in a child process, so its peak memory (ru_maxrss) is the engine's and not the
benchmark's. Set BOT_BENCH_OCR_MESSAGES to change how many messages are rendered (default 100).
"""

from __future__ import annotations

import json
import os
import random
import re
import resource
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from multiprocessing import get_context
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

MESSAGES = ROOT / "benchmarks" / "data" / "scans" / "dev_messages.yaml"
RENDERER = 2   # bump when rendering changes: images are cached per renderer version
OUT = ROOT / "benchmarks" / ".cache" / f"ocr-v{RENDERER}"
WIDTH = 1080

FONTS = {
    "noto-sans": "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "noto-serif": "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "wqy-zenhei": "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "wqy-microhei": "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "uming": "/usr/share/fonts/truetype/arphic/uming.ttc",
}
CLEAN_FONTS = ("noto-sans", "wqy-microhei")
SIZES = (32, 38, 44, 50)          # text height in pixels at 1080 wide (phones: about 40–48)
QUALITIES = (None, 95, 75, 50, 30)  # None: PNG


@dataclass(frozen=True)
class Variant:
    font: str
    size: int
    dark: bool = False
    quality: int | None = None   # JPEG quality; None = PNG

    @property
    def clean(self) -> bool:
        return self.quality is None and not self.dark and self.font in CLEAN_FONTS and self.size >= 38

    @property
    def name(self) -> str:
        kind = "png" if self.quality is None else f"q{self.quality}"
        return f"{self.font}-{self.size}-{'dark' if self.dark else 'light'}-{kind}"


@dataclass(frozen=True)
class Shot:
    id: str
    label: str
    text: str
    variant: Variant
    path: str


def available_fonts() -> dict[str, str]:
    return {name: path for name, path in FONTS.items() if Path(path).exists()}


# --- rendering -------------------------------------------------------------------------------------

_TOKEN = re.compile(r"[A-Za-z0-9.:/\-_@?=&%#+]+|\s|.")
# Punctuation a phone never puts at the start of a line (it stays at the end of the line before).
_NO_LINE_START = set("，。、！？；：）」』】》”’,.!?;:)")


def _wrap(text: str, font, width: float) -> list[str]:
    """Lines as a phone wraps them: Chinese anywhere, a short Latin word moves to the next line
    whole, a long one (a link) is cut anywhere."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for token in _TOKEN.findall(paragraph):
            if font.getlength(line + token) <= width or token in _NO_LINE_START:
                line += token
                continue
            if len(token) <= 12 and token.strip() and font.getlength(token) <= width and line:
                lines.append(line.rstrip())
                line = token
                continue
            for ch in token:
                if font.getlength(line + ch) > width and line and ch not in _NO_LINE_START:
                    lines.append(line.rstrip())
                    line = ch.lstrip()
                else:
                    line += ch
        lines.append(line.rstrip())
    return [ln for ln in lines]


def _bubbles(text: str, style: str) -> list[tuple[bool, str]]:
    """(mine, text) per bubble: chat lines "名字: 内容" become bubbles, "我:" on the right."""
    text = text.strip()
    if style != "chat":
        return [(False, text)]
    out = []
    for line in text.split("\n"):
        if not line.strip():
            continue
        speaker, _, said = line.partition(":") if ":" in line[:12] else ("", "", line)
        mine = speaker.strip() in ("我", "me")
        out.append((mine, line if not mine else said.strip() or line))
    return out


def render_screenshot(text: str, variant: Variant, *, style: str = "sms", fonts: dict[str, str] | None = None,
                      width: int = WIDTH):
    """A phone screenshot (Pillow image) of one message, `width` pixels wide."""
    from PIL import Image, ImageDraw, ImageFont

    fonts = fonts or available_fonts()
    font = ImageFont.truetype(fonts[variant.font], variant.size)
    small = ImageFont.truetype(fonts[variant.font], max(24, int(variant.size * 0.7)))
    if variant.dark:
        bg, fg, muted, left, right = (17, 17, 17), (228, 228, 228), (140, 140, 140), (44, 44, 44), (38, 110, 60)
    else:
        bg, fg, muted, left, right = (237, 237, 237), (25, 25, 25), (120, 120, 120), (255, 255, 255), (149, 236, 105)
    line_h = int(variant.size * 1.45)
    pad = int(variant.size * 0.6)
    max_text = int(width * 0.72)
    blocks = []
    for mine, said in _bubbles(text, style):
        lines = _wrap(said, font, max_text)
        blocks.append((mine, lines, max(font.getlength(ln) for ln in lines) if lines else 0))
    height = 260 + sum(len(lines) * line_h + 2 * pad + 36 for _, lines, _ in blocks) + 120
    image = Image.new("RGB", (width, height), bg)
    draw = ImageDraw.Draw(image)
    draw.text((48, 28), "10:42", font=small, fill=fg)
    draw.text((width - 200, 28), "5G 87%", font=small, fill=fg)
    title = "短信" if style in ("sms", "short") else "聊天"
    draw.text((width // 2 - small.getlength(title) / 2, 110), title, font=small, fill=fg)
    draw.line((0, 190, width, 190), fill=muted, width=1)
    y = 230
    for mine, lines, text_w in blocks:
        box_w = text_w + 2 * pad
        x0 = width - 60 - box_w if mine else 60
        box_h = len(lines) * line_h + 2 * pad
        draw.rounded_rectangle((x0, y, x0 + box_w, y + box_h), radius=18, fill=right if mine else left)
        ty = y + pad
        for ln in lines:
            draw.text((x0 + pad, ty), ln, font=font, fill=(20, 20, 20) if (mine and not variant.dark) else fg)
            ty += line_h
        y += box_h + 36
    return image


def save(image, path: Path, quality: int | None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if quality is None:
        image.save(path, format="PNG", optimize=True)
    else:
        image.save(path, format="JPEG", quality=quality)


def sample(count: int, seed: int = 11) -> list[dict]:
    """A stratified, reproducible sample of the dev messages (half scam, half genuine)."""
    import yaml

    messages = yaml.safe_load(MESSAGES.read_text("utf-8"))["messages"]
    rng = random.Random(seed)
    by_label: dict[str, list[dict]] = {}
    for m in messages:
        by_label.setdefault(m["label"], []).append(m)
    picked = []
    for label in sorted(by_label):
        group = by_label[label]
        rng.shuffle(group)
        picked += group[: count // len(by_label)]
    return sorted(picked, key=lambda m: m["id"])


def build_set(count: int | None = None) -> list[Shot]:
    """Render (or reuse) the screenshots: one clean and one varied per sampled message."""
    count = count or int(os.environ.get("BOT_BENCH_OCR_MESSAGES", "100"))
    fonts = available_fonts()
    clean_font = next((f for f in CLEAN_FONTS if f in fonts), None)
    if clean_font is None:
        raise RuntimeError("no CJK font found: apt-get install fonts-noto-cjk fonts-wqy-microhei "
                           "fonts-wqy-zenhei fonts-arphic-uming")
    names = sorted(fonts)
    rng = random.Random(5)
    shots = []
    for i, message in enumerate(sample(count)):
        variants = [Variant(clean_font, 44),
                    Variant(names[i % len(names)], SIZES[i % len(SIZES)], dark=i % 3 == 1,
                            quality=QUALITIES[rng.randrange(len(QUALITIES))])]
        for variant in variants:
            suffix = "png" if variant.quality is None else "jpg"
            path = OUT / f"{message['id']}-{variant.name}.{suffix}"
            if not path.exists():
                save(render_screenshot(message["text"], variant, style=message.get("style", "sms"), fonts=fonts),
                     path, variant.quality)
            shots.append(Shot(message["id"], message["label"], message["text"], variant, str(path)))
    return shots


# --- measuring -------------------------------------------------------------------------------------

def _read_all(paths: list[str]) -> dict:
    """In the child process: read every image; texts, seconds each, and this process's peak RSS."""
    from bot.core.ocr import read_text

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    read_text(Path(paths[0]).read_bytes())  # loads the engine; not timed
    texts, seconds = [], []
    for path in paths:
        data = Path(path).read_bytes()
        start = time.perf_counter()
        texts.append(read_text(data, timeout=None))
        seconds.append(time.perf_counter() - start)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"texts": texts, "seconds": seconds, "rss_before_kb": before, "rss_peak_kb": peak}


def _items(result) -> tuple[set[str], set[str]]:
    numbers = {n.normalized for n in result.numbers if n.normalized}
    links = {u.lower().rstrip("/.") for u in result.urls}
    return numbers, links


def report() -> dict:
    """Print the OCR figures; also returned (for the README and tests of the benchmark itself)."""
    try:
        from bot.core.ocr import ocr_available
        import PIL  # noqa: F401
    except ImportError:
        print("ocr: Pillow is not installed; skipped")
        return {}
    if not ocr_available():
        print("ocr: the OCR engine (rapidocr, onnxruntime) is not installed; skipped")
        return {}
    try:
        shots = build_set()
    except RuntimeError as exc:
        print(f"ocr: {exc}; skipped")
        return {}
    from bot.core.assistant import Assistant

    scanner = Assistant.load(encoder="none").scanner
    with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
        measured = pool.submit(_read_all, [s.path for s in shots]).result()
    same, clean, clean_ok, misses = 0, 0, 0, []
    for shot, text in zip(shots, measured["texts"]):
        typed, read = scanner.scan(shot.text), scanner.scan(text)
        if typed.risk == read.risk:
            same += 1
        else:
            misses.append(f"{shot.id} {shot.variant.name}: typed {typed.risk}, read {read.risk}")
        if shot.variant.clean:
            clean += 1
            want_numbers, want_links = _items(typed)
            got_numbers, got_links = _items(read)
            if want_numbers <= got_numbers and want_links <= got_links:
                clean_ok += 1
            else:
                misses.append(f"{shot.id} {shot.variant.name}: missing {sorted(want_numbers - got_numbers)} "
                              f"{sorted(want_links - got_links)}")
    seconds = sorted(measured["seconds"])
    p99 = seconds[min(len(seconds) - 1, round(0.99 * (len(seconds) - 1)))]
    figures = {
        "screenshots": len(shots), "messages": len(shots) // 2, "verdict_same": same / len(shots),
        "clean": clean, "clean_all_recovered": clean_ok / clean if clean else 0.0,
        "median_s": statistics.median(seconds), "p99_s": p99,
        "peak_rss_mb": measured["rss_peak_kb"] / 1024, "rss_before_engine_mb": measured["rss_before_kb"] / 1024,
    }
    print(f"ocr: {figures['screenshots']} screenshots of {figures['messages']} dev messages "
          f"({sum(1 for s in shots if s.label == 'scam') // 2} scam), fonts {', '.join(available_fonts())}")
    print(f"  verdict equals the typed text's: {same}/{len(shots)} = {100 * figures['verdict_same']:.1f}% (target >= 95%)")
    print(f"  clean screenshots with every number and link recovered: {clean_ok}/{clean} = "
          f"{100 * figures['clean_all_recovered']:.1f}%")
    print(f"  OCR time per image: median {figures['median_s']:.2f} s, p99 {figures['p99_s']:.2f} s (one intra-op thread)")
    print(f"  peak memory of the OCR process: {figures['peak_rss_mb']:.0f} MB RSS "
          f"({figures['rss_before_engine_mb']:.0f} MB before the engine loaded)")
    for miss in misses[:20]:
        print(f"  miss: {miss}")
    (OUT / "last_run.json").write_text(json.dumps({"figures": figures, "misses": misses,
                                                   "shots": [asdict(s) for s in shots]}, ensure_ascii=False, indent=1))
    return figures


if __name__ == "__main__":
    report()
