"""Matcher behaviour on the bundled knowledge: the questions users really type."""

from __future__ import annotations

import json

import pytest

from bot.core.knowledge import Entry
from bot.core.lexicon import Lexicon
from .conftest import VAGUE
from bot.core.matcher import ANSWERED, NO_MATCH, SUGGEST, Matcher, grams_of


@pytest.fixture(scope="module")
def matcher(knowledge) -> Matcher:
    return Matcher.from_knowledge(knowledge)


@pytest.mark.parametrize("question, entry_id", [
    ("花呗打电话说要上门核实是真的吗", "home-verification-call"),
    ("借呗被盗了怎么办", "theft-first-steps"),
    ("借被被盗了咋办", "theft-first-steps"),                 # homophone typo 借被
    ("借唄被盜了怎麼辦？？", "theft-first-steps"),             # traditional characters
    ("支付宝被盗多少钱才能立案", "case-threshold"),
    ("账户安全险怎么理赔", "insurance-claim"),
    ("客服让我把验证码报给他", "verification-code"),
    ("螞蟻金服發短信說我的銀行卡被凍結了", "frozen-card-message"),
    ("接到96110的电话要接吗", "call-96110"),
    ("开饭店的 有人说是武警采购 订了二十桌 还让我帮忙从他指定的厂家买酒先垫钱", "fake-procurement-order"),
])
def test_clear_questions_are_answered(matcher, question, entry_id):
    result = matcher.match(question)
    assert result.status == ANSWERED, (question, result.status, [c.entry.id for c in matcher.candidates(question)])
    assert result.entry.id == entry_id


def test_homophone_typo_freeze_reaches_the_freeze_entries(matcher):
    ranked = [c.entry.id for c in matcher.candidates("冻洁了咋办", limit=3)]
    assert {"freeze-account", "frozen-card-message"} & set(ranked), ranked


@pytest.mark.parametrize("question", [
    "借呗怎么提前还款",          # our product name, a topic we do not cover
    "余额宝的钱怎么转到银行卡",
    "花呗额度怎么提高",
    "今天天气怎么样",
    "红烧肉怎么做",
])
def test_off_topic_questions_are_not_answered(matcher, question):
    result = matcher.match(question)
    assert result.status == NO_MATCH, (question, result.status, result.score)
    assert result.entry is None and result.alternatives == ()


@pytest.mark.parametrize("hostile", [
    "", "   ", "😭😭😭🙏", "\u200b\u200c\u200d\ufeff", "\x00\x01\x02\xff", "'; DROP TABLE users; --",
    "a" * 10_000, "被盗" * 5_000, "🔥\u200b" * 2_000,
])
def test_hostile_input_never_raises(matcher, hostile):
    result = matcher.match(hostile)
    assert result.status in (ANSWERED, SUGGEST, NO_MATCH)
    assert 0.0 <= result.score <= 1.0
    json.dumps(result.to_dict(), ensure_ascii=False)


def test_suggest_offers_at_most_three_distinct_entries(matcher, knowledge):
    # Find a genuinely ambiguous question rather than hard-coding one.
    for question in ["被盗了", "冻结", "客服电话", "报警", "赔吗", "上门", "证据", *VAGUE]:
        result = matcher.match(question)
        if result.status == SUGGEST:
            ids = [c.entry.id for c in result.alternatives]
            assert 1 <= len(ids) <= 3 and len(set(ids)) == len(ids)
            assert all(i in knowledge for i in ids)
            assert result.entry is None and result.answer is None
            return
    pytest.fail("none of the short ambiguous questions produced a suggestion")


def test_answered_result_has_the_public_json_shape(matcher):
    data = matcher.match("借呗被盗了怎么办").to_dict()
    assert set(data) == {"query", "status", "answer", "entry", "score", "alternatives"}
    assert data["status"] == "answered" and data["entry"]["id"] == "theft-first-steps"
    assert isinstance(data["answer"], str) and isinstance(data["score"], float)
    for alt in data["alternatives"]:
        assert set(alt) == {"id", "question", "answer", "score"}


def test_scores_rank_candidates(matcher):
    ranked = matcher.candidates("花呗上门核实", limit=5)
    scores = [c.score for c in ranked]
    assert scores == sorted(scores, reverse=True)
    assert ranked[0].entry.id in ("home-verification-call", "overdue-home-visit")


def test_grams_include_characters_bigrams_and_sounds():
    grams = grams_of("借呗 95188")
    assert {"u借", "u呗", "b借\x1f呗", "pjie\x1fbei", "u95188"} <= grams
    assert not any("呗\x1f95188" in g for g in grams)  # no bigram across a space


def test_matcher_works_on_a_tiny_foreign_knowledge_base():
    import datetime as dt
    entries = [
        Entry("water", "garden", "番茄多久浇一次水？", ("西红柿怎么浇水",), "土干再浇。", (), ("手册",), dt.date(2026, 1, 1)),
        Entry("prune", "garden", "番茄要不要打杈？", ("西红柿怎么修剪",), "要。", (), ("手册",), dt.date(2026, 1, 1)),
    ]
    matcher = Matcher(entries, Lexicon.build())
    assert matcher.candidates("西红柿多久浇水")[0].entry.id == "water"
    assert matcher.match("汽车保险怎么买").status == NO_MATCH


