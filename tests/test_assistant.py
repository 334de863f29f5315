"""Routing free text: numbers are checked, messages scanned, questions answered."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.assistant import CHECK, EMPTY, QUESTION, SCAN
from bot.core.replies import render_html_chunks, render_text


@pytest.mark.parametrize("text, kind", [
    ("95188", CHECK),
    ("+86 138 0013 8000", CHECK),
    ("021-95588", CHECK),
    ("借呗被盗了怎么办", QUESTION),
    ("95188是支付宝的客服电话吗", QUESTION),      # a question that mentions a number
    ("0571-88888888 打来的", CHECK),              # a number with a few words: check it
    ("【蚂蚁金服】您的银行卡已被冻结，请点击 a.ccbt.icu 认证", SCAN),  # has a link
    ("第一行\n第二行", SCAN),
    ("我是花呗客服，你的账户涉嫌违规，需要上门核实，请先缴纳保证金五百元，联系电话0571-88888888，否则影响征信", SCAN),
    ("", EMPTY), ("   ", EMPTY), ("😀😀", EMPTY), ("？？？", EMPTY),
])
def test_respond_routes_by_what_the_text_is(assistant, text, kind):
    assert assistant.respond(text).kind == kind


def test_forwarded_text_is_always_scanned(assistant):
    assert assistant.respond("借呗被盗了怎么办", forwarded=True).kind == SCAN


def test_empty_input_gets_a_helpful_hint(assistant):
    reply = assistant.respond("🙏").reply
    assert "号码" in render_text(reply) and "例如" in render_text(reply)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=300))
def test_any_text_gets_a_reply_and_renders(assistant, text):
    response = assistant.respond(text)
    assert response.kind in (CHECK, EMPTY, QUESTION, SCAN)
    assert render_text(response.reply)
    assert all(len(chunk) <= 4096 for chunk in render_html_chunks(response.reply))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.from_regex(r"[+(（]?[0-9０-９ \-().]{0,24}", fullmatch=True))
def test_any_number_like_text_checks_without_raising(assistant, text):
    result = assistant.checker.check(text)
    assert result.verdict in ("official", "lookalike", "risky", "unknown", "invalid")
    assert result.advice
