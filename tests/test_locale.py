"""Replies in the script the user reads."""

from __future__ import annotations

from bot.core.locale import (SIMPLIFIED, TRADITIONAL_HK, TRADITIONAL_TW, convert, convert_reply, script_for,
                             written_in_traditional)
from bot.core.replies import render_text


def test_detects_traditional_writing():
    assert written_in_traditional("借唄被盜了怎麼辦")
    assert not written_in_traditional("借呗被盗了怎么办")
    assert not written_in_traditional("95188")
    assert not written_in_traditional("們")             # too little to tell


def test_script_choice_order_stored_then_text_then_language():
    assert script_for("zh-hans", "借呗被盗了") == SIMPLIFIED
    assert script_for("zh-hant", "借呗被盗了") == TRADITIONAL_HK
    assert script_for("zh-TW", "") == TRADITIONAL_TW
    assert script_for("en", "借唄被盜了怎麼辦") == TRADITIONAL_HK
    assert script_for("zh-tw", "借唄被盜了怎麼辦") == TRADITIONAL_TW
    assert script_for("zh-hk", "借唄被盜了", stored=SIMPLIFIED) == SIMPLIFIED


def test_a_whole_answer_is_converted_and_keeps_numbers(assistant):
    reply = assistant.ask("借呗被盗了怎么办").reply
    hk = render_text(convert_reply(reply, TRADITIONAL_HK))
    tw = render_text(convert_reply(reply, TRADITIONAL_TW))
    assert "盜" in hk and "95188" in hk and "盗" not in hk
    assert "盜" in tw
    assert convert("软件", TRADITIONAL_TW) == "軟體"
    assert convert_reply(reply, SIMPLIFIED) is reply
    assert [c.value for c in convert_reply(reply, TRADITIONAL_HK).related] == [c.value for c in reply.related]
