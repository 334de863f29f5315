"""The scanner's wording model (bot/core/wording.py): grams, score, evidence, loading and how the
scanner uses it."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from bot.core.checker import Checker
from bot.core.knowledge import load_knowledge
from bot.core.scan_model import BUILTIN_SIGNALS
from bot.core.scanner import LOW, MEDIUM, Scanner, hand_decision
from bot.core.signals import SignalBook
from bot.core.validation import KnowledgeError, Problems
from bot.core.wording import MAX_CHARS, WordingModel, gram_of, grams, key, keys, load_wording, normalise


def test_grams_are_of_words_only_lower_cased_with_digits_as_zero():
    assert normalise("转账5000元！Go") == "转账0000元 go"
    found = grams("先交,AB 9")
    assert found == {"先", "交", "先交", "a", "b", "ab", "0"}
    assert "交a" not in found and "交," not in found  # no gram crosses punctuation or a space


def test_grams_read_only_the_start_of_a_very_long_message():
    from bot.core.wording import MAX_CHARS

    assert "尾巴" not in grams("正" * MAX_CHARS + "尾巴")
    assert "尾巴" in grams("正" * (MAX_CHARS - 10) + "尾巴")


def test_score_is_bias_plus_weights_over_the_root_of_the_gram_count():
    model = WordingModel(-1.0, 0.5, {"先": 2.0, "先交": 1.0, "交": -0.5})
    # 先交钱: grams 先 交 钱 先交 交钱 先交钱 (six), three weighted
    assert model.score("先交钱") == pytest.approx(-1.0 + (2.0 + 1.0 - 0.5) / math.sqrt(6))
    assert model.score("") == -1.0
    assert model.score("!!!") == -1.0


def test_telling_words_are_the_heaviest_longer_grams_none_inside_another():
    model = WordingModel(0.0, 0.5, {"保证金": 3.0, "保证": 2.5, "000": 9.0, "到账": 1.0, "马上": -1.0, "先": 5.0})
    assert model.telling("先交2000保证金，马上到账") == ("保证金", "到账")


def test_telling_words_of_equal_weight_are_longest_first_then_in_character_order():
    # equal weights: the three-character gram before the two-character ones, those in code-point
    # order (安 < 账 < 转); a gram inside one already chosen is skipped, the limit is kept
    model = WordingModel(0.0, 0.5, {"转账": 2.0, "安全账": 2.0, "账户": 2.0, "安全": 2.0, "冻结": 1.0})
    assert model.telling("请把钱转账到安全账户，否则冻结") == ("安全账", "账户", "转账")
    assert model.telling("请把钱转账到安全账户，否则冻结", limit=4) == ("安全账", "账户", "转账", "冻结")
    assert model.telling("请把钱转账到安全账户，否则冻结", limit=1) == ("安全账",)
    assert model.telling("") == ()


def _write(tmp_path: Path, doc) -> Path:
    path = tmp_path / "scan_wording.json"
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc, ensure_ascii=False), "utf-8")
    return path


GOOD = {"comment": "c", "fitted": "2026-11-30", "sets": {"dev": 3}, "bias": -0.5, "flag_at": 1.2,
        "weights": {"先交": 0.8, "骗": -2, "0元": 0.1}}


def test_a_valid_file_loads(tmp_path):
    problems = Problems()
    model = load_wording(_write(tmp_path, GOOD), "scan_wording.json", problems)
    assert not problems.items
    assert model.bias == -0.5 and model.flag_at == 1.2 and model.fitted == "2026-11-30"
    assert {g: model.weight(g) for g in model.units} == {"先交": 0.8, "骗": -2.0, "0元": 0.1}
    assert model.weight("不在") == 0.0


def test_a_model_is_read_only_once_made():
    model = WordingModel(-1.0, 0.5, {"保证金": 6.0})
    with pytest.raises(AttributeError):
        model.flag_at = -100.0
    with pytest.raises(TypeError):
        model.units["骗"] = 10 ** 6  # the gram table is a read-only view
    with pytest.raises(AttributeError):
        del model.flag_at
    assert model.flag_at == 0.5 and model.weight("骗") == 0.0


def test_a_model_copies_and_pickles_whole():
    import copy
    import pickle

    model = WordingModel(-1.0, 0.5, {"保证金": 6.0, "骗": -2.0}, "2026-12-01")
    for twin in (copy.copy(model), copy.deepcopy(model), pickle.loads(pickle.dumps(model))):
        assert (twin.bias, twin.flag_at, dict(twin.units), twin.fitted) == (-1.0, 0.5, dict(model.units), "2026-12-01")
        assert twin.score("先交保证金") == model.score("先交保证金")


def test_a_file_whose_weights_all_round_to_zero_is_a_problem(tmp_path):
    doc = dict(GOOD, weights={"先交": 0.00004, "骗": -0.00003})
    problems = Problems()
    assert load_wording(_write(tmp_path, doc), "scan_wording.json", problems) is None
    assert any("rounds to 0" in item for item in problems.items), problems.items


def test_a_missing_file_means_no_wording_model(tmp_path):
    problems = Problems()
    assert load_wording(tmp_path / "none.json", "scan_wording.json", problems) is None
    assert not problems.items


@pytest.mark.parametrize("change, words", [
    (lambda d: d.pop("bias"), "'bias' is missing"),
    (lambda d: d.update(bias="x"), "'bias' must be a number"),
    (lambda d: d.update(flag_at=True), "'flag_at' must be a number"),
    (lambda d: d.update(weights={}), "'weights' must map"),
    (lambda d: d.update(weights=[1, 2]), "'weights' must map"),
    (lambda d: d["weights"].update({"先": "abc"}), "must be numbers"),
    (lambda d: d["weights"].update({"先": None}), "must be numbers"),
    (lambda d: d["weights"].update({"先交钱了": 1}), "not grams"),
    (lambda d: d["weights"].update({"AB": 1}), "not grams"),
    (lambda d: d["weights"].update({"5元": 1}), "not grams"),  # digits are 0 once normalised
    (lambda d: d["weights"].update({"": 1}), "not grams"),
    (lambda d: d.update(extra=1), "unknown field"),
    (lambda d: d.update(bias=10 ** 400), "'bias' must be a number"),  # beyond a float's range
    (lambda d: d["weights"].update({"先": -10 ** 400}), "must be numbers"),
    (lambda d: d["weights"].update({"先": 1e308}), "must be numbers"),  # a float, but no weight
])
def test_a_broken_file_names_the_problem(tmp_path, change, words):
    doc = json.loads(json.dumps(GOOD))
    change(doc)
    problems = Problems()
    assert load_wording(_write(tmp_path, doc), "scan_wording.json", problems) is None
    assert any(words in item for item in problems.items), problems.items


@pytest.mark.parametrize("text", ["{", "[1, 2]", "", "\ufeff{nope", '{"weights": ' + "[" * 100_000 + "]" * 100_000 + "}"])
def test_a_file_that_is_not_one_json_object_names_the_problem(tmp_path, text):
    problems = Problems()
    assert load_wording(_write(tmp_path, text), "scan_wording.json", problems) is None
    assert problems.items and all("scan_wording.json" in item for item in problems.items)


def test_a_broken_file_stops_the_whole_knowledge_from_loading(knowledge_copy):
    path = knowledge_copy / "scan_wording.json"
    path.write_bytes(path.read_bytes()[:-200])  # cut short, as by a failed copy
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(knowledge_copy)
    assert any("scan_wording.json" in p for p in info.value.problems)


def test_the_bundled_model_loads_with_its_threshold(knowledge):
    model = knowledge.wording
    assert model is not None and math.isfinite(model.flag_at) and len(model.units) > 1000


# --- in the scanner ---------------------------------------------------------------------------

@pytest.fixture
def plain(knowledge):
    """A scanner with no signals, the hand rule and a tiny wording model."""
    def build(model):
        return Scanner(Checker(knowledge.numbers, ""), SignalBook.empty(), "", wording=model)
    return build


def test_wording_that_reaches_flag_at_is_a_finding_with_its_words(plain):
    scanner = plain(WordingModel(-1.0, 0.5, {"保证金": 6.0}))
    result = scanner.scan("先交保证金")
    assert [f.name for f in result.signals] == ["scam_wording"]
    assert "保证金" in result.signals[0].evidence
    assert result.risk == MEDIUM  # hand weight 2
    assert plain(WordingModel(-1.0, 0.5, {"保证金": 0.1})).scan("先交保证金").risk == LOW


def test_the_hand_rule_sets_a_text_about_scams_wording_aside(plain):
    scanner = plain(WordingModel(-1.0, 0.5, {"保证金": 20.0}))
    warning = "提醒：骗子说要先交保证金，这是诈骗。凡是先交保证金的贷款都是骗局，冒充客服的都是骗子。"
    ev = scanner.evidence(warning)
    assert ev.talks_about_scams and "scam_wording" in [f.name for f in ev.requests]
    assert scanner.scan(warning).risk == LOW
    # the fitted decision still weighs the wording finding of a text about scams (a fake officer's
    # script names scams too), beside the talk features; the hand rule sets it aside
    assert [f.name for f in ev.findings] == ["scam_wording"]
    assert hand_decision(ev) == (LOW, ())


def test_a_warning_that_quotes_a_script_stays_low_with_the_fitted_model(assistant):
    """A warning sentence takes the wording finding away from a text about scams, whatever its
    score: the fitted decision does not see it (Evidence.findings, talk_wording, wording)."""
    from bot.core.scan_model import context_features

    scanner = assistant.scanner
    assert scanner.model is not None
    warning = "小心刷单诈骗：对方说“先垫付300元，返还本金加佣金，一单一结”，千万别信。"
    ev = scanner.evidence(warning, wording=scanner.wording.flag_at + 2.0)
    assert ev.talks_about_scams and ev.warning and "scam_wording" in {f.name for f in ev.requests}
    assert ev.findings == ()
    features = context_features(ev)
    assert features["talk_wording"] == 0.0 and features["wording"] == 0.0
    assert scanner.model.decide(ev)[0] == LOW
    assert scanner.scan(warning).risk == LOW


def test_a_text_about_scams_keeps_only_its_wording_finding(assistant):
    """Under the talk exemption the requests it quotes stay set aside; only the wording finding
    (and numbers and links) reach the fitted decision."""
    scanner = assistant.scanner
    text = "朋友跟我说有个人冒充他表哥，让他把两万块转到一个账户里，他差点就转了。"
    quiet = scanner.evidence(text, wording=-5.0)
    assert quiet.talks_about_scams and quiet.requests and quiet.findings == ()
    loud = scanner.evidence(text, wording=scanner.wording.flag_at + 1.0)
    assert [f.name for f in loud.findings] == ["scam_wording"]
    assert {f.name for f in loud.requests} > {"scam_wording"}


def test_a_score_given_from_outside_replaces_the_models(plain):
    scanner = plain(WordingModel(-1.0, 0.5, {"保证金": 6.0}))
    assert scanner.evidence("先交保证金", wording=0.0).requests == ()
    ev = scanner.evidence("今天天气很好", wording=2.5)
    assert [f.name for f in ev.requests] == ["scam_wording"] and ev.wording == 2.5


def test_the_fitted_model_weighs_the_finding(knowledge):
    assert "scam_wording" in BUILTIN_SIGNALS
    assert knowledge.scan_model.signals.get("scam_wording", 0) > 0


def test_without_a_wording_model_nothing_is_weighed(plain):
    scanner = plain(None)
    ev = scanner.evidence("先交保证金")
    assert ev.wording == 0.0 and ev.requests == ()


def test_a_message_the_gate_sets_aside_carries_no_wording_score(plain):
    """Evidence.wording is the score only when the wording was weighed (the risk model reads it)."""
    scanner = plain(WordingModel(3.0, 0.5, {"保证金": 9.0}))  # every weighed text scores >= 3
    assert scanner.evidence("先交保证金").wording > 3.0
    assert scanner.evidence("保证金").wording == 0.0                  # too few Chinese characters
    assert scanner.evidence("pay the deposit first").wording == 0.0   # no Chinese
    assert scanner.evidence("先交保证金", pasted=False).wording == 0.0  # the user's own story


def test_only_pasted_chinese_messages_are_weighed(plain):
    scanner = plain(WordingModel(-1.0, 0.5, {"a": 9.0, "保证金": 9.0}))
    assert scanner.evidence("a a a a a a").requests == ()            # no Chinese: not what it learned from
    assert scanner.evidence("保证金", wording=None).requests == ()     # three Chinese characters: too few
    assert [f.name for f in scanner.evidence("先交保证金").requests] == ["scam_wording"]
    # the user's own story quotes the scam's words: not weighed
    assert scanner.evidence("先交保证金", pasted=False).requests == ()


def test_scam_wording_alone_does_not_turn_a_question_into_a_scan(assistant, monkeypatch):
    from bot.core.assistant import QUESTION

    scanner = assistant.scanner
    question = "帮我翻译一下 good morning"
    monkeypatch.setattr(scanner, "wording", WordingModel(-1.0, 0.5, {"翻译": 40.0}))
    assert [f.name for f in scanner.scan(question).signals] == ["scam_wording"]
    assert scanner.scan(question).risk != LOW
    assert assistant.respond(question).kind == QUESTION


def test_a_score_is_the_same_in_every_process():
    """Set order changes with string hashing between processes; the integer sum does not care."""
    import os
    import subprocess
    import sys

    script = ("import sys; from pathlib import Path; from bot.core.validation import Problems; "
              "from bot.core.wording import load_wording; "
              "m = load_wording(Path('knowledge/scan_wording.json'), 'w', Problems()); "
              "print(repr(m.score(sys.argv[1])))")
    text = ("您好，我是平台客服，您的账户因操作异常已被冻结，需要先缴纳保证金解冻，"
            "请下载指定APP并开启屏幕共享，按我说的把钱转到安全账户，验证码发给我核对。") * 3
    root = Path(__file__).resolve().parents[1]
    scores = {subprocess.run([sys.executable, "-c", script, text], cwd=root, capture_output=True, text=True,
                             env={**os.environ, "PYTHONHASHSEED": seed}, check=True).stdout.strip()
              for seed in ("1", "2", "3", "4")}
    assert len(scores) == 1 and float(scores.pop()) > 0


def test_a_text_about_scams_that_reads_like_a_script_is_a_feature_of_its_own(plain):
    """talk_wording: a fake officer's script names scams too ("嫌疑人会冒充你的家人"); the risk
    model weighs a scam-talking text whose wording reaches flag_at apart from one that does not."""
    from bot.core.scan_model import context_features

    scanner = plain(WordingModel(-1.0, 0.5, {"保证金": 20.0}))
    script = "嫌疑人可能会冒充你的家人给你打电话，你不要接。你先交保证金，我们才能给你出证明。"
    warning = "提醒：冒充客服的都是骗子，接到这种电话直接挂断。"
    story = "我今天差点被骗了，幸好挂了电话。"
    ev = scanner.evidence(script)
    assert ev.talks_about_scams and context_features(ev)["talk_wording"] == 1.0
    assert context_features(scanner.evidence(warning))["talk_wording"] == 0.0   # no scam wording
    assert context_features(scanner.evidence(story))["talk_wording"] == 0.0
    not_talk = scanner.evidence("你先交保证金，我们才能给你出证明。")
    assert not not_talk.talks_about_scams and context_features(not_talk)["talk_wording"] == 0.0


def test_the_wording_score_is_a_context_feature_that_only_raises(plain):
    """`wording`: the score where it reads like a scam (below the finding's threshold it still adds
    to weak signals), capped at WORDING_CAP; genuine-sounding wording counts as 0, so it never
    lowers a request; 0 for a text the model does not weigh."""
    from bot.core.scan_model import WORDING_CAP, context_features

    scanner = plain(WordingModel(-1.0, 0.5, {"保证金": 6.0}))
    assert context_features(scanner.evidence("今天天气很好", wording=0.7))["wording"] == 0.7
    assert context_features(scanner.evidence("今天天气很好", wording=9.0))["wording"] == WORDING_CAP
    assert context_features(scanner.evidence("今天天气很好", wording=-9.0))["wording"] == 0.0
    assert context_features(scanner.evidence("保证金"))["wording"] == 0.0   # too short to be weighed
    # a text about scams counts it unless it warns: a story does, a warning does not
    assert context_features(scanner.evidence("我差点被骗了，他让我先交保证金", wording=2.0))["wording"] == 2.0


def test_the_gram_table_is_two_arrays_of_twelve_bytes_a_gram():
    """95,000 grams: a dict of strings took some 11 MB of the idle bot, two arrays take 1.1 MB."""
    model = WordingModel(0.0, 1.0, {"先交": 0.0512, "保证": 0.0512, "骗": -0.0512, "好的": 0.0001, "零": 0.00001})
    assert len(model) == 4 and model.nbytes == 4 * 12  # (the weight that rounds to 0 is left out)
    assert dict(model.units) == {"先交": 512, "保证": 512, "骗": -512, "好的": 1}


@pytest.mark.parametrize("text", ["", "!!!", "a", "ab c", "先交,AB 9", "转账5000元！Go 先交保证金 先交",
                                  "正" * (MAX_CHARS + 5), "老同学 好久不见啊\n最近手头有点紧，能不能借我两千？下个月就还你"])
def test_keys_are_the_grams_packed_and_score_equals_weigh(text):
    found = grams(text)
    assert list(map(int, keys(text))) == sorted(map(key, found))
    assert all(gram_of(key(g)) == g for g in found)
    model = WordingModel(-0.3, 1.0, {"先交": 0.8, "保证金": 1.25, "0": 0.01, "借我": 0.6, "正": -0.02, "go": 0.3})
    assert model.score(text) == pytest.approx(model.weigh(found), abs=1e-12)


def test_a_model_holds_each_grams_key_and_rounded_weight_sorted_by_key():
    """The arrays are built by numpy over all grams at once (wording._keys_of): each key must be
    the one key() gives, whatever the gram's length or characters, with its own weight."""
    weights = {"a": 0.5, "先交": 1.23456, "骗子们": -2.0, "0": 0.00004, "z0a": 0.0001, "钱": 3.0, "0元": -0.00015,
               "𠀋": 0.2}
    model = WordingModel(0.0, 1.0, weights)
    ks = [int(k) for k in model._keys]
    assert ks == sorted(ks)
    expect = {g: round(w * 10_000) for g, w in weights.items() if round(w * 10_000)}
    assert dict(model.units) == expect and len(model) == len(expect) == 7
    assert all(model.weigh({g}) == pytest.approx(expect[g] / 10_000) for g in expect)


