"""Compose replies once, render them for each adapter.

A `Reply` is a short list of styled lines plus the choices a user can pick (buttons on Telegram,
numbers in the console). Composition decides *what* to say; `render_text` and `render_html_chunks`
decide how it looks, and HTML escaping happens in exactly one place.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .checker import INVALID, LOOKALIKE, OFFICIAL, REPORT_MIN_REPORTERS, RISKY, UNKNOWN, CheckResult
from .knowledge import Entry, Knowledge
from .matcher import ANSWERED, SUGGEST, MatchResult
from . import links as link_verdicts
from .links import LinkResult
from .risk import HIGH, LOW, MEDIUM

if TYPE_CHECKING:  # the scanner module is imported when a scan is made, not by a number check
    from .scanner import ScanResult

# Line styles. QUOTE is text quoted back to the user (what was read from a screenshot): folded on
# Telegram (an expandable blockquote), "> " lines in the console.
TITLE, TEXT, NOTE, FOOTER, CODE, QUOTE = "title", "text", "note", "footer", "code", "quote"

# Choice actions (adapters map them to callback data or console numbers).
SHOW_ENTRY, NONE_OF_THESE, REPORT_NUMBER = "entry", "none", "report"


@dataclass(frozen=True)
class Line:
    text: str
    style: str = TEXT


@dataclass(frozen=True)
class Choice:
    action: str
    value: str
    label: str


@dataclass(frozen=True)
class Reply:
    kind: str
    lines: tuple[Line, ...]
    choices: tuple[Choice, ...] = ()
    # Entries this reply is about (for feedback buttons and statistics).
    entry_id: str | None = None
    related: tuple[Choice, ...] = field(default=())


def footer_for(entry: Entry, knowledge: Knowledge) -> str:
    titles = [knowledge.source_title(s) for s in entry.sources]
    return f"来源：{'、'.join(titles)} · 审核于 {entry.reviewed.isoformat()}"


def compose_entry(entry: Entry, knowledge: Knowledge, numbers_note: str | None = None) -> Reply:
    """A curated answer: the question as a title, the steps (and the official numbers of the
    institutions the question named, when the answer lacks them), then sources and review date."""
    related = tuple(
        Choice(SHOW_ENTRY, rel.id, rel.question)
        for rel in (knowledge.get(r) for r in entry.related) if rel is not None
    )
    lines = [Line(entry.question, TITLE), Line(entry.answer)]
    if numbers_note:
        lines.append(Line("📞 " + numbers_note))
    lines.append(Line(footer_for(entry, knowledge), FOOTER))
    return Reply(ANSWERED, tuple(lines), entry_id=entry.id, related=related)


def compose_no_match(knowledge: Knowledge) -> Reply:
    msgs = knowledge.messages
    lines = [Line(msgs.no_match), Line(msgs.emergency, NOTE)]
    if msgs.examples:
        lines.append(Line("你可以这样问：" + "；".join(msgs.examples[:3])))
    return Reply("no_match", tuple(lines))


def compose_none_of_these(knowledge: Knowledge) -> Reply:
    """After "都不是": ask for other words; the emergency lines stay in view."""
    msgs = knowledge.messages
    lines = [Line(msgs.none_of_these), Line(msgs.emergency, NOTE)]
    if msgs.examples:
        lines.append(Line("例如：" + "；".join(msgs.examples[:3])))
    return Reply("none_of_these", tuple(lines))


def compose_suggest(result: MatchResult) -> Reply:
    choices = tuple(Choice(SHOW_ENTRY, c.entry.id, c.entry.question) for c in result.alternatives)
    lines = (Line("我不太确定你问的是哪一个，是下面这些问题吗？"),)
    return Reply(SUGGEST, lines, choices + (Choice(NONE_OF_THESE, "", "都不是"),))


def compose_match(result: MatchResult, knowledge: Knowledge) -> Reply:
    """The reply for a matcher result of any status."""
    if result.status == ANSWERED and result.entry is not None:
        return compose_entry(result.entry, knowledge, result.numbers_note)
    if result.status == SUGGEST and result.alternatives:
        return compose_suggest(result)
    return compose_no_match(knowledge)


VERDICT_LINE = {
    OFFICIAL: "🏛️ 官方号码（仍需警惕）",
    LOOKALIKE: "⚠️ 疑似冒充官方号码",
    RISKY: "🚩 高风险号码",
    UNKNOWN: "❔ 未知号码",
    INVALID: "❌ 这不是电话号码",
}
RISK_LINE = {HIGH: "🚨 高风险：很可能是诈骗", MEDIUM: "⚠️ 中风险：有可疑之处", LOW: "🟢 低风险：未发现明显诈骗特征"}
RISK_LINE_NOTED = "🟢 低风险：没有明确的诈骗要求，但有一处值得留意"


def _related_choices(knowledge: Knowledge, entry_ids) -> tuple[Choice, ...]:
    return tuple(Choice(SHOW_ENTRY, e.id, e.question)
                 for e in (knowledge.get(i) for i in entry_ids) if e is not None)


def compose_check(result: CheckResult, knowledge: Knowledge) -> Reply:
    """A number verdict: the verdict line, the reasons, then what to do."""
    title = VERDICT_LINE[result.verdict]
    if result.normalized:
        title += f"：{result.normalized}"
    if result.institution is not None and result.verdict in (OFFICIAL, LOOKALIKE):
        title += f"（{'冒充' if result.verdict == LOOKALIKE else ''}{result.institution.name_zh}）"
    lines = [Line(title, TITLE), Line("\n".join(f"• {r}" for r in (*result.reasons, *result.details)))]
    if result.reports >= REPORT_MIN_REPORTERS and result.verdict != OFFICIAL:
        lines.append(Line(f"👥 已有 {result.reports} 位用户举报过这个号码。", NOTE))
    lines.append(Line("怎么做：" + result.advice))
    related = {LOOKALIKE: ["lookalike-numbers", "spoofed-caller-id"], RISKY: ["call-from-abroad", "real-or-fake-call"],
               OFFICIAL: ["spoofed-caller-id", "verification-code"], UNKNOWN: ["real-or-fake-call"],
               INVALID: []}[result.verdict]
    if result.official is not None and result.official.number == "96110":
        related = ["call-96110"]
    choices = (Choice(REPORT_NUMBER, result.normalized, "🚩 举报这个号码"),) if result.normalized else ()
    return Reply("check", tuple(lines), choices, related=_related_choices(knowledge, related))


# The order in which several numbers' advice is chosen: the riskiest number's advice is shown.
_VERDICT_RANK = {LOOKALIKE: 0, RISKY: 1, UNKNOWN: 2, OFFICIAL: 3, INVALID: 4}


def compose_checks(results: "list[CheckResult]", knowledge: Knowledge) -> Reply:
    """Several numbers asked about at once ("95516和95188分别是哪家的"): each number's verdict
    and reasons, then what to do once (the riskiest number's advice, which always says to hang
    up and call the official number yourself), a report button for each number not official."""
    if len(results) == 1:
        return compose_check(results[0], knowledge)
    lines: list[Line] = []
    related: list[str] = []
    for result in results:
        one = compose_check(result, knowledge)
        lines.extend(one.lines[:-1])  # its verdict, reasons and report note; its advice (the last line) once below
        related.extend(c.value for c in one.related)
    worst = min(results, key=lambda r: _VERDICT_RANK[r.verdict])
    lines.append(Line("怎么做：" + worst.advice))
    choices = tuple(Choice(REPORT_NUMBER, r.normalized, f"🚩 举报 {r.normalized}")
                    for r in results if r.normalized and r.verdict != OFFICIAL)[:3]
    related_ids = list(dict.fromkeys(related))
    return Reply("check", tuple(lines), choices, related=_related_choices(knowledge, related_ids))


LINK_LINE = {link_verdicts.OFFICIAL: "🏛️ 官方网站的域名（仍需警惕）",
             link_verdicts.INSTITUTION: "🏫 教育科研机构的网站（未核实是哪一家）",
             link_verdicts.LOOKALIKE: "⚠️ 仿冒官方网站的链接", link_verdicts.SHORTENER: "🔗 短链接：看不出真实网址",
             link_verdicts.UNKNOWN: "❔ 未知网址"}


def compose_link(result: LinkResult, knowledge: Knowledge) -> Reply:
    """A link verdict: never clickable, never called safe."""
    title = LINK_LINE[result.verdict]
    fake = result.verdict == link_verdicts.LOOKALIKE
    if result.institution and (fake or result.verdict == link_verdicts.OFFICIAL):
        title += f"（{'冒充' if fake else ''}{result.institution}）"
    lines = (Line(title, TITLE), Line(defang(result.url, [result.url]), CODE),
             Line("\n".join(f"• {defang(r)}" for r in result.reasons)),
             Line("怎么做：不要在短信或聊天里的链接中登录、输入银行卡号、密码或验证码；要办事请自己打开官方App。"
                  + knowledge.messages.verdict_reminder))
    related = ["phishing-domain", "suspicious-links"] if fake else ["suspicious-links"]
    return Reply("link", lines, related=_related_choices(knowledge, related))


_DOMAIN_LIKE = re.compile(r"[A-Za-z0-9\-\u00c0-\u04ff]+(?:\.[A-Za-z0-9\-\u00c0-\u04ff]+)*\.[A-Za-z\u00c0-\u04ff]{2,}")


def defang(text: str, urls=()) -> str:
    """Links quoted back to the user must not be clickable: a.b.icu -> a[.]b[.]icu. Besides the
    given links, every domain-like word is defanged (Telegram would link alipay.com by itself)."""
    for url in sorted(urls, key=len, reverse=True):
        text = text.replace(url, url.replace(".", "[.]"))
    return _DOMAIN_LIKE.sub(lambda m: m.group(0).replace(".", "[.]"), text)


def _link_reason(link: LinkResult) -> str:
    """What a scan says about one judged link: why; for a lookalike also the real institution's
    official domains, so the user learns where the genuine site is; for an institution's site
    (edu.cn) also that such sites get hacked, and how to pay the school safely."""
    both = link.verdict in (link_verdicts.LOOKALIKE, link_verdicts.INSTITUTION)
    return "".join(link.reasons[:2]) if both else link.reasons[0]


def compose_scan(result: ScanResult, knowledge: Knowledge, claimed: str | None = None) -> Reply:
    """A scanned message: the risk, the evidence for each signal, the numbers and links, the
    official numbers of the institutions it names (`claimed`, Assistant.claimed_note), advice."""
    # (low, yet something scams also do was found: not "nothing found" above the finding)
    title = RISK_LINE_NOTED if result.risk == LOW and result.signals else RISK_LINE[result.risk]
    lines = [Line(title, TITLE)]
    if result.fraud_type is not None and (result.risk != LOW or result.fraud_type.strong):
        ft = result.fraud_type.type
        lines.append(Line(f"这条消息最像“{ft.name}”诈骗。{ft.rule}"))
    if result.signals:
        # one bullet per quoted excerpt: several signals found in the same words share it (a
        # "boss" on a "new number" asking to transfer is three signals and one sentence), and an
        # excerpt's line breaks (a chat's lines) read as spaces inside the quote
        quoted: dict[str, list[str]] = {}
        for s in result.signals:
            quoted.setdefault(" ".join(defang(s.evidence, result.urls).split()), []).append(s.label)
        lines.append(Line("发现的可疑迹象：\n" + "\n".join(
            f"• {'；'.join(labels)}：“{quote}”" for quote, labels in quoted.items())))
    if result.numbers:
        lines.append(Line("消息里的号码：\n" + "\n".join(
            f"• {n.normalized} → {VERDICT_LINE[n.verdict]}"
            + (f"（{n.institution.name_zh}）" if n.institution and n.verdict in (OFFICIAL, LOOKALIKE) else "")
            for n in result.numbers)))
    if result.urls:
        lines.append(Line("消息里的链接（不要点开）："))
        lines.append(Line("\n".join(defang(u, result.urls) for u in result.urls), CODE))
        judged = [link for link in result.links if link.verdict != "unknown"]
        if judged:
            lines.append(Line("\n".join(f"• {defang(link.url, result.urls)} → {LINK_LINE[link.verdict]}"
                                        + (f"：{defang(_link_reason(link))}" if link.reasons else "") for link in judged)))
    if claimed:
        lines.append(Line("消息提到的机构，官方号码是：\n" + claimed))
    if result.truncated:
        lines.append(Line("消息太长，只检查了前面的部分。", NOTE))
    lines.append(Line("怎么做：" + result.advice))
    return Reply("scan", tuple(lines), related=_related_choices(knowledge, result.related[:4]))


# A screenshot's text is quoted back this long at most: enough to check what was read.
OCR_EXCERPT_CHARS = 600


def compose_image_scan(text: str, result: ScanResult, knowledge: Knowledge, claimed: str | None = None) -> Reply:
    """A screenshot's scan: the risk first, then what was read (short; links defanged), then the
    scan's evidence, numbers, links and advice."""
    scan = compose_scan(result, knowledge, claimed)
    excerpt = text if len(text) <= OCR_EXCERPT_CHARS else text[:OCR_EXCERPT_CHARS].rstrip() + "…"
    read = (Line("🖼️ 从图片里读到的文字（识别可能有错字）：", NOTE), Line(defang(excerpt, result.urls), QUOTE))
    return Reply(scan.kind, (scan.lines[0], *read, *scan.lines[1:]), scan.choices, scan.entry_id, scan.related)


