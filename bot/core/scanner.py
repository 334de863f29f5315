"""Scan a pasted or forwarded message: every phone number (checked), bank-card-like number and
link in it, the scam signals it shows (concepts near each other, see `signals.py`), the fraud
type it most resembles (the curators' example scripts, compared through the matcher's lexical
index), an overall risk and what to do.

Numbers are only checked where they read as phone numbers: amounts (转10000), quantities (120箱),
codes and passwords (密码：110), dates, order, tail and stock numbers are skipped, and a short
service number (3 to 6 digits) counts only next to a phone word (拨打, 致电, 客服, 电话…) or as a
sender tag (【95588】)."""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from typing import AbstractSet, Callable, Iterable, Mapping

from .checker import INVALID, LOOKALIKE, OFFICIAL, RISKY, Checker, CheckResult, check_with_reports
from .fraud_types import FraudType
from .links import INSTITUTION, LOOKALIKE as LINK_LOOKALIKE, SHORTENER, LinkChecker, LinkResult
from .prefilter import Conditions, Finder, needs, possible
from .prefilter import release as release_parsed
from .signals import MAX_WINDOW, Signal, SignalBook
from .text import clean, unsegment
from .wording import keys

from .risk import HIGH, LOW, MEDIUM
from .scan_model import warned_of
MAX_SCAN_CHARS = 20_000  # a forwarded message is far shorter; beyond this only the start is read
# The wording model (wording.py) weighs a pasted message with at least this many Chinese characters
# among its first 400.
WORDING_MIN_CHINESE = 4
_CHINESE = re.compile(r"[\u4e00-\u9fff]")


def wording_weighs(text: str) -> bool:
    """Whether the wording model weighs a pasted message (its text as `clean` leaves it): one in
    Chinese (the model learned from Chinese messages, not from pinyin or English)."""
    return len(_CHINESE.findall(text, 0, 400)) >= WORDING_MIN_CHINESE

# Signals in a longer text are looked for piece by piece: pieces of about PIECE_CHARS characters
# ending at sentence ends, each reaching PIECE_OVERLAP characters into the next (more than any
# signal's window, signals.MAX_WINDOW), so whatever fits in a window fits in one piece.
LONG_TEXT_CHARS = 3_000
PIECE_CHARS = 2_000
PIECE_OVERLAP = MAX_WINDOW + 100

URL = re.compile(
    # (a link ends where Chinese text starts: "通过www.x.cc/kf?id=27填写收款账户")
    r"(?:https?://|www\.)[^\s，。！？、；;\"'<>（）()【】\u3000-\u303f\u4e00-\u9fff]+"
    r"|(?<![A-Za-z0-9@.\-])(?:[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?\.)+"
    r"(?:com|cn|net|org|cc|icu|top|xyz|vip|info|co|me|io|shop|site|online|club|link|ltd|pw|tk|ml|ga|cf|gq|"
    r"wang|ren|asia|biz|mobi|tv|app|work|fun|live|store|tech|hk|ru|su)(?![a-z0-9\-])(?:/[^\s，。！？、；;\"'<>（）()\u3000-\u303f\u4e00-\u9fff]*)?",
    re.IGNORECASE)
# Not glued to letters: A3201042024120500018 is a case or order number, not a card.
CARD = re.compile(r"(?<![0-9A-Za-z])[3-6](?:[ \-]?\d){15,18}(?![0-9A-Za-z])")
NUMBER = re.compile(r"(?<![0-9A-Za-z+])(?:\+|\()?\d[\d\-() ]{1,24}\d(?![0-9A-Za-z])")
DATE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}(?:\s+\d{1,2})?$")
# A school or financial year written as two years ("2025-2026学年"): a phone number only if the
# second year is not the one after the first (a local 8-digit number can look like two years).
_YEARS = re.compile(r"^((?:19|20)\d\d)\s*-\s*((?:19|20)\d\d)$")
SENTENCE_END = re.compile(r"[。！？!?\n；;]")
# What a link reads as when signals are looked for: a long address would push "点击 … 领取" apart.
# A word of no concept: a link alone is not "点击/链接" (an app's own download link is no lure).
LINK_WORD = " url "
# A phone number with digits hidden (137****0926, 0571-8156****): someone's contact number all
# the same, never an official service number.
# Digits hidden as x count too (170xxxx8821, 4008xx9538, +86 0898-6xx-95339): how people write a
# number down when they do not want to show all of it.
MASKED_PHONE = re.compile(r"(?<![0-9*])(?:1[3-9]\d|0\d{2,3}-?\d{3,4}|[48]00-?\d{3}|\d{3,4}-\d{2,4})[\d\-]*\*{3,4}[\d\-]*"
                          r"|(?<![0-9A-Za-z*])(?:\+?86[\s-]?)?(?:1[3-9]\d|0\d{2,3}|[48]00\d?)[\d\-\s]{0,5}[xX*]{2,4}(?:[\d\-]|(?<=\d) (?=\d)){2,9}\d(?![0-9A-Za-z])"
                          # hidden at the end: 0851-6223-xxxx, 0571-8xxx-xxxx
                          r"|(?<![0-9A-Za-z*])(?:0\d{2,3}|1[3-9]\d|[48]00)-?[\dxX*]{3,4}-?[xX*]{4}(?![0-9A-Za-z*])")
# A sender saying what it never asks for: the mark of a genuine notice.
NEVER_ASKS = re.compile(r"(不会|绝不会|从不|从来不|不可能)[^。！？!?\n]{0,15}(要求|索要|索取|让您|让你|通过|收取)"
                        r"[^。！？!?\n]{0,20}(密码|验证码|转账|汇款|银行卡|卡号|链接|缴纳|手续费|费用|现金)"
                        r"|(整个过程|全程|办理)(都)?(无需|不需要|无须|不用)(支付|缴纳|交纳?|收取)任何(费用|钱)")
# Someone telling their own new number for "anything" or retiring the old one.
OWN_NUMBER = re.compile(r"我[^。！？\n]{0,3}(换号|换了?(手机)?号|新号|(手机|电话)号?码?换了|新微信)[\s\S]{0,60}"
                        r"(有事(就|可以|请)?(打|找|联系|拨)(这个|新|我)|(旧|老|原来)的?(那个)?(号|号码|微信)?[^。！？\n]{0,8}(不用了|停用|停机|停了|注销)"
                        r"|(你|您)(先)?(存|记|备注)一?下)")
# A notice's sender tag at its start: 【工商银行】.
SENDER_TAG = re.compile(r"【[^】\n]{2,20}】")
# A chat transcript's speaker tag ("财务 小刘:", "老板:"): who talks, not what is asked.
# Not a label before a contact id or an instruction ("领奖请联系客服V: hw_lj", "微信: abc123" on a
# screenshot): those are content.
# Nor an account form's field ("户名：…", "账号：…", "开户行：…"): what is to be paid, not who talks.
SPEAKER = re.compile(r"(?m)^(?![ \t]*(?:户名|账号|帐号|账户名|卡号|银行卡号|开户行|开户银行|开户支行|收款人|收款账号|收款账户)[ \t]*[:：])"
                     r"[ \t]*([^\n:：。，,！？请]{1,12})[:：](?=\s*\S)(?![ \t]*[A-Za-z0-9_\-@.]{5,}[ \t]*$)")
# A line that asks (…吗, …？, 真的吗!我…).
_QUESTION = r"[^\n]*[？?吗][^\n]*"
# A transcript line spoken by the reader that asks (我：…？), up to the line's end.
_OWN_LINE = re.compile(r"(?m)^[ \t]*我[ \t]*[:：]" + _QUESTION + "$")
# A transcript line of the reader's that doubts (我：会不会是骗人的, 我：你别被骗了).
_DOUBT_LINE = re.compile(r"(?m)^[ \t]*我[ \t]*[:：][^\n]*(会不会|是不是|别是|该不会|不会是|你别|可别|小心)[^\n]*$")

# (the other side's denial: 我没被骗啊, 这不是骗局)
_DENIED_BEFORE = re.compile(r"(没|不是|不会|哪是|怎么会)$")


def _only_doubted(text: str) -> bool:
    """Whether every sentence calling something a scam is a doubt in the reader's own line of a
    transcript that someone else speaks in too: the talk is the reader's worry, not a warning."""
    doubts = [(m.start(), m.end()) for m in _DOUBT_LINE.finditer(text)]
    if not doubts:
        return False
    if all(tag.strip() == "我" for tag in SPEAKER.findall(text)):
        return False  # no other speaker (see Scanner._signal_text)
    return all(any(a <= m.start() < b for a, b in doubts) or _DENIED_BEFORE.search(text, max(0, m.start() - 3), m.start())
               for m in SCAM_TALK.finditer(text))


# A line that is only a name (a chat screenshot's OCR puts each speaker's name on a line of its
# own above the words: "建行-贷款经理 周", "同学(新号)", "我").
# (not a payment card of the chat, [转账] ¥200.00, nor anything with a digit)
_NAME_LINE = re.compile(r"[^\n。，,！!？?：:；;…、“”\"\[\]［］【】¥￥0-9０-９]{1,12}")


def _blank_own_questions(text: str) -> str:
    """In a transcript whose speakers' names stand on lines of their own (OCR of a chat
    screenshot: "工行-信贷经理 李\n…\n我\n手续费是不是要先交？"), when a name other than 我 comes
    back at least twice: the reader's own questions under a 我 line blanked (same length), as
    _OWN_LINE blanks "我：…？" when someone else speaks too (the reader asks, nobody asks it of the
    reader). The name lines stay: the claimed identity (李警官) is part of what the other side says."""
    lines = text.split("\n")
    names = [line.strip() for line in lines]
    if "我" not in names:
        return text  # no line of the reader's: nothing to blank (most multi-line messages)
    counts: dict[str, int] = {}
    for name in names:
        if name and _NAME_LINE.fullmatch(name):
            counts[name] = counts.get(name, 0) + 1
    repeated = {name for name, n in counts.items() if n >= 2}
    others = repeated - {"我"}
    if not others:
        return text
    speakers = repeated | {"我"}
    out, own = [], False
    for line, name in zip(lines, names):
        if name in speakers:
            own = name == "我"
            out.append(line)
        elif own and name and re.fullmatch(_QUESTION, name):
            out.append(" " * len(line))
        else:
            out.append(line)
    return "\n".join(out)


# Words that call something a scam. A message with this many sentences using them talks about
# scams rather than being one.
# A negation right before a match turns a request into advice against it.
NEGATED = re.compile(r"(别|不要|不用|不必|千万别|不能|勿|切勿|无需|不需要|不经|不通过|不会|不存在|并不存在|不建议|不推荐|避免|严禁|禁止|不接受|不支持)\s*"
                     r"(先|再|去|随便|轻易|任何|碰|信|相信|听|理|搞|参与)?\s*$"
                     # (a space ends a chat's clause: "别在平台拍 平台抽成 微信转我就行" asks the payment)
                     r"|(别|不要|千万别|千万不要)(听|信|相信|碰|理|搞|参与|加|买)[^。！？!?\n，,\s]{0,6}$"
                     # (别听那些群里说什么稳赚不赔的: what others say, dismissed)
                     r"|(别|不要|千万别|千万不要)(听|信|相信)[^。！？!?\n，,\s]{0,8}(说|讲)(什么|的|啥)?$"
                     # where not to pay: "别在微信上转给陌生账户", "别在别的链接交"
                     r"|(别|不要|千万别|千万不要)在\s*[^。！？!?\n，,\s]{0,6}$"
                     # whom not to go to: "千万别找外面“代开发票”的"
                     r"|(别|不要|千万别|千万不要)(去)?(找|用)\s*[^。！？!?\n，,\s]{0,6}$"
                     # what a sender says it never asks: "本公司不会要求客户向个人账户转账"
                     r"|(不会|绝不会|从不|从来不|一律不)(要求|让|叫)(您|你|客户|用户|旅客|会员|大家)[^。！？!?\n，,]{0,8}$"
                     r"|(不会|绝不会|从不|从来不|一律不)(要求|让|叫)[^。！？!?\n，,]{0,3}$")
# The request concepts whose hits a negation right before cancels (see _all_concept_hits), and
# that negation: 不用/不需要/无需/没有/别/不要 (then 先, 提前, 往任何人账户…) ending where the word starts.
# (not 还没: "你怎么还没转" presses for the payment)
_NEGATABLE = ("pay", "pay_amount", "borrow", "private_pay", "personal_account", "account")
_NEGATED_PAY = re.compile(r"(?:不用|不需要|无需|无须|不必|(?<!还)没有?|别|不要|千万别|不会|勿|不得|不接受|不支持|不通过|不经过?|不走)"
                          r"(?:让|叫)?(?:客户|他|她|对方|别人|人家|家长|大家)?"
                          r"(?:先|提前|预先|再|额外|另外|私下|随便)?(?:往|向|给|找)?(?:任何人?|个人|陌生人?|我){0,2}的?"
                          r"(?:账户|账号|卡)?(?:里|上)?\s*$")
