"""Routing free text: numbers are checked, messages scanned, questions answered."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.assistant import BOTH, CHECK, EMPTY, LINK, QUESTION, SCAN
from bot.core.replies import render_html_chunks, render_text


@pytest.mark.parametrize("text, kind", [
    ("95188", CHECK),
    ("+86 138 0013 8000", CHECK),
    ("021-95588", CHECK),
    ("借呗被盗了怎么办", QUESTION),
    ("95188是支付宝的客服电话吗", QUESTION),      # a question that mentions a number
    ("0571-88888888 打来的", CHECK),              # a number with a few words: check it
    ("【蚂蚁金服】您的银行卡已被冻结，请点击 a.ccbt.icu 认证", SCAN),  # has a link
    ("第一行\n第二行", SCAN),
    ("", EMPTY), ("   ", EMPTY), ("😀😀", EMPTY), ("？？？", EMPTY),
    # Issue 10: a short pasted request is scanned, whatever its length; a long story is answered.
    ("在吗你支付宝能用吗麻烦打500元到我账户", SCAN),
    ("在吗 帮我转500到这个卡上 急", SCAN),
    ("我妈今天接到一个电话，对方说是公安局的，说她的银行卡涉嫌洗钱，要她把钱转到安全账户配合调查，"
     "还不让她告诉家里人，她差点就转了，这种情况我们现在应该怎么办", QUESTION),
    ("alipay.com.verify-hb.top", LINK),
])
def test_respond_routes_by_what_the_text_is(assistant, text, kind):
    assert assistant.respond(text).kind == kind


@pytest.mark.parametrize("text", [
    "我是花呗客服，你的账户涉嫌违规，需要上门核实，请先缴纳保证金五百元，联系电话0571-88888888，否则影响征信",
    "您好，我是京东金融客服，您的白条账户异常，需要把余额转到安全账户进行验证，否则影响征信",
])
def test_a_pasted_scam_in_someone_elses_words_gets_the_verdict_first(assistant, text):
    """Not the user's question: the high-risk verdict leads; when the matcher is sure which scam it
    is, its explanation follows (BOTH), else the scan alone."""
    response = assistant.respond(text)
    assert response.kind in (SCAN, BOTH) and response.scan is not None and response.scan.risk == "high"
    # (the scan alone also gives the named institution's number, which the explanation then gives)
    def without_note(lines):
        return tuple(line for line in lines if not line.text.startswith("消息提到的机构"))

    scan_only = without_note(assistant.scan(text).reply.lines)
    assert without_note(response.reply.lines)[:len(scan_only)] == scan_only


def test_forwarded_text_is_always_scanned(assistant):
    assert assistant.respond("借呗被盗了怎么办", forwarded=True).kind == SCAN


def test_empty_input_gets_a_helpful_hint(assistant):
    reply = assistant.respond("🙏").reply
    assert "号码" in render_text(reply) and "例如" in render_text(reply)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=300))
def test_any_text_gets_a_reply_and_renders(assistant, text):
    response = assistant.respond(text)
    assert response.kind in (CHECK, EMPTY, QUESTION, SCAN, BOTH, LINK)
    assert render_text(response.reply)
    assert all(len(chunk) <= 4096 for chunk in render_html_chunks(response.reply))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.from_regex(r"[+(（]?[0-9０-９ \-().]{0,24}", fullmatch=True))
def test_any_number_like_text_checks_without_raising(assistant, text):
    result = assistant.checker.check(text)
    assert result.verdict in ("official", "lookalike", "risky", "unknown", "invalid")
    assert result.advice


def test_a_question_about_a_pasted_message_gets_the_scan_and_the_answer(assistant):
    response = assistant.respond("这条短信是真的吗\n【工商银行】您的积分即将清零，请登录 icbc-jf.top 兑换现金")
    assert response.kind == BOTH and response.scan is not None and response.scan.risk == "high"
    text = render_text(response.reply)
    assert "高风险" in text and "icbc-jf[.]top" in text
    assert response.match is not None and response.match.status in ("answered", "suggest")


def test_a_story_with_scam_signals_gets_an_explanation(assistant):
    response = assistant.respond("有人加我微信说做点赞任务一单返3块，做了几单后让我先垫付5000元才能提现，我要不要转")
    assert response.kind in (QUESTION, BOTH)
    text = render_text(response.reply)
    assert "110" in text and ("诈骗" in text or "骗局" in text)


def test_a_users_story_with_numbers_that_the_matcher_is_unsure_of_gets_the_closest_questions_too(assistant):
    # the user's own words, with amounts and a hotline in them: each number is judged, and the
    # closest questions are offered (a verdict alone would answer nothing)
    response = assistant.respond("昨晚十一点多我的淘宝绑的卡被扣了两笔，一笔2999一笔1888，我今早已经打了95188，下一步还要做啥")
    assert response.match is not None and response.match.status == "suggest"
    assert response.kind == BOTH
    assert any(c.action == "entry" for c in response.reply.choices) and "风险" in render_text(response.reply)


def test_a_scanned_message_gets_the_official_number_of_the_institution_it_names(assistant):
    """"【招商银行】…请致电400…": the reply gives 招商银行's own number to call instead, once."""
    text = "【招商银行】您的信用卡额度即将冻结，请立即致电4008123456解除，逾期影响征信。"
    reply = render_text(assistant.scan(text).reply)
    assert "95555" in reply and "4008123456" in reply
    assert reply.index("95555") > reply.index("4008123456")  # after the message's own numbers
    assert reply.count("95555") == 1
    # the same through the forwarded path and a screenshot's text
    assert "95555" in render_text(assistant.respond(text, forwarded=True).reply)
    assert "95555" in render_text(assistant.scan_image_text(text).reply)


