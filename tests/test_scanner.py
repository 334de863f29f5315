"""The message scanner on realistic scam and genuine messages, and on hostile input."""

from __future__ import annotations

import json

import pytest
import yaml

from bot.core.scanner import HIGH, LOW, MEDIUM, Scanner, mask_card

from .conftest import DATA

MESSAGES = yaml.safe_load((DATA / "scan_messages.yaml").read_text("utf-8"))["messages"]


@pytest.fixture(scope="module")
def scanner(assistant) -> Scanner:
    return assistant.scanner


def test_there_are_enough_messages_of_both_kinds():
    assert len(MESSAGES) >= 20
    assert sum(m["risk"] == HIGH for m in MESSAGES) >= 8 and sum(m["risk"] == LOW for m in MESSAGES) >= 6


@pytest.mark.parametrize("case", MESSAGES, ids=[m["text"][:18] for m in MESSAGES])
def test_realistic_message(scanner, knowledge, case):
    result = scanner.scan(case["text"])
    found = {s.name for s in result.signals}
    assert result.risk == case["risk"], (case["text"], result.risk, [(s.name, s.evidence) for s in result.signals])
    for name in case.get("signals", []):
        assert name in found, (name, found)
    verdicts = {n.normalized: n.verdict for n in result.numbers}
    for number, verdict in (case.get("verdicts") or {}).items():
        assert verdicts.get(str(number)) == verdict, (number, verdicts)
    for url in case.get("urls", []):
        assert url in result.urls
    for finding in result.signals:
        assert finding.evidence and len(finding.evidence) <= 80
    for entry_id in result.related:
        assert entry_id in knowledge
    if result.risk == HIGH:
        assert result.related, "a high-risk message must point to explanations"
    assert "验证码" in result.advice


def test_amounts_dates_codes_and_tail_numbers_are_not_phone_numbers(scanner):
    result = scanner.scan("验证码 123456。尾号 8888 的卡于2024-11-20消费 12345.00 元，订单号 987654321，余额 56789 元。")
    assert result.numbers == ()


def test_genuine_code_message_does_not_raise_the_code_signal(scanner):
    assert "verification_code" not in {s.name for s in scanner.scan("您的验证码是 5521，请勿告诉任何人。").signals}
    assert "verification_code" in {s.name for s in scanner.scan("请把验证码发给我，我帮你处理").signals}


def test_bank_cards_are_masked_and_urls_deduplicated(scanner):
    result = scanner.scan("转到 6222020012345678901 再转到 6222020012345678901，详见 www.abc.icu 和 www.abc.icu")
    assert result.cards == (mask_card("6222020012345678901"),)
    assert "1234" not in result.cards[0][5:-4]
    assert result.urls == ("www.abc.icu",)


def test_traditional_characters_and_full_width_text(scanner):
    result = scanner.scan("【螞蟻金服】您的銀行卡已被凍結，請點擊 ａ.ｃｃｂｔ.ｉｃｕ 解凍。")
    assert result.risk == HIGH and "a.ccbt.icu" in result.urls


@pytest.mark.parametrize("hostile", [
    "", " ", "😀" * 5000, "\u200b" * 10_000, "'; DROP TABLE messages; --", "\x00\x01\xff" * 100,
    "9" * 10_000, "a" * 50_000, "共享屏幕" * 3000, "http://" * 2000, "<b>验证码</b>&amp;",
])
def test_hostile_input_never_raises(scanner, hostile):
    result = scanner.scan(hostile)
    assert result.risk in (HIGH, MEDIUM, LOW)
    json.dumps(result.to_dict(), ensure_ascii=False)


def test_huge_message_is_truncated_and_says_so(scanner):
    result = scanner.scan("正常内容。" * 10_000 + "请把验证码发给我")
    assert result.truncated
    assert "verification_code" not in {s.name for s in result.signals}   # beyond the scanned part


def test_json_shape(scanner):
    data = scanner.scan(MESSAGES[0]["text"]).to_dict()
    assert set(data) == {"risk", "numbers", "urls", "signals", "related", "advice", "fraud_type", "links"}
    assert all(set(s) == {"name", "evidence"} for s in data["signals"])


def test_reports_reach_the_numbers_found(scanner):
    result = scanner.scan("对方电话 138 0013 8000 说要上门核实", reports={"13800138000": 4})
    assert result.numbers[0].reports == 4


AMOUNT_TEMPLATES = ["你往里面转{n}，让公司把账目对一下", "这批货一共{n}箱，明天到", "密码：{n}", "验证码{n}，五分钟内有效",
                    "订单号{n}已发货", "股票代码{n}今天涨停了", "总共{n}块，AA一下", "共{n}件，收到请回复",
                    "工资{n}已到账", "打{n}到我卡上", "房间号{n}，晚上见", "取件码{n}"]


def test_no_amount_quantity_or_code_is_ever_an_official_number(scanner, knowledge):
    """Issue 10: amounts, quantities, codes, order and stock numbers are not phone numbers, so
    no official number (10000, 110, 95588…) written as one of them is reported as official."""
    for number in knowledge.numbers.numbers:
        for template in AMOUNT_TEMPLATES:
            text = template.format(n=number)
            listed = {n.normalized: n.verdict for n in scanner.scan(text).numbers}
            assert "official" not in listed.values(), (text, listed)


def test_service_numbers_in_a_phone_context_are_still_checked(scanner):
    result = scanner.scan("如有疑问请拨打110或96110。客服电话：95588")
    assert {n.normalized for n in result.numbers} >= {"110", "96110", "95588"}
    assert scanner.scan("【95533】您尾号1234的账户").numbers[0].normalized == "95533"
