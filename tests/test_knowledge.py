"""The bundled knowledge is complete and well-formed; broken knowledge never half-loads."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.core.knowledge import load_knowledge
from bot.core.validation import KnowledgeError

SEEDS = ["000_1f566ea0f422ff90.txt", "001_bbc43d88f724e707.txt", "002_20486913ae4af3c0.txt",
         "003_8cd919f2b1a25123.txt", "004_6bb0caffe255f2ae.txt"]


def test_bundled_knowledge_has_enough_entries_citing_every_seed(knowledge):
    assert len(knowledge.entries) >= 50
    cited = {s for e in knowledge.entries for s in e.sources}
    for seed in SEEDS:
        assert seed in cited, f"no entry cites {seed}"


def test_every_entry_is_complete(knowledge):
    for entry in knowledge.entries:
        assert len(entry.alternatives) >= 3, entry.id
        assert entry.topic in knowledge.topics, entry.id
        assert entry.related, f"{entry.id} has no related entries"
        assert entry.reviewed.year >= 2026


def test_key_facts_from_the_seeds_are_reachable(knowledge):
    """Spot checks that the seeds' facts made it into the answers, as corrected against the law
    and official guidance where the seeds are wrong (issue 9)."""
    answers = "\n".join(e.answer for e in knowledge.entries)
    for fact in ["95188", "72 小时", "3 到 7 个工作日", "100 万元",
                 "我的 - 设置 - 安全中心 - 安全锁", "我的 - 设置 - 支付设置 - 支付额度", "你敢付我敢赔",
                 "反洗钱", "上门核实", "第二百六十四条", "数额特别巨大",
                 # theft (2013 interpretation, articles 1-2) versus fraud (2011 interpretation)
                 "1000 元至 3000 元", "北京是 2000 元", "按 50% 确定", "30 万元至 50 万元", "3000 元至 1 万元",
                 "治安案件", "反电信网络诈骗法", "2022 年 12 月 1 日",
                 "6 位数字",                      # the payment password; 8+ characters is the login password
                 "挂失手机卡", "国际及港澳台号段拦截"]:
        assert fact in answers, fact
    # The seeds' unsourced figures may only appear attributed ("有文章称…"), never as fact.
    assert "并无官方统计" in answers or "没有找到官方统计" in answers
    for wrong in ["可用 VPN", "降低九成", "5000 元至 1.5 万元", "全额赔付", "按 100% 赔付",
                  "打 95188 申请紧急止付", "申请对对方账户紧急止付"]:
        assert wrong not in answers, wrong


def test_official_numbers_in_answers_are_on_the_official_list(knowledge):
    """No answer may mention a service number that numbers.yaml does not source."""
    listed = set(knowledge.numbers.numbers) | {"110", "12321"}
    for entry in knowledge.entries:
        for number in re.findall(r"(?<!\d)(9\d{4}|1\d{4}|10\d{3})(?!\d)", entry.answer):
            assert number in listed or number in knowledge.numbers.misinformation, (entry.id, number)


# --- validation -------------------------------------------------------------------------

def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def _problems(folder: Path) -> list[str]:
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(folder)
    return info.value.problems


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_broken_yaml_names_file_and_line(knowledge_copy):
    _write(knowledge_copy / "faq" / "broken.yaml", "entries:\n  - id: x\n    question: [unclosed\n")
    problems = _problems(knowledge_copy)
    assert any("faq/broken.yaml" in p and "line" in p for p in problems), problems


def test_duplicate_id_names_both_files(knowledge_copy):
    _write(knowledge_copy / "faq" / "zz_dup.yaml", """entries:
  - id: freeze-account
    topic: emergency
    question: 重复的问题
    alternatives: [重复]
    answer: 重复
    sources: [000_1f566ea0f422ff90.txt]
    reviewed: 2026-11-21