@pytest.mark.parametrize("text", [
    "【招商银行】您尾号1234的卡消费100元。如非本人操作请致电95555。",   # it gives the number itself
    "你好，明天下午三点在公司楼下等你，带上合同。",                       # names no institution
])
def test_no_number_note_when_the_message_gives_it_or_names_nobody(assistant, text):
    reply = assistant.scan(text).reply
    assert not any(line.text.startswith("消息提到的机构") for line in reply.lines)


def test_a_story_telling_of_one_request_is_explained_even_when_the_risk_model_says_low(assistant, monkeypatch):
    """The risk model is fitted on messages; a user's story that tells of a request (hand weight 2
    or 3) gets the scan and an explanation even when the fitted risk of the story is low, and a
    story with only a weak sign (urgency, weight 1) does not."""
    import dataclasses

    from bot.core.matcher import SUGGEST
    from bot.core.scanner import LOW, Finding

    story = "我妈说昨天有个人打电话说是她的老同学，让她先转两千块钱过去救急，她差点就转了，我该怎么跟她说"
    real_scan = assistant.scanner.scan
    real_ask = assistant.ask
    unsure = real_ask(story)
    unsure = dataclasses.replace(unsure, result=dataclasses.replace(unsure.result, status=SUGGEST))
    monkeypatch.setattr(assistant, "ask", lambda text: unsure)

    def scan_low(signals):
        def scan(text, *args, **kwargs):
            return dataclasses.replace(real_scan(text, *args, **kwargs), risk=LOW, signals=signals)
        return scan

    request = Finding("transfer_request", "让你转账", "先转两千块钱过去", 3)
    monkeypatch.setattr(assistant.scanner, "scan", scan_low((request,)))
    assert assistant.respond(story).kind in (BOTH, SCAN)
    weak = Finding("urgency", "催你赶快", "救急", 1)
    monkeypatch.setattr(assistant.scanner, "scan", scan_low((weak,)))
    assert assistant.respond(story).kind == QUESTION


@pytest.mark.parametrize("status, kind", [("no_match", SCAN), ("suggest", BOTH)])
def test_a_risky_text_the_matcher_cannot_answer_gets_the_verdict_not_i_dont_know(assistant, monkeypatch, status, kind):
    """A text in a user's voice (a question mark, no story) that the scan rates a risk and the
    matcher cannot answer: the verdict (with the closest questions when there are some), never
    "outside what I know"; with the scan low it stays a question; one number with a few words
    stays a number check."""
    import dataclasses

    from bot.core.scanner import LOW, MEDIUM

    text = "你那个游戏账号还卖吗？我出2000，不过你得先在这个网站上交500保证金，安全一点"
    real_scan, real_ask = assistant.scanner.scan, assistant.ask
    unsure = real_ask(text)
    unsure = dataclasses.replace(unsure, result=dataclasses.replace(unsure.result, status=status))
    monkeypatch.setattr(assistant, "ask", lambda t: unsure)

    def scan_at(risk):
        return lambda t, *a, **k: dataclasses.replace(real_scan(t, *a, **k), risk=risk)

    monkeypatch.setattr(assistant.scanner, "scan", scan_at(MEDIUM))
    assert assistant.respond(text).kind == kind
    assert assistant.respond("13912345678 打来的是谁？").kind == CHECK
    monkeypatch.setattr(assistant.scanner, "scan", scan_at(LOW))
    assert assistant.respond(text).kind == QUESTION


