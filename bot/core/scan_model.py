"""The message scanner's fitted risk decision (`scanner_model.yaml` in the knowledge folder).

The scanner finds signals, numbers, links and context (scanner.Evidence); this module turns
them into a risk with a small logistic model instead of the hand-weighted sum
(scanner.hand_decision):

    score = bias + Σ weight of each signal found + Σ weight × context feature
    risk  = high when σ(score) ≥ high_at, medium when σ(score) ≥ medium_at, else low

Every signal's weight is at least 0 (a signal can only add suspicion); a signal the model does
not list (added to signals.yaml after the fit) gets its hand weight's class weight. The context
features (CONTEXT below) say how the signals are to be read: a text that talks about scams, a
genuine notice, a chat transcript, a refusal, a warning sentence, the fraud-type resemblance…
Their weights may be negative.

`benchmarks/fit_scanner.py` fits the weights and thresholds on the development message sets and
writes the file (with the date and the sets it was fitted on); without the file the scanner uses
the hand rule.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .prefilter import Finder, needs, possible
from .validation import Fields, Problems, read_document

if TYPE_CHECKING:  # the scanner is imported when a scan decides, not when the knowledge loads
    from .scanner import Evidence, Finding

# Findings the scanner makes itself (numbers, cards, links, call-back requests), beside the
# signals of signals.yaml, with their hand weights.
BUILTIN_SIGNALS = {"callback_request": 2, "lookalike_number": 3, "risky_number": 2, "bank_card": 2,
                   "lookalike_link": 3, "short_link": 1, "scam_wording": 2}

# A link or a number posing as an official one (the checker's lookalike verdict: 10086.cn.kf-jf.xyz,
# a caller ID of +86-10-95588): no genuine service uses one.
POSING = frozenset({"lookalike_link", "lookalike_number"})


def posing_floor(ev: "Evidence") -> bool:
    """True when a link or number posing as an official one keeps a message at least medium: any
    such finding, but in a text about scams, or in a warning that asks nothing (a bank naming a
    fake address as an example: 招行官网为cmbchina.com，请勿登录cmbchina.com-xxx.cn等网址). A
    disclaimer does not clear a text that also asks (我们不会索要验证码……请登录10086.cn.kf-jf.xyz兑换)."""
    if ev.talks_about_scams or not any(f.name in POSING for f in ev.findings):
        return False
    return not (ev.warning and not any(f.name != "scam_wording" for f in ev.requests))


# A message whose warning names what a never_low finding asks for (公检法没有安全账户 beside a
# safe_account finding; 客服不会让您共享屏幕 beside screen_sharing), that the fitted model puts under
# this probability, is a warning or a notice, not a request wrapped in a disclaimer: that finding does
# not hold it at medium (see ScanModel._flagged). A disclaimer about something else
# (本公司不会要求您转账。…请将验证码告知工作人员) releases nothing, nor does any never_low finding
# that WARNED_OF does not name. Chosen at stop 44 on the read sets: the 23 genuine messages a
# never_low finding held at medium beside a warning sentence lay between 0.000 and 0.491 (20 under
# 0.2), and no scam with a warning sentence and a never_low finding lay under medium_at at all. A review then found tagged SMS that ask
# for a code beside an unrelated disclaimer under 0.2: hence the naming.
WARNED_BELOW = 0.2
WARNED_OF = {
    "verification_code": re.compile(r"验证码|校验码|动态码|动态密码|短信码"),
    # (a "safe account" is money moved: a warning against any transfer names it)
    "safe_account": re.compile(r"安全账户|监管账户|清查账户|保护账户|安全帐户|转账|汇款|转钱|存钱|资金"),
    "screen_sharing": re.compile(r"共享屏幕|屏幕共享|会议软件|会议app|远程(控制|操作|协助)", re.IGNORECASE),
    "card_details_request": re.compile(r"卡号|银行卡|信用卡|有效期|cvv|安全码", re.IGNORECASE),
    "card_secrets": re.compile(r"密码|卡密|u盾|网银", re.IGNORECASE),
    "sell_accounts": re.compile(r"出租|出借|出售|收购|两卡|帮信|银行卡|电话卡|账户|账号|收款|转账"),
}


def warned_of(ev: "Evidence", finding: "Finding") -> bool:
    """Whether the message's warnings name what this never_low finding asks for (WARNED_OF)."""
    words = WARNED_OF.get(finding.name)
    return words is not None and bool(ev.warned) and words.search(ev.warned) is not None


