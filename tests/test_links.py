"""Links are judged without being opened: official, institution, lookalike, shortener or unknown."""

from __future__ import annotations

import pytest

from bot.core.links import INSTITUTION, LOOKALIKE, OFFICIAL, SHORTENER, UNKNOWN, LinkChecker, host_of

CASES = [
    # official: the registrable domain is listed, whatever the subdomain and path
    ("https://render.alipay.com/p/c/k2ffp0j9", OFFICIAL, "支付宝"),
    ("www.icbc.com.cn", OFFICIAL, "中国工商银行"),
    ("http://www.10086.cn/index", OFFICIAL, "中国移动"),
    ("cmbchina.com", OFFICIAL, "招商银行"),
    ("95516.com", OFFICIAL, "中国银联"),
    ("https://www.gov.cn/zhengce", OFFICIAL, "政府网站"),
    ("http://gaj.cq.gov.cn/x", OFFICIAL, "政府网站"),
    # institution: under a suffix only schools and research institutes can register (edu.cn)
    ("https://pay.xjtu.edu.cn/index", INSTITUTION, "教育科研机构"),
    ("jwc.fudan.edu.cn", INSTITUTION, "教育科研机构"),
    ("pay.xjtu.edu.cn.jfzx.top", LOOKALIKE, "pay.xjtu.edu.cn"),   # the real domain is jfzx.top
    ("ybpz-gov.cn.jh12.edu.cn", LOOKALIKE, "ybpz-gov.cn"),        # a domain name in front of a school's
    ("www.chsi.com.cn.xjtu.edu.cn", LOOKALIKE, "www.chsi.com.cn"),
    ("xjtu-edu.cn", UNKNOWN, None),                                # not under edu.cn
    ("alipay.xjtu.edu.cn", LOOKALIKE, "支付宝"),                   # a brand in any host stays a lookalike
    # lookalike: brand plus a word, brand as a subdomain, one or two characters away, confusables
    ("alipay-secure.cc", LOOKALIKE, "支付宝"),
    ("boc-verify.top", LOOKALIKE, "中国银行"),
    ("unionpay-refund.cc", LOOKALIKE, "中国银联"),
    ("alipay.com.verify-hb.top", LOOKALIKE, "支付宝"),
    ("icbc-com.cn.vip", LOOKALIKE, "中国工商银行"),
    ("10086.cn.kf-jf.xyz", LOOKALIKE, "中国移动"),
    ("95588-jf.top", LOOKALIKE, "中国工商银行"),
    ("a1ipay.com", LOOKALIKE, "支付宝"),
    ("cmbchlna.com", LOOKALIKE, "招商银行"),
    ("аlipay.com", LOOKALIKE, "支付宝"),                 # Cyrillic а
    ("http://xn--lipay-3ve.com/login", LOOKALIKE, "支付宝"),  # the same, as punycode
    # a whole domain name in front of another, whoever it imitates
    ("ybpz-gov.cn.jh12.top/jh", LOOKALIKE, "ybpz-gov.cn"),
    ("https://tax.gov.cn.refund-a.top", LOOKALIKE, "政府网站"),
    ("ax-gongyi.org.cn.ztd9.top", LOOKALIKE, "ax-gongyi.org.cn"),
    # shorteners hide the target
    ("t.cn/A6x2", SHORTENER, None),
    ("url.cn/abc", SHORTENER, None),
    # unknown: never "safe"
    ("example.com", UNKNOWN, None),
    ("facebook.com", UNKNOWN, None),
    ("www.12306.cn", UNKNOWN, None),
    ("cn.nytimes.com", UNKNOWN, None),        # a one-label subdomain is no domain name
    ("m.shop-abc.com/item", UNKNOWN, None),
    ("console.cloud.tencent.com", UNKNOWN, None),   # subdomains that end in a top-level word
    ("api.dev.example.com", UNKNOWN, None),
    ("news.tech.163.com", UNKNOWN, None),
    ("www.app.example.com", UNKNOWN, None),
]


@pytest.fixture(scope="module")
def links(knowledge) -> LinkChecker:
    return LinkChecker(knowledge.domains)