# Fees said not to be charged (不收任何押金或培训费, 免押金, 无需手续费, 也没有服务费): no fee asked. (A few
# characters back, not across a verb of paying: "免押金需交培训费298" still names its fee, and so does
# 没有缴纳保证金, a reminder; not 不交/不缴, a threat: 不交罚款就扣货.)
_NEGATABLE_FEE = ("fee", "any_fee", "scam_fee", "hire_fee", "member_fee", "recovery_cost")
_NEGATED_FEE = re.compile(r"(?:不收|不收取|免收|免|无需|无须|不需要|不需|不用|没有|无)(?:任何)?[^。！？!?\n，,需要只但交缴付收]{0,4}$")
# A code or a detail said not to be sent (验证码别发我 你自己登一下, 别把验证码发我): no request to give
# it. (Only the words of advice: not 没, "你还没发我验证码" presses for it; a later give word in the
# text, "别把验证码告诉别人，告诉我就可以", is still one.)
_NEGATED_GIVE = re.compile(r"(?:别|不要|千万别|千万不要|不用|无需|不需要|不必)(?:把[^，,。]{0,4})?\s*$")
SCAM_TALK = re.compile(r"(?<!涉嫌)(?<!涉及)(?<!涉嫌一起)诈骗(?![案犯团分资])|(?<!不是)(?<!为防)(?<!防止)(?<!怕我是)(?<!觉得我是)(?<!以为我是)骗子|骗局|杀猪盘|(?<![无没零])(?<!没有)(?<!(?<!是)不是)(?<!无任何)(?<!没有任何)套路|哪有[^。！？\n]{0,4}(?:没|不)[^。！？\n]{0,2}套路|反诈(?!中心|专线|专员|工作人员|大队|民警|警官|保护|账户|专用|查得|查的|管得|管的|查这么|查那么)|冒充|(?<!怕)(?<!担心)(?<!害怕)(?<!以为你)(?<!以为您)(?<!以为我)(?<!当你)被骗(?!过来|过去|到(?:了?国外|缅|柬|泰|迪拜))|上当|(?<!不会)(?<!不是)(?<!不)骗人|骗钱|电诈"
                       # a scammer's reassurance is no talk about scams: 我是学生不会骗人的, 为防骗子先交诚意金,
                       # 全程无套路 / 没有套路;
                       # a victim's retelling is: 交完就被拉黑了, 这种情况能报警吗
                       r"|被(?:对方|他|她|人家?)?拉黑了|(?:能|可以|该|要不要|应该|需要)报警(?:吗|么|[？?])"
                       # (the reader's own choice: 我…是直接删掉还是应该报警？; not a blackmailer's 私了还是报警？)
                       r"|我[^。！？?\n]{0,12}(?<!私了)(?:还是|该不该)(?:应该|要)?报警"
                       # a bulletin's "induced him/her" (诱导其…), a victim's lament (越交越多)
                       r"|诱导(?:其|他|她|受害人|事主)|越(?:交|充|投|陷)越(?:多|深)"
                       # a fake named as fake: 钓鱼网站, 虚假链接, 伪造的页面, 仿冒, 假冒 (no scam on dev1-4 says so)
                       r"|钓鱼(?:网站|链接|短信|网页|页面|邮件|的)|虚假的?(?:网站|链接|短信|客服|app|平台|退税|理赔|网页|信息|广告|兼职|投资|贷款|中奖)"
                       # (not counterfeit goods, which a fake market regulator accuses the reader of selling)
                       r"|伪造|仿冒|(?<!销售)(?<!售卖)假冒(?!商品|产品|伪劣|注册商标|品牌|货)|山寨"
                       # someone who saw through it: 根本没这回事, 你继续编, 不是我！, 我拒绝了, 帮我举报, 不加那个微信
                       r"|根本没有?(?:这|这个|这回)(?:事|案子|回事)|你(?:继续|接着)?编|别编了|不是我[！!，,。\s]|(?:已经?|我)拒绝了"
                       r"|(?:帮我|你帮我)举报|举报一下|不加(?:任何|那个|他的?|你的?)?(?:微信|qq|好友)"
                       # a report of a scam stopped in time: 避免了12万元的损失, 民警上门劝阻, 柜员及时拦下, 幡然醒悟
                       # (not a fake officer's 为了避免您的资金损失)
                       r"|避免了[^。！？\n]{0,10}损失|(?:民警|柜员)[^。！？\n]{0,12}(?:劝阻|拦下)|幡然醒悟"
                       # how warnings introduce what they warn of: 以…等名义, 近期有用户反映
                       r"|(?:以|假借|冒用)[^。！？\n]{0,40}等(?:名义|理由|借口|身份)|(?:近期|最近)有(?:用户|客户|市民|群众|居民|家长|同学|人)(?:反映|反馈|举报|接到|收到)"
                       r"|(?:如|若|如果|一旦)(?:对方|有人|陌生人|任何人)[^。！？\n]{0,12}(?:自称|冒充|要求你?(?:转账|汇款|提供)|让你(?:转账|汇款|提供)|索要)"
                       # advice against it or a verdict on it: "那就别做了", "千万别碰", "正规兼职不会先收钱",
                       # "那肯定有问题", "报了警" (not 千万别信: a scam borrows it for the "old" number's messages)
                       r"|千万别(碰|转|理|做|点|去|投)|千万别(?:开|装)(?=[\s，,。！!]|$)|那就别(做|转|去|弄|理)|正规[^。！？\n]{0,6}(不会|不可能|从不)"
                       # the real thing set against the fake: 真的航班取消都是在官方App里处理, 真的提额通知只会让你去App里看, 真警察不会让您转钱
                       r"|(?<!是)(?:真(?:的|正的)|真(?=警察|民警|公安|检察官|法官|客服|银行))[^。！？\n，,]{0,10}(?:只会|都是在|从不|不会)"
                       r"|(肯定|一定|绝对)是?(假的|有问题)|报了警"
                       # caught in time (还好我在旁边给拦住了, 差点就转了), a verdict (那是诈骗分子), a
                       # bank's "if you are on the phone with someone calling himself…"
                       r"|(?:还好|幸好|幸亏)[^。！？\n]{0,10}(?:拦住|劝住|拦下|识破|反应过来|没(?:转|操作|点|给|信))|差点(?:就)?(?:被骗|上当|转了|操作了|信了)"
                       r"|(?:那|这|他|她|对方|他们)(?:就|都|肯定)?是诈骗分子|(?:如(?:您|你)|若(?:您|你)|如果(?:您|你)|如遇)(?:正在)?[^。！？\n]{0,8}(?:自称|被[^。！？\n]{0,16}要求)"
                       # a receipt's warning (如果是被要求转账到\"安全账户\"或陌生人，请立即停止并拨打110); not a fake
                       # officer's 如果是被家人要求挂电话…
                       r"|(?:如果|如|若)是被[^。！？\n]{0,20}要求[^。！？\n]{0,30}请(?:您)?(?:立即|马上)?(?:停止|挂断|拨打\s*110|报警)"
                       r"|(?:觉得|感觉|越想越)(?:有点|有些)?不对劲?|(?<!把)(?<!被)(?:已经|已|直接|果断|赶紧|就|我)拉黑了"
                       # gone once paid (交了800以后就联系不上了), talked out of it (劝了半小时), the
                       # reader who did not go (我直接没去了), a crowd warned (大家千万别信), "if it is someone who…"
                       r"|(?:就|再也|然后就|后来就)(?:联系不上|失联)了|(?:要|先)?(?:交钱|收费|收钱)的都(?:别|不要)|劝了"
                       r"|我(?:直接|就|果断|当时)?没(?:去|交|转|给|理他|理她|信)了?(?=[。！!，,\s]|$)"
                       r"|大家(?:千万|一定|都)?(?:别信|不要信|小心|警惕|当心|别点|不要点|别上当)|(?:如果|如|若|要是)是[^。！？\n]{0,12}(?:让|叫|要)(?:您|你)"
                       # a victim asking what to do next, or done with the police: 现在报警还来得及吗,
                       # 先报警还是先找银行, 能打96110咨询吗 (OCR: 961l0), 已经在派出所做了笔录
                       r"|报警(?:还来得及|还有用|有用)吗|先报警还是|(?:能|可以|该|要不要|需要)(?:打|拨打?)\s*96\s*1\s*[1lI]\s*[0oO][^。！？?]{0,6}吗"
                       r"|做了笔录|做完笔录"
                       # seen through and hung up on: (她)直接挂了, 这种一律挂掉
                       r"|(?:直接|果断|立马|当场)挂(?:了|掉|断)(?!我再|再打)|一律挂掉|以后(?:这种|这类)[^。！？\n]{0,3}直接挂(?![^。！？\n]{0,6}(?:就说|你就|别跟))"
                       # someone else behind a known face: 群里有人用您的头像发消息
                       r"|(?:有人|别人)(?:用|盗用|拿)(?:了)?(?:你|您|我)的头像"
                       # a victim's statement to the police, or a scam told after it failed: 报案人：…,
                       # 派出所笔录片段, 好在我爸装了反诈App…没转钱
                       r"|报案人|(?:去|到|在)派出所报了?案|笔录(?:片段|摘录|节选)"
                       r"|(?:好在|幸好|还好|幸亏)[^。！？\n]{0,30}(?<![还尚])(?:没|没有)(?:转|给|汇|打|信|理|开|上当|被骗)"
                       # someone checking a claim they were told or called with: 有人说我的征信有问题，可以花钱修复，这个是真的吗,
                       # 我接到电话说我借呗要关闭 不然影响征信 是真的吗
                       r"|(?:有人|接到[^。！？?\n]{0,8}(?:电话|短信))(?:说|跟我说|告诉我)[^。！？?\n]{0,40}(?:这|这个)?(?:是真的吗|靠谱吗|可信吗|能信吗)"
                       # a news report or police bulletin: 警方提醒, 随后被诱导在多个平台贷款
                       r"|(?:警方|民警|公安)(?:提醒|提示)|被(?:诱导|诱骗|哄骗)"
                       # a proposal to trade off the platform, refused: 不了，咱们就走平台
                       r"|不了[，,\s]*(?:咱们|我们)?(?:还是|就)?走平台"
                       # a notice or report naming the pretext: 以"征信修复"为名收取费用, 如有陌生人以客服名义…
                       r"|(?:以|假借|冒用)[^。！？\n]{0,40}(?:为名|为由)[^。！？\n]{0,4}(?:收取|收费|实施|要求|诱导|骗|让|索要|不让|添加|进行|的?非法|的?违法)"
                       r"|(?:如|若|如果|一旦)有(?:对方|人|陌生人|任何人)[^。！？\n]{0,16}(?:名义|自称|冒充|要求(?:你|您)?(?:共享|转账|汇款|提供|下载))"
                       # after the fact: the scammer gone, the police told (他就把我删了, 建议我报警, 在派出所做笔录,
                       # 转账被柜员拦下来了, 卡已挂失)
                       r"|把我删了|把(?:他|她|对方|那个人)(?:的?(?:号码|电话)(?:也|都)?)?(?:给)?(?:删了|拉黑了)|(?:你|您)[^。！？\n]{0,6}给我打个?(?:语音|电话|视频)[^。！？\n]{0,6}确认|建议(?:我|你|您)报警|(?:去|在|来|到)派出所(?:报案|做笔录|报警)"
                       # a victim who told it already: 我上个月被那个"客服"骗了三千, 差点被裸聊敲诈, 已经报警了,
                       # 马上打了110 (not "我被人骗了，现在需要钱": a pretext for a request)
                       # (the fake named in quotes, or the sum lost: "我同学被人骗了" may be a pretext for a request)
                       r"|被[^。！？\n]{0,6}[\"“][^\"”\n]{1,10}[\"”][^。！？\n]{0,2}骗了|被[^。！？\n]{1,12}骗了?[\d一二两三四五六七八九十几]+\s*[万千百块元]"
                       r"|(?:差点|险些|差一点)被[^。！？\n]{0,8}(?:骗|敲诈|勒索)"
                       # (the money gone, told as the story's end: 最后被转走了两万多; not a fake officer's
                       # "您的资金已被转走了五万")
                       r"|(?:最后|结果|后来|才发现|没想到|第二天|当天)[^。！？\n]{0,8}被转走了?[^。！？\n]{0,4}[\d一二两三四五六七八九十几]+\s*[万千百块元]"
                       r"|(?:我|我们|直接)报(?:了)?警了|(?:打|报)了\s*110"
                       # a scam call told to its end by the one who answered (我说我儿子就是警察 他就挂了; not 我让她挂了,
                       # a story still asking, nor a caller's "刚给你打电话你那边就挂了")
                       r"|我(?:说|问|一说|刚说|反问|就说)[^。！？\n]{0,20}(?:他|她|对方|那人)就(?:把电话)?挂了"
                       # a court or lawyer telling a case as a lesson: 法官提醒, 以案说法
                       r"|(?:法官|检察官|律师)(?:提醒|提示)|以案(?:说法|释法)"
                       # someone comparing a thing with the scams they feared, or warning off one: 我以为是那种拉你进群荐股的, 你别碰
                       r"|(?:以为|还以为)是那种|(?:你|可)别碰"
                       # a story passed on as a warning: 大家避个雷
                       r"|避个?雷"
                       # a scam met and seen off, passed on: 最近这种特别多, 把号码在反诈App上举报了;
                       # the reader told of a fake named with scare quotes (你要转钱给一个"理财经理"); a bank clerk taking the
                       # victim to the police (我陪您去派出所问问)
                       r"|(?:最近|现在|这阵子|这段时间)这种[^。！？\n]{0,6}(?:特别|很|挺|好|太|比较)?多"
                       r"|把(?:号码|电话|他|她|对方|这个号)[^。！？\n]{0,16}举报了"
                       r"|(?:你|您)[^。！？\n]{0,8}(?:给|跟|和)(?:一个|什么|那个|所谓的?)[\"“][^\"”\n]{0,6}(?:经理|客服|老师|导师|专家|警官|警察|领导|专员|公安|法官|检察官)[\"”]"
                       r"|陪(?:你|您|我|他|她)(?:一起)?去(?:派出所|公安局|报警|报案)"
                       # (the reader or the card: not a new payee's excuse, 原来那张卡丢了，已经挂失了)
                       r"|被(?:银行|柜员|民警|警察)?拦(?:下来|住)了|(?:我|卡)(?:也|都)?已经?挂失"
                       # a call from the anti-fraud centre's own number: 我刚接到 96110 的电话
                       # a call passed on to others as a warning (今天在群里提醒一下大家：, 大家记住), checked with the
                       # real source and found fine (打了10086，人家说号码好好的), or refused by someone who knows the
                       # rule (我知道征信不能花钱修复, 她记着我说的，医保局和公安局不会互相转接电话)
                       r"|(?:提醒|告诉)(?:一下)?大家(?:[:：，,。！!]|$)|给大家提个?醒|在群里提醒|大家(?:一定)?(?:都)?(?:要)?(?:记住|小心|也提醒|提醒家里)"
                       # the story's end: reported, blocked, talked out of it, or named by the police or
                       # the bank (我挂了 然后在反诈App上举报了, 果断拉黑举报, 银行报警了 警察来了才劝住,
                       # 民警说这是非法集资, 警方通报, 一男子轻信, 还好你提醒我)
                       r"|(?:我|就|然后|直接|已经|马上)(?:在[^。！？\n]{0,12})?举报了|拉黑(?:并|后|然后)?举报|果断拉黑"
                       r"|(?:银行|柜员)(?:就|马上|直接)?报(?:了)?警|家人(?:就|马上|直接)?报(?:了)?警了|(?:才|被|给)劝(?:住|下来)"
                       r"|(?:民警|警察|警方|银行)(?:说|告诉(?:我|她|他))[^。！？\n]{0,4}是(?:非法集资|传销|假的)|警(?:方|情)通报|轻信"
                       r"|(?:还好|幸好|幸亏)(?:你|您|有人|家人|银行)?(?:提醒|拦住|识破|觉得不对|反应过来)"
                       # someone who asked first (还好她先来问我, 幸亏他先问了我，没交)
                       r"|(?:还好|幸好|幸亏)[^。！？\n]{0,8}先(?:来)?问了?(?:我|一下|家里|我们|老师|银行|家长)"
                       r"|(?:问了|查了|打了|确认了)[^。！？\n]{0,16}(?:一切正常|好好的|没有?(?:任何)?问题)"
                       r"|(?:我|她|他|我爸|我妈)(?:知道|记着|记得)[^。！？\n]{0,30}(?:不能|不会|不可能|从来不|从不)"
                       # the caller checked on the number one already knows (我先打她常用的手机，是她接的; 打您办公室座机确认)
                       r"|(?:打|拨)[^。！？\n]{0,8}(?:原来|常用|以前|平时|之前|办公室)的?(?:号码?|手机|电话|座机)[^。！？\n]{0,12}(?:是(?:她|他|本人)|确认|确实是)"
                       # a new number already checked by a call (我刚给你打了，是你哈; [语音通话 02:31] 好 听到你声音了;
                       # 新号我已经打过去确认了，是她本人); not an offer to be called (你打过来试一下 听听是不是我的声音)
                       # (打了 is also "paid": 我已经给你打了5万; a fake boss's 跟王总通了电话确认了，你先把50万打到…)
                       r"|(?:给(?:你|她|他)打了|打过去了?|打了(?:电话|视频)|打了个(?:电话|视频)|视频过了)[^。！？\n]{0,8}(?:是(?:你|她|他)?本人|是(?:你|她|他)(?:哈|啊|呀|没错)?(?=[，,。！!\s]|$))(?![^。！？]{0,30}(?:转|汇|打款|付款|账户|卡号))"
                       r"|听到(?:你|她|他)的?声音了"
                       # someone else's loss told to its end: a payment they made, then the money stuck, the
                       # scammer gone or the police called (她充了八万 第二次提现提不出来了; 他投了五万，想提现的时候…报警了);
                       # not a scam's boast of what others made (他投了五万，一个月就翻倍了)
                       # (nor a boast that names the fear, then the payout: 一直担心被拉黑，结果…就翻倍了)
                       r"|(?:他|她)(?:一共|前后|先后|已经|又|总共)?(?:充|投|转|交|汇)了[^。！？\n]{0,4}[\d一二两三四五六七八九十几]+(?:(?!怕|担心|害怕|结果|翻倍|到账|提现了)[^。！？]){0,40}?(?<!怕)(?<!担心)(?:提不出来|提不了|取不出来|联系不上|打不开|找不到|解散|拉黑|报警|报了警)(?![^。！？]{0,20}(?:翻倍|赚了|到账|每天都能))"
                       # a transfer stopped at the counter, told of someone else (今天银行柜员拦下了一笔转给“安全账户”的十万;
                       # not a fake officer's "如果银行柜员拦住了你" nor "您上一笔转账被银行拦下了")
                       r"|(?<!如果)(?<!要是)(?<!万一)柜员[^。！？\n]{0,2}拦(?:下|住)了(?:一笔|她|他|阿姨|大爷|大妈|老人|老太太?|老大爷)"
                       # the speaker inviting a check by phone, video or in person (你不放心就打我微信视频, 我晚上去你家拿,
                       # 您不放心可以先打110问; a scam's 不放心 offers a smaller payment instead: 不放心可以先付一半)
                       r"|不放心[^。！？\n]{0,6}(?:打|拨|来|去|当面)(?![^。！？\n]{0,3}(?:款|钱))|(?:我|你)[^。！？\n]{0,4}(?:去|来)(?:你|我)家(?:拿|取)"
                       # a loan offer turned down and hung up on (我就说不需要了，挂了); 96110 introducing itself
                       r"|说不(?:需要|用)了[^。！？\n]{0,4}挂|(?:这里是|我们是|我是)[^。！？\n]{0,6}(?<![\d-])96\s*110(?![\d-])"
                       r"|(?:收到|接到|打来)[^。！？\n]{0,4}(?<![\d-])96\s*110(?![\d-])|(?<![\d-])96\s*110(?![\d-])[^。！？\n]{0,4}(?:打来|打过来|来电|的电话|打电话)"
                       # a story told as a lesson, to its end (大家引以为戒, 派出所给了受案回执); the moment its
                       # victim saw through it (转账后…才知道对方根本没换号, 这才发现自己上当; not a testimonial's
                       # 做了才明白原来真的有钱赚, nor 刚才发现)
                       r"|引以为戒|受案回执|(?<![刚方适])(?:这才|才)(?:知道|发现|意识到|反应过来|明白)[^。！？\n]{0,12}(?:上当|被骗|骗|假的|没换号|根本没|不是本人)"
                       # an anti-fraud rule list's title (中小学生防骗"五不", 防骗口诀; not a fake officer's 防骗调查,
                       # nor a shop's 【防骗提醒】本店只收定金)
                       r"|防骗[\"“「]?(?:[一二三四五六七八九十]不|口诀)")
