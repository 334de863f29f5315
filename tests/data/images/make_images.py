"""Makes the screenshots in this folder (run once; the images are committed, the fonts are not):

    apt-get install fonts-noto-cjk fonts-wqy-microhei
    .venv/bin/python tests/data/images/make_images.py

Each image's message is in TEXTS below; tests/test_ocr.py reads the images and checks what the
scanner finds in the read text.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2] / "benchmarks"))

from ocr_set import Variant, available_fonts, render_screenshot, save  # noqa: E402

TEXTS = {
    # A lookalike link that wraps over two lines, and a lookalike 400 number.
    "scam_sms.png": ("sms", Variant("noto-sans", 30),
                     "【工商银行】尊敬的客户，您的账户存在异常已被临时冻结，请在24小时内登录 icbc.com.cn-verify.top "
                     "完成身份验证，或致电客服 400-820-9588 解除，逾期将影响征信。"),
    # A task-scam chat in dark mode, as a JPEG.
    "task_chat_dark.jpg": ("chat", Variant("wqy-microhei", 30, dark=True, quality=80),
                           "客服小美: 您好 我们招聘兼职刷单 日赚300-500\n客服小美: 先垫付 做完任务立即返佣金\n"
                           "我: 怎么联系\n客服小美: 加我QQ 或致电 17012345678 下载app注册"),
    # A genuine delivery notice: low risk.
    "genuine_sms.png": ("sms", Variant("noto-sans", 30),
                        "【顺丰速运】您的快件已到达幸福里小区驿站，取件码 5-2-8031，请凭取件码及时领取。如有疑问请致电 95338。"),
}


def blank(path: Path) -> None:
    """A picture with no text at all (a sky and a sun)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (480, 320))
    draw = ImageDraw.Draw(image)
    for y in range(320):
        draw.line((0, y, 480, y), fill=(90 + y // 4, 150 + y // 5, 230))
    draw.ellipse((330, 40, 420, 130), fill=(255, 220, 90))
    image.save(path, format="PNG", optimize=True)


def main() -> None:
    fonts = available_fonts()
    for name, (style, variant, text) in TEXTS.items():
        image = render_screenshot(text, variant, style=style, fonts=fonts, width=720)
        save(image, HERE / name, variant.quality)
    blank(HERE / "blank.png")


if __name__ == "__main__":
    main()