""")
    problems = _problems(knowledge_copy)
    assert any("faq/zz_dup.yaml" in p and "freeze-account" in p and "duplicate id" in p
               and "faq/emergency.yaml" in p for p in problems), problems


def test_missing_field_names_entry_and_field(knowledge_copy):
    _replace(knowledge_copy / "faq" / "police.yaml", "    topic: police\n    question: 支付宝被盗多少钱才能立案？\n",
             "    question: 支付宝被盗多少钱才能立案？\n")
    problems = _problems(knowledge_copy)
    assert any("faq/police.yaml" in p and "case-threshold" in p and "'topic' is missing" in p for p in problems)


def test_dangling_related_id(knowledge_copy):
    _replace(knowledge_copy / "faq" / "insurance.yaml", "related: [insurance-coverage, insurance-claim, insurance-without-policy]",
             "related: [insurance-coverage, no-such-entry]")
    problems = _problems(knowledge_copy)
    assert any("insurance-what" in p and "'no-such-entry' does not exist" in p for p in problems), problems


def test_unknown_source_topic_field_and_bad_date(knowledge_copy):
    path = knowledge_copy / "faq" / "basics.yaml"
    _replace(path, "sources: [003_8cd919f2b1a25123.txt]\n    reviewed: 2026-11-21", "sources: [made-up.txt]\n    reviewed: 21/11/2026")
    _replace(path, "topic: basics", "topic: nonsense")
    _replace(path, "    alternatives:\n      - 花呗是什么东西", "    alternative:\n      - 花呗是什么东西")
    problems = "\n".join(_problems(knowledge_copy))
    assert "source 'made-up.txt' is not listed" in problems
    assert "topic 'nonsense' is not in topics.yaml" in problems
    assert "unknown field 'alternative'" in problems
    assert "'reviewed' must be a date" in problems


def test_empty_binary_and_wrong_shape_files(knowledge_copy):
    _write(knowledge_copy / "faq" / "empty.yaml", "")
    (knowledge_copy / "faq" / "binary.yaml").write_bytes(b"\xff\xfe\x00garbage")
    _write(knowledge_copy / "faq" / "list.yaml", "- just\n- a list\n")
    problems = "\n".join(_problems(knowledge_copy))
    assert "faq/empty.yaml: is empty" in problems
    assert "faq/binary.yaml: is not UTF-8" in problems
    assert "faq/list.yaml: must be a mapping" in problems


def test_numbers_file_problems_stop_loading(knowledge_copy):
    path = knowledge_copy / "numbers.yaml"
    _replace(path, 'number: "95533"', 'number: "95588"')  # ICBC's number listed twice
    _replace(path, 'number: "95566"', "number: 95-566")
    _replace(path, 'number: "95559"', "number: 95559")  # unquoted: YAML reads an integer
    problems = "\n".join(_problems(knowledge_copy))
    assert "duplicate number (already listed under icbc)" in problems
    assert "'95-566' must be 3 to 20 digits" in problems
    assert "must be a quoted string of digits" in problems


def test_all_problems_are_reported_together(knowledge_copy):
    _write(knowledge_copy / "faq" / "a.yaml", "entries: {not: a list}\n")
    _write(knowledge_copy / "faq" / "b.yaml", ": : :\n")
    problems = _problems(knowledge_copy)
    assert len(problems) >= 2
    assert any("faq/a.yaml" in p for p in problems) and any("faq/b.yaml" in p for p in problems)


def test_missing_folder():
    with pytest.raises(KnowledgeError, match="not found"):
        load_knowledge("/nonexistent/knowledge")


def test_minimal_foreign_knowledge_folder_loads(tmp_path):
    """Another team's domain: only faq/ is required; no lexicon, topics, sources or numbers."""
    (tmp_path / "faq").mkdir()
    _write(tmp_path / "faq" / "garden.yaml", """entries:
  - id: water-tomatoes
    topic: garden
    question: 番茄多久浇一次水？
    alternatives: [西红柿怎么浇水]
    answer: 土表干了再浇，浇透。
    sources: [园艺手册]
    reviewed: 2026-01-01
""")
    knowledge = load_knowledge(tmp_path)
    assert [e.id for e in knowledge.entries] == ["water-tomatoes"]
    assert len(knowledge.numbers) == 0 and knowledge.tips == ()