@pytest.mark.parametrize("url, verdict, institution", CASES)
def test_link_verdicts(links, url, verdict, institution):
    result = links.check(url)
    assert (result.verdict, result.institution) == (verdict, institution), (url, result)
    assert result.reasons and "安全" not in result.reasons[0]


def test_no_official_link_is_a_lookalike_and_no_lookalike_is_official(links, knowledge):
    for site in knowledge.domains.sites:
        for domain in site.domains:
            for url in (domain, f"www.{domain}", f"https://m.{domain}/path?q=1"):
                assert links.check(url).verdict == OFFICIAL, url
            assert links.check(f"{domain}.evil-site.top").verdict == LOOKALIKE
            assert links.check(f"{domain.split('.')[0]}-kefu.cc").verdict == LOOKALIKE


def test_hosts_are_read_from_every_way_links_are_written(links):
    assert host_of("HTTPS://Render.Alipay.COM/p") == "render.alipay.com"
    assert host_of("alipay.com。") == "alipay.com"
    assert host_of("") is None
    assert links.check("not a link at all").verdict == UNKNOWN


def test_scan_judges_every_link_and_a_lookalike_makes_it_high(assistant):
    result = assistant.scan("您的账户异常，请登录 alipay.com.verify-hb.top 处理，或访问 www.alipay.com").scan
    verdicts = {link.domain: link.verdict for link in result.links}
    assert verdicts == {"verify-hb.top": LOOKALIKE, "alipay.com": OFFICIAL}
    assert result.risk == "high" and "lookalike_link" in {s.name for s in result.signals}
    data = result.to_dict()
    assert data["urls"] and {"url", "domain", "verdict", "institution", "reasons"} <= set(data["links"][0])


def test_a_scanned_lookalike_names_the_real_official_domain(assistant):
    from bot.core.replies import render_text

    text = render_text(assistant.scan("收到一个 unionpay-refund.cc 的退款链接，说点进去领退款").reply)
    assert "仿冒官方网站" in text and "unionpay[.]com" in text  # where the genuine site is (defanged)


def test_a_bare_link_and_check_url_get_a_link_verdict(assistant):
    from bot.core.replies import render_text

    for response in (assistant.respond("a1ipay.com"), assistant.check("https://a1ipay.com/x")):
        assert response.kind == "link" and response.link.verdict == LOOKALIKE
        text = render_text(response.reply)
        assert "a1ipay[.]com" in text and "a1ipay.com" not in text   # never clickable


def test_domains_file_problems_stop_loading(knowledge_copy):
    from bot.core.knowledge import load_knowledge
    from bot.core.validation import KnowledgeError

    path = knowledge_copy / "domains.yaml"
    text = path.read_text("utf-8").replace("institution: ccb", "institution: no-such-bank", 1)
    text = text.replace("domains: [psbc.com]", "domains: [psbc.com, not a domain]", 1)
    path.write_text(text, "utf-8")
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(knowledge_copy)
    problems = "\n".join(info.value.problems)
    assert "no-such-bank" in problems and "'not a domain' is not a domain name" in problems


def test_a_link_after_the_users_words_is_judged_not_read_as_one_bare_link(assistant):
    """Chinese words before a link are the user's ("链接是10086.cn.kf-jf.xyz"): the link inside
    is found and judged a lookalike, instead of the whole line being taken for an unknown host.
    (Since stop 40 the user's line alone reads medium, kept there by the posing floor: a fake
    address is never low; a message that also asks something is high, see the next test.)"""
    response = assistant.respond("收到移动积分兑换短信链接是10086.cn.kf-jf.xyz")
    assert response.scan is not None and response.scan.risk == "medium"
    assert [(link.domain, link.verdict, link.institution) for link in response.scan.links] == \
        [("kf-jf.xyz", "lookalike", "中国移动")]
    assert "10086[.]cn[.]kf-jf[.]xyz" in "\n".join(line.text for line in response.reply.lines)


def test_a_domain_name_in_front_of_another_makes_a_scanned_message_high(assistant):
    result = assistant.scanner.scan("【医保服务】您的医保电子凭证须完成年度激活，入口：ybpz-gov.cn.jh12.top")
    assert result.links[0].verdict == LOOKALIKE and result.links[0].domain == "jh12.top"
    assert result.risk == "high" and any(f.name == "lookalike_link" for f in result.signals)


