"""The scanner's fitted risk decision (knowledge/scanner_model.yaml, bot/core/scan_model.py):
loading and validation, and the decision on clear examples."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import yaml

from bot.core.knowledge import load_knowledge
from bot.core.scan_model import BUILTIN_SIGNALS, CONTEXT, ScanModel, context_features
from bot.core.scanner import HIGH, LOW, Finding, hand_decision
from bot.core.validation import KnowledgeError


@pytest.fixture(scope="module")
def scanner(assistant):
    return assistant.scanner


def _problems(folder: Path) -> list[str]:
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(folder)
    return info.value.problems


def _edit(folder: Path, change) -> None:
    path = folder / "scanner_model.yaml"
    doc = yaml.safe_load(path.read_text("utf-8"))
    change(doc)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), "utf-8")


# --- the bundled model ------------------------------------------------------------------------

def test_the_bundled_model_is_loaded_and_says_what_it_was_fitted_on(knowledge, scanner):
    model = knowledge.scan_model
    assert isinstance(model, ScanModel) and scanner.model is model
    assert model.fitted is not None
    sets = dict(model.fitted_on)
    assert {"dev_messages.yaml", "dev2_messages.yaml", "dev3_messages.yaml"} <= set(sets)
    assert all(n > 100 for n in sets.values())
    assert 0 < model.medium_at <= model.high_at < 1
    assert set(model.context) == set(CONTEXT)
    names = {s.name for s in knowledge.signals.signals} | set(BUILTIN_SIGNALS)
    assert set(model.signals) <= names and all(w >= 0 for w in model.signals.values())


def test_the_score_is_the_sum_the_file_describes(knowledge, scanner):
    model = knowledge.scan_model
    ev = scanner.evidence("您好，我是平台客服，您的订单异常，请把收到的验证码告诉我，马上为您退款。")
    z = model.bias + sum(model.signals.get(f.name, model.classes[f.weight]) for f in ev.findings)
    z += sum(model.context[k] * v for k, v in context_features(ev).items())
    assert model.score(ev) == pytest.approx(z)
    assert model.probability(ev) == pytest.approx(1 / (1 + math.exp(-z)))


def test_a_signal_added_after_the_fit_gets_its_hand_weights_class(knowledge):
    model = knowledge.scan_model
    assert model.weight(Finding("a_new_signal", "新信号", "…", 3)) == model.classes[3]
    assert model.weight(Finding("a_new_signal", "新信号", "…", 1)) == model.classes[1]


# --- loading: a broken or inconsistent file stops the knowledge with a clear message ----------

def test_broken_yaml_names_the_file_and_line(knowledge_copy):
    (knowledge_copy / "scanner_model.yaml").write_text("bias: -3\ncontext: [unclosed\n", "utf-8")
    problems = _problems(knowledge_copy)
    assert any("scanner_model.yaml" in p and "line" in p for p in problems), problems


@pytest.mark.parametrize("change, words", [
    (lambda d: d["signals"].update({"no_such_signal": 1.0}), "'no_such_signal' is not a signal"),
    (lambda d: d["signals"].update({"verification_code": -1.0}), "weight of 'verification_code' must be a number >= 0"),
    (lambda d: d.update(medium_at=0.99, high_at=0.5), "'medium_at' must not be above 'high_at'"),
    (lambda d: d.update(high_at=1.5), "'high_at' must be a probability"),
    (lambda d: d["context"].pop("talk"), "no weight for talk"),
    (lambda d: d["context"].update({"moon_phase": 1.0}), "unknown feature 'moon_phase'"),
    (lambda d: d.update(bias="low"), "'bias' must be a number"),
    (lambda d: d.pop("fitted_on"), "'fitted_on' must list the sets"),
    (lambda d: d.update(fitted="yesterday"), "'fitted' must be a date"),
    (lambda d: d["classes"].pop(3), "weight for hand weights 1, 2 and 3"),
    (lambda d: d.update(threshold=0.5), "unknown field 'threshold'"),
])
def test_inconsistent_model_names_the_problem(knowledge_copy, change, words):
    _edit(knowledge_copy, change)
    problems = _problems(knowledge_copy)
    assert any("scanner_model.yaml" in p and words in p for p in problems), problems


def test_without_the_file_the_scanner_uses_the_hand_rule(knowledge_copy):
    from bot.core.assistant import Assistant

    (knowledge_copy / "scanner_model.yaml").unlink()
    knowledge = load_knowledge(knowledge_copy)
    assert knowledge.scan_model is None
    scanner = Assistant(knowledge).scanner
    assert scanner.model is None
    text = "老板: 我在开会，你先给这个账户转5万，合同后补"
    assert scanner.scan(text).risk == hand_decision(scanner.evidence(text))[0]


# --- the decision on clear examples ------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "您好，客服需要核对您的信息，请把刚才收到的短信验证码告诉我，以便为您解除限制。",
    "您的银行卡涉嫌洗钱，为配合调查请将资金转入国家安全账户，否则将冻结您名下所有账户。",
    "【京东金融】您的白条额度异常，需开启屏幕共享由客服指导关闭，否则影响征信。",
    "宝贝，这个平台我自己在做，稳赚不赔，你先充5万进去，跟着导师的指令操作就行。",
])
def test_clear_scams_are_high(scanner, text):
    result = scanner.scan(text)
    assert result.risk == HIGH, (text, result.risk, [(s.name, s.weight) for s in result.signals])
    assert result.signals and result.related


@pytest.mark.parametrize("text", [
    "您的验证码是 552108，5分钟内有效，请勿告诉任何人。",
    "【工商银行】您尾号6621卡12月09日跨行转入人民币50.00元，附言：红包，余额9,336.63元。",
    "警方提醒：冒充公检法的电话都是诈骗，配合调查要求转账的一律挂断。",
    "妈: 周末回来吃饭吗\n我: 回，周六中午到\n妈: 好的，给你炖汤",
    "明天下午三点开会，记得带上周的报表。",
])
def test_clear_genuine_messages_are_low(scanner, text):
    assert scanner.scan(text).risk == LOW, text


def test_the_reply_lists_only_findings_that_raised_the_risk(scanner, knowledge):
    model = knowledge.scan_model
    result = scanner.scan("【顺丰】您的快递丢失，点击 sf-lp.top 填写银行卡信息领取理赔，请尽快处理。")
    assert result.risk != LOW and result.signals
    assert all(model.weight(f) > 0 for f in result.signals)


# --- never_low: the floor for the most dangerous requests (signals.yaml) ----------------------

def test_a_never_low_request_is_at_least_medium_whatever_the_model_says(knowledge, scanner):
    """Even when the context pulls the fitted probability under the medium threshold, a message
    asking for a code, a "safe account" transfer or screen sharing is never called low. (The
    bundled model's bias is lowered here until it would say low: which disclaimers pull how far
    is the fit's business, the floor is the rule's.)"""
    import dataclasses

    flagged = {s.name for s in knowledge.signals.signals if s.never_low}
    assert {"verification_code", "safe_account", "screen_sharing"} <= flagged
    text = "请把验证码发给我，我帮你解冻。我们不会要求您转账。"
    ev = scanner.evidence(text)
    bundled = knowledge.scan_model
    shift = bundled.score(ev) - math.log(bundled.medium_at / (1 - bundled.medium_at)) + 1.0
    model = dataclasses.replace(bundled, bias=bundled.bias - max(shift, 0.0), strong_lifts=False)
    assert model.probability(ev) < model.medium_at        # the model alone would say low
    risk, shown = model.decide(ev)
    assert risk != LOW and "verification_code" in {s.name for s in shown}
    # and the floor is what lifts it: the same evidence without the mark stays low
    unmarked = dataclasses.replace(ev, requests=tuple(dataclasses.replace(f, never_low=False) for f in ev.requests))
    assert model.decide(unmarked)[0] == LOW
    assert scanner.scan(text).risk != LOW                 # and the bundled scanner flags it too


def test_never_low_must_be_true_or_false(knowledge_copy):
    path = knowledge_copy / "signals.yaml"
    text = path.read_text("utf-8")
    path.write_text(text.replace("never_low: true", "never_low: maybe", 1), "utf-8")
    problems = _problems(knowledge_copy)
    assert any("signals.yaml" in p and "never_low" in p for p in problems), problems


def test_genuine_wording_counts_in_proportion_to_length_and_never_for_scam_wording(scanner):
    """The wording score's opposite (capped at 3) times length / 300: a whole conversation of
    ordinary money talk counts in full, a short line less, wording that reads like a scam not at
    all (that is the `wording` feature)."""
    line = "老婆，我爸妈说给我们首付支援二十万，明天转到你卡上，你记得查收一下"
    long = "\n".join([line, "我：好，我跟我妈也说一声，谢谢叔叔阿姨", "他：装修的钱我们自己慢慢攒"] * 6)
    for text, wording in ((line, -1.5), (long, -1.5), (long, -4.0), (long, 2.0)):
        ev = scanner.evidence(text, wording=wording)
        share = min(len(text.strip()) / 300, 1.0)
        assert context_features(ev)["genuine_wording"] == pytest.approx(min(max(-wording, 0.0), 3.0) * share)
    assert len(long) >= 300 and len(line) < 100
    # (fitted to lower the risk)
    assert scanner.model.context["genuine_wording"] < 0


def test_a_warning_that_names_the_request_the_model_reads_as_genuine_is_not_held_at_medium(knowledge, scanner):
    """A never_low finding whose request a warning sentence names (公检法没有安全账户 beside a
    safe_account finding) holds a message at medium only while the model puts it near medium_at;
    one it puts under WARNED_BELOW is a warning or a notice, low. A disclaimer about something else
    (我们不会要求您转账 beside a code request) releases nothing, whatever the model says."""
    import dataclasses

    from bot.core.scan_model import WARNED_BELOW, warned_of

    bundled = dataclasses.replace(knowledge.scan_model, strong_lifts=False)

    def at(ev, p: float):  # the model shifted until this message's probability is p
        return dataclasses.replace(bundled, bias=bundled.bias + math.log(p / (1 - p)) - bundled.score(ev))

    notice = ("营业厅温馨提示：近期有老年客户来柜台办理大额转账，说是要转到“公安局的安全账户”。"
              "请子女提醒家中老人：公检法没有安全账户，也不会电话办案，遇到这种情况直接拨打110。")
    ev = scanner.evidence(notice)
    held = [f for f in ev.findings if f.never_low]
    assert ev.warning and held and all(warned_of(ev, f) for f in held)
    under, near = at(ev, WARNED_BELOW / 2), at(ev, (WARNED_BELOW + bundled.medium_at) / 2)
    assert under.probability(ev) < WARNED_BELOW < near.probability(ev) < bundled.medium_at
    assert under.decide(ev)[0] == LOW
    assert near.decide(ev)[0] != LOW
    assert under.decide(dataclasses.replace(ev, warning=False, warned=""))[0] != LOW
    assert scanner.scan(notice).risk == LOW
    # a code asked for beside a disclaimer about transfers: held, however low the model puts it
    wrapped = scanner.evidence("请把验证码发给我，我帮你解冻。我们不会要求您转账。")
    assert wrapped.warning and not any(warned_of(wrapped, f) for f in wrapped.findings if f.never_low)
    assert at(wrapped, WARNED_BELOW / 2).decide(wrapped)[0] != LOW
    # the review's tagged SMS: a code to be told to a caller or a visiting worker, an unrelated disclaimer
    for text in ("【中国移动】本公司不会以任何理由要求您转账。积分即将清零，稍后工作人员会致电，请将收到的验证码告知工作人员办理兑换，详询10086，回T退订",
                 "【顺丰速运】顺丰员工不会索要您的银行卡密码。快件丢失，请将收到的验证码提供给专员办理理赔，详询95338。回T退订",
                 "【中国电信】本公司不会以任何理由要求您转账。宽带即将到期，装维师傅上门，请将手机收到的验证码告诉师傅"):
        assert scanner.scan(text).risk != LOW, text