def test_batch_normalisation_and_gram_codes_match_the_plain_ones(knowledge):
    # Indexing normalises all phrasings at once and codes grams as integers: the same texts and
    # the same grams as one text at a time.
    from bot.core.matcher import _GramCoder, _normalize_many
    from bot.core.text import normalize

    texts = [p for e in knowledge.entries for p in e.phrasings] + [e.answer for e in knowledge.entries]
    texts += ["臺灣ＡＢＣ１２３？", "Σσς ß\u200b", "a\r\nb", "", "😀 95188\n\n借唄"]
    assert _normalize_many(texts) == [normalize(t) for t in texts]
    canon = ["借呗 95188", "wifi密码 vx", "〇〇七", ""]
    coder = _GramCoder()
    codes, owner = coder.many(canon)
    for i, text in enumerate(canon):
        assert set(codes[owner == i].tolist()) == set(coder.codes(text))
        assert len(coder.codes(text)) == len(grams_of(text))


def test_vector_cache_encodes_only_new_texts(tmp_path):
    import numpy as np

    from bot.core.encoder import VectorCache

    class Counting:
        name, dim = "fake-1", 4

        def __init__(self):
            self.seen: list[str] = []

        def encode(self, texts):
            self.seen.extend(texts)
            return np.array([[len(t), 1.0, 0.5, ord(t[0]) % 7] for t in texts], dtype=np.float32)

    encoder, cache = Counting(), VectorCache(tmp_path)
    first = cache.encode(encoder, ["借呗", "花呗被盗", "借呗"])
    assert encoder.seen == ["借呗", "花呗被盗"]
    again = cache.encode(encoder, ["花呗被盗", "借呗"])
    assert encoder.seen == ["借呗", "花呗被盗"]  # all from the cache
    assert np.array_equal(again, first[[1, 0]].astype(np.float16).astype(np.float32))
    cache.encode(encoder, ["借呗", "冻结"])
    assert encoder.seen[-1:] == ["冻结"]


def test_script_index_takes_raw_or_cleaned_text_and_scores_as_the_plain_definition(knowledge):
    """ScriptIndex: the scanner hands it the text it has already cleaned (`resemble_clean`);
    raw text (`index(text)`) gives the same. Its scores are the IDF-weighted F1 of unit
    unigrams and bigrams, computed here the plain way with sets of strings."""
    import math

    import yaml

    from bot.core.matcher import _UNIT, MAX_QUERY_CHARS, ScriptIndex
    from bot.core.text import clean, normalize

    from .conftest import DATA

    index = ScriptIndex(knowledge.fraud_types, knowledge.lexicon)

    def grams(text):
        out = set()
        for part in normalize(text[:MAX_QUERY_CHARS * 3])[:MAX_QUERY_CHARS * 2].split():
            units = _UNIT.findall(part)
            out.update("u" + u for u in units)
            out.update(f"b{a}\x1f{b}" for a, b in zip(units, units[1:]))
        return out

    scripts = [(t_idx, grams(s)) for t_idx, t in enumerate(index.types) for s in t.scripts]
    df: dict[str, int] = {}
    for _, g in scripts:
        for gram in g:
            df[gram] = df.get(gram, 0) + 1
    n = len(scripts)

    def idf(gram):
        return math.log1p((n - df.get(gram, 0) + 0.5) / (df.get(gram, 0) + 0.5))

    messages = [m["text"] for m in yaml.safe_load((DATA / "scan_messages.yaml").read_text("utf-8"))["messages"]]
    messages += ["加我微信 abc123 领取 WiFi 奖励 95188", "你好", "😀", "", "正常内容。" * 300 + "请把验证码发给我"]
    for text in messages:
        assert index(text) == index.resemble_clean(clean(text)), text
        q = grams(text)
        expected = [0.0] * len(index.types)
        for t_idx, s in scripts:
            overlap = sum(idf(g) for g in q & s)
            total_q, total_s = sum(idf(g) for g in q), sum(idf(g) for g in s)
            f1 = 2 * overlap / (total_q + total_s) if overlap else 0.0
            expected[t_idx] = max(expected[t_idx], f1)
        assert list(index.scores(text)) == pytest.approx(expected, abs=1e-9), text


def test_accumulate_at_adds_common_grams_in_order_even_for_one_column():
    """The bitmap path adds the common grams' weights row after row, like a loop of `out += row`;
    with one column a plain reduction would sum the run pairwise and differ in the last bits."""
    import numpy as np

    from bot.core.matcher import _Postings

    rng = np.random.default_rng(7)
    n_docs, n_grams = 40, 300
    pairs = [(g, d) for g in range(n_grams) for d in range(n_docs) if rng.random() < (0.9 if g < 250 else 0.05)]
    grams = np.array([g for g, _ in pairs], dtype=np.int64)
    docs = np.array([d for _, d in pairs], dtype=np.int64)
    postings = _Postings.from_sorted(grams, docs, n_grams).with_bitmaps(n_docs, 10)
    assert postings.dense_row is not None and (postings.dense_row >= 0).sum() > 200
    ids = list(range(n_grams))
    weights = rng.random(n_grams) * rng.choice([1.0, 1e-7, 1e7], size=n_grams)
    held = {(g, d) for g, d in pairs}
    common = [g for g in ids if postings.dense_row[g] >= 0]
    for cols in (np.array([3]), np.array([0, 17, 39])):
        rare = [g for g in ids if postings.dense_row[g] < 0]
        expected = postings.accumulate(rare, weights[rare], n_docs)[cols]
        for g in common:
            expected = expected + np.array([weights[g] if (g, int(c)) in held else 0.0 for c in cols])
        got = postings.accumulate_at(ids, weights, cols, n_docs)
        assert got.tolist() == expected.tolist()