SCAM_TALK_SENTENCES = 1
# A script's or a transcript's speaker tag naming the scammer at a line's start, with the line it tags:
# the role, perhaps a short label (骗子：…, 骗子甲：…, 骗子 小李：…, 骗子（扮"侄子"）：…, "诈骗分子："). The
# line is the scam's own words, so neither the tag nor the line is talk about scams. Not narration
# (骗子常说：, 骗子的话术：: no space before the words), not a suspect's confession (嫌疑人：, a news or
# court transcript), and not in a skit, a case told or a lesson (小品, 情景剧, 旁白：…, 案例回放, 庭审,
# 防骗), whose tags are the talk a warning is made of.
SCAMMER_TAG = re.compile(r"(?m)^[ \t]*[“\"]?(?:骗子|诈骗分子|诈骗者)"
                         r"(?:[甲乙丙丁A-Za-z0-9]{1,2}|客服|警官|民警|老板|领导|老师|导师|专员|经理|[ \t]+[\u4e00-\u9fff]{1,3})?"
                         r"(?:[（(][^）)\n]{0,10}[）)])?[ \t]*[:：][^\n]*")
# (looked for outside the tagged lines: a scammer's own 温馨提醒您 or 请注意： is no lesson)
_SKIT = re.compile(r"小品|情景剧|台词|短剧|旁白|案例|回放|以案说法|庭审|记者|公诉人|防骗|防诈|反诈(?!中心|专线|专员|民警|大队|警官)|提醒|注意[:：！!]|千万别信|请先核实|核实[！!]")
# Words of a school's own business (fees, registry, exams, admissions): an institution's site
# (edu.cn) in such a message is the school's link. Not 同学, 家长, 老师, 教育 or 报名, which
# scams dressed as schools or subsidies use too.
_SCHOOL = re.compile(r"学校|大学|学院|学费|住宿费|教务|研究生|本科|校区|准考证|学籍|学位|招生|录取|考试中心|选课|课表|成绩单")


def is_risky_link(link: LinkResult, text: str) -> bool:
    """Whether a judged link counts as one the reader is asked to open: not an official domain,
    and not an institution's site (edu.cn) in a message about a school's own business (a
    university's fee notice); an ETC or subsidy notice on a school's subdomain is risky (hacked
    school sites host phishing pages too)."""
    if link.verdict == OFFICIAL:
        return False
    return link.verdict != INSTITUTION or _SCHOOL.search(text) is None


# The speaker taking the reader's money into a "protective" account of theirs (我们要帮你把钱转到公安局的
# 保护账户里, 你把钱先转到我们反诈中心的监管户, 资金会暂时转入国家保护账户): a fake anti-fraud officer's
# request, however much it talks of 骗子 (not a warning that says no one will ask it: 不会让你把钱转到安全账户)
CUSTODY = re.compile(r"(?:帮(?:你|您)|(?:你|您)(?:先|现在|马上|赶紧)?把[^。！？\n]{0,6}(?:钱|资金|存款|余额)|资金|存款)[^。！？\n]{0,16}"
                     r"(?:转|存|打|放|汇)(?:入|到|进)[^。！？\n]{0,12}(?:保护|安全|加密|监管|隔离|核查|清查|保管|保险)(?:账户|户|账号)")
# (nor the scam's words quoted or reported: 要求您把钱转到“安全账户”, 他是不是让您把钱转到安全账户, 称其…, 被告知"…转入安全账户")
# Someone else's words reported (说我…, 对方让我…, 自称…): a story about a scam, in which even a
# request only scams make (Signal.despite_talk) is told, not made
_RETOLD = re.compile(r"(?:他|她|对方|那人|骗子|那边)(?:就|又|还)?(?:说|让我|叫我|要我)|说我(?!们)|自称"
                     r"|(?<![你您])让我(?:先)?(?:付|交|转|下载|填|打开)|联系我说")
# A call the writer (or their family) received, retold: 接到一个电话, 有人打电话来说, 打来电话, 给我打电话
_CALL_RETOLD = re.compile(r"(?:接到|接了|来了)(?:了)?(?:一个|个|一通|通)?[^。！？\n]{0,14}电话|(?:有人|有个人|对方)[^。！？\n]{0,6}打(?:来|电话)"
                          r"|给(?:我|她|他|我妈|我爸)打(?:了个?)?电话")
_CALLER_SAID = re.compile(r"(?:他|她|对方|那人|那边)[^。！？\n“”\"]{0,4}(?:说|称|让我|叫我|要我)")
# ...and how it ended: turned down, hung up, checked with the real institution (我直接挂了, 没给,
# 骂了一句就挂了, 挂了直接打95118问, 拉黑了); not a plan to go on (我现在去转, 报给他就行吧)
_TURNED_DOWN = re.compile(r"(?<!要是)(?<!如果)(?<!万一)(?<!敢)(?<!别)(?:直接|就|马上|立马|赶紧|当场)挂(?:了|掉了|断了)(?!电话[^。！？\n]{0,4}(?:也|就))"
                          r"|(?<!要是)(?<!如果)(?<!万一)(?<!敢)挂了(?:电话)?[，,。\s]*(?:直接|马上|然后)?(?:打|拨)[^。！？\n]{0,6}(?:问|核实|确认)"
                          r"|(?:^|[，,。！？\s])(?:我|我妈|我爸|老爷子|老太太|我奶奶|我爷爷|我老公|我老婆)(?:就|也|都|可|根本)?(?:没|没有)(?:给|理他|理她|理会|转|加|下载|点开|上当)"
                          r"|(?:我|就|直接|已经|当场)(?:把(?:他|她|对方|这个号码?|号码))?拉黑了"
                          r"|(?:我|我妈|我爸|老爷子)(?:直接)?(?:说|回)(?:我|她|他)?(?:去|到)(?:营业厅|网点|派出所|银行)|(?:没|没有)(?:上当|被骗|中招)"
                          r"|我(?:就|早就|一听就)?知道(?:这|他|她|对方)?是骗子")
# A retold call whose teller is about to do what was asked (我现在准备去转了, 验证码我报给他就行对吧？,
# 我按她说的做就行吧？, 我打算今天就交): the scam is still going on, its requests are live ones
_COMPLY_VERB = (r"(?:转(?!告|发|达|交|述|给(?:我|家|老|孩|儿|女|爸|妈))|(?<!提)交(?!代|流|通|待|给警|给派出所)|汇(?!报)|付(?!出代价)|报给(?:他|她|对方)"
                r"|照做|照办)")
_ABOUT_TO_COMPLY = re.compile(r"(?<![帮让叫要给替])我(?:们)?(?:(?:现在|马上|这就|待会儿?|等下|一会儿?|今天|明天)(?:就)?(?:准备|打算|要|决定)?"
                              r"|(?:就)?(?:准备|打算|要|决定)|就)"
                              r"(?:现在|马上|今天|明天)?(?:就)?(?:去(?:银行)?)?" + _COMPLY_VERB
                              + r"|(?:验证码|卡号|密码)我(?:就)?(?:告诉|发给|报给)(?:他|她|对方)|(?<![要让叫])我(?:就)?把(?:验证码|卡号|密码)(?:告诉|发给|报给)(?:他|她|对方)(?!了)"
                              r"|(?:照|按)(?:他|她|对方)说的(?:做|办)|(?:照做|照办|转过去)就(?:行|可以)|把钱转(?:过去|给(?:他|她|对方))"
                              r"|(?:去转|去交|去办|照做|转了|(?<!提)交了)[^。！？\n]{0,4}(?:应该|是不是)没(?:问题|事)")
# a request to the reader after the story's end: the teller is the one asking (…他直接挂了。你的情况不同，请…转到…)
_ASKED_AFTER = re.compile(r"(?:你|您)[^。！？\n]{0,10}(?:转|报给|发给|告诉我|给我|把)|(?:转|发|报|借)给?我|借我|帮我|请(?:您|你)")


def _turned_down(text: str) -> bool:
    """Whether the retold call ends turned down (_TURNED_DOWN), in the writer's words (not in quotes),
    with no request to the reader after it."""
    last = None
    for m in _TURNED_DOWN.finditer(text):
        if (text.count("“", 0, m.start()) <= text.count("”", 0, m.start()) and text.count('"', 0, m.start()) % 2 == 0
                and text.count("「", 0, m.start()) <= text.count("」", 0, m.start())):
            last = m
    return last is not None and _ASKED_AFTER.search(text, last.end()) is None


