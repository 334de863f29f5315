"""Judge a link without opening it: official, institution, lookalike, shortener or unknown (never
"safe").

Rules (shared/reference/official-domains.md):
- Compare the *registrable* domain (tldextract with its bundled Public Suffix List, no network),
  never the whole host: render.alipay.com is Alipay's, alipay.com.verify-hb.top is not.
- official: the registrable domain is listed for an institution (domains.yaml), or the host is
  under a government suffix (gov.cn).
- lookalike: a brand of a listed institution inside another domain (alipay-secure.cc), as a
  subdomain of someone else's domain (alipay.com.verify-hb.top, 10086.cn.kf-jf.xyz), one or two
  characters away from a listed domain (a1ipay.com, cmbchlna.com), or spelled with look-alike
  characters from other scripts (Cyrillic а in аlipay.com; punycode is decoded first); also a
  whole domain name put in front of another as its subdomain (ybpz-gov.cn.jh12.top: the real
  domain is jh12.top), whoever it imitates.
- institution: the host is under a suffix only a kind of institution can register (edu.cn: schools,
  universities and research institutes, domains.yaml with its source). Not "official" (a school's
  subdomain can be hacked to host a gambling or phishing page); checked after the lookalike rules
  (ybpz-gov.cn.jh12.edu.cn is a lookalike). Not a risky link in a message about a school (see
  scanner.is_risky_link).
- shortener: the target is hidden (t.cn, url.cn…).
- unknown: anything else. A link is never called safe, and never fetched.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Mapping
from urllib.parse import urlsplit

from .numbers import NumberBook, check_level
from .validation import Fields, Problems, items, read_document

OFFICIAL, INSTITUTION, LOOKALIKE, SHORTENER, UNKNOWN = "official", "institution", "lookalike", "shortener", "unknown"

DOMAIN = re.compile(r"^(?=.{3,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$")
# A brand this short (or all digits) only counts as a whole word of the host (boc-verify.top),
# never inside another word (a "boc" inside "facebook" is nothing).
SHORT_BRAND = 5


@dataclass(frozen=True)
class OfficialSite:
    institution: str      # numbers.yaml id
    name_zh: str
    domains: tuple[str, ...]
    brands: tuple[str, ...]
    source: str
    verified: str


@dataclass(frozen=True)
class InstitutionSuffix:
    suffix: str           # edu.cn
    name_zh: str          # 教育科研机构
    source: str
    verified: str


@dataclass(frozen=True)
class DomainBook:
    sites: tuple[OfficialSite, ...] = ()
    government: tuple[str, ...] = ()
    institution_suffixes: tuple[InstitutionSuffix, ...] = ()
    shorteners: frozenset[str] = frozenset()
    reviewed: dt.date | None = None
    by_domain: Mapping[str, OfficialSite] = field(default_factory=dict)

    @classmethod
    def empty(cls) -> "DomainBook":
        return cls()


@dataclass(frozen=True)
class LinkResult:
    url: str
    domain: str | None          # the registrable domain (decoded), None when not a web address
    verdict: str
    institution: str | None     # Chinese name of the owner (official), of the one imitated (for a
                                # domain name put in front of another: that name, ybpz-gov.cn), or of
                                # the kind of owner (institution: 教育科研机构)
    reasons: tuple[str, ...]

    def to_dict(self) -> dict:
        return {"url": self.url, "domain": self.domain, "verdict": self.verdict,
                "institution": self.institution, "reasons": list(self.reasons)}


@lru_cache(maxsize=1)
def _extractor():
    import tldextract

    # The bundled Public Suffix List snapshot only: never a network fetch, never a cache write.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def host_of(url: str) -> str | None:
    """The host of a link as people write it (with or without a scheme), decoded and lower case."""
    text = unicodedata.normalize("NFKC", url.strip()).strip(".,;:!?，。；：！？)）】」'\"")
    if not text:
        return None
    if "://" not in text:
        text = "http://" + text
    try:
        host = urlsplit(text).hostname
    except ValueError:
        return None
    if not host:
        return None
    host = host.rstrip(".").lower()
    labels = []
    for label in host.split("."):
        if label.startswith("xn--"):
            try:
                label = label.encode("ascii").decode("idna")
            except UnicodeError:
                pass
        labels.append(label)
    return ".".join(labels)


def _skeleton(text: str) -> str:
    """Look-alike characters replaced by the Latin letters they imitate (а -> a, ο -> o)."""
    from confusable_homoglyphs import confusables

    out = []
    for ch in text:
        if ch.isascii():
            out.append(ch)
            continue
        found = confusables.is_confusable(ch, preferred_aliases=["latin"], greedy=True) or []
        latin = next((h["c"] for item in found for h in item.get("homoglyphs", []) if h["c"].isascii()), None)
        out.append(latin.lower() if latin else ch)
    return "".join(out)


def _distance(a: str, b: str, limit: int = 2) -> int:
    """Levenshtein distance, or limit + 1 once it exceeds `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


LINK_CACHE = 4096  # verdicts kept per checker: the same links come back in many messages


class LinkChecker:
    def __init__(self, book: DomainBook):
        self.book = book
        self._seen: dict[str, LinkResult] = {}

    def check(self, url: str) -> LinkResult:
        result = self._seen.get(url)
        if result is None:
            result = self._check(url)
            if len(self._seen) >= LINK_CACHE:
                self._seen.clear()
            self._seen[url] = result
        return result

    def _check(self, url: str) -> LinkResult:
        host = host_of(url)
        if host is None:
            return LinkResult(url, None, UNKNOWN, None, ("这不是一个能识别的网址。",))
        parts = _extractor()(host)
        registrable = f"{parts.domain}.{parts.suffix}" if parts.suffix else host
        if host in self.book.shorteners or registrable in self.book.shorteners:
            return LinkResult(url, registrable, SHORTENER, None,
                              ("这是短链接，看不出真正会打开哪个网站；骗子常用它隐藏假网址。",
                               "不要点开：要办事请自己打开官方App。"))
        site = self.book.by_domain.get(registrable)
        if site is not None and host.isascii():
            return LinkResult(url, registrable, OFFICIAL, site.name_zh,
                              (f"{registrable} 是{site.name_zh}的官方域名（来源已记录，核实等级 {site.verified}）。",
                               "域名对得上也不要在短信链接里输入密码或验证码：自己打开官方App办理更稳妥。"))
        if self._government(host) and host.isascii():
            return LinkResult(url, registrable, OFFICIAL, "政府网站",
                              (f"以 .{parts.suffix} 结尾的网址属于政府机构（这个后缀只有政府能注册）。",
                               "仍要自己核对网址，不要在陌生链接里填银行卡和验证码。"))
        lookalike = self._lookalike(host, registrable)
        if lookalike is not None:
            site, reason = lookalike
            return LinkResult(url, registrable, LOOKALIKE, site.name_zh,
                              (reason, f"{site.name_zh}的官方域名是 {'、'.join(site.domains)}；这个链接不是。",
                               "不要点开，更不要在里面输入账号、密码、银行卡或验证码。"))
        front = _domain_in_front(host, registrable)
        if front is not None:
            return LinkResult(url, registrable, LOOKALIKE, "政府网站" if self._government(front) else front,
                              (f"网址前半截 {front} 装成一个完整的网址，真正的域名是后面的 {registrable}"
                               f"（把像样的域名放在前面冒充，是钓鱼网址的常见手法）。",
                               "不要点开，更不要在里面输入账号、密码、银行卡或验证码。"))
        kind = self._institution_suffix(host) if host.isascii() else None
        if kind is not None:
            return LinkResult(url, registrable, INSTITUTION, kind.name_zh,
                              (f"以 .{kind.suffix} 结尾的网址只有{kind.name_zh}能注册（来源已记录，核实等级 {kind.verified}），"
                               f"{registrable} 是某个{kind.name_zh}的网站，但我们没有核实是哪一家。",
                               "学校网站也会被黑客挂上赌博或钓鱼页面：缴费、填信息请从学校官网或官方公众号进入，"
                               "核对收款单位是学校本身，不要在链接里输入银行卡密码或验证码。"))
        return LinkResult(url, registrable, UNKNOWN, None,
                          (f"{registrable} 不在我们核实过的官方域名名单上。",
                           "不认识的链接不要点；要办事请自己打开官方App或官网。"))

    def _government(self, host: str) -> bool:
        """Whether `host` is, or is under, a government suffix (gov.cn)."""
        return any(host == g or host.endswith("." + g) for g in self.book.government)

    def _institution_suffix(self, host: str) -> InstitutionSuffix | None:
        """The institution suffix `host` is under (pay.xjtu.edu.cn: edu.cn), if any."""
        return next((k for k in self.book.institution_suffixes if host.endswith("." + k.suffix)), None)

    def _lookalike(self, host: str, registrable: str) -> tuple[OfficialSite, str] | None:
        skeleton = _skeleton(host)
        mixed = skeleton != host
        if mixed:
            parts = _extractor()(skeleton)
            ascii_registrable = f"{parts.domain}.{parts.suffix}" if parts.suffix else skeleton
            site = self.book.by_domain.get(ascii_registrable)
            if site is not None:
                return site, f"{host} 用外文里长得像的字母冒充 {ascii_registrable}（看起来一样，其实不是同一个网址）。"
        dotted = f".{skeleton}."
        for site in self.book.sites:
            for domain in site.domains:
                if f".{domain}." in dotted and registrable != domain:
                    return site, (f"网址里的 {domain} 只是前缀，真正的域名是 {registrable}"
                                  f"（{domain} 被当作子域名冒用）。")
        words = [w for w in re.split(r"[.\-_]", skeleton) if w]
        for site in self.book.sites:
            for brand in site.brands:
                if len(brand) < SHORT_BRAND or brand.isdigit():
                    hit = brand in words
                else:
                    hit = brand in skeleton.replace(".", "").replace("-", "")
                if hit:
                    official = next((d for d in site.domains if d in host), None)
                    if official is not None:
                        why = f"网址里的 {official} 只是前缀，真正的域名是 {registrable}（{official} 被当作子域名冒用）。"
                    else:
                        why = f"网址里有“{brand}”，但真正的域名是 {registrable}，不是{site.name_zh}的。"
                    return site, why
        label = (_extractor()(skeleton).domain or "")
        if len(label) >= 4:
            for site in self.book.sites:
                for domain in site.domains:
                    first = domain.split(".")[0]
                    if first != label and len(first) >= 4 and _distance(label, first) <= (1 if len(first) < 6 else 2):
                        return site, f"{registrable} 和{site.name_zh}的官方域名 {domain} 只差一两个字符，是仿冒的常见手法。"
        return None


# The suffixes people read as the end of a whole domain name (a front part "ybpz-gov.cn" or
# "alipay.com"); a subdomain that merely ends in another top-level word (console.cloud, news.tech,
# m.shop, api.dev) is an ordinary subdomain.
_FRONT_SUFFIXES = frozenset({"com", "net", "org", "cn", "gov", "edu", "hk", "mo", "tw"})


def _domain_in_front(host: str, registrable: str) -> str | None:
    """The subdomain part of `host` when it is itself a whole domain name, ending in a suffix
    people read as one (ybpz-gov.cn in ybpz-gov.cn.jh12.top, ax-gongyi.org.cn in
    ax-gongyi.org.cn.ztd9.top); None otherwise (www, m, console.cloud in console.cloud.tencent.com)."""
    if not host.endswith("." + registrable):
        return None
    front = host[:-len(registrable) - 1]
    parts = _extractor()(front)
    if not parts.domain or not parts.suffix:
        return None
    return front if "." in parts.suffix or parts.suffix in _FRONT_SUFFIXES else None


def load_domains(path: Path, label: str, problems: Problems, numbers: NumberBook) -> DomainBook:
    """Load domains.yaml; a missing file means every link is unknown (or a shortener)."""
    doc = read_document(path, label, problems, {"reviewed", "institutions", "government_suffixes",
                                                       "institution_suffixes", "shorteners"})
    if doc is None:
        return DomainBook.empty()
    top = Fields(doc, label, problems, None)
    reviewed = top.date("reviewed")
    sites: list[OfficialSite] = []
    by_domain: dict[str, OfficialSite] = {}
    for data, where in items(doc, "institutions", label, problems, "institution", name="institution"):
        f = Fields(data, where, problems, {"institution", "domains", "brands", "source", "verified"})
        inst_id = f.text("institution", max_len=48)
        domains = tuple(d.lower() for d in f.text_list("domains", min_items=1, max_len=253))
        brands = tuple(b.lower() for b in f.text_list("brands", required=False, max_len=40))
        source = f.text("source", max_len=1000)
        verified = f.text("verified", max_len=4)
        check_level(verified, where, problems)
        inst = numbers.institutions.get(inst_id or "")
        if inst_id is not None and inst is None:
            problems.add(where, f"institution '{inst_id}' is not an institution id in numbers.yaml")
            continue
        for domain in domains:
            if not DOMAIN.match(domain):
                problems.add(where, f"'{domain}' is not a domain name")
            elif domain in by_domain:
                problems.add(where, f"duplicate domain {domain} (already listed for {by_domain[domain].institution})")
        if None in (inst_id, source, verified) or inst is None:
            continue
        site = OfficialSite(inst_id, inst.name_zh, domains, brands or tuple(d.split(".")[0] for d in domains),
                            source, verified)
        sites.append(site)
        for domain in domains:
            by_domain.setdefault(domain, site)
    government = tuple(g.lower() for g in top.text_list("government_suffixes", required=False, max_len=40))
    kinds: list[InstitutionSuffix] = []
    for data, where in items(doc, "institution_suffixes", label, problems, "institution suffix", name="suffix",
                             required=False):
        f = Fields(data, where, problems, {"suffix", "name_zh", "source", "verified"})
        suffix, name_zh = f.text("suffix", max_len=40), f.text("name_zh", max_len=40)
        source, verified = f.text("source", max_len=1000), f.text("verified", max_len=4)
        if suffix is not None and not DOMAIN.match(suffix.lower()):
            problems.add(where, f"'{suffix}' is not a domain suffix")
            continue
        if not check_level(verified, where, problems):
            continue
        if None not in (suffix, name_zh, source, verified):
            kinds.append(InstitutionSuffix(suffix.lower(), name_zh, source, verified))
    shorteners = frozenset(s.lower() for s in top.text_list("shorteners", required=False, max_len=60))
    return DomainBook(tuple(sites), government, tuple(kinds), shorteners, reviewed, by_domain)
