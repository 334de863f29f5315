"""The number checker: every verdict, in the formats people really type, and hostile input."""

from __future__ import annotations

import json

import pytest

from bot.core.checker import INVALID, LOOKALIKE, OFFICIAL, RISKY, UNKNOWN, Checker, check_with_reports
from bot.core.knowledge import load_knowledge


@pytest.fixture(scope="module")
def checker(knowledge) -> Checker:
    return Checker(knowledge.numbers, knowledge.messages.verdict_reminder)


def verdict(checker, raw):
    result = checker.check(raw)
    return result.verdict, result.normalized, result.institution.id if result.institution else None


@pytest.mark.parametrize("raw, normalized, institution", [
    ("95188", "95188", "alipay"),
    ("951 88", "95188", "alipay"),
    ("９５１８８", "95188", "alipay"),                 # full-width digits
    ("955-88", "95588", "icbc"),
    ("（95533）", "95533", "ccb"),
    ("400-820-0588", "4008200588", "ccb"),
    ("400.820.0588", "4008200588", "ccb"),
    ("10086", "10086", "china_mobile"),
    ("025-96110", "02596110", "mps_anti_fraud"),        # 96110 really calls as area code + 96110
    ("96110", "96110", "mps_anti_fraud"),
    ("010-12321", "01012321", None),
    ("+86 10 12321", "01012321", None),      # +86 drops the trunk 0 of a landline
    ("tel:95566", "95566", "boc"),
    ("九五一八八", "95188", "alipay"),                  # written in Chinese digits
])
def test_official_numbers_in_many_formats(checker, knowledge, raw, normalized, institution):
    result = checker.check(raw)
    assert result.verdict == OFFICIAL, (raw, result.reasons)
    assert result.normalized == normalized
    if institution:
        assert result.institution.id == institution


def test_official_is_never_called_safe(checker):
    result = checker.check("95188")
    assert "伪造" in " ".join(result.reasons)
    assert "验证码" in result.advice and "自己拨打" in result.advice


def test_96110_tells_the_user_to_answer(checker):
    for raw in ("96110", "0571-96110"):
        result = checker.check(raw)
        assert result.verdict == OFFICIAL and result.advice.startswith("请接听")


def test_inbound_only_lines_warn_that_a_call_from_them_is_spoofed(checker, knowledge_copy):
    # Only a sourced statement makes a line inbound-only: 110 does call back in some regions,
    # Douyin calls users from 95152, and WeChat's 400 line is only said never to call abroad
    # (fact check, 2026-11-30), so none of them is called spoofed.
    for number in ("110", "95152", "4006700700"):
        assert "只供用户拨入" not in " ".join(checker.check(number).reasons), number
    # A line whose source does say so gets the warning.
    path = knowledge_copy / "numbers.yaml"
    text = path.read_text(encoding="utf-8")
    marked = text.replace('      - number: "4006700700"\n        uses: [inbound]',
                          '      - number: "4006700700"\n        uses: [inbound, inbound_only]')
    assert marked != text
    path.write_text(marked, encoding="utf-8")
    copied = load_knowledge(knowledge_copy)
    assert "只供用户拨入" in " ".join(Checker(copied.numbers, copied.messages.verdict_reminder).check("4006700700").reasons)


@pytest.mark.parametrize("raw, normalized, institution", [
    ("955880", "955880", "icbc"),            # digits added after
    ("+95588", "+95588", "icbc"),            # behind an international prefix
    ("0095533", "+95533", "ccb"),
    ("00095588", "+95588", "icbc"),          # the spoofers' 000 prefix
    ("+86 95588", "+8695588", "icbc"),       # +86 in front of a service number
    ("0086-95188", "+8695188", "alipay"),
    ("+86 400 670 0700", "+864006700700", "wechat"),
    ("40095588", "40095588", "icbc"),        # 400 in front
    ("195188", "195188", "alipay"),
    ("95187", "95187", "alipay"),            # one digit changed (shared call-centre block)
    ("4008200589", "4008200589", "ccb"),     # one digit changed in a 400 line
    ("+95 188 1234", "+951881234", "alipay"),  # +95 is Myanmar, not Alipay
    ("0086 025 96110", "+862596110", "mps_anti_fraud"),   # a prefix in front of 96110 is fake
    ("+86 025 96110", "+862596110", "mps_anti_fraud"),
    ("+86 110", "+86110", "police"),         # even short emergency numbers
    ("00110", "+110", "police"),
    ("+86 21 95588", "+862195588", "icbc"),
    ("+86-10-95588", "+861095588", "icbc"),  # Beijing's 10 has no trunk 0 to drop: no digit lost
])
def test_lookalikes_name_the_imitated_institution(checker, raw, normalized, institution):
    result = checker.check(raw)
    assert result.verdict == LOOKALIKE, (raw, result.verdict, result.reasons)
    assert result.normalized == normalized and result.institution.id == institution
    assert "很可能是冒充" in result.advice


