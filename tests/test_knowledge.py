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
    for fact in ["95188", "72 小时", "3–7 个工作日", "100 万元",
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
