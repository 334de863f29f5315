"""Dump every scan result (and its evidence) of the development message sets and the test
messages, one repr per line: run before and after a speed change and diff the files (exactness
check for issue 10). Reads no held-out, public or blind question set, nor dev13 (kept unread).

    python benchmarks/scan_dump.py OUT.txt
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.core.assistant import Assistant  # noqa: E402
from bot.core.evaluation import load_messages  # noqa: E402

SETS = ["dev", "dev2", "dev3", "dev4", "dev5", "dev6", "dev7", "dev8", "dev9", "dev10", "dev11", "dev12", "dev14", "dev15", "dev16", "dev17", "dev18", "dev19", "dev20"]


def texts() -> list[str]:
    out = [m["text"] for m in yaml.safe_load((ROOT / "tests" / "data" / "scan_messages.yaml")
                                            .read_text("utf-8"))["messages"]]
    for name in SETS:
        out += [m.text for m in load_messages(ROOT / "benchmarks" / "data" / "scans" / f"{name}_messages.yaml")]
    return out


def main() -> None:
    scanner = Assistant.load().scanner
    with open(sys.argv[1], "w", encoding="utf-8") as out:
        for text in texts():
            ev = scanner.evidence(text)
            res = scanner.scan(text)
            out.write(repr(res) + "\n")
            out.write(repr((ev.requests, ev.others, ev.talks_about_scams, ev.notice, ev.own_number,
                            ev.warning, ev.said, ev.fraud_type)) + "\n")
            out.write(repr(scanner.scan(text, pasted=False)) + "\n")


if __name__ == "__main__":
    main()