@pytest.mark.parametrize("text", ["\ud800转账", "我被骗了\udfff怎么办", "\ud83d"])
def test_a_lone_surrogate_gets_a_reply(assistant, text):
    assert assistant.respond(text).reply.lines


def test_an_assistant_loaded_for_checks_only_checks_and_never_scans():
    from bot.core.assistant import Assistant

    checks = Assistant.load(scanning=False)
    assert not checks.knowledge.scanning and checks.knowledge.wording is None
    assert checks.check("95188").check.verdict == "official"
    assert checks.check("https://alipay.com.verify-x.cn/a").link.verdict == "lookalike"
    assert checks.respond("95188").kind == CHECK
    with pytest.raises(RuntimeError, match="checks only"):
        checks.scanner  # noqa: B018 - a scan with no signals would call every message low risk
    with pytest.raises(RuntimeError):
        checks.respond("请把验证码发给我，马上转账到安全账户")


def test_a_low_risk_scan_that_shows_a_finding_does_not_say_nothing_was_found(assistant):
    """Low risk with a finding shown: the title says there is something to note (not "未发现"),
    the advice says to check the person first; low with nothing shown keeps the plain title."""
    # (a long-lost classmate's small loan, to be handed over in person: the fitted model rates it
    # low; without the meeting, high since stop 38's wording model)
    noted = render_text(assistant.scan("老同学 好久不见啊 最近手头有点紧 能不能借我两千 下个月就还你 周末请你吃饭当面给你").reply)
    assert "值得留意" in noted and "未发现明显诈骗特征" not in noted and "核实对方身份" in noted
    plain = render_text(assistant.scan("明天下午三点在学校门口接孩子，别迟到").reply)
    assert "未发现明显诈骗特征" in plain and "值得留意" not in plain


@pytest.mark.parametrize("text, numbers", [
    ("95516和95188分别是哪家的", ["95516", "95188"]),
    ("95566和95599是哪两家银行", ["95566", "95599"]),
    ("4008205555和95533是一家的吗", ["4008205555", "95533"]),
])
def test_a_short_question_about_several_numbers_checks_each(assistant, text, numbers):
    """A scan does not read a bare short number as a phone number (it may be an amount or a code);
    the user's own short question about several numbers, when the matcher has no sure answer, is
    about those numbers: each is checked, and the advice (hang up, call the official number yourself) is given once."""
    response = assistant.respond(text)
    assert response.kind == CHECK
    shown = render_text(response.reply)
    titles = [line.text for line in response.reply.lines if line.text.startswith("🏛️")]
    assert len(titles) == len(numbers)
    for number in numbers:
        assert any(number in title for title in titles)
    assert shown.count("怎么做：") == 1 and "挂断" in shown


@pytest.mark.parametrize("text, number, owner", [
    ("95533是哪家的电话", "95533", "建设银行"),
    ("95110是哪个单位的号码", "95110", "海警"),
])
def test_whose_number_is_it_is_answered_by_checking_the_number(assistant, text, number, owner):
    """"X是哪家的": the matcher would answer with how numbers can be faked in general; the user
    asked whose this one is, so it is checked (and the check still says to hang up and call back)."""
    response = assistant.respond(text)
    assert response.kind == CHECK
    shown = render_text(response.reply)
    assert number in shown and owner in shown and "挂断" in shown


def test_a_question_about_what_to_do_with_a_number_still_gets_the_answer(assistant):
    response = assistant.respond("95188冻结了怎么解冻")
    assert response.kind != CHECK and response.match is not None and response.match.entry is not None


def test_several_numbers_in_a_pasted_request_are_still_scanned(assistant):
    """A request naming numbers (someone else's words, a scam signal) is not a number question."""
    response = assistant.respond("在吗 帮我转5000到6222021234567890123 验证码665432发我")
    assert response.kind in (SCAN, BOTH)
    assert response.scan is not None and response.scan.risk != "low"


def test_a_password_quoted_in_a_question_is_not_checked_as_a_number(assistant):
    """支付密码就用的123456: the digits are a password, the question is about passwords."""
    response = assistant.respond("我记性不好，支付密码就用的123456，会不会不安全")
    assert response.kind != CHECK
    assert response.check is None


