"""Scan a pasted or forwarded message: every phone number (checked), bank-card-like number and
link in it, the scam signals it shows, an overall risk and what to do."""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass
from typing import Callable, Iterable, Mapping

from .checker import INVALID, LOOKALIKE, OFFICIAL, RISKY, Checker, CheckResult, check_with_reports
from .signals import Signal
from .text import strip_invisible, to_simplified

HIGH, MEDIUM, LOW = "high", "medium", "low"
MAX_SCAN_CHARS = 20_000  # a forwarded message is far shorter; beyond this only the start is read

URL = re.compile(
    r"(?:https?://|www\.)[^\s，。！？、；;\"'<>（）()【】]+"
    r"|(?<![A-Za-z0-9@.\-])(?:[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?\.)+"
    r"(?:com|cn|net|org|cc|icu|top|xyz|vip|info|co|me|io|shop|site|online|club|link|ltd|pw|tk|ml|ga|cf|gq|"
    r"wang|ren|asia|biz|mobi|tv|app|work|fun|live|store|tech|hk|ru|su)\b(?:/[^\s，。！？、；;\"'<>（）()]*)?",
    re.IGNORECASE)
CARD = re.compile(r"(?<![0-9])[3-6](?:[ \-]?\d){15,18}(?![0-9])")
NUMBER = re.compile(r"(?<![0-9A-Za-z+])(?:\+|\()?\d[\d\-() ]{1,24}\d(?![0-9A-Za-z])")
DATE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")
SENTENCE_END = re.compile(r"[。！？!?\n；;]")

# Text right after a digit run that makes it an amount, a date or a count, not a phone number.
_NOT_PHONE_AFTER = re.compile(r"^\s*(元|块|万|圆|rmb|%|年|月|日|号(?!码)|时|点|分|秒|笔|次|个|天|岁|期)", re.IGNORECASE)
# Text right before it that makes it an amount, a code or an order/card tail number.
_NOT_PHONE_BEFORE = re.compile(r"(¥|￥|\$|金额|余额|人民币|验证码|校验码|动态码|code|尾号|订单号|单号|编号|卡号)[^0-9]{0,6}$",
                               re.IGNORECASE)


@dataclass(frozen=True)
class Finding:
    name: str
    label: str
    evidence: str
    weight: int
    related: tuple[str, ...] = ()


@dataclass(frozen=True)
class ScanResult:
    risk: str
    numbers: tuple[CheckResult, ...]
    urls: tuple[str, ...]
    signals: tuple[Finding, ...]
    related: tuple[str, ...]
    advice: str
    cards: tuple[str, ...] = ()
    truncated: bool = False

    def to_dict(self) -> dict:
        """The public JSON shape of `python -m bot scan --json` (documented in the README)."""
        return {
            "risk": self.risk,
            "numbers": [n.to_dict() for n in self.numbers],
            "urls": list(self.urls),
            "signals": [{"name": s.name, "evidence": s.evidence} for s in self.signals],
            "related": list(self.related),
            "advice": self.advice,
        }


def mask_card(digits: str) -> str:
    return f"{digits[:4]} **** **** {digits[-4:]}"


def _excerpt(sentence: str, start: int, end: int, width: int = 60) -> str:
    sentence = sentence.strip()
    if len(sentence) <= width:
        return sentence
    lo = max(0, min(start, len(sentence) - width))
    return ("…" if lo else "") + sentence[lo:lo + width] + ("…" if lo + width < len(sentence) else "")