# the reader talked out of going to the police (不用去派出所, 别报警, 没必要报案), not in a retelling
# (他说不用报警)
_POLICE_DISCOURAGED = re.compile(r"(?<!说)(?<!说的)(?<!让我)(?<!叫我)(?<!要)(?:不用|不要|别|不必|没必要|用不着)(?:去|到)?(?:派出所|公安局|报案|报警)(?!了吗|吗|么)")
_CUSTODY_DENIED = re.compile(r"(?:不会|没有|不存在|绝不|从不|从来不|不要|别|谨防|如果|凡是|一律|让我|叫我|要我|让您|让你|要求|称|说|被告知|是否|是不是|骗子|对方)[^。！？\n]*$")
# a line ending in one of these closes its sentence; any other line break may be a wrapped line
_LINE_CLOSED = frozenset("。！？!?；;：:…」”\"）)]】\n ")
# the buttons of a chat app's input bar, each on a line of its own in a screenshot's OCR
_TOOLBAR = re.compile(r"(?m)^[ \t]*(?:转账|红包)[ \t]*$")
_LINK_CHARS = frozenset(LINK_WORD)
# A chat app's back arrow as OCR reads it off a screenshot's title bar (く: the arrow read as kana).
_ARROWS = "<＜‹く"
# Lines of an OCR'd chat screenshot that are the phone's or the app's, not anyone's words: blanked
# before signals are looked for (a clock time or a battery level is no amount, no request).
_DEBRIS_PARTS = [
    # a phone's status bar read by OCR: "21:47 ⊿ 5G 63%", "9:05 4G 41%"
    r"^[ \t]*\d{1,2}[:：]\d{2}[^\n]{0,16}?\d{1,3}[ \t]*%[ \t]*$",
    # a chat's timestamp line: "昨天 20:13", "今天 9:31", "星期三 08:15", "11月29日 14:26"
    r"^[ \t]*(?:昨天|今天|前天|星期[一二三四五六日天]|周[一二三四五六日天]|上午|下午|晚上|凌晨|中午|\d{1,2}月\d{1,2}日|\d{4}[-/年]\d{1,2}[-/月]\d{1,2}日?)?[ \t]*\d{1,2}[:：]\d{2}[ \t]*$",
    # the input bar's voice button: "按住 说话"
    r"^[ \t]*按住[ \t]*说话[^\n]*$",
    # the app's title bar: its back arrow and name (the contact's name after it stays): "< 微信(36)";
    # the arrow read as "く", and an unread count before the sender's number ("く 12 95533": the bank's
    # 95533, not a look-alike 1295533)
    r"^[ \t]*[" + _ARROWS + r"][ \t]*(?:微信|qq|闲鱼|淘宝|支付宝|钉钉|企业微信)?[ \t]*(?:[(（]\d+[)）]|\d{1,3}(?=[ \t]+\d))?",
]
_OCR_DEBRIS = re.compile("(?m)" + "|".join(_DEBRIS_PARTS))
# what precedes a number on a screenshot's title bar: the back arrow alone
_BACK_ARROW = re.compile(r"[ \t]*[" + _ARROWS + r"][ \t]*")
_ARROW = re.compile("[" + _ARROWS + "]")
_UNREAD = re.compile(r"[1-9]\d{0,2}")
# The reader told to open a link ("请下载…", "请点击…", "请尽快登录…"), for a text about scams
# that is itself a fake notice (see evidence); not "请勿点击" nor "请不要".
_LINK_IMPERATIVE = re.compile(r"请(?:您)?(?:立即|尽快|及时|马上|务必|直接)?(?:下载|点击|登录|登入|访问|打开|进入)")
# A notice opening with its sender's tag that sends the reader to a channel of its own: a link it says to open, a number
# it says to call, a private account it says to add ("【微信支付】…谨防冒充客服诈骗…请致电 0755-8376
# 0911 解除限制"): a warning names fake channels to avoid, it does not send the reader to one.
_SEND_VERB = re.compile(r"(?:点击|点开|登录|登入|访问|打开|进入|下载)")
_SEND_NEGATED = re.compile(r"(?:勿|不要|别|切勿|谨慎|陌生|可疑|假冒|冒充|虚假)[^。！？!?\n]{0,3}$")
# (a number to call or an account to add counts when the reader is to settle the pretext through it,
# "致电 0755-8376 0911 解除限制", "添加专员微信 … 办理"; not a warning's "如有疑问请联系网格员 137…",
# "咨询请致电 0571-…", "请添加片区民警微信 … 报备")
_SEND_NUMBER = re.compile(r"(?:致电|拨打|请打|联系|回电)[^。！？!?\n\d]{0,8}?[“\"「]?(\+?\d[\d\- ]{5,}\d)")
_SEND_ACCOUNT = re.compile(r"(?<![参增追更])(?:添加|加)(?![强油速快班大])[^。！？!?\n“”\"「」]{0,12}(?:微信|企业微信|qq|vx|wx)"
                           r"[^。！？!?\n]{0,4}[:：]?\s*[A-Za-z0-9][A-Za-z0-9_\-]{4,}", re.I)
_SEND_INQUIRY = re.compile(r"(?:疑问|疑虑|不明|咨询|举报|报警|报备|求助|了解)[^。！？!?\n]{0,12}$")
_SEND_SETTLES = re.compile(r"(?:办理|解除|解冻|登记|领取|激活|认证|核验|核对|核实|完成|处理|开通|关闭|注销|申领|补偿|赔付|理赔"
                           r"|退款|改签|恢复|升级|提供|发送|告知|填写|验证)")
_SENSITIVE = re.compile(r"验证码|卡号|银行卡|密码|身份证|安全码|cvv|有效期|人脸", re.I)
_SENSITIVE_NEGATED = re.compile(r"(?:勿|不要|别|不会|不得|不|切勿|谨防|索要|索取)[^。！？!?\n]{0,8}$")
_QUOTED_BEFORE = re.compile(r"[“\"「『（(]")  # (如“cmbchina.com-xxx.cn”: a link quoted as an example)


def _sends_elsewhere(text: str, spans, urls, links, numbers) -> bool:
    """Whether the text tells the reader to open a risky link (where it also asks for a card, a
    code or a password), or to settle its pretext through a number that is not an official one or
    a private account (none of it negated, asked as an inquiry or quoted: 请勿点击, 如有疑问请联系)."""
    judged = dict(zip(urls, links))
    # (a link alone is no proof: banks send short links of their own that no list holds, "谨防冒充
    # 客服诈骗。…请点击 cmbt.cn/… 激活新卡"; the link counts beside a card, code or password asked)
    asks = any(not _SENSITIVE_NEGATED.search(text, max(0, m.start() - 10), m.start()) for m in _SENSITIVE.finditer(text))
    for a, b in spans if asks else ():
        link = judged.get(text[a:b].rstrip(".,"))
        if link is not None and is_risky_link(link, text):
            m = None
            for m in _SEND_VERB.finditer(text, max(0, a - 24), a):
                pass
            if (m is not None and not _SEND_NEGATED.search(text, max(0, m.start() - 6), m.start())
                    and not _QUOTED_BEFORE.search(text, m.end(), a)):
                return True

    def settles(m: re.Match) -> bool:
        return (not _SEND_NEGATED.search(text, max(0, m.start() - 6), m.start())
                and not _SEND_INQUIRY.search(text, max(0, m.start() - 14), m.start())
                and _SEND_SETTLES.search(text, m.end(), m.end() + 16) is not None)

    unofficial = {_NON_DIGIT.sub("", n.input) for n in numbers if n.verdict != OFFICIAL}
    for m in _SEND_NUMBER.finditer(text):
        if _NON_DIGIT.sub("", m.group(1)) in unofficial and settles(m):
            return True
    return any(settles(m) for m in _SEND_ACCOUNT.finditer(text))


# ...after the warning made its reason, in the same sentence ("因近期不法分子冒充我司工作人员行骗，…请下载")
_PRETEXT_WARNING = re.compile(r"(?:因|由于|为防|为防止|为了防止|为避免)[^。！？!?]{0,30}(?:冒充|不法分子|骗子|诈骗)[^。！？!?]*$")
# A chat app's own safety banner, read off a screenshot on a line of its own ("对方为陌生人，请谨防诈骗",
# "请勿轻信汇款、中奖信息", "如遇到陌生人索要钱财，请提高警惕，谨防诈骗"): the app's words, not the
# sender's nor the reader's, so no sign the text is about a scam (it is shown above every stranger's
# messages, scams included). A short line naming what to beware of and of whom; not a line that
# also asks or tells something (a friend's "你别转 谨防诈骗" keeps its 别转).
_BANNER = re.compile(r"(?m)^[ \t]*(?:[^\n]{0,8}(?:提醒|提示)[:：]?[ \t]*)?"
                     r"(?=[^\n]{0,40}(?:陌生人|非好友|好友|钱财|汇款|转账|中奖|借款|交易|隐私|资金|财产|账号))"
                     r"(?![^\n]*(?:别转|不要转|我|你们|咱))"
                     r"(?:[^\n]{0,30}(?:谨防|谨慎|警惕|小心|注意)[^\n]{0,6}(?:诈骗|受骗|上当|骗局|隐私安全|资金安全|财产安全|账号安全)"
                     r"|[^\n]{0,10}请勿轻信[^\n]{0,24})[^\n]{0,16}?[。!！]?[ \t]*$")
# 诈骗 shortly after 涉嫌/涉及 in the same sentence accuses the reader ("涉嫌在外地开办电话卡用于诈骗").
# (also a number "sending" scam texts: 您的名下号码在哈尔滨发送了大量诈骗短信, a fake carrier's pretext)
ACCUSED = re.compile(r"(涉嫌|涉及|涉案)[^。！？!?\n]*$"
                     r"|(名下|号码|手机号|电话号|银行卡|账户|身份证)[^。！？!?\n]{0,10}(发送|发布|群发|发)了?(大量|很多|多条|大批)?的?$"
                     # the warning side called the fake one by a fake officer: "包括96110，那是嫌疑人冒充的"
                     r"|(96110|反诈中心|反诈app|反诈民警|反诈专线|反诈的电话|柜员|银行的人|银行工作人员)[^。！？!?\n：:）)]{0,10}?(?<!以为)(?<!怀疑)是(嫌疑人|骗子)?的?(同伙|人|团伙)?$")

# Text right after a digit run that makes it an amount, a date, a quantity or a count.
_NOT_PHONE_AFTER = re.compile(
    r"^\s*(元|块|万|千|百|圆|毛|角|rmb|w\b|k\b|%|％|年|学年|学期|财年|赛季|月|日|号(?!码)|时|点|分|秒|笔|次|个|天|周|岁|期|倍|箱|件|只|台|盒|"
    r"包|袋|瓶|斤|公斤|克|吨|kg|g\b|米|平|人|位|名|张|份|套|条|双|本|股|手|单|楼|层|室|栋|幢|单元|路|届|级|班|分钟|小时)",
    re.IGNORECASE)
# Words that name a secret (a code, a password): digits right after one are that secret, in a
# message (below) and in a user's own question ("支付密码就用的123456", Assistant.respond).
SECRET_WORDS = r"验证码|校验码|动态码|密码|口令"
SECRET_BEFORE = re.compile(SECRET_WORDS)
# Text right before a digit run that makes it an amount, a code, a password or an order/card/stock number.
_NOT_PHONE_BEFORE = re.compile(
    r"(¥|￥|\$|金额|余额|人民币|" + SECRET_WORDS + r"|取件码|提货码|取货码|code|尾号|订单号|单号|编号|"
    r"卡号|工号|学号|房号|房间号?|座位|车次|航班|股票|代码|证券|基金|邮编|编码|型号|序号|账号|账户)[^0-9]{0,6}$",
    re.IGNORECASE)
# A payment verb right before a digit run makes it an amount ("转10000", "打500到我账户").
_AMOUNT_BEFORE = re.compile(r"(转|(?<!拨)打|汇|付|充|存|借|还|给|收|赚|亏|花|交|缴|共|计|才|仅|只要|价格?|售价|原价|特价|每人|人均|"
                            r"工资|收入|支出|余额|额度|贷款|提现|返|赔|退|罚|补)\s*$")
# A short service number (3 to 6 digits) is a phone number only in a phone context.
_PHONE_CONTEXT = re.compile(r"(拨打|致电|电话|热线|客服|联系|来电|回拨|打给|拨|call|tel|号码|短信|发送|回复|发到|发至|"
                            r"咨询|投诉|举报|专线|显示|报警)[^。！？!?\n]{0,10}$", re.IGNORECASE)


@dataclass(frozen=True)
class Finding:
    name: str
    label: str
    evidence: str
    weight: int
    related: tuple[str, ...] = ()
    never_low: bool = False   # see Signal.never_low
    despite_talk: bool = False  # see Signal.despite_talk


@dataclass(frozen=True)
class ScanResult:
    risk: str
    numbers: tuple[CheckResult, ...]
    urls: tuple[str, ...]
    signals: tuple[Finding, ...]
    related: tuple[str, ...]
    advice: str
    cards: tuple[str, ...] = ()
    truncated: bool = False
    fraud_type: "Resemblance | None" = None
    links: tuple[LinkResult, ...] = ()

    def to_dict(self) -> dict:
        """The public JSON shape of `python -m bot scan --json` (documented in the README)."""
        ft = self.fraud_type
        return {
            "risk": self.risk,
            "numbers": [n.to_dict() for n in self.numbers],
            "urls": list(self.urls),
            "signals": [{"name": s.name, "evidence": s.evidence} for s in self.signals],
            "related": list(self.related),
            "advice": self.advice,
            "fraud_type": ({"id": ft.type.id, "name": ft.type.name, "entry": ft.type.entry,
                            "score": round(ft.score, 3)} if ft is not None else None),
            "links": [link.to_dict() for link in self.links],
        }


@dataclass(frozen=True)
class Resemblance:
    """The fraud type a message reads most like, how closely (0..1), and whether that is close
    enough on its own to call the message suspicious."""

    type: FraudType
    score: float
    strong: bool


# A never_low request put to the reader in the scam's own voice beside a disclaimer (Evidence._disarmed):
# 请 (立即/尽快…) then the act within a clause, or 告诉我/发给我/报给我. Chosen at stop 44 on the read
# sets with dev125: 7 scams against 3 genuine messages (quoted scam lines, a 不把…告诉 rule) before
# DISARMED_TOLD was complete, 7 against 0 with it.
DISARMED_ASK = re.compile(r"请(?:您|你)?(?:立即|尽快|马上|在|于|按|配合)?[^。！？\n，,]{0,12}(?:回复|提供|填写|输入|告知|告诉|报|发给|转入|转到|存入|下载|开启|共享|绑定)"
                          r"|(?:告诉|发给|报给)我")
# A fee to "recover" lost money named with its price in the sender's own voice (前期只收一个立案材料费1980,
# 需要您先缴纳1%的解冻保证金460元): a recovery scam that warns of "收费追款的骗子" still charges; a
# warning names such fees without a price of its own, a case report tells of one asked (被要求…缴纳2000元)
PRICED_FEE = re.compile(r"(?:只收|先交|先缴纳?|先支付|先付|需(?:要)?(?:您|你)?先?(?:缴纳|交纳|交|支付))"
                        r"(?:[^。！？\n]{0,16}?(?:费|保证金|押金)[^。！？\n]{0,8}?\d|[^。！？\n]{0,10}?\d+(?:\.\d+)?\s*(?:%|元|块|万))")