def test_several_numbers_the_riskiest_advice_and_a_report_button_for_the_lookalike(assistant):
    response = assistant.respond("95188和0095188分别是谁的")
    assert response.kind == CHECK
    shown = render_text(response.reply)
    assert "95188（支付宝）" in shown and "冒充支付宝" in shown
    assert shown.count("怎么做：") == 1 and "不是官方号码" in shown  # the lookalike's advice, not the official's
    assert [c.value for c in response.reply.choices] == ["+95188"]   # no button to report the real number


ONGOING = ("我是不是被骗了 现在还要不要转\n< 客服-小李\n小李：您的账户存在连单任务未完成，需要再充值8000元才能提现\n"
           "小李：完成后本金和佣金一起返还，今晚12点前不完成账户冻结")


@pytest.mark.parametrize("text", [
    ONGOING,
    "这是骗子吗【顺丰速运】您的快件因地址不详无法派送，请点击 sf-kd.cc/x 重新填写地址并支付补运费3元",
])
def test_a_users_doubt_around_a_pasted_scam_does_not_set_the_scam_aside(assistant, text):
    """"我是不是被骗了" names a scam: the scanner reads the whole text as talk about scams and sets
    its requests aside (since stop 43 a question is no warning, so its wording may still count). The
    pasted part is rated on its own too, and the higher verdict shown; at the same risk, the one
    that shows more signals."""
    from bot.core.risk import HIGH

    response = assistant.respond(text)
    assert response.scan is not None and response.scan.risk == HIGH
    assert any(s.name != "scam_wording" for s in response.scan.signals)
    whole = assistant.scanner.scan(text)  # (what the whole text alone gets: at most its wording)
    assert whole.risk != HIGH or all(s.name == "scam_wording" for s in whole.signals)


def test_a_users_doubt_around_a_genuine_notice_stays_low(assistant):
    response = assistant.respond("这个是诈骗吗？\n【工商银行】您尾号6620的账户于12月1日转入工资8,000.00元，余额12,345.67元。\n我刚换了工作")
    assert response.scan is None or response.scan.risk == "low"


ASKED = ("这是骗子吗 他说是我们刘总\n< 刘总（新号）\n你帮我转个账给对方，我这边网银限额了\n"
         "我已经把钱转你卡上了 你看一下 [图片]\n跨行可能要两个小时才到，你先转吧 对方急着要")


def test_an_explicit_scan_rates_the_pasted_part_under_the_users_question(assistant):
    """A forwarded message, `scan` and the API: "这是骗子吗" over a pasted chat names a
    scam, which alone would make the scanner read the text as talk about scams."""
    from bot.core.risk import HIGH

    whole = assistant.scanner.scan(ASKED)   # (what the whole text alone gets: at most its wording)
    assert whole.risk != HIGH or all(s.name == "scam_wording" for s in whole.signals)
    assert assistant.scan_message(ASKED).risk == HIGH
    response = assistant.scan(ASKED)
    assert response.scan.risk == HIGH and any(f.name == "boss_transfer" for f in response.scan.signals)


@pytest.mark.parametrize("text", [
    "这个是诈骗吗？\n【工商银行】您尾号6620的账户于12月1日转入工资8,000.00元，余额12,345.67元。",
    # a header that asks nothing: a retelling keeps its first line, and stays a text about a scam
    "说说我差点被骗的经历\n对方说是抖音客服 让我下个会议软件共享屏幕\n我没下 直接挂了 大家别信",
])
def test_an_explicit_scan_of_a_genuine_text_with_the_users_words_stays_low(assistant, text):
    assert assistant.scan_message(text).risk == "low"


def test_only_a_question_sets_the_users_line_apart_for_a_second_scan():
    from bot.core.routing import asked_about, pasted_part

    assert asked_about(ASKED) == pasted_part(ASKED) and asked_about(ASKED).startswith("< 刘总")
    assert asked_about("这是骗子吗【顺丰速运】请补运费") == "【顺丰速运】请补运费"
    assert asked_about("说说我差点被骗的经历\n对方：请下载会议软件\n我挂了") is None   # no question
    assert asked_about("小李：需要再充值8000元\n小李：今晚不完成就冻结") is None           # nothing set apart
    assert asked_about("【顺丰速运】请补运费") is None
    # a question that doubts nothing pasted: a warning's closing line, a retelling's sentence
    assert asked_about("警惕冒充领导诈骗\n“领导”加你微信，让你先帮他转账给对方\n遇到这种情况怎么办？请拨打96110核实") is None
    assert asked_about("刚才有个贷款客服打来说要先交解冻金\n我问他是哪个平台，他说了个没听过的名字") is None
    # a signature at the very end is no split point: the words before it are the message
    assert asked_about("这是诈骗吗 您的快递丢失，理赔请加客服QQ 2938475610【顺丰】") is None
    assert asked_about("帮我看看\n【工行】您的积分即将清零\n点 icbc-jf.cc 兑换") == "【工行】您的积分即将清零\n点 icbc-jf.cc 兑换"


