"""Questions about an institution are answered from numbers.yaml, for the institution named."""

from __future__ import annotations

import pytest

from bot.core.institutions import NUMBER_PREFIX, UNLISTED_ID
from bot.core.matcher import ANSWERED, NO_MATCH, SUGGEST, Calibration, Candidate, decide


@pytest.mark.parametrize("question, institution, number", [
    ("农业银行客服电话是多少", "abc", "95599"),
    ("招行的官方客服电话", "cmb", "95555"),
    ("建行客服电话多少", "ccb", "95533"),
    ("工行的官方号码", "icbc", "95588"),
    ("银联的客服电话多少", "unionpay", "95516"),
    ("云闪付客服电话", "unionpay", "95516"),
    ("邮储银行客服电话", "psbc", "95580"),
    ("抖音官方客服电话是多少", "douyin", "95152"),
])
def test_the_number_of_the_institution_named(assistant, question, institution, number):
    result = assistant.ask(question).result
    assert result.status == ANSWERED and result.entry.id == NUMBER_PREFIX + institution, (question, result)
    assert number in result.answer and "伪造" in result.answer and "挂断" in result.answer


def test_several_institutions_in_one_question_get_one_answer_listing_each(assistant):
    result = assistant.ask("移动联通电信的客服电话分别是多少").result
    assert result.status == ANSWERED
    for number in ("10086", "10010", "10000"):
        assert number in result.answer


def test_an_institution_we_do_not_list_gets_an_honest_not_on_our_list(assistant):
    result = assistant.ask("浙商银行的客服电话是多少").result
    assert result.status == ANSWERED and result.entry.id == UNLISTED_ID
    assert "官方App" in result.answer and "95" not in result.answer.split("。")[0]


def test_a_general_answer_gets_the_named_institutions_numbers(assistant):
    result = assistant.ask("建行卡被盗刷了怎么办").result
    assert result.status == ANSWERED and "95533" in result.answer
    assert "95188" not in (result.numbers_note or "")


def test_a_public_line_is_named_as_such_not_as_customer_service(assistant):
    result = assistant.ask("消防队说要采购器材 让我先打款给厂家").result
    assert result.status == ANSWERED and result.entry.id == "fake-procurement-order"
    note = result.numbers_note or ""
    assert "紧急求助电话：119" in note and "紧急求助电话的官方客服电话" not in note
    # a company's line keeps its label
    assert "中国工商银行的官方客服电话：95588" in (assistant.ask("工行卡被盗刷了怎么办").result.numbers_note or "")


def test_alipay_only_steps_never_answer_a_question_about_another_platform(assistant):
    for question in ("微信支付被盗了怎么办", "微信钱包的钱被人转走了", "银行卡被盗刷了怎么办"):
        for candidate in assistant.matcher.candidates(question, limit=5):
            assert "alipay" not in candidate.entry.applies_to, (question, candidate.entry.id)


@pytest.mark.parametrize("question", ["农行ETC怎么办理", "中国银行外币兑换要预约吗", "招商银行和建设银行的信用卡哪个额度高",
                                      "电信手机号被盗了，绑的建行卡有风险吗"])
def test_a_question_naming_a_bank_but_not_asking_for_its_number_gets_no_number_entry(assistant, question):
    result = assistant.ask(question).result
    assert result.entry is None or not result.entry.id.startswith(NUMBER_PREFIX), (question, result.entry.id)
    for candidate in assistant.matcher.candidates(question, limit=5):
        assert not candidate.entry.id.startswith(NUMBER_PREFIX), (question, candidate.entry.id)


@pytest.mark.parametrize("question, number", [("光大银行", "95595"), ("工行VIP客户专线是多少", "95588"),
                                              ("邮储银行官网", "psbc.com"), ("建设银行网址", "ccb.com")])
def test_a_bare_name_or_a_question_for_an_address_still_gets_the_number_entry(assistant, question, number):
    result = assistant.ask(question).result
    assert result.status == ANSWERED and result.entry.id.startswith(NUMBER_PREFIX), (question, result)
    assert number in result.answer