_PRICED_TOLD = re.compile(r"(?:被要求|被告知|说是|有人|自称|他说|她说|要求其|让其|按要求|按照要求|诱导|会以|他们会|称|冒充|嫌疑人|不法分子|骗取|警方|[“「][^”」]*)[^。！？\n]*$"
                          r"|(?:骗子|对方|不会|不要|别|切勿|无需|不需要)[^。！？\n，,]*$")
# (…as the pretext of a fraud reported: 以…需先缴纳20%手续费为由骗取钱财; or asked about: …要交吗？)
_PRICED_FOR = re.compile(r"[^。！？\n]*?(?:为由|骗取|吗|么|[？?])")  # (matched at the price's end)
# ...but not one told of, negated or quoted: 骗子让他…, 不会/不要/切勿…, "请把钱转入安全账户" in quotes, a ❌ list
DISARMED_TOLD = re.compile(r"不会|不要|不把|切勿|勿|不需要|无需|并非|别|谨防|让(?:他|她|受害|对方|老人|家人|市民|群众|事主|我妈|我爸)"
                           r"|骗子|嫌疑人|不法分子|自称|冒充|对方|假(?:客服|警察|民警)|事主|受害人|案例|诈骗分子|他说|她说|他让|她让|说是"
                           r"|^[\"“「❌]|[\"“「][^\"”」]{0,30}请")


@dataclass(frozen=True)
class Evidence:
    """What a scan finds before a risk is decided: the numbers, cards and links, the signals
    (`requests`: signal and call-back findings, before any exemption; `others`: number and link
    findings), whether the message talks about scams as scams, reads as a genuine notice (says
    what its sender never asks, or sends the reader only to official numbers) or announces the
    writer's own new number, and the fraud type it resembles. `hand_decision` and the fitted
    model (scan_model.py) turn it into a risk."""

    text: str
    said: str
    numbers: tuple[CheckResult, ...]
    urls: tuple[str, ...]
    cards: tuple[str, ...]
    links: tuple[LinkResult, ...]
    requests: tuple[Finding, ...]
    others: tuple[Finding, ...]
    talks_about_scams: bool
    notice: bool
    own_number: bool
    fraud_type: "Resemblance | None"
    truncated: bool = False
    warning: bool = False  # a sentence warns against a scam (signals.yaml warnings)
    # the distinct characters of `text`, when the scanner has them (the model's context patterns
    # are skipped on text that cannot hold a match)
    chars: "AbstractSet[str] | None" = field(default=None, compare=False, repr=False)
    wording: float = 0.0  # the wording model's log-odds (wording.py); 0 without the model
    retold: bool = False  # someone else's words reported (_RETOLD): despite_talk requests are told, not made
    # the sentences that warn (_warned: a line break does not end one, as a screenshot's OCR may
    # split a warning from what it names): what the message warns of
    warned: str = ""

    @property
    def exempt(self) -> bool:
        """The signals are not requests to the reader: a text about scams, or a genuine notice
        whose signals are all pretexts (a request no genuine service makes, weight 3, still counts)."""
        return self.talks_about_scams or (self.notice and not any(f.weight >= 3 for f in self.requests))

    def _made_despite_talk(self, f: Finding) -> bool:
        """A request only texts about scams make (Signal.despite_talk), made here: no sentence warns
        against it (or, for a recovery fee, its price is asked all the same: `_priced`) and no one
        else's words are being reported; or a never_low request put to the
        reader beside a disclaimer that does not name it (`_disarmed`)."""
        return ((f.despite_talk and not self.retold and (not self.warning or self._priced(f)))
                or self._disarmed(f))

    def _priced(self, f: Finding) -> bool:
        """A recovery fee with its price asked in the sender's own voice (see PRICED_FEE)."""
        return f.name == "recovery_fee" and any(
            _PRICED_TOLD.search(self.said, max(0, m.start() - 40), m.start()) is None
            and _PRICED_FOR.match(self.said, m.end(), m.end() + 30) is None
            for m in PRICED_FEE.finditer(self.said))

    def _disarmed(self, f: Finding) -> bool:
        """A scam that wears a warning's words (谨防电信诈骗，我行不会索要密码。…请回复本短信收到的
        6位验证码): a never_low request the text puts to the reader itself (请…回复/提供/告诉…, 发给我),
        not told of, quoted or negated (让他…, "请把钱转入安全账户", 不要告诉), that no warning of the
        text names (scan_model.warned_of: 公检法不会让你转账 names a safe account)."""
        return (f.never_low and self.warning and self.talks_about_scams and not self.retold
                and DISARMED_ASK.search(f.evidence) is not None and DISARMED_TOLD.search(f.evidence) is None
                and not warned_of(self, f))

    @cached_property
    def findings(self) -> tuple[Finding, ...]:
        """What the fitted decision weighs against the message (worked out once: the decision reads
        it several times). A text about scams with no warning sentence keeps its wording finding: a
        fake officer's script or a paid "recovery" of stolen money names scams too, and the model
        weighs the finding beside the talk features (talk_wording). A warning never keeps it (a
        warning quotes the script it warns against), nor does the hand rule (`hand_decision`). Nor
        is a request marked despite_talk (a fee to recover money lost to a scam) set aside."""
        if self.talks_about_scams and not self.warning:
            return tuple(f for f in self.requests if f.name == "scam_wording" or self._made_despite_talk(f)) + self.others
        return self.hand_findings

    @cached_property
    def hand_findings(self) -> tuple[Finding, ...]:
        """What the hand rule counts: every request and the numbers and links, or, for an exempt
        text, the numbers and links only."""
        if self.exempt:
            # (a request only texts about scams make still counts when no sentence warns against it)
            return tuple(f for f in self.requests if self._made_despite_talk(f)) + self.others
        return self.requests + self.others


def hand_decision(ev: Evidence) -> tuple[str, tuple[Finding, ...]]:
    """The hand-weighted rule: any weight-3 finding or weights adding up to 4 is high, 2 is
    medium; a message reading like a known script is at least medium, unless it talks about
    scams or is a first-person own-number announcement asking nothing."""
    findings = ev.hand_findings
    score = sum(f.weight for f in findings)
    if any(f.weight >= 3 for f in findings) or score >= 4:
        risk = HIGH
    elif score >= 2:
        risk = MEDIUM
    else:
        risk = LOW
    ft = ev.fraud_type
    if (ft is not None and ft.strong and risk == LOW and not ev.talks_about_scams
            and not (not findings and ev.own_number)):
        risk = MEDIUM  # reads like a known scam script, whatever its wording
    return risk, findings


def mask_card(digits: str) -> str:
    return f"{digits[:4]} **** **** {digits[-4:]}"


def _excerpt(sentence: str, start: int, end: int, width: int = 60) -> str:
    sentence = sentence.strip()
    if len(sentence) <= width:
        return sentence
    lo = max(0, min(start, len(sentence) - width))
    return ("…" if lo else "") + sentence[lo:lo + width] + ("…" if lo + width < len(sentence) else "")


# A clause in which the sender defends themself against being called a scammer ("我们不是骗子",
# "如果我们是骗子，前面那三单为什么都给你返钱了？", "骗子会给你钱吗？", "骗子不会跟你说这么多"): the
# words 骗子/骗局 in it are the scammer's own disarming, not a warning, so the clause neither makes
# the text one that talks about scams nor holds a warning (unless it is someone else's words
# retold: in quotes, after 说： or 对方说, "她一直说“我不是骗子”"; see _defence_spans).
SELF_DEFENCE = re.compile(
    r"(?:我|我们|本人|咱们|我们公司|我们平台|我这边|我们这边)(?:真的|可|绝对|肯定|又|也|才|从来)?不是(?:什么)?(?:骗子|骗局|诈骗)"
    r"|(?:我们|我)(?:公司|平台)?(?:是|都是)(?:正规|合法|正当)的?(?:公司|平台)?[，,]?(?:绝对|真的)?不是(?:什么)?(?:骗子|骗局|诈骗)"
    r"|(?:我|我们)(?:是|就是)[^。！？!?\n，,；;]{1,16}[，,]\s*(?:真的|绝对|可)?不是(?:骗子|骗局|诈骗)"
    r"|(?<![是他她])不是骗子(?:哈|啊|呀|哦|嘛|啦)|放心[，,]?(?:这|我们|我)?(?:真的)?不是(?:骗局|诈骗|骗子)"
    r"|如果(?:我|我们)是骗子|(?:我|我们)要是骗子"
    r"|骗子(?:会|能|还会|哪会|怎么会|可能会)[^。！？!?\n；;]{0,8}(?:给你|给您|让你|跟你|和你|陪你|帮你|对你)[^。！？!?\n；;]{0,10}(?:吗|呢|？|\?)"
    r"|骗子不会(?:跟|和|给|对)(?:你|您)"
    r"|(?:有人|别人|很多人|你|您|他们|家里人|大家)[^。！？!?\n，,；;：:、—]{0,6}(?:问|说|怀疑|担心|觉得|以为)(?:我|我们)(?:是不是|是)骗(?:子|局)"
    r"|说(?:我|我们)是骗子的(?!同伙|帮凶|受害)|(?:只会|肯定会|都会)(?:觉得|说|以为)(?:我|我们)是骗(?:子|局)"
    r"|我(?:可以)?(?:发誓|保证)[^。！？!?\n；;]{0,4}不是骗子"
    # (the reader's doubt thrown back: 你是不是把我当骗子了？, 你当我是骗子啊)
    r"|(?:你|您)[^。！？!?\n，,；;]{0,4}(?:把(?:我|我们)当(?:成|作)?|当(?:我|我们)是)骗子")
# A group's own rule against private contact, "to avoid scammers" (禁止私加好友，谨防骗子！): the
# posture of a fake investment group's notice, not a warning about a scam it describes; only in a
# text about investing with a teacher or an assistant (an estate's or a class's notice says it too).
GROUP_RULE = re.compile(
    r"(?:请勿|禁止|严禁|不要|勿)私(?:加|聊)[^。！？!?\n；;]{0,12}(?:谨防|小心|当心)(?:骗子|诈骗|上当|被骗)"
    r"|(?:谨防|小心|当心)(?:骗子|诈骗|上当|被骗)[^。！？!?\n；;]{0,12}(?:请勿|禁止|严禁|不要|勿)私(?:加|聊)")
_INVEST_GROUP = re.compile(r"老师|助理|入金|开户|收益|股票|选股|个股|策略|带单|行情|涨停|基金|期货|外汇|数字货币")
# Someone else's words retold without a colon or quotes (对方说你家里人只会觉得是骗局, 骗子常用话术——)
_RETELLING = re.compile(r"(?:对方|他|她|骗子|那人|客服|他们)(?:就|又|还|一直|会|都|常|常常|经常|总|一般)?(?:说|告诉你|讲)|话术")
# A rhetorical question a warning answers itself ("骗子会主动给你退钱吗？不会！"): no defence.
_ANSWERED = re.compile(r"[？?！!]?\s*(?:不会|会的?[，,！!。]|当然|这就是|没有|不可能|绝对不)")
# Quotation marks that open and close (an ASCII one toggles), and a colon after 说 (对方一直说：我们
# 不是骗局): words inside are someone else's, retold.
_QUOTE_OPEN, _QUOTE_CLOSE, _QUOTE_TOGGLE = "“「『‘", "”」』’", "\"'"
_SAID_COLON = re.compile(r"说\s*[:：]")
CLAUSE_END = re.compile(r"[，,。！？!?\n；;]")
MAX_DEFENCES = 20


def _defence_spans(text: str) -> list[tuple[int, int]]:
    """The clauses (start, end) of `text` in which the sender defends themself (SELF_DEFENCE, and
    GROUP_RULE in a text about investing): outside quotation marks, not retold (after 说： or
    对方说…), not a question the text answers itself. One pass over the text whatever the number
    of matches (at most MAX_DEFENCES are kept)."""
    if "骗" not in text and "上当" not in text:
        return []
    spans: list[tuple[int, int]] = []
    depth, toggled, at = 0, 0, 0
    matches = list(SELF_DEFENCE.finditer(text))
    if _INVEST_GROUP.search(text):
        matches = sorted(matches + list(GROUP_RULE.finditer(text)), key=lambda m: m.start())
    for m in matches:
        between = text[at:m.start()]
        depth += sum(map(between.count, _QUOTE_OPEN)) - sum(map(between.count, _QUOTE_CLOSE))
        toggled += sum(map(between.count, _QUOTE_TOGGLE))
        at = m.start()
        if depth > 0 or toggled % 2:
            continue  # quoted: someone else's words retold
        clause_start = max((e.end() for e in CLAUSE_END.finditer(text, max(0, m.start() - 40), m.start())), default=None)
        sentence = text[max(0, m.start() - 40):m.start()]
        cut = max(sentence.rfind(c) for c in "。！？!?\n")
        if _SAID_COLON.search(sentence[cut + 1:]) or _RETELLING.search(sentence[cut + 1:]):
            continue  # 对方一直说：我们不是骗局; 对方说你家里人只会觉得是骗局
        if _ANSWERED.match(text, m.end()):
            continue  # 骗子会主动给你退钱吗？不会！
        lo = clause_start if clause_start is not None else max(0, m.start() - 40)
        if CLAUSE_END.match(text[m.end() - 1]):
            hi = m.end()  # (a question mark ends it: the next sentence is not in it)
        else:
            after = CLAUSE_END.search(text, m.end())
            hi = after.start() if after else len(text)
        spans.append((lo, hi))
        if len(spans) >= MAX_DEFENCES:
            break
    return spans


def _in_spans(pos: int, spans: list[tuple[int, int]]) -> bool:
    return any(lo <= pos < hi for lo, hi in spans)


def _warns(finder: Finder, text: str, defended: list[tuple[int, int]], lo: int = 0, hi: int | None = None) -> bool:
    """Whether a warning pattern matches in text[lo:hi] outside the clauses `defended`
    (_defence_spans: a sender's own 我们不是骗子 is no warning)."""
    hi = len(text) if hi is None else hi
    if not any(lo <= a < hi for a, _ in defended):
        return finder.search(text, lo, hi)
    return any(not _in_spans(m.start(), defended) for m in finder.pattern.finditer(text, lo, hi))


# A warning's sentence for Evidence.warned: ended by punctuation only, not by a line break (a
# screenshot's OCR breaks "京东客服不会\n要求您下载会议软件、共享屏幕" mid-sentence).
_WARNED_END = re.compile(r"[。！？!?；;]")