def compose_notice(kind: str, text: str) -> Reply:
    """A one-line reply with no verdict (an image that could not be read, a limit reached)."""
    return Reply(kind, (Line(text),))


# --- rendering ----------------------------------------------------------------------------

def render_text(reply: Reply, *, numbered: bool = True) -> str:
    """Plain text for the console: choices numbered 1..n (the last, 0, is "none of these")."""
    out: list[str] = []
    for line in reply.lines:
        if line.style == TITLE:
            out.append(f"【{line.text}】")
        elif line.style == FOOTER:
            out.append(f"—— {line.text}")
        elif line.style == QUOTE:
            out.append("\n".join(f"> {part}" for part in line.text.split("\n")))
        else:
            out.append(line.text)
    if reply.choices and numbered:
        n = 0
        for choice in reply.choices:  # only what a console can follow (no reporting offline)
            if choice.action == NONE_OF_THESE:
                out.append(f"  0. {choice.label}")
            elif choice.action == SHOW_ENTRY:
                n += 1
                out.append(f"  {n}. {choice.label}")
    if reply.related:
        out.append("相关问题：" + "；".join(c.label for c in reply.related))
    return "\n".join(out)


def _wrap(text: str, style: str, expandable: bool = True) -> str:
    text = html.escape(text, quote=False)
    if style == QUOTE:  # without expandable blockquotes (older Bot API servers): plain quoted lines
        return f"<blockquote expandable>{text}</blockquote>" if expandable else \
            "\n".join(f"&gt; {part}" for part in text.split("\n"))
    if style == TITLE:
        return f"<b>{text}</b>"
    if style == NOTE:
        return f"<i>{text}</i>"
    if style == FOOTER:
        return f"<i>📚 {text}</i>"
    if style == CODE:
        return f"<code>{text}</code>"
    return text