@pytest.mark.parametrize("raw", [
    "17012345678", "170 1234 5678", "1711-234-5678", "16212345678", "16512345678", "16712345678",
    "+852 2123 4567", "00852 21234567", "+1 415 555 0100", "+95 9 123 456 789", "+44 20 7946 0958",
])
def test_risky_kinds_of_number(checker, raw):
    result = checker.check(raw)
    assert result.verdict == RISKY, (raw, result.verdict, result.reasons)
    assert result.institution is None
    assert "不是证据" in " ".join(result.reasons) or "境外" in " ".join(result.reasons)


@pytest.mark.parametrize("raw, normalized", [
    ("13800138000", "13800138000"),
    ("138 0013 8000", "13800138000"),
    ("+86 138 0013 8000", "13800138000"),
    ("86 13800138000", "13800138000"),
    ("17951 138 0013 8000", "13800138000"),
    ("0-13800138000", "13800138000"),
    ("+86 21 5555 6666", "02155556666"),
    ("0571-88888888", "057188888888"),
    ("(010)12345678", "01012345678"),
    ("4001234567", "4001234567"),
    ("95598", "95598"),          # a neighbour of 95588 in the large-enterprise block: not called fake
    ("12345", "12345"),          # one digit from 12315, but public numbers are not compared
    ("950123", "950123"),
    ("10659123456", "10659123456"),
])
def test_unknown_ordinary_numbers(checker, raw, normalized):
    result = checker.check(raw)
    assert result.verdict == UNKNOWN, (raw, result.verdict, result.reasons)
    assert result.normalized == normalized


def test_area_code_in_front_of_a_95_number_is_ambiguous_not_fake(checker):
    for raw in ("021-95588", "02195588", "0755 95555", "1095188"):
        result = checker.check(raw)
        assert result.verdict == UNKNOWN and result.institution is not None
        assert "说不准" in " ".join(result.reasons)


def test_misinformation_numbers_say_what_is_wrong(checker):
    result = checker.check("95055")
    assert result.verdict == UNKNOWN and "95188" in " ".join(result.reasons)


@pytest.mark.parametrize("raw", [
    "", "   ", "abc", "hello 95188 world", "😀😀", "'; DROP TABLE numbers; --", "95188' OR '1'='1",
    "12", "9" * 25, "1" * 10_000, "\x00\x01\x02", "\u200b\u200b", "95188\n95588", "+", "--",
    "<script>alert(1)</script>", "3-2-1108", "12345678901234", "0000000",
])
def test_hostile_input_is_invalid_with_a_clear_reason_never_an_exception(checker, raw):
    result = checker.check(raw)
    assert result.verdict == INVALID
    assert result.reasons and result.advice
    assert len(result.input) <= 256
    json.dumps(result.to_dict(), ensure_ascii=False)


def test_json_shape(checker):
    data = checker.check("+95588").to_dict()
    assert set(data) == {"input", "normalized", "verdict", "institution", "reasons", "advice", "reports"}
    assert data["institution"] == "中国工商银行" and data["reports"] == 0


def test_reports_are_an_optional_input_shown_past_a_threshold(checker):
    from bot.storage import ReportCount

    plain = check_with_reports(checker, "13800138000", None)
    counted = check_with_reports(checker, "138 0013 8000", {"13800138000": 3})
    assert plain.reports == 0 and counted.reports == 3
    assert "3 位用户举报" in " ".join(counted.reasons)
    one = check_with_reports(checker, "13800138000", {"13800138000": 1})
    assert one.reports == 1 and "举报" not in " ".join(one.reasons)      # one person is not yet a warning
    official = check_with_reports(checker, "95188", lambda number: 2)
    assert official.verdict == OFFICIAL   # reports never turn an official number into a scam number
    assert "冒用" not in " ".join(official.reasons)                       # not before an admin confirms
    confirmed = check_with_reports(checker, "95188", lambda number: ReportCount(2, confirmed=True))
    assert confirmed.verdict == OFFICIAL and "冒用" in " ".join(confirmed.reasons)
    assert "诈骗号码" not in " ".join(confirmed.reasons)


def test_every_listed_number_checks_as_official(checker, knowledge):
    for number in knowledge.numbers.numbers:
        assert checker.check(number).verdict == OFFICIAL, number


@pytest.mark.parametrize("raw, home", [
    ("+86-10-95588", "95588"), ("+86 95588", "95588"), ("0086 755 95555", "95555"),
    ("+852 10086", "10086"), ("+86-10-12308", "12308"),
    ("+86-10-95599999", None),    # not a listed number once the area code is taken off
    ("95588", None),              # no country code: nothing dialled from abroad
    ("+1 95588", None),           # not a Chinese country code
    ("", None), ("+", None),
])
def test_dialled_from_abroad_names_the_listed_number_behind_a_country_code(checker, raw, home):
    assert checker.dialled_from_abroad(raw) == home
    if home is not None:  # as a caller ID the same digits are never the official number
        assert checker.check(raw).verdict != OFFICIAL