def test_the_finding_quotes_the_clauses_that_hold_the_telling_words_not_bare_fragments():
    """A gram is often a fragment across two words (「天又进」); the reader is shown its clause."""
    model = WordingModel(-1.0, 0.5, {"天又进": 2.0, "晚点": 1.0, "00元": 0.5})
    assert model.telling("今天又进了两批货，先转2万给供应商，账单我晚点发你") == ("天又进", "晚点")
    assert model.telling_phrases("今天又进了两批货，先转2万给供应商，账单我晚点发你") == ("今天又进了两批货", "账单我晚点发你")
    # digits read as 0 by the grams are found in the clause as written
    assert model.telling_phrases("好的 转账5000元到这里") == ("转账5000元到这里",)
    assert model.telling_phrases("好的 转账5000元到这里", limit=1) == ("转账5000元到这里",)
    # a long clause is cut around its word, marked where it was cut
    long = "甲" * 40 + "今天又进" + "乙" * 40
    (cut,) = model.telling_phrases(long, width=24)
    assert "天又进" in cut and cut.startswith("…") and cut.endswith("…") and len(cut) == 26
    assert model.telling_phrases("") == ()


def test_the_scanner_shows_the_clause_as_the_wording_findings_evidence(plain):
    scanner = plain(WordingModel(-1.0, 0.5, {"天又进": 30.0}))   # (one gram of some 30: 30 / √30 - 1 > 0.5)
    (finding,) = scanner.scan("今天又进了两批货，账单晚点发你").signals
    assert finding.name == "scam_wording" and finding.evidence == "「今天又进了两批货」"