def test_source_entry_field_and_fraud_type_problems(knowledge_copy):
    """Sources need a title, an address and a known reliability; applies_to names a listed
    institution; time_sensitive uses the known kinds; a fraud type points at a real entry."""
    _replace(knowledge_copy / "sources.yaml", "    reliability: reputable\n", "    reliability: trustworthy\n")
    _replace(knowledge_copy / "sources.yaml", "    address: shared/seeds/002_20486913ae4af3c0.txt\n", "")
    path = knowledge_copy / "faq" / "basics.yaml"
    _replace(path, "    reviewed: 2026-11-21", "    applies_to: [no-such-bank]\n    time_sensitive: [weather]\n"
             "    reviewed: 2026-11-21")
    _write(knowledge_copy / "fraud_types.yaml", "types:\n  - id: task\n    name: 刷单返利\n    entry: nowhere\n"
           "    rule: 先垫钱的兼职都是诈骗\n    scripts: [a, b, c]\n")
    problems = "\n".join(_problems(knowledge_copy))
    assert "reliability 'trustworthy' must be one of official, reputable, other" in problems
    assert "source '002_20486913ae4af3c0.txt': field 'address' is missing" in problems
    assert "applies_to 'no-such-bank' is not an institution id" in problems
    assert "time_sensitive 'weather' must be one of" in problems
    assert "fraud_types.yaml: type 'task': entry 'nowhere' does not exist" in problems


# Numbers that may appear in answers without being on the official list, each for a reason.
DOCUMENTED_EXAMPLES = {
    "057188888888": "the made-up 0571 landline used to show what a fake 'Hangzhou Alipay' call looks like",
}
PHONE_LIKE = re.compile(
    r"(?<![\d.,])(?:"
    r"1[1-2][0-9](?=\D|$)"                       # 110, 119, 120, 122
    r"|9[56]\d{3,4}|1[02]\d{3}"                  # 95/96 service, 100xx carriers, 12xxx public
    r"|[48]00[\s-]?\d{3}[\s-]?\d{4}"             # 400 / 800 lines
    r"|0\d{2,3}-\d{5,8}"                          # landlines written with an area code
    r"|1[3-9]\d{9}"                               # mobiles
    r")(?![\d.,%])")


def _phone_numbers(text: str) -> set[str]:
    found = set()
    for match in PHONE_LIKE.finditer(text):
        before = text[max(0, match.start() - 2):match.start()]
        after = text[match.end():match.end() + 2]
        if re.match(r"\s*(元|万|年|条|天|个|号(?!码)|%|位)", after) or before.endswith(("第", "刑法")):
            continue  # an amount, a year, an article, a count: not a phone number
        found.add(re.sub(r"\D", "", match.group(0)))
    return found


def test_every_phone_number_in_answers_and_tips_is_on_the_official_list(knowledge):
    """Issue 9.3: no answer or tip may give a number numbers.yaml does not source."""
    listed = set(knowledge.numbers.numbers) | set(knowledge.numbers.misinformation)
    texts = [(f"entry {e.id}", e.answer) for e in knowledge.entries] + [(f"tip {t.id}", t.text) for t in knowledge.tips]
    def ok(number: str) -> bool:
        # "021-95588", "025-96110": an area code in front of a listed number is a form the answers
        # explain (ambiguous for banks, genuine for 96110), not a new number.
        area_form = re.fullmatch(r"0\d{2,3}(9[56]\d{3,4})", number)
        return number in listed or number in DOCUMENTED_EXAMPLES or bool(area_form and area_form.group(1) in listed)

    unlisted = [(where, n) for where, text in texts for n in _phone_numbers(text) if not ok(n)]
    assert not unlisted, unlisted


def test_the_phone_number_check_would_catch_an_invented_number():
    assert _phone_numbers("请拨打 95599 或 400-820-0588，别打 95123") == {"95599", "4008200588", "95123"}
    assert _phone_numbers("盗窃 3000 元，刑法第 264 条，2013 年") == set()


LEGAL_FIGURE = re.compile(r"(盗窃|诈骗)[^。；\n]{0,24}?数额较大[^。；\n\d]{0,12}(\d[\d,]*\s*元\s*至\s*[\d,.]+\s*万?元)")