def test_a_message_quoted_in_the_users_story_and_doubted_after_it_is_scanned_alone(assistant):
    from bot.core.routing import asked_about

    quoted = "同学您好，您的账户注销流程尚未完成，请于今日18点前联系专员 183 2741 6630 处理，逾期将上报征信"
    story = f"接到个电话说我有学生账户没注销，我挂了，他又发短信过来：『{quoted}』 这是骗子吧"
    assert asked_about(story) == quoted and assistant.scan_message(story).risk != "low"
    # double quotes after a word for a message; a doubt asked with 吧 or a question
    assert asked_about(f"今天收到短信：“{quoted}” 是真的吗？") == quoted
    # a story that tells how the quoted message ended doubts nothing; a doubt before the quote is no
    # doubt of it; a short quote is a phrase, not a message
    assert asked_about(f"他发短信过来：『{quoted}』我没理，后来问了学校，根本没这回事。") is None
    assert asked_about(f"这是骗子吧？他发来：『{quoted}』我没理") is None
    assert asked_about("他说『我是你领导』，是骗子吧") is None
    # 发过来：“…” quotes a message; a warning sure of what it quotes doubts nothing
    assert asked_about(f"他又发短信过来：“{quoted}” 这是骗子吧") == quoted
    assert asked_about(f"社区提醒：有人收到短信：“{quoted}”，大家看到这种直接删，肯定是诈骗吧") is None


def test_an_explicit_scan_of_odd_input_never_raises(assistant):
    for odd in (None, 12345, "", "\n\n", "这是骗子吗"):
        assert assistant.scan_message(odd).risk == "low"


def test_the_pasted_part_leaves_out_the_users_own_first_and_last_lines():
    from bot.core.routing import pasted_part

    assert pasted_part(ONGOING) == ONGOING.split("\n", 1)[1]
    # (speaker lines, sender tags and links are the message's, never the user's)
    chat = "小李：需要再充值8000元\n小李：今晚不完成就冻结"
    assert pasted_part(chat) == chat
    assert pasted_part("帮我看看\n【工行】您的积分即将清零\n点 icbc-jf.cc 兑换") == "【工行】您的积分即将清零\n点 icbc-jf.cc 兑换"
    # one line: the few words before a sender tag; a tag at the start, or [图片], sets nothing apart
    assert pasted_part("这是骗子吗【顺丰速运】请补运费") == "【顺丰速运】请补运费"
    assert pasted_part("【顺丰速运】请补运费") == "【顺丰速运】请补运费"
    assert pasted_part("这是他发的[图片] 你看看") == "这是他发的[图片] 你看看"
    assert pasted_part("只有一行字") == "只有一行字"


def test_signals_found_in_the_same_words_share_one_quoted_line(assistant):
    """A "boss" on a "new number" asking to transfer fires several signals on one excerpt: the
    reply quotes it once, with their labels together, and a chat's line breaks read as spaces."""
    from bot.core.replies import render_text

    response = assistant.scan(ASKED)
    excerpts = [s.evidence for s in response.scan.signals]
    assert len(excerpts) > len(set(excerpts))          # (the case this is about: repeated excerpts)
    shown = render_text(response.reply)
    block = shown.split("发现的可疑迹象：\n", 1)[1].split("\n怎么做", 1)[0]
    bullets = [line for line in block.splitlines() if line.startswith("• ")]
    assert len(bullets) == len(set(excerpts)) and all("\n" not in b for b in bullets)
    for signal in response.scan.signals:
        assert signal.label in block


def test_an_explicit_scan_keeps_the_numbers_the_users_own_line_names(assistant):
    """At the same risk the pasted part is shown when it shows more signals, but not at the cost of
    a number the user's question line names (他还打了电话 17088994455 给我)."""
    text = ("【建设银行】您的账户存在异常，已被冻结，请点击 http://ccb-jd.top 完成认证，逾期将永久冻结\n"
            "这个是诈骗吧？他还打了电话 17088994455 给我")
    result = assistant.scan_message(text)
    assert result.risk == "high"
    assert any(n.normalized.endswith("17088994455") for n in result.numbers)
