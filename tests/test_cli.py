"""The offline command line, run as users and scripts run it: `python -m bot ...` in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from .conftest import ROOT


def run(*args: str, stdin: bytes | str | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    full_env.pop("TELEGRAM_BOT_TOKEN", None)
    full_env.pop("BOT_KNOWLEDGE_DIR", None)
    full_env.update(env or {})
    data = stdin.encode("utf-8") if isinstance(stdin, str) else stdin
    proc = subprocess.run([sys.executable, "-m", "bot", *args], input=data, capture_output=True,
                          cwd=ROOT, env=full_env, timeout=60)
    proc.stdout_text = proc.stdout.decode("utf-8")  # type: ignore[attr-defined]
    proc.stderr_text = proc.stderr.decode("utf-8")  # type: ignore[attr-defined]
    return proc


def test_ask_one_question_prints_the_answer_with_its_footer():
    proc = run("ask", "借呗被盗了怎么办")
    assert proc.returncode == 0, proc.stderr_text
    assert "95188" in proc.stdout_text
    assert "来源：" in proc.stdout_text and "审核于 2026-11-30" in proc.stdout_text


def test_ask_json_is_one_object_with_the_documented_fields():
    proc = run("ask", "--json", "花呗打电话说要上门核实是真的吗")
    lines = proc.stdout_text.strip().splitlines()
    assert proc.returncode == 0 and len(lines) == 1
    data = json.loads(lines[0])
    assert set(data) == {"query", "status", "answer", "entry", "score", "alternatives"}
    assert data["status"] == "answered"
    assert data["entry"] == {"id": "home-verification-call", "question": "花呗打电话说要上门核实情况，是真的吗？"}


def test_ask_stdin_writes_one_result_per_input_line_even_for_bad_lines():
    questions = ["借呗被盗了怎么办", "", "今天天气怎么样", "😭😭😭", "'; DROP TABLE x; --"]
    raw = ("\n".join(questions) + "\n").encode("utf-8") + b"\xff\xfe\x00binary\n"
    proc = run("ask", "--json", stdin=raw)
    assert proc.returncode == 0, proc.stderr_text
    results = [json.loads(line) for line in proc.stdout_text.splitlines()]
    assert len(results) == len(questions) + 1
    assert [r["query"] for r in results[:5]] == questions
    assert results[0]["status"] == "answered"
    assert all(r["status"] == "no_match" for r in results[1:])


def test_ask_stdin_plain_output_is_tab_separated():
    proc = run("ask", stdin="借呗被盗了怎么办\n今天天气怎么样\n")
    rows = [line.split("\t") for line in proc.stdout_text.splitlines()]
    assert rows[0][:2] == ["answered", "theft-first-steps"]
    assert rows[1][:2] == ["no_match", "-"]


def write_garden(folder: Path) -> Path:
    (folder / "faq").mkdir(parents=True)
    (folder / "faq" / "garden.yaml").write_text("""entries:
  - id: water-tomatoes
    topic: garden
    question: 番茄多久浇一次水？
    alternatives: [西红柿怎么浇水, 番茄浇水频率]
    answer: 土表干了再浇，浇透。
    sources: [园艺手册]
    reviewed: 2026-01-01
