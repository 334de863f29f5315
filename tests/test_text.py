from bot.core.text import normalize, pinyin_of, pinyin_seq, strip_invisible, to_simplified, unsegment


def test_full_width_becomes_half_width_and_lower_case():
    assert normalize("ＡＢＣ１２３ Alipay") == "abc123 alipay"


def test_traditional_becomes_simplified():
    assert normalize("借唄被盜了怎麼辦") == "借呗被盗了怎么办"
    assert to_simplified("螞蟻金服凍結銀行卡") == "蚂蚁金服冻结银行卡"


def test_zero_width_and_control_characters_vanish():
    assert normalize("花\u200b呗\u200d打\ufeff电\u2060话\x07") == "花呗打电话"
    assert strip_invisible("a\u200bb\nc") == "ab\nc"


def test_punctuation_emoji_and_spaces_collapse_to_single_spaces():
    assert normalize("  借呗！！被盗了😭😭？？怎么办…  ") == "借呗 被盗了 怎么办"
    assert normalize("😀🙏") == ""


def test_pinyin_is_toneless_and_per_character():
    assert pinyin_seq("借呗被盗") == ["jie", "bei", "bei", "dao"]
    assert pinyin_of("绿") == "lv"
    assert pinyin_of("7") == "7"


def test_fold_of_clean_is_normalize():
    """The scanner cleans a message once; folding that is the matcher's normal form."""
    from bot.core.text import clean, fold

    for text in ["ＡＢＣ１２３ Alipay", "借唄被盜了怎麼辦？？", "花\u200b呗\u200d打\ufeff电\u2060话\x07", "  借呗！！被盗了😭😭？？怎么办…  ",
                 "😀🙏", "【螞蟻金服】您的銀行卡已被凍結，請點擊 ａ.ｃｃｂｔ.ｉｃｕ 解凍。", "妈我换号了\n新微信 先转5000给我", ""]:
        assert fold(clean(text)) == normalize(text), text
    assert clean("ａ.ｃｃｂｔ　螞蟻") == "a.ccbt 蚂蚁"


def test_table_nfkc_equals_unicodedata():
    """text.nfkc's shortcut rests on two facts about its inert ranges: no character there with
    combining class 0 is the second character of a canonical composition (so nothing composes),
    and none is reordered; and it must give unicodedata's NFKC on any text."""
    import random
    import unicodedata

    from bot.core import text

    seconds = set()
    for code in range(0x110000):
        d = unicodedata.decomposition(chr(code))
        if d and not d.startswith("<") and len(d.split()) == 2:
            seconds.add(int(d.split()[1], 16))
    seconds |= set(range(0x1161, 0x1176)) | set(range(0x11A8, 0x11C3))  # Hangul V and T jamo
    for code in seconds:
        if any(lo <= code <= hi for lo, hi in text._INERT_RANGES):
            assert unicodedata.combining(chr(code)) != 0, hex(code)
    chars = [chr(c) for c in range(0x10000) if not 0xD800 <= c <= 0xDFFF]
    for ch in chars:
        assert text.nfkc(ch) == unicodedata.normalize("NFKC", ch)
    safe, rng = sorted(text._nfkc_table()[0]), random.Random(0)
    for _ in range(20000):
        s = "".join(rng.choice(safe if rng.random() < 0.9 else chars) for _ in range(rng.randint(1, 12)))
        assert text.nfkc(s) == unicodedata.normalize("NFKC", s), repr(s)
    assert text.nfkc("您好，请拨打９５５８８。") == unicodedata.normalize("NFKC", "您好，请拨打９５５８８。")


def test_a_lone_surrogate_is_read_not_raised():
    """JSON's "\\ud800" decodes to a lone surrogate, which OpenCC cannot encode."""
    from bot.core.text import clean

    assert clean("\ud800转账") == "\ufffd转账"
    assert clean("我被骗了\udfff怎么办").endswith("怎么办")


def test_word_segmented_chinese_is_joined_and_other_spacing_kept():
    assert unsegment("请 将 验证码 发送 给 我们 ， 谢谢") == "请将验证码发送给我们 ， 谢谢"
    # a screenshot's OCR joining its lines with a space now and then is not segmented text
    ocr = "好的 您输入一下金额 我这边确认收款了 按住说话"
    assert unsegment(ocr) == ocr
    assert unsegment("hello world 你好 朋友") == "hello world 你好 朋友"
    assert unsegment("") == "" and unsegment("没有空格的句子") == "没有空格的句子"


def test_letter_spaced_text_is_joined_numbers_and_address_too():
    # spaced letter by letter to slip past filters: the bonus, its figure and the address join up
    assert unsegment("首 冲 送 5 0 % ， 网 址 ： 7 7 1 2 . c c") == "首冲送50%，网址：7712.cc"
    # word-segmented text with a few one-character words is not letter spacing: its Latin words keep their spaces
    assert unsegment("好的 我 明天 去 你家 拿 ipad air 吧") == "好的我明天去你家拿 ipad air 吧"