# A refusal, a doubt or a check by the person who was asked (a chat about a request turned down).
REFUSAL = re.compile(r"不借|没钱借|我(就|也|才|可|都)?不(转|借|买|去|加|信|要|需要|办|点|下载|给)|算了吧?|不用了|拉黑|删了|没理|不理他|挂了"
                     r"|我(先|得|要)?(去|再)?(问问|核实|确认一下|打电话问)|当面(说|给|还|聊)|视频(确认|一下|看看)")
# The reader sent to an official channel or a check in person ("去营业厅", "官方App", "打电话问问").
# (a screenshot's call card, "[视频通话] 通话时长 00:04", is no check offered)
OFFICIAL_CHANNEL = re.compile(r"营业厅|柜台|网点|官方(app|客服电话|渠道)|公众号|官网|当面|打(个)?电话(问|确认|核实)|(?<!\[)视频(通话|确认)(?![\]\s]*(时长|\d))", re.IGNORECASE)
# A transaction notice or receipt: a card's tail number, a balance, money in or out.
RECEIPT = re.compile(r"尾号\s*[\dxX*]{3,4}|余额|入账|支出|消费\s*[\d¥￥]|收入\s*[\d¥￥]|交易金额")
# A working procedure around a payment: a contract, an approval, a company account, an invoice.
PROCEDURE = re.compile(r"合同|审批|\boa\b|走流程|对公|发票|回单|报销", re.IGNORECASE)
# A chat line that only acknowledges ("好的", "收到", "已转", "谢谢").
ACK_LINE = re.compile(r"(?m)^[ \t]*[^\n:：]{1,12}[:：]\s*(好的?|嗯|行|可以|收到|已转|转了|谢谢|知道了|明白|ok)[^\n]{0,12}$", re.IGNORECASE)
# A marketing or service text's opt-out ("回T退订", "拒收请回复R").
UNSUBSCRIBE = re.compile(r"退订|回t|拒收", re.IGNORECASE)
AMOUNT = re.compile(r"\d+(?:\.\d+)?\s*(?:元|块|万|w\b)|[¥￥]\s*\d", re.IGNORECASE)

# The context features, in the order the fit script builds them; each is documented here.
# Longer messages count as this long for the `length` feature (the fit saw none longer).
LENGTH_CAP = 500
# The wording score counts up to this (a few telling words saturate it); below 0 it counts as 0.
WORDING_CAP = 3.0
# Wording that reads genuine counts in full from GENUINE_FULL characters on and less in shorter
# texts, in proportion: a short request's few words say less either way ("麻烦打500元到我账户"
# reads like ordinary chat), a whole conversation's many words more. (Counting it only from 100
# characters on, the fit gained nothing out of set: 96.4 % / 0.30 % leaving one set out, against
# 96.6 % / 0.28 % in proportion from the first character and 96.3 % / 0.28 % without it.)
GENUINE_FULL = 300


def _genuine_share(length: int) -> float:
    return min(length / GENUINE_FULL, 1.0)