""", encoding="utf-8")
    return folder


def test_knowledge_option_and_environment_point_at_another_folder(tmp_path):
    garden = write_garden(tmp_path / "garden")
    by_option = json.loads(run("ask", "--json", "--knowledge", str(garden), "西红柿多久浇水").stdout_text)
    by_env = json.loads(run("ask", "--json", "西红柿多久浇水", env={"BOT_KNOWLEDGE_DIR": str(garden)}).stdout_text)
    assert by_option["entry"]["id"] == by_env["entry"]["id"] == "water-tomatoes"
    # The option also works before the command name.
    assert json.loads(run("--knowledge", str(garden), "ask", "--json", "番茄浇水").stdout_text)["entry"]


def test_broken_knowledge_gives_a_clear_error_and_exit_code(tmp_path):
    garden = write_garden(tmp_path / "garden")
    (garden / "faq" / "broken.yaml").write_text("entries: [\n", encoding="utf-8")
    proc = run("ask", "--knowledge", str(garden), "问题")
    assert proc.returncode == 3
    assert "faq/broken.yaml" in proc.stderr_text and "Traceback" not in proc.stderr_text


def test_chat_console_conversation_with_suggestion_numbers():
    script = "冻结\n1\n/topics\n今天天气怎么样\n/quit\n"
    proc = run("chat", stdin=script)
    out = proc.stdout_text
    assert proc.returncode == 0, proc.stderr_text
    assert "反诈助手" in out and "再见" in out
    assert "🚨 被盗急救" in out                      # /topics lists the topics
    assert "超出了我目前掌握的内容" in out          # the weather question
    assert out.count("【") >= 1                      # an answer was shown


def test_no_command_and_no_token_starts_the_console():
    proc = run(stdin="借呗被盗了怎么办\n")
    assert proc.returncode == 0, proc.stderr_text
    assert "离线控制台" in proc.stdout_text and "95188" in proc.stdout_text


def test_check_json_one_line_per_number_including_bad_ones():
    proc = run("check", "--json", stdin="95188\n+95588\n17012345678\n13800138000\nnot a number\n\n")
    results = [json.loads(line) for line in proc.stdout_text.splitlines()]
    assert proc.returncode == 0 and len(results) == 6
    assert [r["verdict"] for r in results] == ["official", "lookalike", "risky", "unknown", "invalid", "invalid"]
    assert all(set(r) == {"input", "normalized", "verdict", "institution", "reasons", "advice", "reports"}
               for r in results)
    assert results[1]["institution"] == "中国工商银行"


def test_check_single_number_prints_a_verdict_line_reasons_and_advice():
    proc = run("check", "021", "95588")   # words joined: "021 95588"
    assert proc.returncode == 0
    assert "未知号码" in proc.stdout_text and "说不准" in proc.stdout_text and "怎么做" in proc.stdout_text


def test_scan_reads_the_whole_message_from_stdin():
    message = "【蚂蚁金服】您的银行卡已被冻结，\n请在24小时内点击 a.ccbt.icu 完成认证。客服 +8695188\n"
    data = json.loads(run("scan", "--json", stdin=message).stdout_text)
    assert set(data) >= {"risk", "numbers", "urls", "signals", "related", "advice"}   # fields are only added
    assert data["risk"] == "high" and data["urls"] == ["a.ccbt.icu"]
    assert data["numbers"][0]["verdict"] == "lookalike"
    assert {"unfreeze_link", "account_frozen"} <= {s["name"] for s in data["signals"]}
    plain = run("scan", stdin=message).stdout_text
    assert "高风险" in plain and "a[.]ccbt[.]icu" in plain and "a.ccbt.icu" not in plain


def test_scan_of_binary_input_gets_a_clear_message_not_a_crash():
    proc = run("scan", "--json", stdin=b"\xff\xfe\x00\x01" * 1000)
    assert proc.returncode == 2 and json.loads(proc.stdout_text)["error"] == "empty"
    assert "Traceback" not in proc.stderr_text


def test_chat_routes_numbers_and_messages():
    out = run("chat", stdin="95188\n+95588\n").stdout_text
    assert "官方号码" in out and "疑似冒充" in out
    assert "举报这个号码" not in out   # the console cannot report: no numbered choice for it


def test_scan_batch_writes_one_result_per_line_in_order():
    lines = [json.dumps({"text": "【工行】您的积分即将清零，请登录 icbc-jf.top 兑换现金"}, ensure_ascii=False),
             "not json", json.dumps({"txt": "wrong key"}),
             json.dumps({"text": "妈 我周末回家吃饭"}, ensure_ascii=False),
             # the user's own question over a pasted chat: the pasted part is rated too (as `scan` does)
             json.dumps({"text": "这是骗子吗 他说是我们刘总\n< 刘总（新号）\n你帮我转个账给对方，我这边网银限额了\n"
                                 "我已经把钱转你卡上了 你先转吧 对方急着要"}, ensure_ascii=False)]
    proc = run("scan", "--json", "--batch", stdin="\n".join(lines) + "\n")
    assert proc.returncode == 0, proc.stderr_text
    out = [json.loads(line) for line in proc.stdout_text.splitlines()]
    assert len(out) == 5
    assert out[0]["risk"] == "high" and out[0]["links"][0]["verdict"] == "lookalike"
    assert out[1]["error"] == "bad_line" and out[2]["error"] == "bad_line"
    assert out[3]["risk"] == "low"
    assert out[4]["risk"] == "high"


def test_empty_scan_gets_a_hint_not_a_verdict():
    proc = run("scan", stdin="   \n\n")
    assert proc.returncode == 2 and "低风险" not in proc.stdout_text and "粘贴" in proc.stderr_text
    data = json.loads(run("scan", "--json", stdin="").stdout_text)
    assert data["error"] == "empty"


def test_console_reads_a_multi_line_paste_as_one_message():
    """Through a real terminal (a pty): a pasted three-line SMS is scanned once, as a whole."""
    import pty
    import select
    import time

    pid, fd = pty.fork()
    if pid == 0:  # the child: the console, with the test session's environment
        os.chdir(ROOT)
        env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
        env.pop("TELEGRAM_BOT_TOKEN", None)
        os.execve(sys.executable, [sys.executable, "-m", "bot", "chat"], env)
    output = b""

    def read_until(marker: bytes, since: int = 0, timeout: float = 60) -> None:
        nonlocal output
        deadline = time.monotonic() + timeout
        while marker not in output[since:] and time.monotonic() < deadline:
            if select.select([fd], [], [], 0.5)[0]:
                try:
                    output += os.read(fd, 65536)
                except OSError:
                    break

    def drain(quiet: float = 1.0) -> None:
        nonlocal output
        while select.select([fd], [], [], quiet)[0]:
            try:
                output += os.read(fd, 65536)
            except OSError:
                break

    prompt = "你> ".encode()
    try:
        read_until(prompt)
        start = len(output)
        paste = "【工商银行】您的积分即将清零\r请登录 icbc-jf.top 兑换现金\r逾期作废，客服+8695588\r"
        os.write(fd, paste.encode("utf-8"))
        read_until(prompt, since=start)
        drain()
        text = output[start:].decode("utf-8", "replace")
        verdicts = sum(text.count(v) for v in ("高风险：", "中风险：", "低风险："))
        assert verdicts == 1 and "高风险" in text, text   # one scan of the whole paste
        assert "icbc-jf[.]top" in text and "+8695588" in text
        os.write(fd, "/quit\r".encode())
    finally:
        try:
            os.kill(pid, 9)
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)


def test_check_reads_neither_the_scanners_files_nor_its_code(knowledge_copy):
    """A one-off number check loads numbers, domains and messages only: a scanner file it would not
    use does not stop it (the scan command still reports the file), and the scanner module, whose
    patterns take a tenth of a second to compile, is never imported."""
    (knowledge_copy / "signals.yaml").write_text("signals: [\n", encoding="utf-8")
    (knowledge_copy / "scanner_model.yaml").write_text("bias: [\n", encoding="utf-8")
    (knowledge_copy / "scan_wording.json").write_text("{", encoding="utf-8")
    (knowledge_copy / "fraud_types.yaml").write_text("types: {", encoding="utf-8")
    proc = run("check", "--knowledge", str(knowledge_copy), "--json", stdin="95188\nhttps://alipay.com.verify-x.cn/a\n")
    assert proc.returncode == 0, proc.stderr_text
    number, link = (json.loads(line) for line in proc.stdout_text.splitlines())
    assert number["verdict"] == "official" and link["verdict"] == "lookalike" and link["domain"] == "verify-x.cn"
    plain = run("check", stdin="https://alipay.com.verify-x.cn/a\n95188\n")  # (links crashed here)
    assert plain.returncode == 0, plain.stderr_text
    assert [line.split("\t")[:3] for line in plain.stdout_text.splitlines()] == [
        ["lookalike", "verify-x.cn", "支付宝"], ["official", "95188", "支付宝"]]
    scan = run("scan", "--knowledge", str(knowledge_copy), stdin="请把验证码发给我")
    assert scan.returncode == 3 and "signals.yaml" in scan.stderr_text
    # (nor numpy: the wording model's module imports it only where a model is made, 10 MiB of a check)
    probe = ("import sys; from bot.cli import main; code = main(['check', '95188']);"
             " print('scanner imported' if 'bot.core.scanner' in sys.modules else 'no scanner',"
             " 'numpy imported' if 'numpy' in sys.modules else 'no numpy', code)")
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, cwd=ROOT, timeout=60,
                          env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    assert proc.stdout.decode("utf-8").strip().endswith("no scanner no numpy 0"), proc.stderr.decode("utf-8")
