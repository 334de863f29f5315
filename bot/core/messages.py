"""The fixed texts around the curated answers (`messages.yaml`), with neutral defaults so a
knowledge folder without the file still gives a working bot."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .validation import Fields, Problems, read_document


@dataclass(frozen=True)
class Messages:
    welcome: str = "你好！直接输入你的问题，我会找出最相关的解答。"
    no_match: str = "这个问题超出了我目前掌握的内容，我不想答非所问。"
    emergency: str = "如遇紧急情况，请立即拨打 110 报警。"
    verdict_reminder: str = "来电显示可以伪造：挂断后自己拨打官方号码核实，不要向任何人提供验证码。"
    none_of_these: str = "抱歉，没找到你要的。换个说法再问一次试试：说说发生了什么、涉及哪个平台或银行、钱有没有转出去。"
    examples: tuple[str, ...] = ()


MESSAGE_FIELDS = {"welcome", "no_match", "emergency", "verdict_reminder", "examples", "none_of_these"}


def load_messages(path: Path, label: str, problems: Problems) -> Messages:
    doc = read_document(path, label, problems, MESSAGE_FIELDS)
    if doc is None:
        return Messages()
    f = Fields(doc, label, problems, None)
    defaults = Messages()
    texts = {key: f.text(key, required=False, max_len=1500) or getattr(defaults, key)
             for key in MESSAGE_FIELDS - {"examples"}}
    examples = f.text_list("examples", required=False, max_len=100)
    return Messages(examples=examples, **texts)