CONTEXT = {
    "talk": "calls something a scam (诈骗, 骗子, 被骗…): a warning or a chat about a scam",
    "talk_quoted": "the hand weights of the signals such a text quotes (sum / 3, at most 2)",
    "talk_wording": "such a text, with no warning sentence, reads like a scam's script all the same (its\n"
                    "          wording finding): a fake officer's script or a paid \"recovery\" names scams too",
    "wording": "the wording model's score (wording.py) where it reads like a scam, 0..3 (0 when the text\n"
               "          is not weighed, or warns against a scam it talks about): wording below the\n"
               "          finding's threshold still adds to weak signals (wording that reads genuine is\n"
               "          genuine_wording)",
    "genuine_wording": "the wording model's score where it reads genuine, 0..3 (its opposite, capped), times\n"
                       "          length / 300 up to 1: a whole conversation of a couple's, a family's or an\n"
                       "          office's money talk reads unlike any scam even where one of its lines fires\n"
                       "          a request; a short request's few words say less (\"麻烦打500元到我账户\")",
    "notice": "says what its sender never asks, or sends the reader only to official numbers, and asks for\n"
              "          nothing no genuine service asks for (no weight-3 request: that still counts)",
    "notice_quoted": "the hand weights of the pretexts a notice's exemption set aside (sum / 3, at most 2)",
    "own_number": "the writer announces their own new number",
    "several": "requests found beyond the first, hints (hand weight 1) not counted (at most 3)",
    "resemblance": "how closely it reads like a fraud type's scripts (0..1; 0 below 0.15)",
    "strong": "the resemblance is strong (at least the script index's strong_at)",
    "contact_number": "a phone number that is not an official one",
    "official_number": "an official service number",
    "link": "a link the reader is asked to open: not an official one (nor a school's own, scanner.is_risky_link)",
    "official_link": "links, all official",
    "sender_tag": "starts with a sender tag (【…】)",
    "chat": "a chat transcript (several lines start with a speaker and a colon)",
    "chat_signals": "in a chat transcript, the hand weights of the signals found (sum / 3, at most 2)",
    "tag_signals": "after a sender tag, the hand weights of the signals found (sum / 3, at most 2)",
    "refusal": "someone refuses, doubts or checks (不借, 算了, 拉黑, 我先问问…)",
    "warning": "a sentence warns against a scam (signals.yaml warnings)",
    "official_channel": "sends the reader to an official channel or a check in person (营业厅, 官方App, 当面…)",
    "receipt": "reads like a transaction notice (尾号…, 余额, 入账, 支出…)",
    "procedure": "a working procedure around a payment (合同, 审批, OA, 对公, 发票…)",
    "ack": "a chat line that only acknowledges (好的, 收到, 已转, 谢谢…)",
    "unsubscribe": "an opt-out (退订, 回T, 拒收)",
    "amount": "names an amount of money",
    "length": "log(1 + min(characters, 500) / 50)",
    "short": "shorter than 30 characters",
}


def _quoted(findings: "tuple[Finding, ...]") -> float:
    return min(sum(f.weight for f in findings) / 3.0, 2.0)


# The context patterns with the characters a match needs and a fast start (see prefilter.py):
# a pattern is only run on text that can hold a match.
_CONTEXT_PATTERNS = {name: (needs(rx), Finder(rx)) for name, rx in (
    ("refusal", REFUSAL), ("official_channel", OFFICIAL_CHANNEL), ("receipt", RECEIPT), ("procedure", PROCEDURE),
    ("ack", ACK_LINE), ("unsubscribe", UNSUBSCRIBE), ("amount", AMOUNT))}


def _scanner():
    """The scanner module, imported at the first decision and then kept. Not imported when the
    knowledge loads (it imports the checker and phonenumbers); and not by an import statement
    in each call: resolving a relative import costs several thousand instructions, more than a
    decision's arithmetic."""
    global _SCANNER
    if _SCANNER is None:
        from . import scanner

        _SCANNER = scanner
    return _SCANNER


_SCANNER = None


def _found(name: str, text: str, chars: set[str]) -> float:
    """1.0 when the context pattern `name` matches the text (`chars`: its distinct characters)."""
    conditions, finder = _CONTEXT_PATTERNS[name]
    return float(possible(conditions, chars) and finder.search(text))


def context_features(ev: "Evidence") -> dict[str, float]:
    """The context features of one scanned message (see CONTEXT)."""
    scanner = _scanner()
    OFFICIAL, SENDER_TAG, SPEAKER = scanner.OFFICIAL, scanner.SENDER_TAG, scanner.SPEAKER
    text = ev.text
    active = ev.findings
    talk = ev.talks_about_scams
    notice_exempt = not talk and ev.exempt
    ft = ev.fraud_type
    chat = len(SPEAKER.findall(text)) >= 2 if (":" in text or "：" in text) else False
    tag = SENDER_TAG.match(text.lstrip()) is not None
    chars = ev.chars if ev.chars is not None else set(text)
    contact = any(n.verdict != OFFICIAL and scanner.dialable(n) for n in ev.numbers)
    length = len(text.strip())
    return {
        "talk": float(talk),
        "talk_quoted": _quoted(ev.requests) if talk else 0.0,
        "talk_wording": float(talk and any(f.name == "scam_wording" for f in active)),  # (see Evidence.findings)
        "wording": 0.0 if talk and ev.warning else min(max(ev.wording, 0.0), WORDING_CAP),
        "genuine_wording": min(max(-ev.wording, 0.0), WORDING_CAP) * _genuine_share(length),
        "notice": float(ev.notice and not any(f.weight >= 3 for f in ev.requests)),
        "notice_quoted": _quoted(ev.requests) if notice_exempt else 0.0,
        "own_number": float(ev.own_number),
        # (a hint such as urgency or a money word is no second request: counted, it made a lone
        # request plus a hint score lower than the request alone)
        "several": float(min(max(sum(1 for f in active if f.weight >= 2) - 1, 0), 3)),
        "resemblance": ft.score if ft is not None else 0.0,
        "strong": float(ft is not None and ft.strong),
        "contact_number": float(contact),
        "official_number": float(any(n.verdict == OFFICIAL for n in ev.numbers)),
        "link": float(any(scanner.is_risky_link(link, ev.text) for link in ev.links) if ev.links else bool(ev.urls)),
        "official_link": float(bool(ev.links) and all(link.verdict == OFFICIAL for link in ev.links)),
        "sender_tag": float(tag),
        "chat": float(chat),
        "chat_signals": _quoted(active) if chat else 0.0,
        "tag_signals": _quoted(active) if tag else 0.0,
        "refusal": _found("refusal", text, chars),
        "warning": float(ev.warning),
        "official_channel": _found("official_channel", text, chars),
        "receipt": _found("receipt", text, chars),
        "procedure": _found("procedure", text, chars),
        "ack": _found("ack", text, chars),
        "unsubscribe": _found("unsubscribe", text, chars),
        "amount": _found("amount", text, chars),
        # capped where the development messages end (444 characters): beyond it the fit knows nothing
        "length": math.log1p(min(length, LENGTH_CAP) / 50.0),
        "short": float(length < 30),
    }