def test_everyday_words_do_not_name_a_carrier_or_bank(assistant):
    canon = assistant.matcher.canonical
    named = assistant.matcher.institutions.mentioned
    assert named(canon("被电信诈骗了怎么办")) == []
    assert named(canon("平安夜快乐")) == []
    assert [i.id for i in named(canon("电信客服打电话给我"))] == ["china_telecom"]
    assert [i.id for i in named(canon("我电信的号被人盗用了"))] == ["china_telecom"]  # 号: the phone number
    # bank names typed by sound must not be read into airlines and offices (建航 in 福建航空, 公行 in 办公行政)
    assert named(canon("福建航空公司来电说航班取消了")) == []
    assert named(canon("公司办公行政电话是多少")) == []
    # a bank named by its short name before its card: 中信信用卡, 光大储蓄卡
    assert [i.id for i in named(canon("中信信用卡被盗刷了"))] == ["citic"]
    assert [i.id for i in named(canon("光大储蓄卡里的钱少了"))] == ["ceb"]
    # a list of short names summed up before the service word
    assert [i.id for i in named(canon("兴业、华夏这两家银行客服号"))] == ["cib", "hxb"]
    assert named(canon("华夏这两家人都挺好")) == []


def _candidate(entry_id: str, score: float) -> Candidate:
    class _E:
        id = entry_id
    return Candidate(_E(), score, "", ())  # type: ignore[arg-type]


def test_decision_thresholds():
    cal = Calibration(answer_at=0.7, margin=0.1, suggest_at=0.3, suggest_floor=0.2)
    strong = [_candidate("a", 0.99), _candidate("b", 0.3)]
    assert decide(cal, "q", strong, 0.8, False).status == ANSWERED
    assert decide(cal, "q", strong, 0.6, False).status == SUGGEST            # below answer_at
    assert decide(cal, "q", strong, 0.2, False).status == NO_MATCH           # below suggest_at
    assert decide(cal, "q", strong, 0.9, True).status == NO_MATCH            # an out-of-scope example won
    close = [_candidate("a", 0.90), _candidate("b", 0.89)]
    assert decide(cal, "q", close, 0.9, False).status == SUGGEST             # no clear lead
    weak = [_candidate("a", 0.5), _candidate("b", 0.1), _candidate("c", 0.05)]
    shown = decide(cal, "q", weak, 0.5, False).alternatives
    assert [c.entry.id for c in shown] == ["a"]                              # only plausible ones shown


def test_the_knowledge_carries_a_fitted_calibration_for_both_modes(knowledge):
    assert set(knowledge.calibrations) == {"semantic", "lexical"}
    for cal in knowledge.calibrations.values():
        assert 0 < cal.suggest_at <= cal.answer_at < 1
        assert all(w >= 0 for w in (*cal.rank_weights, *cal.confidence_weights))


def test_a_broken_calibration_file_stops_loading(knowledge_copy):
    from bot.core.knowledge import load_knowledge
    from bot.core.validation import KnowledgeError

    path = knowledge_copy / "calibration.yaml"
    path.write_text(path.read_text("utf-8").replace("rank_weights: [", "rank_weights: [-1.0, ", 1), "utf-8")
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(knowledge_copy)
    assert any("rank_weights" in p for p in info.value.problems)


def test_the_police_warning_line_is_to_be_answered_never_hung_up_on(assistant):
    """96110 really calls as area code + 96110: its answer says to pick up, never to hang up."""
    for question in ("反诈专线打电话给我", "反诈中心的电话是多少"):
        result = assistant.ask(question).result
        if result.entry is not None and result.entry.id == "number-mps_anti_fraud":
            assert "请接听" in result.answer and "先挂断" not in result.answer
    from bot.core.institutions import number_answer
    book = assistant.knowledge.numbers
    text = number_answer(book, [book.institutions["mps_anti_fraud"]])
    assert "请接听" in text and "先挂断" not in text
    assert "先挂断" in number_answer(book, [book.institutions["icbc"]])