def _warned(text: str, finders: list[Finder], defended: list[tuple[int, int]]) -> str:
    """The sentences of `text` in which a warning pattern matches (see Evidence.warned), joined
    by newlines, each once."""
    ends = [e.end() for e in _WARNED_END.finditer(text)]
    spans = set()
    for finder in finders:
        for m in finder.pattern.finditer(text):
            if not _in_spans(m.start(), defended):
                i = bisect.bisect_right(ends, m.start())   # the first sentence end after the match's start
                spans.add((ends[i - 1] if i else 0, ends[i] if i < len(ends) else len(text)))
    return "\n".join(text[lo:hi] for lo, hi in sorted(spans))


# The patterns run on every message, with what they need and a fast start (see prefilter.py).
_SCAM_TALK_NEEDS, _SCAM_TALK = needs(SCAM_TALK), Finder(SCAM_TALK)
_NEVER_ASKS_NEEDS, _NEVER_ASKS = needs(NEVER_ASKS), Finder(NEVER_ASKS)
_OWN_NUMBER_NEEDS, _OWN_NUMBER = needs(OWN_NUMBER), Finder(OWN_NUMBER)
_NUMBER, _CARD, _MASKED_PHONE = Finder(NUMBER), Finder(CARD), Finder(MASKED_PHONE)
# A concept's hits kept per text (per piece of a long one), the first in position order: they
# bound the work of the sliding windows.
MAX_CONCEPT_HITS = 400

# The message gives the number to dial ("境外请拨打+86-10-95588"), not the number a call came from.
_DIAL_BEFORE = re.compile(r"(拨打|致电|请拨|可拨|拨|热线|联系)[^。！？\n]{0,6}$")
_CALLER_BEFORE = re.compile(r"来电|打来|显示")
# Concepts of signals.yaml that make a call-back request about money or an account.
CALLBACK_PRETEXTS = ("frozen", "refund", "fee", "prize", "loan", "authority", "cs", "flight", "charge", "inst_tag")
_ASCII_UPPER = re.compile(r"[A-Z]+")
_NON_DIGIT, _WORD, _NON_SPACE = re.compile(r"\D"), re.compile(r"\w"), re.compile(r"\S+")
_UPPER_LITERAL = re.compile(r"(?<!\\)[A-Z]")


def dialable(number: CheckResult) -> bool:
    """Whether a number found in a message has the seven digits or more of a number someone can
    be called back on (a mobile, a landline, a 400 line), not a short service number."""
    return len(_NON_DIGIT.sub("", number.normalized or "")) >= 7


def _for_lowered(pattern: re.Pattern) -> tuple[re.Pattern, bool]:
    """(pattern, runs on the ASCII-lower-cased text): a case-insensitive pattern without upper-case
    letters is recompiled case-sensitive for the lower-cased copy, where the engine can skip
    straight to its possible first characters (it cannot under IGNORECASE for q, v, etc)."""
    if _UPPER_LITERAL.search(pattern.pattern):
        return pattern, False
    return re.compile(pattern.pattern, pattern.flags & ~re.IGNORECASE), True


def _ascii_lower(text: str) -> str:
    """Lower-case ASCII letters only (same length, so spans stay aligned); far cheaper than
    str.translate on mostly-Chinese text."""
    return _ASCII_UPPER.sub(lambda m: m.group(0).lower(), text) if _ASCII_UPPER.search(text) else text


def _replace_spans(text: str, spans: list[tuple[int, int]], by) -> str:
    """`text` with each (start, end) span replaced by by(start, end)."""
    if not spans:
        return text
    out, at = [], 0
    for a, b in spans:
        out.append(text[at:a])
        out.append(by(a, b))
        at = b
    out.append(text[at:])
    return "".join(out)


def _pieces(text: str, ends: list[int]) -> list[tuple[int, int]]:
    """(start, end) of the overlapping pieces a long text is judged in. Each piece's own part
    (where the next piece starts) ends at a sentence end when one is in its second half, and the
    piece reaches on to a sentence end after PIECE_OVERLAP characters when one is near (at most
    PIECE_OVERLAP further). Every character is in some piece's own part; pieces are at most
    PIECE_CHARS + 2 * PIECE_OVERLAP long, so the work is linear in the length."""
    pieces: list[tuple[int, int]] = []
    start, size = 0, len(text)
    while True:
        own_end = start + PIECE_CHARS
        if own_end + PIECE_OVERLAP >= size:
            pieces.append((start, size))
            return pieces
        k = bisect.bisect_right(ends, own_end)
        if k and ends[k - 1] > start + PIECE_CHARS // 2:
            own_end = ends[k - 1]
        reach = own_end + PIECE_OVERLAP
        k = bisect.bisect_left(ends, reach)
        end = ends[k] if k < len(ends) and ends[k] <= reach + PIECE_OVERLAP else reach
        pieces.append((start, min(end, size)))
        start = own_end


class _View:
    """A text signals are looked for in, its ASCII-lower-cased copy (same length), and the
    pattern conditions (see prefilter.Conditions) each does not meet: `chars` may be a superset
    of the text's distinct characters."""

    __slots__ = ("text", "lowered", "chars", "low_chars", "unmet", "unmet_low")

    def __init__(self, text: str, conditions: Conditions, lowered: str | None = None,
                 chars: AbstractSet[str] | None = None):
        self.text = text
        self.lowered = _ascii_lower(text) if lowered is None else lowered
        self.chars = chars = set(text) if chars is None else chars
        self.unmet = conditions.unmet(chars)
        if self.lowered is text:
            self.low_chars, self.unmet_low = chars, self.unmet
        else:
            self.low_chars = {c.lower() if "A" <= c <= "Z" else c for c in chars}
            self.unmet_low = conditions.unmet(self.low_chars)


class _Voided:
    """Which signals a message's `unless_message` patterns void (see Signal.unless_message):
    worked out for a signal only when it is a candidate, once a message, against the whole
    message, so every piece of a long one shares the answer."""

    __slots__ = ("signals", "text", "unmet", "known")

    def __init__(self, signals: "Mapping[int, tuple[tuple[Finder, int], ...]]", text: str, unmet: int):
        self.signals, self.text, self.unmet = signals, text, unmet
        self.known: dict[int, bool] = {}

    def hit(self, index: int) -> bool:
        finders = self.signals.get(index)
        if finders is None:
            return False
        known = self.known.get(index)
        if known is None:
            unmet, text = self.unmet, self.text
            known = self.known[index] = any(not mask & unmet and finder.search(text) for finder, mask in finders)
        return known


class _Warnings:
    """Which sentences warn against a scam (signals inside them do not count), worked out only
    for the sentences a signal is found in, once each, with the warning patterns the text can
    hold at all."""

    def __init__(self, patterns: tuple[tuple[Finder, int], ...], view: _View, ends: list[int],
                 defended: list[tuple[int, int]] | None = None):
        self.candidates, self.unmet = patterns, view.unmet
        self.patterns: list[Finder] | None = None
        self.text, self.ends = view.text, ends
        self.known: dict[int, bool] = {}
        # the text's defence clauses (_defence_spans), when the caller has them; else worked out here
        self.defended = defended

    def sentence(self, index: int) -> bool:
        known = self.known.get(index)
        if known is None:
            if self.patterns is None:
                unmet = self.unmet
                self.patterns = [p for p, mask in self.candidates if not mask & unmet]
            lo = self.ends[index - 1] if index > 0 else 0
            hi = self.ends[index] if index < len(self.ends) else len(self.text)
            if self.defended is None:
                self.defended = _defence_spans(self.text)
            known = self.known[index] = any(_warns(p, self.text, self.defended, lo, hi) for p in self.patterns)
        return known