@dataclass(frozen=True)
class ScanModel:
    bias: float
    medium_at: float
    high_at: float
    signals: dict[str, float]           # signal name -> weight (>= 0)
    classes: dict[int, float]           # hand weight 1/2/3 -> weight of a signal not listed
    context: dict[str, float]           # CONTEXT name -> weight
    strong_lifts: bool = False          # a strong resemblance makes a low message medium
    fitted: dt.date | None = None
    fitted_on: tuple[tuple[str, int], ...] = field(default_factory=tuple)

    def weight(self, finding: "Finding") -> float:
        w = self.signals.get(finding.name)
        return w if w is not None else self.classes.get(finding.weight, 0.0)

    def score(self, ev: "Evidence") -> float:
        """The model's log-odds that the message is a scam."""
        z = self.bias + sum(self.weight(f) for f in ev.findings)
        context = self.context
        for name, value in context_features(ev).items():
            if value:
                z += context.get(name, 0.0) * value
        return z

    def probability(self, ev: "Evidence") -> float:
        z = self.score(ev)
        return 1.0 / (1.0 + math.exp(-z)) if z > -50 else 0.0

    def _flagged(self, ev: "Evidence", findings: "tuple[Finding, ...]") -> str:
        """The risk of a message with findings, by its probability, the hand rule's high and the
        findings marked never_low (see `decide`)."""
        scanner = _scanner()
        HIGH, LOW, MEDIUM = scanner.HIGH, scanner.LOW, scanner.MEDIUM
        p = self.probability(ev)
        if p >= self.high_at:
            risk = HIGH
        elif p >= self.medium_at:
            hand = ev.hand_findings  # (the hand rule sets aside a text about scams' wording finding)
            hand_high = any(f.weight >= 3 for f in hand) or sum(f.weight for f in hand) >= 4
            risk = HIGH if hand_high else MEDIUM
        else:
            risk = LOW
        if risk == LOW and any(f.never_low and not (p < WARNED_BELOW and warned_of(ev, f)) for f in findings):
            risk = MEDIUM  # a request too dangerous to call low, whatever disclaimer surrounds it
        if risk == LOW and posing_floor(ev):
            risk = MEDIUM
        return risk

    def decide(self, ev: "Evidence") -> "tuple[str, tuple[Finding, ...]]":
        """(risk, the findings that raised it: those with a positive weight). A flagged message
        is high when its probability reaches high_at, or when the hand rule would call it high
        (a request no genuine service makes, weight 3, or hand weights adding up to 4). A finding
        marked never_low (a code, a "safe account", screen sharing…) keeps it at least medium, as
        does a link or number posing as an official one (posing_floor: not in a text about scams nor
        in a warning that asks nothing); with nothing found, only a strong resemblance to a known
        script makes it more than low."""
        scanner = _scanner()
        LOW, MEDIUM = scanner.LOW, scanner.MEDIUM
        findings = ev.findings
        # a risk is never raised by context alone (the reply must be able to say why): with
        # nothing found the probability cannot change the risk, and is not worked out
        risk = self._flagged(ev, findings) if findings else LOW
        shown = tuple(f for f in findings if self.weight(f) > 0 or f.never_low)
        if risk != LOW and not shown:
            shown = findings  # raised with the context's help: what was found is still the reason
        ft = ev.fraud_type
        if (self.strong_lifts and risk == LOW and ft is not None and ft.strong and not ev.talks_about_scams
                and not (not findings and ev.own_number)):
            risk = MEDIUM
        return risk, shown