def test_an_institutions_link_is_not_official_and_warns_of_hacked_pages(links):
    result = links.check("pay.xjtu.edu.cn")
    assert result.domain == "xjtu.edu.cn" and result.verdict != OFFICIAL
    assert "核实等级 V3" in result.reasons[0] and "赌博" in result.reasons[1]


def test_a_school_fee_notice_with_its_edu_cn_link_is_no_link_request(assistant):
    """A university's own fee notice (pay.xjtu.edu.cn) was rated high as "click this link"; the
    same words with a hidden real domain, or with a transfer to a card, still are."""
    notice = "【西安交通大学】各位同学：2026-2027学年学费缴纳已开通，请登录 {} 统一身份认证后在线缴费，截止9月10日。"
    genuine = assistant.scan_message(notice.format("pay.xjtu.edu.cn"))
    assert genuine.risk == "low" and [link.verdict for link in genuine.links] == [INSTITUTION]
    assert assistant.scan_message(notice.format("pay.xjtu.edu.cn.jfzx.top")).risk == "high"
    assert assistant.scan_message(notice.format("pay.xjtu.edu.cn") + "也可以直接转账到财务处老师个人银行卡，卡号发你").risk != "low"
    # the scan's reply tells why a school's site is still to be checked
    from bot.core.replies import compose_scan, render_text
    assert "赌博" in render_text(compose_scan(genuine, assistant.knowledge))


def test_an_edu_cn_link_outside_a_schools_business_is_still_a_link_request(assistant):
    """Hacked school subdomains host phishing too: an ETC or subsidy notice sending the reader to
    one is asked to open a link like any other."""
    for text in ("【ETC服务】您的ETC卡已失效，请点击 etc.hnist.edu.cn/rz 重新认证",
                 "恭喜您获得教育补贴2000元，请点击 jwc.abc.edu.cn/bt 填写银行卡号领取"):
        result = assistant.scanner.scan(text)
        assert result.links[0].verdict == INSTITUTION and "link_action" in {f.name for f in result.signals}, text


def test_a_bare_edu_cn_link_gets_an_institution_reply(assistant):
    from bot.core.replies import render_text

    response = assistant.check("https://pay.xjtu.edu.cn/x")
    assert response.kind == "link" and response.link.verdict == INSTITUTION
    assert "教育科研机构" in render_text(response.reply) and "pay.xjtu.edu.cn" not in render_text(response.reply)


def test_institution_suffix_problems_stop_loading(knowledge_copy):
    from bot.core.knowledge import load_knowledge
    from bot.core.validation import KnowledgeError

    path = knowledge_copy / "domains.yaml"
    text = path.read_text("utf-8").replace("suffix: edu.cn", "suffix: not a suffix", 1)
    path.write_text(text, "utf-8")
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(knowledge_copy)
    assert "'not a suffix' is not a domain suffix" in "\n".join(info.value.problems)


def test_an_unknown_verification_level_stops_loading_numbers_and_domains(knowledge_copy):
    """numbers.yaml and domains.yaml (its institutions and its institution suffixes) read a
    source's level with one check (numbers.check_level)."""
    from bot.core.knowledge import load_knowledge
    from bot.core.validation import KnowledgeError

    domains = knowledge_copy / "domains.yaml"
    text = domains.read_text("utf-8")
    text = text.replace("verified: V3", "verified: V7", 1)                       # the first institution
    domains.write_text(text[:text.index("institution_suffixes:")]
                       + text[text.index("institution_suffixes:"):].replace("verified: V3", "verified: V8", 1), "utf-8")
    numbers = knowledge_copy / "numbers.yaml"
    numbers.write_text(numbers.read_text("utf-8").replace("        verified: V1", "        verified: X1", 1), "utf-8")
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(knowledge_copy)
    problems = "\n".join(info.value.problems)
    assert "verified 'V7' must be one of V1, V2, V3" in problems
    assert "verified 'V8' must be one of V1, V2, V3" in problems
    assert "must be one of V1, V2, V3 (unverified numbers are not listed)" in problems