def test_entries_agree_on_the_legal_thresholds(knowledge):
    """Issue 9.3: two entries never state different figures for the same legal threshold."""
    stated: dict[str, set[str]] = {}
    texts = [e.answer for e in knowledge.entries] + [t.text for t in knowledge.tips]
    for text in texts:
        for crime, figure in LEGAL_FIGURE.findall(text):
            stated.setdefault(crime, set()).add(re.sub(r"[\s,]", "", figure))
    assert stated.get("盗窃") == {"1000元至3000元"}, stated
    assert stated.get("诈骗", {"3000元至1万元"}) == {"3000元至1万元"}, stated


def test_time_sensitive_facts_are_marked(knowledge):
    """Issue 9.3: an answer with legal figures, menu paths or carrier codes says so in its data."""
    for entry in knowledge.entries:
        if entry.id.startswith("number-"):
            continue
        if re.search(r"数额较大|第 ?\d+ ?条|解释", entry.answer):
            assert "legal" in entry.time_sensitive, entry.id
        if re.search(r"我的 ?- ?设置|设置 ?- ", entry.answer):
            assert "menu" in entry.time_sensitive, entry.id
        if re.search(r"KTFSR|QXGJLH|GBGJLH", entry.answer):
            assert "carrier" in entry.time_sensitive, entry.id


ALIPAY_WORDS = re.compile(r"支付宝|花呗|借呗|余额宝|蚂蚁")
FREEZE_AT_95188 = re.compile(r"95188[^。；\n]{0,12}冻结|冻结[^。；\n]{0,12}95188")


def _alipay_only_freeze(text: str) -> bool:
    """True when a text sends people to 95188 to freeze something without saying that this is
    for Alipay, and without the bank's own line beside it."""
    return bool(FREEZE_AT_95188.search(text)) and not ALIPAY_WORDS.search(text) \
        and not re.search(r"卡背面|银行.{0,6}(电话|客服)", text)


def test_95188_is_never_the_freeze_line_for_a_bank_card_or_any_leaked_detail(knowledge):
    """Fact check (2026-11-30): 95188 only acts on Alipay; a tip sent people who typed a bank card
    into a phishing page to 95188. A freeze sentence naming 95188 names Alipay or the bank's line."""
    texts = [(f"entry {e.id}", e.answer) for e in knowledge.entries] + [(f"tip {t.id}", t.text) for t in knowledge.tips]
    assert not [where for where, text in texts if _alipay_only_freeze(text)]
    assert _alipay_only_freeze("已经点开短信里的链接还输了信息？立刻改密码、查交易记录，有异常马上打 95188 冻结账户。")
    assert not _alipay_only_freeze("填的是支付宝，打 95188 冻结；填的是银行卡，打卡背面的电话。")


def test_inbound_only_numbers_cite_a_statement_that_they_never_call_out(knowledge):
    """Fact check (2026-11-30): WeChat's 4006700700 was marked inbound-only although its source only
    says it never calls abroad; the bot then called genuine calls from it "probably spoofed"."""
    for number, record in knowledge.numbers.numbers.items():
        if "inbound_only" in record.uses:
            assert "国际" not in (record.note or ""), number


def test_a_broken_unless_message_pattern_is_named_with_its_signal(knowledge_copy):
    path = knowledge_copy / "signals.yaml"
    _replace(path, "    unless_message: ['(就在你", "    unless_message: ['(((就在你")
    problems = _problems(knowledge_copy)
    assert any("verification_code" in p and "unless_message pattern" in p and "not a valid regular expression" in p
               for p in problems), problems


def test_a_signals_true_or_false_fields_must_be_booleans(knowledge_copy):
    path = knowledge_copy / "signals.yaml"
    _replace(path, "    never_low: true\n", "    never_low: yes please\n")
    _replace(path, "    despite_talk: true\n", "    despite_talk: 1\n")
    problems = "\n".join(_problems(knowledge_copy))
    assert "field 'never_low' must be true or false" in problems
    assert "field 'despite_talk' must be true or false" in problems
