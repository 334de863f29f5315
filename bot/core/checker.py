"""Check a phone number someone got a call or text from: official, lookalike, risky, unknown or
invalid, with the reasons and what to do.

Rules (see shared/reference/official-numbers.md, sections 2 and 4):
- Only exact numbers on the list are official, never whole prefixes: 95188 sits in a 95 block
  that call-centre operators share.
- A service number behind +86, 00, 000 or 400, or with digits added, is a documented spoofing
  pattern (lookalike); so is a bank's or payment platform's number with one digit changed.
  One-digit neighbours of carrier (100xx) and public (12xxx) numbers are real other services
  (12345 is the citizens' hotline, one digit from 12315), so that rule is not applied to them.
- An area code in front of a 95 number is ambiguous: some banks' outsourced call centres show
  one. We say so rather than call it fake. 96110 really calls as "area code + 96110".
- Virtual-operator ranges and calls from abroad are risky kinds of number, not proof.
- Even an official match is never "safe": caller ID can be spoofed. Every result carries advice
  to hang up and call the official number, and never to share a verification code.

Parsing, validity, number types, short numbers, geography and carriers come from `phonenumbers`
(Google's libphonenumber metadata).
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Callable, Mapping

import phonenumbers
from phonenumbers import PhoneNumberType, shortnumberinfo

from .numbers import Institution, NumberBook, OfficialNumber
from .text import strip_invisible

OFFICIAL, LOOKALIKE, RISKY, UNKNOWN, INVALID = "official", "lookalike", "risky", "unknown", "invalid"

MAX_INPUT_CHARS = 64  # a phone number with every separator fits easily; more is not a number
# Separators people type inside numbers (after NFKC, full-width forms are already ASCII).
_SEPARATORS = re.compile(r"[\s\-–—.·()（）\[\]/、,，_*#]+")
_CHINESE_DIGITS = str.maketrans("〇零一二三四五六七八九幺两", "0012345678912")
_PREFIX_WORDS = re.compile(r"^(tel:|电话[:：]?|来电[:：]?|号码[:：]?)", re.IGNORECASE)

# Distinct reporters needed before a community count is shown to everyone who checks a number.
REPORT_MIN_REPORTERS = 3
# Classifications kept per checker (the same numbers come back again and again: 95588, 110…);
# parsing with libphonenumber is the costly part of a check. Cleared when full.
CLASSIFIED_CACHE = 4096
# Digits that may stand before or after a service number in a spoofed caller ID.
MAX_ADDED_DIGITS = 4
# Institution categories whose numbers scammers imitate with one digit changed.
CHANGED_DIGIT_CATEGORIES = {"payment", "bank"}
# Short-number blocks MIIT assigns to large banks, insurers, airlines and utilities: a one-digit
# neighbour of a bank's number there is most likely another large institution (95598 is the
# State Grid hotline), so it is reported as a resemblance, not as a lookalike.
LARGE_ENTERPRISE_BLOCKS = ("953", "955", "956")
# Carriers' IP-dialling prefixes that may precede a mobile number (libphonenumber, CN).
IP_DIALLING_PREFIXES = ("17951", "17911", "12593", "17901")
# An official number as dialled from abroad, its digits after the country code: an area code
# without its trunk 0, then the number ("+86 95588", "+86-10-10010", "+86-755-95555", "+852 10086").
_FROM_ABROAD = re.compile(r"(?:86|852|853|886)(?:10|2\d|[3-9]\d\d)?(\d{5,6})")


def _is_mobile(digits: str) -> bool:
    if len(digits) != 11 or not digits.startswith("1"):
        return False
    try:
        parsed = phonenumbers.parse(digits, "CN")
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.number_type(parsed) == PhoneNumberType.MOBILE


INVALID_ADVICE = ("请发送完整的号码，例如 95188、021-95588 或 138 0013 8000；"
                  "整条短信可以直接转发给我，我会逐个检查里面的号码和链接。")


@dataclass(frozen=True)
class CheckResult:
    input: str
    normalized: str | None
    verdict: str
    institution: Institution | None
    reasons: tuple[str, ...]
    advice: str
    reports: int = 0
    official: OfficialNumber | None = None
    # Extra facts for display (region, carrier); never part of the verdict.
    details: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict:
        """The public JSON shape of `python -m bot check --json` (documented in the README)."""
        return {
            "input": self.input,
            "normalized": self.normalized,
            "verdict": self.verdict,
            "institution": self.institution.name_zh if self.institution else None,
            "reasons": list(self.reasons),
            "advice": self.advice,
            "reports": self.reports,
        }


def _geocoder():
    """libphonenumber's geocoder, imported on first use: importing it loads the place names of
    every language (about 100 MB and a quarter of a second), which a check of 95188 never needs."""
    from phonenumbers import geocoder

    return geocoder


def _region_name(region: str | None) -> str:
    if not region:
        return ""
    try:  # libphonenumber's own localised names; private helper, so guarded
        return _geocoder()._region_display_name(region, "zh") or region
    except Exception:  # pragma: no cover - depends on the library version
        return region


def clean_number(raw: str) -> tuple[str, str] | None:
    """(sign, digits) of text that is only a phone number once separators are removed, e.g.
    ("+", "8613800138000"); None for anything else (letters, several numbers, no digits)."""
    text = unicodedata.normalize("NFKC", strip_invisible(raw[:MAX_INPUT_CHARS * 4])).strip()
    if "\n" in text:  # several lines: several numbers, or a message for the scanner
        return None
    text = _PREFIX_WORDS.sub("", text)
    if not re.search(r"\d", text):
        text = text.translate(_CHINESE_DIGITS)
    text = _SEPARATORS.sub("", text)
    sign = ""
    if text.startswith("+"):
        sign, text = "+", text[1:]
    if not text.isascii() or not text.isdigit():
        return None
    return sign, text


class Checker:
    """Checks numbers against one loaded official-number list."""

    def __init__(self, book: NumberBook, reminder: str):
        self.book = book
        self.reminder = reminder
        self._ranges = sorted(book.risky_ranges, key=lambda r: -len(r.prefix))
        # Numbers that may be imitated by adding digits or a prefix: service numbers of five or
        # more digits (not 110/119/120: too short to tell "added digits" from an ordinary number).
        self._service = {n: o for n, o in book.numbers.items() if len(n) >= 5 and not n.startswith("0")}
        self._classified: dict[tuple[str, str], tuple] = {}

    # -- public --------------------------------------------------------------------------

    def check(self, raw: str, reports: int = 0) -> CheckResult:
        """Never raises: anything that is not a phone number is `invalid` with a clear reason."""
        raw = raw if isinstance(raw, str) else str(raw)
        display = raw.strip()[: MAX_INPUT_CHARS * 4]
        if len(raw.strip()) > MAX_INPUT_CHARS * 4:
            return self._invalid(display, "输入太长，不像一个电话号码。")
        cleaned = clean_number(raw)
        if cleaned is None:
            return self._invalid(display, "这不是一个电话号码（含有文字或符号，或没有数字）。")
        sign, digits = cleaned
        if len(digits) < 3:
            return self._invalid(display, "号码太短，不是完整的电话号码。")
        if len(digits) > 20:
            return self._invalid(display, "号码太长（超过 20 位），不是电话号码。")
        key = (sign, digits)
        result = self._classified.get(key)
        if result is None:
            result = self._classify(sign, digits)
            if len(self._classified) >= CLASSIFIED_CACHE:
                self._classified.clear()
            self._classified[key] = result
        return self._finish(display, reports, *result)

    def dialled_from_abroad(self, raw: str) -> str | None:
        """The listed number that `raw` dials from abroad, or None: a country code (+ or 00),
        an area code without its trunk 0 or none, then the number (+86-10-12308, +86 95588,
        +852 10086). For a number a message tells the reader to dial; as a caller ID the same
        digits stay a lookalike (`check`), since genuine service calls show no prefix."""
        raw = raw.strip() if isinstance(raw, str) else ""
        cleaned = clean_number(raw) if raw.startswith(("+", "00")) else None
        if cleaned is None:
            return None
        sign, digits = cleaned  # (as `_classify` reads an international prefix)
        m = _FROM_ABROAD.fullmatch(digits if sign else digits[2:])
        return m.group(1) if m is not None and m.group(1) in self.book.numbers else None

    # -- classification ------------------------------------------------------------------

    def _classify(self, sign: str, digits: str):
        """(verdict, normalized, institution, reasons, official, details)."""
        # International prefix: "+", "00", or the spoofers' "000".
        if sign or digits.startswith("00"):
            after = digits if sign else digits[2:]
            prefix = "+" if sign else "00"
            if not sign and after.startswith("0"):
                after, prefix = after[1:], "000"
            if after.startswith("86") and len(after) > 2:
                return self._domestic(after[2:], via=f"{prefix}86")
            return self._international(after, prefix)
        # "86 138…" without the plus, or a carrier's IP-dialling prefix (17951 138…), in front of
        # a mobile number: the same number, written the way some phones and people write it.
        for lead in ("86", "0", *IP_DIALLING_PREFIXES):
            if digits.startswith(lead) and _is_mobile(digits[len(lead):]):
                return self._domestic(digits[len(lead):], via="")
        return self._domestic(digits, via="")

    def _international(self, digits: str, prefix: str):
        if len(digits) < 3 or digits.startswith("0"):  # no country code starts with 0
            return INVALID, None, None, ["国际前缀后面没有有效的国家或地区代码，不是电话号码。"], None, []
        official = self._service.get(digits) or self.book.numbers.get(digits)
        if official is not None:
            return (LOOKALIKE, f"+{digits}", official.institution,
                    [f"这是{official.institution.name_zh}的官方号码 {official.number} 前面加了国际前缀“{prefix}”。",
                     "真正的客服号码从境内打来，不会带国际前缀；这是冒充官方号码的常见手法。"], official, [])
        for number, official in self._service.items():
            if digits.startswith(number):
                return (LOOKALIKE, f"+{digits}", official.institution,
                        [f"号码以{official.institution.name_zh}的官方号码 {number} 开头，但带着国际前缀“{prefix}”，"
                         "其实是境外号码。", "真正的客服号码从境内打来，不会带国际前缀。"], official, [])
        try:
            parsed = phonenumbers.parse("+" + digits, None)
            region = phonenumbers.region_code_for_country_code(parsed.country_code)
        except phonenumbers.NumberParseException:
            parsed, region = None, None
        if not region or region == "ZZ":
            return (RISKY, f"+{digits}", None,
                    ["号码带国际前缀，但不是任何国家或地区的有效号码，通常是改号软件伪造的。"], None, [])
        place = _region_name(region)
        reasons = [f"这是来自境外（{place}，国际区号 +{parsed.country_code}）的号码。",
                   "境内银行、支付宝等平台的客服不会用境外号码联系你；自称客服、公检法的境外来电基本都是诈骗。"]
        if parsed.country_code == 95:
            reasons.append("“+95”是缅甸的国际区号，与支付宝 95188 等 95 开头的客服号码无关。")
        return RISKY, f"+{digits}", None, reasons, None, []

    def _domestic(self, digits: str, via: str):
        numbers = self.book.numbers
        if via and not digits.startswith("0"):
            official = numbers.get(digits)
            if official is not None:  # a service or emergency number behind +86/00: never genuine
                return (LOOKALIKE, f"+86{digits}", official.institution,
                        [f"这是{official.institution.name_zh}的官方号码 {digits} 前面加了“{via}”。",
                         "客服号码在境内显示时不带 +86；带 +86 的客服号码来电是记录在案的冒充手法。"], official, [])
            # +86 drops a landline's trunk 0 ("+86 21 …", "+86 10 12321"): write it as dialled here.
            if ("0" + digits) in numbers or self._is_landline(digits):
                digits = "0" + digits
        official = numbers.get(digits)
        if official is not None:
            return OFFICIAL, digits, official.institution, self._official_reasons(official), official, []

        misinfo = self.book.misinformation.get(digits)
        if misinfo is not None:
            return (UNKNOWN, digits, misinfo.claimed_for,
                    [misinfo.note, "这个号码不在官方名单上。"], None, [])

        area = self._area_code_form(digits)
        if area is not None:
            area_code, official = area
            if via:  # an international prefix in front is never how a genuine call shows
                national = digits[1:] if digits.startswith("0") else digits  # +86 drops the trunk 0
                return (LOOKALIKE, "+86" + national, official.institution,
                        [f"号码是“{via}”加区号 {area_code} 再加{official.institution.name_zh}的官方号码 {official.number}。",
                         "真实的来电不会带国际前缀；在官方号码前加前缀是记录在案的冒充手法。"], official, [])
            if official.area_code == "genuine":
                return (OFFICIAL, digits, official.institution,
                        [f"区号 {area_code} + {official.number}：{official.institution.name_zh}的真实来电就是这样显示的。",
                         *self._official_reasons(official)], official, [])
            return (UNKNOWN, digits, official.institution,
                    [f"这是区号 {area_code} 加上{official.institution.name_zh}的官方号码 {official.number}。",
                     "这种显示说不准：有的银行外包呼叫中心在外地，来电会带区号；骗子也常用“区号+95号码”冒充。",
                     "无法确认是真是假，请挂断后自己拨打官方号码核实。"], official, [])

        parsed = self._parse_cn(digits)
        valid_type = phonenumbers.number_type(parsed) if parsed is not None and phonenumbers.is_valid_number(parsed) else None
        ordinary = valid_type in (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE,
                                  PhoneNumberType.FIXED_LINE_OR_MOBILE)
        if not ordinary:
            added = self._added_digits(digits)
            if added is not None:
                official, position = added
                return (LOOKALIKE, digits, official.institution,
                        [f"号码在{official.institution.name_zh}的官方号码 {official.number} {position}多了几位数字。",
                         "官方客服号码是固定的，多一位少一位都不是官方号码；这是冒充的常见手法。"], official, [])

        if valid_type == PhoneNumberType.MOBILE or (valid_type is not None and len(digits) == 11 and digits[0] == "1"):
            for risky in self._ranges:
                if digits.startswith(risky.prefix):
                    return (RISKY, digits, None,
                            [f"{digits[:3]} 开头属于{risky.label}。",
                             "银行、支付平台和政府部门不会用虚拟运营商号码联系你；诈骗电话中这类号段比例很高，"
                             "但也有快递员等正常用户在用，所以只是风险提示，不是证据。"], None,
                            self._describe(parsed))

        changed = self._changed_digit(digits)
        if changed is not None and not ordinary:
            name = changed.institution.name_zh
            if changed.verified == "V3":
                # The anchor itself is only corroborated: too weak to call a neighbour fake
                # (95010 is Ctrip's line, one digit from WeChat Pay's V3 95017).
                return (UNKNOWN, digits, None,
                        [f"号码与{name}的官方号码 {changed.number} 只差一位数字，但不在官方名单上。",
                         f"可能是另一家机构的号码；如果对方自称{name}，那就是冒充。"], None, [])
            if len(digits) <= 6 and digits.startswith(LARGE_ENTERPRISE_BLOCKS):
                return (UNKNOWN, digits, None,
                        [f"号码与{name}的官方号码 {changed.number} 只差一位数字，但不在官方名单上。",
                         f"{digits[:3]} 开头的短号码按工信部分配属于大型银行、保险、航空、电力等企业，"
                         f"可能是另一家机构的号码；如果对方自称{name}，那就是冒充。"], None, [])
            return (LOOKALIKE, digits, changed.institution,
                    [f"号码与{name}的官方号码 {changed.number} 只差一位数字。",
                     f"如果对方自称{name}，基本可以判定是冒充。"], changed, [])

        return self._unknown_kind(digits, parsed, valid_type)

    def _official_reasons(self, official: OfficialNumber) -> list[str]:
        inst = official.institution
        reasons = [f"{official.number} 是{inst.name_zh}的官方号码（核实等级 {official.verified}，来源已记录）。"]
        if official.note:
            reasons.append(official.note)
        if "inbound_only" in official.uses:
            reasons.append("这个号码只供用户拨入，不对外呼叫；如果它“打给了你”，很可能是伪造的来电显示。")
        elif official.uses == frozenset({"sms"}):
            reasons.append("这是短信发送号码，不会用来打电话。")
        reasons.append("号码对得上也不等于安全：来电显示和短信发件人都可以伪造。")
        return reasons

    def _area_code_form(self, digits: str) -> tuple[str, OfficialNumber] | None:
        """("0xx", official) when `digits` is a Chinese area code (with or without its trunk 0)
        followed by a listed 95/96 number (e.g. 021 95588, 025 96110, 1095188)."""
        trunk = "" if digits.startswith("0") else "0"
        for length in (2, 3):  # area codes are 2 or 3 digits after the trunk 0
            area_code, rest = trunk + digits[:length + 1 - len(trunk)], digits[length + 1 - len(trunk):]
            official = self.book.numbers.get(rest)
            if official is None or not rest.startswith("9") or len(rest) not in (5, 6):
                continue
            probe = self._parse_cn(area_code + "88888888")
            if probe is not None and _geocoder().description_for_number(probe, "zh") not in ("", "中国"):
                return area_code, official
        return None

    def _added_digits(self, digits: str) -> tuple[OfficialNumber, str] | None:
        best = None
        for number, official in self._service.items():
            extra = len(digits) - len(number)
            if not 0 < extra <= MAX_ADDED_DIGITS:
                continue
            if digits.startswith(number):
                candidate = (official, "后面")
            elif digits.endswith(number):
                candidate = (official, "前面")
            else:
                continue
            if best is None or len(number) > len(best[0].number):
                best = candidate
        return best

    def _changed_digit(self, digits: str) -> OfficialNumber | None:
        for number, official in self._service.items():
            if (len(number) == len(digits) and official.institution.category in CHANGED_DIGIT_CATEGORIES
                    and sum(a != b for a, b in zip(number, digits)) == 1):
                return official
        return None

    def _unknown_kind(self, digits: str, parsed, valid_type):
        details = self._describe(parsed) if valid_type is not None else []
        if valid_type in (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE, PhoneNumberType.FIXED_LINE_OR_MOBILE):
            if valid_type == PhoneNumberType.MOBILE:
                return (UNKNOWN, digits, None,
                        ["这是一个普通的手机号码，不在官方客服号码名单上。",
                         "银行和支付平台的客服一般不用个人手机号联系你。"], None, details)
            normalized = digits if digits.startswith("0") else "0" + digits
            return (UNKNOWN, normalized, None,
                    ["这是一个普通的固定电话，不在官方客服号码名单上。",
                     "自称银行、平台客服的固定电话来电，要挂断后自己拨打官方号码核实。"], None, details)
        if valid_type in (PhoneNumberType.SHARED_COST, PhoneNumberType.TOLL_FREE):
            return (UNKNOWN, digits, None,
                    [f"这是一个 {digits[:3]} 号码（企业服务热线），不在官方名单上。",
                     "大企业的 400/800 号码一般只供用户拨入；政府部门不用 400 号码。"], None, details)
        if digits.startswith("106"):
            return (UNKNOWN, digits, None,
                    ["106 开头是运营商的短信群发端口，验证码、通知和诈骗短信都可能用它。",
                     "只凭发件号码无法判断真假，要看短信内容有没有链接、是否索要验证码或让你转账。"], None, [])
        if parsed is not None and shortnumberinfo.is_valid_short_number(parsed):
            reasons = ["这是一个服务短号码，不在我们的官方名单上。"]
            if digits.startswith(("953", "955", "956")):
                reasons.append("按工信部的分配，953/955/956 开头的短号码属于大型银行、保险、航空等企业；"
                               "但号码不在名单上，无法确认是哪家，且来电显示可以伪造。")
            elif digits.startswith(("950", "951", "952", "954", "957")):
                reasons.append("按工信部的说明，950/951/952/954/957 开头的号码由呼叫中心运营商使用，"
                               "正规企业和不良企业都有，需要进一步判断。")
            return UNKNOWN, digits, None, reasons, None, []
        if 7 <= len(digits) <= 8 and digits[0] not in "01":
            return (UNKNOWN, digits, None,
                    ["这可能是省略了区号的本地固定电话，不在官方名单上。"], None, [])
        return INVALID, None, None, ["这不是有效的电话号码：位数或开头不符合任何号码规则。"], None, []

    def _is_landline(self, digits: str) -> bool:
        """A landline number written without its trunk 0 (mobiles start with 1, 400/800 with 4/8)."""
        parsed = self._parse_cn(digits)
        return (parsed is not None and not digits.startswith(("1", "4", "8"))
                and phonenumbers.number_type(parsed) in (PhoneNumberType.FIXED_LINE, PhoneNumberType.SHARED_COST,
                                                         PhoneNumberType.FIXED_LINE_OR_MOBILE))

    @staticmethod
    def _parse_cn(digits: str):
        try:
            return phonenumbers.parse(digits, "CN")
        except phonenumbers.NumberParseException:
            return None

    @staticmethod
    def _describe(parsed) -> list[str]:
        if parsed is None:
            return []
        from phonenumbers import carrier

        place = _geocoder().description_for_number(parsed, "zh")
        operator = carrier.name_for_number(parsed, "zh")
        details = []
        if place and place != "中国":
            details.append(f"归属地：{place}")
        if operator:
            details.append(f"号段运营商：{operator}（携号转网后可能已变）")
        return details

    # -- results -------------------------------------------------------------------------

    def _invalid(self, display: str, reason: str) -> CheckResult:
        return CheckResult(display, None, INVALID, None, (reason,), INVALID_ADVICE)

    def _finish(self, display, reports, verdict, normalized, institution, reasons, official, details) -> CheckResult:
        result = CheckResult(display, normalized, verdict, institution, tuple(reasons),
                             self._advice(verdict, official), 0, official, tuple(details))
        return self.with_reports(result, reports)

    @staticmethod
    def with_reports(result: CheckResult, reports: int) -> CheckResult:
        """The same verdict with the community report count attached; the verdict never changes.
        A count is shown once REPORT_MIN_REPORTERS distinct users reported the number (one
        person's report is not yet a warning for everyone). An official number is only ever
        said to be spoofed, and only after an admin confirmed a report (`reports.confirmed`)."""
        if reports <= 0:
            return result
        if result.verdict == OFFICIAL:
            if not getattr(reports, "confirmed", False):
                return dataclasses.replace(result, reports=int(reports))
            note = "经管理员核实：有人在冒用（伪造）这个官方号码打电话或发短信。号码本身是官方的，接到请挂断，自己拨打核实。"
        elif reports >= REPORT_MIN_REPORTERS or getattr(reports, "confirmed", False):
            note = f"已有 {int(reports)} 位用户举报过这个号码。"
        else:
            return dataclasses.replace(result, reports=int(reports))
        return dataclasses.replace(result, reasons=(*result.reasons, note), reports=int(reports))

    def _advice(self, verdict: str, official: OfficialNumber | None) -> str:
        if verdict == OFFICIAL and official is not None and "calls" in official.uses \
                and official.institution.category == "public" and official.area_code == "genuine":
            return ("请接听并认真听民警的提醒：这条专线打给你，说明你或家人可能正在被骗。"
                    "真警察不会让你转账。" + self.reminder)
        if verdict == INVALID:
            return INVALID_ADVICE
        first = {
            OFFICIAL: "号码在官方名单上，但来电显示可以伪造。",
            LOOKALIKE: "这不是官方号码，很可能是冒充。不要回拨，不要按对方说的操作。",
            RISKY: "这是高风险号码：不要透露任何信息，不要转账。",
            UNKNOWN: "无法确认对方身份，先当作陌生来电对待。",
        }[verdict]
        call_back = ""
        if official is not None:
            call_back = f"{official.institution.name_zh}的官方号码是 {self._main_number(official.institution)}。"
        return first + call_back + self.reminder

    def _main_number(self, institution: Institution) -> str:
        """The institution's first listed number that people can call (its main hotline)."""
        for number, official in self.book.numbers.items():
            if official.institution.id == institution.id and "inbound" in official.uses:
                return number
        return next(n for n, o in self.book.numbers.items() if o.institution.id == institution.id)


ReportCounter = Callable[[str], int]


def check_with_reports(checker: Checker, raw: str, counts: Mapping[str, int] | ReportCounter | None) -> CheckResult:
    """Check a number and attach community reports (counted by normalized number) when a
    counter is given; works the same without one."""
    result = checker.check(raw)
    if counts is None or result.normalized is None:
        return result
    count = counts(result.normalized) if callable(counts) else counts.get(result.normalized, 0)
    return checker.with_reports(result, count)
