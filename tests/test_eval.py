"""Accuracy of the matcher on the blind, labelled evaluation set (tests/data/eval_questions.yaml).

The set was written by someone who saw only each entry's question and answer, never the
alternative phrasings or the calibration data: 228 user-style questions (168 in scope, 60 off
topic; typos, traditional characters, emoji, stories, dialect).

Thresholds, and why:
- top-1 >= 90% and top-3 >= 95%: measured 95.8% / 98.2% with the current calibration. The floor
  leaves room for knowledge edits (new entries make neighbours harder to tell apart) while still
  failing on any real regression; the naive rapidfuzz baseline scores 63% top-1 here.
- off-topic rejection >= 80%: measured 90.0%. Below 80%, more than one in five off-topic
  questions would get buttons pointing at unrelated answers.
- wrong answers <= 2% of answered questions: measured 0 of 140. A confident wrong answer is the
  worst outcome for a frightened user, so this is the strictest bound.
"""

from __future__ import annotations

import yaml

from bot.core.matcher import Matcher, evaluate

from .conftest import DATA

TOP1_MIN, TOP3_MIN, REJECT_MIN, WRONG_ANSWER_MAX = 0.90, 0.95, 0.80, 0.02


def load_eval() -> list[tuple[str, list[str]]]:
    data = yaml.safe_load((DATA / "eval_questions.yaml").read_text("utf-8"))
    return [(str(q["q"]), list(q.get("expect") or [])) for q in data["questions"]]


def test_evaluation_set_is_big_enough_and_labels_exist(knowledge):
    labelled = load_eval()
    in_scope = [q for q, e in labelled if e]
    off_topic = [q for q, e in labelled if not e]
    assert len(labelled) >= 150 and len(off_topic) >= 40
    assert len(set(q for q, _ in labelled)) == len(labelled), "duplicate questions"
    for _, expected in labelled:
        for entry_id in expected:
            assert entry_id in knowledge, entry_id
    covered = {e[0] for _, e in labelled if e}
    assert len(covered) >= 0.9 * len(knowledge.entries), "the set must exercise most entries"
    assert len(in_scope) >= 110


def test_matcher_accuracy_on_the_blind_evaluation_set(knowledge, capsys):
    stats = evaluate(Matcher.from_knowledge(knowledge), load_eval())
    answered = stats["answered_right"] + stats["answered_wrong"]
    wrong_share = stats["answered_wrong"] / max(answered, 1)
    report = (f"top-1 {stats['top1_accuracy']:.1%} (min {TOP1_MIN:.0%}), "
              f"top-3 {stats['top3_recall']:.1%} (min {TOP3_MIN:.0%}), "
              f"off-topic rejection {stats['off_topic_rejection']:.1%} (min {REJECT_MIN:.0%}), "
              f"wrong answers {stats['answered_wrong']}/{answered} (max {WRONG_ANSWER_MAX:.0%})")
    with capsys.disabled():
        print(f"\n[eval] {report}")
    misses = "\n".join(f"  {q!r}: expected {e}, got {s} {r}" for q, e, s, r in stats["misses"][:15])
    assert stats["top1_accuracy"] >= TOP1_MIN, f"{report}\n{misses}"
    assert stats["top3_recall"] >= TOP3_MIN, f"{report}\n{misses}"
    assert stats["off_topic_rejection"] >= REJECT_MIN, f"{report}\n{misses}"
    assert wrong_share <= WRONG_ANSWER_MAX, f"{report}\n{misses}"