class Scanner:
    def __init__(self, checker: Checker, signals: SignalBook | Iterable[Signal], reminder: str,
                 entry_ids: set[str] | None = None, resemblance=None, links: LinkChecker | None = None,
                 model=None, wording=None):
        self.checker = checker
        self.book = signals if isinstance(signals, SignalBook) else SignalBook({}, tuple(signals))
        self._conditions = Conditions()
        self.signals = self.book.signals
        self._index_literals()
        self._warnings = tuple((Finder(w), self._conditions.mask(w)) for w in self.book.warnings)
        release_parsed()  # every pattern is indexed: its parse tree is not read again
        self.reminder = reminder
        self.entry_ids = entry_ids
        # resemblance(cleaned) -> Resemblance | None, given the message as `text.clean` leaves it
        # (the scanner's own text, not cleaned again): the curators' scripts, compared through the
        # matcher's lexical index (see matcher.ScriptIndex.resemble_clean).
        self.resemblance = resemblance
        self.links = links
        # model.decide(Evidence) -> (risk, findings shown): the fitted decision (scan_model.py);
        # None: the hand-weighted rule (`hand_decision`).
        self.model = model
        # wording.WordingModel: how much the words read like a scam (None: not weighed)
        self.wording = wording

    def scan(self, message: str, reports: Mapping[str, int] | Callable[[str], int] | None = None, *,
             pasted: bool = True) -> ScanResult:
        """Never raises on odd input: empty, binary-looking or huge text is scanned as far as it
        makes sense and comes out `low` with nothing found. `pasted=False` for the user's own words
        (a story naming 骗子 is not a warning text: every signal counts)."""
        ev = self.evidence(message, reports, pasted=pasted)
        risk, findings = self.model.decide(ev) if self.model is not None else hand_decision(ev)
        related = self._related(list(findings), ev.fraud_type)
        return ScanResult(risk, ev.numbers, ev.urls, tuple(findings), related,
                          self._advice(risk, ev.numbers, ev.urls, bool(findings)), ev.cards, ev.truncated, ev.fraud_type,
                          ev.links)

    def evidence(self, message: str, reports: Mapping[str, int] | Callable[[str], int] | None = None, *,
                 pasted: bool = True, wording: float | None = None) -> "Evidence":
        """Everything a scan finds, before any risk is decided (see `Evidence`). `wording`: a
        wording score given from outside instead of the model's (benchmarks/fit_scanner.py gives
        each development message the score of a wording model that never saw its set)."""
        message = message if isinstance(message, str) else str(message)
        truncated = len(message) > MAX_SCAN_CHARS
        text = unsegment(clean(message[:MAX_SCAN_CHARS]))

        # One pass for the links: listed, blanked out for the numbers, one word for the signals.
        spans = [(m.start(), m.end()) for m in URL.finditer(text)] if "." in text or "//" in text else []
        urls = tuple(dict.fromkeys(text[a:b].rstrip(".,") for a, b in spans))
        rest = _replace_spans(text, spans, lambda a, b: " " * (b - a))
        found = _CARD.spans(rest)
        cards = tuple(dict.fromkeys(mask_card(_NON_DIGIT.sub("", rest[a:b])) for a, b in found))
        rest = _replace_spans(rest, found, lambda a, b: " " * (b - a))
        numbers = self._numbers(rest, reports)
        links = tuple(self.links.check(u) for u in urls) if self.links is not None else ()

        if "\n" in text and _BANNER.search(text):
            # (same length: the spans found stay where they are)
            text = _BANNER.sub(lambda m: " " * (m.end() - m.start()), text)
        chars = set(text)
        # A message that names scams as scams (a police or bank warning, a chat about a scam
        # someone avoided) quotes scam phrases without asking them of the reader; its signals are
        # still looked for (the fitted model weighs what such a text quotes, and the wording finding
        # of one without a warning sentence): see `Evidence.exempt`, `Evidence.findings`,
        # `hand_decision` and the fitted model for what that does to the risk.
        talks_about_scams = pasted and self._talks_about_scams(text, chars)
        if (not talks_about_scams and pasted and "我" in chars and "电话" in text
                and _CALL_RETOLD.search(text) and (_RETOLD.search(text) or _CALLER_SAID.search(text)) and _turned_down(text)):
            # "接到个电话，对方说…要我报验证码。我直接挂了": a call retold, turned down (worked out
            # before the checks below, which can still undo it: a safe account asked of the reader)
            talks_about_scams = True
        elif (talks_about_scams and "我" in chars and _ABOUT_TO_COMPLY.search(text, max(0, len(text) - 40))
                  and (_CALL_RETOLD.search(text) or _RETOLD.search(text)) and not _turned_down(text)):
            talks_about_scams = False  # "…他待会儿还会打来，验证码我报给他就行对吧？": still going on
        if talks_about_scams and ("户" in chars or "账号" in text):
            for m in CUSTODY.finditer(text):
                # _CUSTODY_DENIED reads only the sentence before the request: it ends in [^。！？\n]*$
                if text[m.end():m.end() + 1] not in "”\"'」" and not _CUSTODY_DENIED.search(text, 0, m.start()):
                    talks_about_scams = False
                    break
        if talks_about_scams and "我" in chars and _only_doubted(text):
            talks_about_scams = False  # "我：会不会是骗人的" / "对方：放心…": the reader's doubt, talked away
        if talks_about_scams and _POLICE_DISCOURAGED.search(text):
            talks_about_scams = False  # "不用去派出所，我直接帮你转接": the caller keeps the reader from the police
        said = self._signal_text(_replace_spans(text, spans, lambda a, b: LINK_WORD))
        # said holds the text's characters, the link word's and the spaces of speaker tags
        said_chars = chars | _LINK_CHARS if spans else chars | {" "}
        # Links that are all official (or a school's own, see risky_link) make no "click this link" signal.
        risky_link = any(is_risky_link(link, text) for link in links) if self.links is not None else bool(urls)
        if (talks_about_scams and risky_link and spans and "请" in chars
                and SENDER_TAG.match(text.lstrip()) is not None):
            # a notice that borrows the warning as its pretext, then sends the reader to its own link
            # ("【度小满金融】…因近期不法分子冒充我司行骗，放款须通过官方核验，请下载 duxiaoman-fk.com
            # 客户端"): a warning quotes a fake link, it does not tell the reader to open one (a user
            # quoting such a text around their question does not start with the sender's tag)
            for m in _LINK_IMPERATIVE.finditer(text):
                # (the warning given as the reason for the link, in the same sentence: a bank's own
                # "谨防冒充客服诈骗。…请点击 cmbt.cn/… 激活新卡" warns in a sentence of its own)
                if (any(m.end() <= a <= m.end() + 24 for a, _ in spans)
                        and _PRETEXT_WARNING.search(text, max(0, m.start() - 80), m.start())):
                    talks_about_scams = False
                    break
        # (a tagged text that sends the reader to a channel of its own: see _sends_elsewhere)
        sends: bool | None = None
        if talks_about_scams and SENDER_TAG.match(text.lstrip()) is not None:
            sends = _sends_elsewhere(text, spans, urls, links, numbers)
            talks_about_scams = not sends
        defended = _defence_spans(said)  # (the sender's own 我们不是骗子: see SELF_DEFENCE)
        requests, present, unmet = self._find_signals(said, said_chars, risky_link, defended)
        requests.extend(self._callback_findings(numbers, present, rest))
        weighed = 0.0  # the wording score, when the wording is weighed at all
        if self.wording is not None and pasted and wording_weighs(text):
            # (a message in Chinese: the model learned from Chinese messages, not from pinyin or
            # English; and pasted: the user's own story quotes the scam's words, it is not one)
            found = None
            if wording is None:
                found = keys(text)
                wording = self.wording.weigh_keys(found)
            weighed = wording
            if wording >= self.wording.flag_at:
                # words that read like the scams of the development sets, whatever they ask for
                # (a request like any other: a warning or a genuine notice sets it aside too; a
                # text about scams with no warning sentence keeps it, see Evidence.findings)
                told = "、".join(f"「{g}」" for g in self.wording.telling_phrases(text, found=found))
                requests.append(Finding("scam_wording", "用词和诈骗话术很像", told or text[:40], 2, ()))
        # A notice that says what its sender never does ("工商银行不会通过短信链接要求您提供密码"),
        # or that can only send the reader to the institution itself.
        # (not one that sends the reader to its own number, account or link: "我们不会索要您的支付
        # 密码。…请致电 0755-8376 0911 解除限制" disarms, it does not notify)
        notice = (((possible(_NEVER_ASKS_NEEDS, said_chars) and _NEVER_ASKS.search(said))
                   and not (sends if sends is not None else SENDER_TAG.match(text.lstrip()) is not None
                            and _sends_elsewhere(text, spans, urls, links, numbers)))
                  or self._official_notice(text, numbers, urls, links))
        fraud_type = self.resemblance(text) if self.resemblance is not None and _WORD.search(text) else None
        own_number = possible(_OWN_NUMBER_NEEDS, chars) and _OWN_NUMBER.search(text)
        # a sentence anywhere warns against a scam (the warning patterns the text can hold)
        warning = False
        for finder, mask in self._warnings:
            if not mask & unmet and _warns(finder, said, defended):
                warning = True
                break
        # (what the warnings name matters only beside a never_low request: see scan_model.warned_of)
        warned = (_warned(said, [f for f, mask in self._warnings if not mask & unmet], defended)
                  if warning and any(f.never_low for f in requests) else "")
        return Evidence(text, said, numbers, urls, cards, links, tuple(requests),
                        tuple(self._number_findings(numbers, cards)) + tuple(self._link_findings(links)),
                        talks_about_scams, bool(notice), bool(own_number), fraud_type, truncated, warning, chars,
                        weighed, talks_about_scams and _RETOLD.search(text) is not None, warned)

    # -- numbers ---------------------------------------------------------------------------

    def _numbers(self, text: str, reports) -> tuple[CheckResult, ...]:
        found: dict[str, CheckResult] = {}
        for start, end in _NUMBER.finditer(text):
            candidates = self._candidates(text, start, end)
            if (len(candidates) == 3 and _UNREAD.fullmatch(candidates[1][0])
                    and _BACK_ARROW.fullmatch(text, text.rfind("\n", 0, start) + 1, start)):
                # "く 12 95533": a screenshot's title bar, its unread count, then the sender's number
                # (not "+86 95588", nor a mobile written 170 2345 6789: more than one piece after it)
                candidates = candidates[2:]
            for raw, start, end in candidates:
                if raw.startswith("+") and text[max(0, start - 2):start] == "区号":
                    raw, start = raw[1:], start + 1  # "区号+96110": an area code, then the number
                if not self._looks_like_phone(text, raw, start, end):
                    continue
                home = self.checker.dialled_from_abroad(raw)
                if (home is not None and _DIAL_BEFORE.search(text, max(0, start - 12), start)
                        and not _CALLER_BEFORE.search(text, max(0, start - 12), start)):
                    # "境外请拨打+86-10-95588": the bank's own number, written to dial from abroad
                    # (a caller ID with +86 in front is the checker's lookalike; this is no caller ID)
                    raw = home
                result = check_with_reports(self.checker, raw, reports)
                if result.verdict == INVALID or result.normalized is None:
                    continue
                found.setdefault(result.normalized, result)
        return tuple(found.values())

    @staticmethod
    def _candidates(text: str, start: int, end: int) -> list[tuple[str, int, int]]:
        """The whole digit run text[start:end], or, when it is several numbers separated by
        spaces, each part too."""
        found = text[start:end]
        raw = found.strip()
        if " " not in raw:
            return [(raw, start, end)]
        parts = [(m.group(0), start + m.start(), start + m.end()) for m in _NON_SPACE.finditer(found)]
        if len(parts) <= 1:
            return [(raw, start, end)]
        return [(raw, start, end), *parts]

    def _looks_like_phone(self, text: str, raw: str, start: int, end: int) -> bool:
        digits = _NON_DIGIT.sub("", raw)
        if DATE.match(raw.strip()):
            return False
        years = _YEARS.match(raw.strip())
        if years and int(years.group(2)) == int(years.group(1)) + 1:
            return False
        if len(digits) < 5 and digits not in self.checker.book.numbers:
            return False
        if _NOT_PHONE_AFTER.match(text[end:end + 4]) or text[end:end + 2][:1] == "." and text[end + 1:end + 2].isdigit():
            return False
        before = text[max(0, start - 12):start]
        if _NOT_PHONE_BEFORE.search(before) or _AMOUNT_BEFORE.search(before):
            return False
        stripped = raw.strip()
        if stripped.startswith("00") and len(digits) < 10 and digits.lstrip("0") not in self.checker.book.numbers:
            return False  # 002197 is a stock code, not a call from abroad (0095188 is kept: a lookalike)
        if len(digits) <= 6:
            in_tag = text[max(0, start - 1):start] in ("【", "[") and text[end:end + 1] in ("】", "]")
            return in_tag or bool(_PHONE_CONTEXT.search(before))
        return True

    # -- signals ---------------------------------------------------------------------------

    @staticmethod
    def _signal_text(text: str) -> str:
        """The text signals are looked for in (links already one short word, 链接): a chat
        transcript's speaker tags blanked out (same length), so "老板: 我换手机号了" or "财务 小刘:"
        do not read as a boss or a payment; so are a screenshot's status bar, time stamps and
        voice button (_OCR_DEBRIS)."""
        # (first: a clock time's colon is no speaker tag)
        if "\n" in text and (":" in text or "：" in text or "按住" in text or _ARROW.search(text)):
            text = _OCR_DEBRIS.sub(lambda m: " " * (m.end() - m.start()), text)
        if ":" in text or "：" in text:
            tags = SPEAKER.findall(text)
            if len(tags) >= 2:  # a transcript: several lines start with a name and a colon
                # the reader's own lines (我：需要我提供银行卡号吗？) ask nothing of the reader: blanked
                # when someone else speaks too (对方：, 爸：)
                if any(t.strip() == "我" for t in tags) and any(t.strip() != "我" for t in tags):
                    text = _OWN_LINE.sub(lambda m: " " * (m.end() - m.start()), text)
                text = SPEAKER.sub(lambda m: " " * (m.end(1) - m.start(0)) + m.group(0)[m.end(1) - m.start(0):], text)
        if "\n" in text:
            text = _blank_own_questions(text)
        if ("转账" in text or "红包" in text) and "\n" in text:
            # a chat screenshot's toolbar read by OCR (a line that is only 转账 or 红包) is no request
            text = _TOOLBAR.sub(lambda m: " " * (m.end() - m.start()), text)
        return text

    def _find_signals(self, said: str, chars: AbstractSet[str], has_url: bool,
                      defended: list[tuple[int, int]] | None = None) -> tuple[list[Finding], set[str], int]:
        """The signals found, the concepts present and the pattern conditions (see
        prefilter.Conditions) the whole text does not meet. A long message is judged piece by
        piece (see `_pieces`): each piece's concept hits and sentences are its own, so a request
        at the very end of a long text is found however many words come before it, and the work
        grows with the length, not faster. `defended`: the text's defence clauses (_defence_spans),
        when already worked out (a piece of a long text works out its own)."""
        if len(said) <= LONG_TEXT_CHARS:
            view = _View(said, self._conditions, chars=chars)
            hits = self._all_concept_hits(said, view=view)
            void = _Voided(self._message_unless, said, view.unmet)
            return (self._signals(said, has_url, hits, view=view, void=void, defended=defended),
                    {name for name, spans in hits.items() if spans}, view.unmet)
        unmet = self._conditions.unmet(chars)
        void = _Voided(self._message_unless, said, unmet)
        found: dict[str, Finding] = {}
        present: set[str] = set()
        for lo, hi in _pieces(said, [m.end() for m in SENTENCE_END.finditer(said)]):
            piece = said[lo:hi]
            view = _View(piece, self._conditions)
            hits = self._all_concept_hits(piece, view=view)
            present.update(name for name, spans in hits.items() if spans)
            for finding in self._signals(piece, has_url, hits, view=view, void=void):
                found.setdefault(finding.name, finding)
        return sorted(found.values(), key=lambda f: self._signal_order[f.name]), present, unmet

    def _signals(self, text: str, has_url: bool, hits: dict[str, list[tuple[int, int]]],
                 lowered: str | None = None, *, view: _View | None = None,
                 void: "_Voided | None" = None, defended: list[tuple[int, int]] | None = None) -> list[Finding]:
        if view is None:
            view = _View(text, self._conditions, lowered)
        unmet, unmet_low, lowered = view.unmet, view.unmet_low, view.lowered
        # The signals that might fire (see _index_literals), a few of the book's; each is then
        # checked pattern by pattern and combination by combination.
        candidates = set(self._always_candidates)
        by_concept = self._signals_by_concept
        absent = self._all_concepts
        for name, spans in hits.items():
            if spans:
                absent &= ~self._concept_bit[name]
                if name in by_concept:
                    candidates |= by_concept[name]
        by_char = self._signals_by_char
        for ch in by_char.keys() & view.chars:
            candidates |= by_char[ch]
        by_char = self._signals_by_lowered_char
        for ch in by_char.keys() & view.low_chars:
            candidates |= by_char[ch]
        if void is not None and void.signals:
            candidates = {k for k in candidates if not void.hit(k)}  # (see Signal.unless_message)
        if not candidates:
            return []
        # Each signal's first match that counts: its patterns in order (those the text can hold,
        # each run on the lower-cased copy or the text as compiled), then its combinations (those
        # whose concepts all occur). Sentences and warnings are worked out at the first match.
        plan, windows, counts = self._signal_plan, self._windows, self._counts
        sentences: tuple[list[int], _Warnings] | None = None

        def first_counting(spans, unless) -> str | None:
            """The evidence of the first candidate span that counts (sentences and warnings are
            worked out at the first span of the scan)."""
            nonlocal sentences
            for start, end in spans:
                if sentences is None:
                    ends = [m.end() for m in SENTENCE_END.finditer(text)]
                    sentences = ends, _Warnings(self._warnings, view, ends, defended)
                evidence = counts(unless, unmet, text, sentences, start, end)
                if evidence is not None:
                    return evidence
            return None

        findings = []
        for index in sorted(candidates):
            signal, patterns, combinations, unless = plan[index]
            if signal.requires_url and not has_url:
                continue
            evidence = None
            # pattern matches first, then combination windows: the first that counts is the evidence
            # (plain loops: chained generators cost more than the few matches they yield)
            for finder, on_lowered, mask in patterns:
                if not mask & (unmet_low if on_lowered else unmet):
                    evidence = first_counting(finder.spans(lowered if on_lowered else text), unless)
                    if evidence is not None:
                        break
            if evidence is None:
                for combination, mask in combinations:
                    if not mask & absent:
                        evidence = first_counting(windows(combination, signal.window, hits), unless)
                        if evidence is not None:
                            break
            if evidence is not None:
                findings.append(Finding(signal.name, signal.label, evidence, signal.weight, signal.related,
                                        signal.never_low, signal.despite_talk))
        return findings

    @staticmethod
    def _official_notice(text: str, numbers: tuple[CheckResult, ...], urls: tuple[str, ...],
                         links: "tuple[LinkResult, ...]" = ()) -> bool:
        """A sender-tagged notice (【…】) with a number or a link, whose every number is an official
        one and every link checked as an official domain (without a link checker no link is
        checked, so any link disqualifies): it can only send the reader to the institution itself
        ("如非本人操作，请致电95588", "详询10000或登录189.cn"), which no scam can use; its pretexts
        (账户冻结, 立即, 返还) are the institution's own news."""
        return (len(links) == len(urls) and all(link.verdict == OFFICIAL for link in links)
                and bool(numbers or links) and all(n.verdict == OFFICIAL for n in numbers)
                and SENDER_TAG.match(text.lstrip()) is not None)

    @staticmethod
    def _talks_about_scams(text: str, chars: set[str] | None = None) -> bool:
        """True when at least SCAM_TALK_SENTENCES sentences call something a scam (诈骗, 骗子,
        骗局, 冒充…): scam messages never do, warnings and people telling each other about a
        scam do (measured on our development corpora)."""
        if chars is not None and not possible(_SCAM_TALK_NEEDS, chars):
            return False
        sentences: set[int] = set()
        defended = _defence_spans(text)
        tags = [m.span() for m in SCAMMER_TAG.finditer(text)] if "骗" in text else []
        if tags and _SKIT.search(SCAMMER_TAG.sub("", text)):
            tags = []  # a skit or a lesson: its tags are the talk a warning is made of
        for start, _ in _SCAM_TALK.finditer(text):
            if tags and _in_spans(start, tags):
                continue  # "骗子：爸，是我": a script's speaker, whose lines are the scam itself
            if ACCUSED.search(text, max(0, start - 14), start):
                continue  # "您的身份证涉嫌…用于诈骗": the accusation of a fake police call, not a warning
            if defended and _in_spans(start, defended):
                continue  # "我们不是骗子": the sender's own disarming (SELF_DEFENCE)
            if SCAM_TALK_SENTENCES <= 1:
                return True
            sentences.add(len(SENTENCE_END.findall(text, 0, start)))
        return len(sentences) >= SCAM_TALK_SENTENCES

    def _index_literals(self) -> None:
        """Every concept's plain words, indexed by their first two characters: the longest word at
        a position names all the words found there (any word matching at that position is a
        prefix of it); and every pattern with what it needs."""
        owners: dict[str, list[str]] = {}
        for name, words in self.book.literals.items():
            for word in words:
                if word:
                    owners.setdefault(word, []).append(name)
        # The words by their first two characters, longest first, and the one-character words: at
        # a position, the longest word starting there is the first of its two characters' words
        # that the text continues with, else the one-character word.
        by_pair: dict[str, list[str]] = {}
        for word in owners:
            if len(word) > 1:
                by_pair.setdefault(word[:2], []).append(word)
        self._words_by_pair = {pair: tuple(sorted(words, key=len, reverse=True)) for pair, words in by_pair.items()}
        self._single_words = frozenset(word for word in owners if len(word) == 1)
        # first character -> the second characters its longer words can continue with
        seconds: dict[str, set[str]] = {}
        for pair in by_pair:
            seconds.setdefault(pair[0], set()).add(pair[1])
        self._second_chars = {first: frozenset(chars) for first, chars in seconds.items()}
        self._first_chars = frozenset(seconds) | self._single_words
        # longest word -> ((concept, length), ...) for every word that is a prefix of it
        self._covers = {word: tuple((name, len(prefix)) for prefix in (word[:k] for k in range(1, len(word) + 1))
                                    if prefix in owners for name in owners[prefix])
                        for word in owners}
        # Every pattern with the characters a match needs, as a mask of conditions (see
        # prefilter.py): one integer test skips a pattern the text cannot hold. The signals'
        # patterns, tested for every message, get the low bits (the smallest masks).
        mask = self._conditions.mask
        signal_patterns = [tuple((Finder(rx), on_lowered, mask(rx)) for rx, on_lowered in map(_for_lowered, signal.patterns))
                           for signal in self.signals]
        self._pattern_concepts = tuple((name, Finder(rx), on_lowered, mask(rx))
                                       for name, rx, on_lowered in ((name, *_for_lowered(rx))
                                                                   for name, rx in self.book.patterns.items()
                                                                   if rx is not None))
        self._concept_bit = {name: 1 << k for k, name in enumerate(self.book.concepts)}
        self._all_concepts = (1 << len(self._concept_bit)) - 1

        def concepts(combination: tuple[str, ...]) -> int:
            return sum({self._concept_bit[name] for name in combination})

        # per signal: its patterns (for the lower-cased text or not), its combinations and its
        # unless patterns, each with its mask (of conditions, or of concepts)
        self._signal_plan = tuple((signal, patterns, tuple((c, concepts(c)) for c in signal.near),
                                   tuple((Finder(u), mask(u)) for u in signal.unless))
                                  for signal, patterns in zip(self.signals, signal_patterns))
        self._signal_order = {signal.name: k for k, signal in enumerate(self.signals)}
        self._message_unless = {k: tuple((Finder(u), mask(u)) for u in signal.unless_message)
                                for k, signal in enumerate(self.signals) if signal.unless_message}
        # Which signals a message can fire, found from a few of its characters and concepts: each
        # pattern is filed under the characters of its most selective condition (a message
        # without any of them cannot match it), each combination under one of its concepts (the
        # one in fewest combinations). Signals with a pattern that needs nothing always qualify.
        self._signals_by_char: dict[str, set[int]] = {}
        self._signals_by_lowered_char: dict[str, set[int]] = {}
        self._signals_by_concept: dict[str, set[int]] = {}
        always: set[int] = set()
        in_combinations: dict[str, int] = {}
        for signal in self.signals:
            for combination in signal.near:
                for name in combination:
                    in_combinations[name] = in_combinations.get(name, 0) + 1
        for k, (signal, patterns, combinations, _) in enumerate(self._signal_plan):
            for finder, on_lowered, _ in patterns:
                conditions = needs(finder.pattern)
                if not conditions:
                    always.add(k)
                    continue
                index = self._signals_by_lowered_char if on_lowered else self._signals_by_char
                for ch in conditions[0]:
                    index.setdefault(ch, set()).add(k)
            for combination, _ in combinations:
                key = min(combination, key=lambda name: (in_combinations[name], name))
                self._signals_by_concept.setdefault(key, set()).add(k)
        self._always_candidates = frozenset(always)
        # a book built without the split (concepts only as whole alternations)
        self._whole_concepts = tuple((name, rx) for name, rx in self.book.concepts.items()
                                     if name not in self.book.literals)

    def _all_concept_hits(self, text: str, lowered: str | None = None, *,
                          view: _View | None = None) -> dict[str, list[tuple[int, int]]]:
        """Every concept's (start, end) spans, at most MAX_CONCEPT_HITS each, in position order.
        Plain words are found in an ASCII-lower-cased copy (same length, so spans stay aligned):
        at each occurrence of a word's first character (str.find) the longest word there, among
        the few sharing its first two characters; only the concepts' pattern words are regexes,
        each run only when the text holds the characters it needs."""
        if view is None:
            view = _View(text, self._conditions, lowered)
        lowered = view.lowered
        hits: dict[str, list[tuple[int, int]]] = defaultdict(list)
        unmet, unmet_low = view.unmet, view.unmet_low
        covers, by_pair, singles, seconds = self._covers, self._words_by_pair, self._single_words, self._second_chars
        chars = view.low_chars
        find, startswith = lowered.find, lowered.startswith
        for first in self._first_chars & chars:
            if first not in singles and chars.isdisjoint(seconds[first]):
                continue  # no word of this first character can continue in this text
            at = find(first)
            while at >= 0:
                longest = first if first in singles else None
                for word in by_pair.get(lowered[at:at + 2], ()):
                    if startswith(word, at):
                        longest = word
                        break
                if longest is not None:
                    for name, length in covers[longest]:
                        hits[name].append((at, at + length))
                at = find(first, at + 1)
        for name, finder, on_lowered, mask in self._pattern_concepts:
            if mask & (unmet_low if on_lowered else unmet):
                continue
            hits[name].extend(finder.spans(lowered if on_lowered else text))
        for name, whole in self._whole_concepts:
            hits[name] = [(m.start(), m.end()) for m in whole.finditer(text)]
        for name in _NEGATABLE:
            spans = hits.get(name)
            if spans:
                # "不用先交钱", "不用往任何人账户打钱", "物业没有个人收款码": a payment said not to be
                # wanted is no request to pay (the sentence's other words still count)
                spans[:] = [(a, b) for a, b in spans if not _NEGATED_PAY.search(text, max(0, a - 12), a)]
        for name in _NEGATABLE_FEE:
            spans = hits.get(name)
            if spans:
                spans[:] = [(a, b) for a, b in spans if not _NEGATED_FEE.search(text, max(0, a - 8), a)]
        spans = hits.get("give")
        if spans:
            spans[:] = [(a, b) for a, b in spans if not _NEGATED_GIVE.search(text, max(0, a - 10), a)]
        for spans in hits.values():
            if len(spans) > 1:
                spans.sort()  # found character by character and pattern by pattern
                if len(spans) > MAX_CONCEPT_HITS:
                    del spans[MAX_CONCEPT_HITS:]
        return hits

    @staticmethod
    def _counts(unless: tuple[tuple[Finder, int], ...], unmet: int, text: str,
                sentences: "tuple[list[int], _Warnings]", start: int, end: int) -> str | None:
        """The evidence excerpt when a match at [start, end) counts: not inside a warning
        sentence, and its sentence(s) match none of the signal's `unless` patterns (those the
        text can hold)."""
        ends, warned = sentences
        i = bisect.bisect_right(ends, start)
        lo = ends[i - 1] if i > 0 else 0
        j = bisect.bisect_right(ends, max(start, end - 1))
        hi = ends[j] if j < len(ends) else len(text)
        if warned.sentence(i) or (j != i and warned.sentence(j)):
            return None  # a warning sentence between the two ends is someone else's sentence
        before = text[max(lo, start - 10):start]
        if start - lo < 10 and lo >= 2 and text[lo - 1] == "\n" and text[lo - 2] not in _LINE_CLOSED:
            # a line wrapped mid-sentence (OCR of a screenshot): "…不会要求您点\n击链接、下载…"
            before = text[max(0, start - 11):start].replace("\n", "")
        if NEGATED.search(before):
            return None  # "别私下交易", "不要先交定金": advice against it, not a request
        sentence = text[lo:hi]
        for finder, mask in unless:
            if not mask & unmet and finder.search(sentence):
                return None
        return _excerpt(sentence, start - lo, end - lo)

    @staticmethod
    def _windows(combination: tuple[str, ...], window: int, hits: dict):
        """Spans (start, end) where every concept of the combination occurs within `window`
        characters, in any order: a sliding window over all their hits sorted by position."""
        events = []
        for k, name in enumerate(combination):
            events.extend((start, end, k) for start, end in hits[name])
        events.sort()
        need = len(combination)
        counts = [0] * need
        covered = 0
        left = 0
        for right, (start, end, k) in enumerate(events):
            if counts[k] == 0:
                covered += 1
            counts[k] += 1
            while events[left][0] < start - window:
                lk = events[left][2]
                counts[lk] -= 1
                if counts[lk] == 0:
                    covered -= 1
                left += 1
            # every anchor whose window still holds all the concepts, each a different occurrence
            # (when the first does not count, a later anchor ending here may: "奖品…\n领奖请联系客服V…")
            while covered == need:
                yield events[left][0], max(e for _, e, _ in events[left:right + 1])
                lk = events[left][2]
                counts[lk] -= 1
                if counts[lk] == 0:
                    covered -= 1
                left += 1

    def _number_findings(self, numbers: tuple[CheckResult, ...], cards: tuple[str, ...]) -> list[Finding]:
        findings = []
        lookalikes = [n for n in numbers if n.verdict == LOOKALIKE]
        if lookalikes:
            n = lookalikes[0]
            who = n.institution.name_zh if n.institution else "官方"
            findings.append(Finding("lookalike_number", "号码冒充官方号码", f"{n.input}（冒充{who}）", 3,
                                    ("lookalike-numbers", "spoofed-caller-id")))
        risky = [n for n in numbers if n.verdict == RISKY]
        if risky:
            international = any((n.normalized or "").startswith("+") for n in risky)
            findings.append(Finding("risky_number", "高风险号码（境外或虚拟运营商号段）", risky[0].input, 2,
                                    ("call-from-abroad",) if international else ("real-or-fake-call",)))
        if cards:
            findings.append(Finding("bank_card", "消息里有银行卡号（可能是让你转账的账户）", cards[0], 2,
                                    ("safe-account",)))
        return findings

    def _callback_findings(self, numbers: tuple[CheckResult, ...], present: AbstractSet[str], text: str = "") -> list[Finding]:
        """A request to call or contact a number that is not an official one, about an account,
        a refund, a fee, a prize, a loan or the police, or in a text tagged as a bank's or a
        platform's ("请联系客服 400-…", "致电专属客服 0571-…", "【中国银行】…请致电00852-…"):
        genuine notices give the official number."""
        # Lookalike or risky numbers, and ordinary mobiles, landlines and 400 lines; not the short
        # service numbers of other real institutions (95338, 12368), which 'unknown' also covers,
        # nor an official number dialled from abroad (a roaming notice's "请拨打+852 10086").
        other = [n for n in numbers if (n.verdict in (LOOKALIKE, RISKY)
                                        or (n.verdict not in (OFFICIAL, INVALID) and dialable(n)))
                 and not self._official_from_abroad(n)]
        if "callback" not in present or not any(name in present for name in CALLBACK_PRETEXTS):
            return []
        # A half-hidden number (137****0926) says less about who it is: it needs a money or account
        # pretext, as "客服/工作人员" or a sender tag alone is how genuine notices give a contact too.
        masked = (not other and ("*" in text or "x" in text or "X" in text)
                  and any(name in present for name in CALLBACK_PRETEXTS if name not in ("cs", "inst_tag"))
                  and _MASKED_PHONE.search(text))
        if other or masked:
            shown = other[0].input if other else "（部分隐藏的号码）"
            return [Finding("callback_request", "让你联系一个不是官方的号码", shown, 2,
                            ("real-or-fake-call", "lookalike-numbers"))]
        return []

    def _official_from_abroad(self, number: CheckResult) -> bool:
        """"+852 10086", "+86 95588", "+86-10-10010": an official number as dialled from abroad."""
        return self.checker.dialled_from_abroad(number.input) is not None

    @staticmethod
    def _link_findings(links: tuple[LinkResult, ...]) -> list[Finding]:
        findings = []
        fake = [link for link in links if link.verdict == LINK_LOOKALIKE]
        if fake:
            findings.append(Finding("lookalike_link", "链接冒充官方网站", f"{fake[0].url}（冒充{fake[0].institution}）", 3,
                                    ("phishing-domain", "suspicious-links")))
        short = [link for link in links if link.verdict == SHORTENER]
        if short:
            findings.append(Finding("short_link", "短链接，看不出真实网址", short[0].url, 1, ("suspicious-links",)))
        return findings

    def _related(self, findings: list[Finding], fraud_type: Resemblance | None = None) -> tuple[str, ...]:
        ordered: dict[str, None] = {}
        if fraud_type is not None and (fraud_type.strong or findings):
            if self.entry_ids is None or fraud_type.type.entry in self.entry_ids:
                ordered.setdefault(fraud_type.type.entry)
        for finding in sorted(findings, key=lambda f: -f.weight):
            for entry_id in finding.related:
                if self.entry_ids is None or entry_id in self.entry_ids:
                    ordered.setdefault(entry_id)
        return tuple(ordered)

    def _advice(self, risk: str, numbers: tuple[CheckResult, ...], urls: tuple[str, ...], noted: bool = False) -> str:
        """What to do. `noted`: a low-risk message still shows something scams also do (an old
        classmate borrowing, one pretext): the advice says to check before acting on it."""
        if risk == HIGH:
            text = "这条消息有明显的诈骗特征：不要回复，不要点链接，不要拨打消息里的号码，不要转账，也不要提供验证码。"
        elif risk == MEDIUM:
            text = "这条消息有可疑之处：先别按消息里说的做，自己打开官方App或拨打官方号码核实。"
        elif noted:
            text = ("整体看不像诈骗，但上面这一处诈骗里也常见：涉及钱、验证码或下载软件时，先用你原来就知道的电话、"
                    "当面或官方App核实对方身份，再决定；不要把验证码告诉任何人。")
        else:
            text = "没有发现明显的诈骗特征，但仍请通过官方App或官方号码核实，不要把验证码告诉任何人。"
        if risk != LOW and any(n.verdict == OFFICIAL for n in numbers):
            text += "消息里的号码虽然是官方号码，但短信发件人和来电显示都可以伪造。"
        if urls and risk != HIGH:
            text += "不要通过消息里的链接登录或输入密码。"
        return text + self.reminder