class Scanner:
    def __init__(self, checker: Checker, signals: Iterable[Signal], reminder: str,
                 entry_ids: set[str] | None = None):
        self.checker = checker
        self.signals = tuple(signals)
        self.reminder = reminder
        self.entry_ids = entry_ids

    def scan(self, message: str, reports: Mapping[str, int] | Callable[[str], int] | None = None) -> ScanResult:
        """Never raises on odd input: empty, binary-looking or huge text is scanned as far as it
        makes sense and comes out `low` with nothing found."""
        message = message if isinstance(message, str) else str(message)
        truncated = len(message) > MAX_SCAN_CHARS
        text = unicodedata.normalize("NFKC", strip_invisible(message[:MAX_SCAN_CHARS]))
        text = to_simplified(text)

        urls = tuple(dict.fromkeys(m.group(0).rstrip(".,") for m in URL.finditer(text)))
        rest = URL.sub(lambda m: " " * len(m.group(0)), text)
        cards = tuple(dict.fromkeys(mask_card(re.sub(r"\D", "", m.group(0))) for m in CARD.finditer(rest)))
        rest = CARD.sub(lambda m: " " * len(m.group(0)), rest)
        numbers = self._numbers(rest, reports)

        findings = self._signals(text, bool(urls))
        findings.extend(self._number_findings(numbers, cards))
        score = sum(f.weight for f in findings)
        if any(f.weight >= 3 for f in findings) or score >= 4:
            risk = HIGH
        elif score >= 2:
            risk = MEDIUM
        else:
            risk = LOW
        related = self._related(findings)
        return ScanResult(risk, numbers, urls, tuple(findings), related,
                          self._advice(risk, numbers, urls), cards, truncated)

    # -- numbers ---------------------------------------------------------------------------

    def _numbers(self, text: str, reports) -> tuple[CheckResult, ...]:
        found: dict[str, CheckResult] = {}
        for match in NUMBER.finditer(text):
            for raw, start, end in self._candidates(match):
                if not self._looks_like_phone(text, raw, start, end):
                    continue
                result = check_with_reports(self.checker, raw, reports)
                if result.verdict == INVALID or result.normalized is None:
                    continue
                found.setdefault(result.normalized, result)
        return tuple(found.values())

    @staticmethod
    def _candidates(match: re.Match) -> list[tuple[str, int, int]]:
        """The whole digit run, or, when it is several numbers separated by spaces, each part."""
        raw = match.group(0).strip()
        parts = [(m.group(0), match.start() + m.start(), match.start() + m.end())
                 for m in re.finditer(r"\S+", match.group(0))]
        if len(parts) <= 1:
            return [(raw, match.start(), match.end())]
        return [(raw, match.start(), match.end()), *parts]

    def _looks_like_phone(self, text: str, raw: str, start: int, end: int) -> bool:
        digits = re.sub(r"\D", "", raw)
        if DATE.match(raw.strip()):
            return False
        if len(digits) < 5 and digits not in self.checker.book.numbers:
            return False
        if _NOT_PHONE_AFTER.match(text[end:end + 4]) or text[end:end + 2][:1] == "." and text[end + 1:end + 2].isdigit():
            return False
        return not _NOT_PHONE_BEFORE.search(text[max(0, start - 12):start])

    # -- signals ---------------------------------------------------------------------------

    def _signals(self, text: str, has_url: bool) -> list[Finding]:
        ends = [m.end() for m in SENTENCE_END.finditer(text)]
        findings = []
        for signal in self.signals:
            if signal.requires_url and not has_url:
                continue
            evidence = self._first_evidence(signal, text, ends)
            if evidence is not None:
                findings.append(Finding(signal.name, signal.label, evidence, signal.weight, signal.related))
        return findings

    @staticmethod
    def _first_evidence(signal: Signal, text: str, ends: list[int]) -> str | None:
        for pattern in signal.patterns:
            for match in pattern.finditer(text):
                i = bisect.bisect_right(ends, match.start())
                lo = ends[i - 1] if i > 0 else 0
                hi = ends[i] if i < len(ends) else len(text)
                sentence = text[lo:hi]
                if any(u.search(sentence) for u in signal.unless):
                    continue
                return _excerpt(sentence, match.start() - lo, match.end() - lo)
        return None

    def _number_findings(self, numbers: tuple[CheckResult, ...], cards: tuple[str, ...]) -> list[Finding]:
        findings = []
        lookalikes = [n for n in numbers if n.verdict == LOOKALIKE]
        if lookalikes:
            n = lookalikes[0]
            who = n.institution.name_zh if n.institution else "官方"
            findings.append(Finding("lookalike_number", "号码冒充官方号码", f"{n.input}（冒充{who}）", 3,
                                    ("lookalike-numbers", "spoofed-caller-id")))
        risky = [n for n in numbers if n.verdict == RISKY]
        if risky:
            international = any((n.normalized or "").startswith("+") for n in risky)
            findings.append(Finding("risky_number", "高风险号码（境外或虚拟运营商号段）", risky[0].input, 2,
                                    ("call-from-abroad",) if international else ("real-or-fake-call",)))
        if cards:
            findings.append(Finding("bank_card", "消息里有银行卡号（可能是让你转账的账户）", cards[0], 2,
                                    ("safe-account",)))
        return findings

    def _related(self, findings: list[Finding]) -> tuple[str, ...]:
        ordered: dict[str, None] = {}
        for finding in sorted(findings, key=lambda f: -f.weight):
            for entry_id in finding.related:
                if self.entry_ids is None or entry_id in self.entry_ids:
                    ordered.setdefault(entry_id)
        return tuple(ordered)

    def _advice(self, risk: str, numbers: tuple[CheckResult, ...], urls: tuple[str, ...]) -> str:
        if risk == HIGH:
            text = "这条消息有明显的诈骗特征：不要回复，不要点链接，不要拨打消息里的号码，不要转账，也不要提供验证码。"
        elif risk == MEDIUM:
            text = "这条消息有可疑之处：先别按消息里说的做，自己打开官方App或拨打官方号码核实。"
        else:
            text = "没有发现明显的诈骗特征，但仍请通过官方App或官方号码核实，不要把验证码告诉任何人。"
        if risk != LOW and any(n.verdict == OFFICIAL for n in numbers):
            text += "消息里的号码虽然是官方号码，但短信发件人和来电显示都可以伪造。"
        if urls and risk != HIGH:
            text += "不要通过消息里的链接登录或输入密码。"
        return text + self.reminder