MODEL_FIELDS = {"fitted", "fitted_on", "regularisation", "bias", "medium_at", "high_at", "strong_lifts",
                "classes", "signals", "context", "figures"}


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def load_scan_model(path: Path, label: str, problems: Problems, signal_names: set[str]) -> ScanModel | None:
    """scanner_model.yaml; None when the file is missing (the scanner then uses the hand rule).
    `signal_names`: the signals of signals.yaml (a weight for any other name is a problem)."""
    doc = read_document(path, label, problems, MODEL_FIELDS)
    if doc is None:
        return None
    before = len(problems.items)
    f = Fields(doc, label, problems, None)
    fitted = f.date("fitted")
    fitted_on = []
    raw_on = doc.get("fitted_on")
    if not isinstance(raw_on, list) or not raw_on:
        problems.add(label, "field 'fitted_on' must list the sets the model was fitted on ({set, messages})")
    else:
        for i, item in enumerate(raw_on):
            if (not isinstance(item, dict) or not isinstance(item.get("set"), str)
                    or not isinstance(item.get("messages"), int) or isinstance(item.get("messages"), bool)
                    or item["messages"] <= 0):
                problems.add(label, f"fitted_on item {i + 1} must be {{set: name, messages: a positive count}}")
                continue
            fitted_on.append((item["set"], item["messages"]))
    values = {}
    for key in ("bias", "medium_at", "high_at"):
        value = doc.get(key)
        if not _number(value):
            problems.add(label, f"field '{key}' must be a number")
            continue
        values[key] = float(value)
    for key in ("medium_at", "high_at"):
        if key in values and not 0.0 < values[key] < 1.0:
            problems.add(label, f"field '{key}' must be a probability between 0 and 1")
    if values.get("medium_at", 0) > values.get("high_at", 1):
        problems.add(label, "'medium_at' must not be above 'high_at'")
    strong_lifts = doc.get("strong_lifts", False)
    if not isinstance(strong_lifts, bool):
        problems.add(label, "field 'strong_lifts' must be true or false")

    classes: dict[int, float] = {}
    raw = doc.get("classes")
    if not isinstance(raw, dict) or set(raw) != {1, 2, 3}:
        problems.add(label, "field 'classes' must give a weight for hand weights 1, 2 and 3")
    else:
        for k, v in raw.items():
            if not _number(v) or v < 0:
                problems.add(label, f"classes: weight for {k} must be a number >= 0")
            else:
                classes[k] = float(v)

    known = set(signal_names) | set(BUILTIN_SIGNALS)
    signals: dict[str, float] = {}
    raw = doc.get("signals")
    if not isinstance(raw, dict):
        problems.add(label, "field 'signals' must map signal names to weights")
    else:
        for name, v in raw.items():
            if name not in known:
                problems.add(label, f"signals: '{name}' is not a signal of signals.yaml nor one the scanner makes")
            elif not _number(v) or v < 0:
                problems.add(label, f"signals: weight of '{name}' must be a number >= 0")
            else:
                signals[name] = float(v)

    context: dict[str, float] = {}
    raw = doc.get("context")
    if not isinstance(raw, dict):
        problems.add(label, "field 'context' must map context features to weights")
    else:
        for name, v in raw.items():
            if name not in CONTEXT:
                problems.add(label, f"context: unknown feature '{name}' (known: {', '.join(CONTEXT)})")
            elif not _number(v):
                problems.add(label, f"context: weight of '{name}' must be a number")
            else:
                context[name] = float(v)
        missing = [name for name in CONTEXT if name not in raw]
        if missing:
            problems.add(label, f"context: no weight for {', '.join(missing)} (refit with benchmarks/fit_scanner.py)")
    if len(problems.items) > before:
        return None
    return ScanModel(values["bias"], values["medium_at"], values["high_at"], signals, classes, context,
                     strong_lifts, fitted, tuple(fitted_on))
