from bot.core.lexicon import Lexicon
from bot.core.text import normalize


def lex() -> Lexicon:
    return Lexicon.build(
        synonyms={"支付宝": ["蚂蚁金服", "zfb"], "借呗": [], "花呗": [], "冻结": ["冻住"],
                  "怎么办": ["咋办"], "上门": ["到我家"]},
        terms=["核实", "客服"],
        fillers=["请问", "啊", "了"],
    )


def canon(text: str) -> str:
    return lex().canonicalize(normalize(text))


def test_synonyms_rewrite_to_the_canonical_word():
    assert canon("蚂蚁金服冻住了咋办") == "支付宝冻结怎么办"


def test_homophone_typo_in_a_known_word_is_repaired():
    assert canon("借被") == "借呗"
    assert canon("冻洁啊") == "冻结"
    assert canon("花被打电话说要到我家核实") == "花呗打电话说要上门核实"


def test_sound_alike_needs_one_real_character():
    # 华北 sounds like 花呗 but shares no character with it: a place name, left alone.
    assert canon("华北") == "华北"


def test_latin_variants_match_whole_words_only():
    assert canon("zfb 被盗") == "支付宝 被盗"
    assert canon("zfbx") == "zfbx"


def test_fillers_are_dropped():
    assert canon("请问借呗啊") == "借呗"


def test_empty_lexicon_changes_nothing():
    assert Lexicon.build().canonicalize("借呗被盗") == "借呗被盗"


def test_many_texts_at_once_rewrite_exactly_as_each_alone():
    # The index rewrites all phrasings in one pass (over a long text, only the positions where a
    # word may start are visited): it must give what each text alone gives.
    import random

    lexicon = lex()
    rng = random.Random(7)
    pieces = ["蚂蚁金服", "冻住", "借被", "冻洁", "zfb", "zfbx", "请问", "到我家", "核实", "a", "9", " ", "的", "啊了"]
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 8))) for _ in range(3000)]
    texts = [normalize(t) for t in texts] + ["", "zfb", "借被"]
    assert len("\n".join(texts)) > 5000  # long enough for the numpy path
    assert lexicon.canonicalize_many(texts) == [lexicon.canonicalize(t) for t in texts]