_SENTENCE = re.compile(r"(?<=[。！？!?；;\n])")


def _pieces(text: str, style: str, limit: int, expandable: bool = True) -> list[str]:
    """Split one line's text so each rendered piece fits `limit`: at line and sentence ends
    where possible, else between characters (never inside a tag or an entity)."""
    def size(piece: str) -> int:
        return len(_wrap(piece, style, expandable))

    if size(text) <= limit:
        return [text]
    pieces: list[str] = []
    current = ""
    for part in (p for p in _SENTENCE.split(text) if p):
        while size(part) > limit:  # one huge sentence: cut it
            if current:
                pieces.append(current)
                current = ""
            cut = max(1, (limit - 20) // 5)      # escaping at most quintuples a character
            pieces.append(part[:cut])
            part = part[cut:]
        if size(current + part) <= limit:
            current += part
        else:
            pieces.append(current)
            current = part
    if current:
        pieces.append(current)
    return [p for p in pieces if p]


def render_html_chunks(reply: Reply, limit: int = 4096, *, expandable: bool = True) -> list[str]:
    """Telegram-style HTML (only <b>, <i>, <code>, <blockquote expandable>; every piece of text
    escaped in `_wrap`), split into messages of at most `limit` characters. Lines are separated by
    a blank line; a line too long for one message continues seamlessly in the next. With
    `expandable=False` quotes are plain "> " lines (the fallback where Telegram rejects the tag)."""
    blocks: list[tuple[str, str]] = []  # (separator before it, rendered html)
    for line in reply.lines:
        for i, piece in enumerate(_pieces(line.text, line.style, limit, expandable)):
            blocks.append(("\n\n" if i == 0 else "", _wrap(piece, line.style, expandable)))
    chunks: list[str] = []
    current = ""
    for separator, block in blocks:
        candidate = f"{current}{separator}{block}" if current else block
        if len(candidate) <= limit:
            current = candidate
        else:
            chunks.append(current)
            current = block
    if current:
        chunks.append(current)
    return chunks
