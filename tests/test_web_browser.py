"""The web page in a real headless browser: Debian's chromium driven through chromium-driver with
Selenium, at a phone's width, against the app served by uvicorn. With JavaScript (the reply is
fetched and inserted) and without it (a plain form post, rendered by the server).

.ci/run installs chromium and chromium-driver; without them these tests are skipped, except in CI
(CI=true), where that is a failure."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from .web_env import PNG, serving, web_settings

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"

if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
    if os.environ.get("CI"):
        pytest.fail(f"{CHROMIUM} and {CHROMEDRIVER} are needed (apt-get install chromium chromium-driver)",
                    pytrace=False)
    pytest.skip("chromium and chromium-driver are not installed", allow_module_level=True)

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402
from selenium.common.exceptions import StaleElementReferenceException  # noqa: E402

PHONE = (412, 915)
WAIT = 30


def make_driver(profile: Path, *, javascript: bool = True) -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-dev-shm-usage",
                 f"--user-data-dir={profile}", f"--window-size={PHONE[0]},{PHONE[1]}", "--lang=zh-CN"):
        options.add_argument(flag)
    if not javascript:
        options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(WAIT)
    return driver


@pytest.fixture(scope="module")
def site(assistant, tmp_path_factory):
    with serving(assistant, web_settings(tmp_path_factory.mktemp("site"))) as client:
        yield str(client.base_url).rstrip("/")


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    driver = make_driver(tmp_path_factory.mktemp("chromium-profile"))
    yield driver
    driver.quit()


@pytest.fixture
def page(browser, site):
    """The home page, fresh, in simplified characters (cookies from earlier tests removed)."""
    browser.delete_all_cookies()
    browser.get(site + "/")
    return browser


def wait_for(driver, condition):
    # An element read while the page is being replaced (the script switch reloads it) is stale:
    # that is "not yet", so the wait polls again instead of failing.
    return WebDriverWait(driver, WAIT, poll_frequency=0.05,
                         ignored_exceptions=(StaleElementReferenceException,)).until(lambda d: condition())


def exchanges(driver) -> list:
    return driver.find_elements(By.CSS_SELECTOR, "#conversation .exchange")


def ask(driver, text: str):
    """Type into the box and press 查一查; returns the newest exchange once it appears."""
    before = len(exchanges(driver))
    box = driver.find_element(By.ID, "text")
    box.clear()
    box.send_keys(text)
    tap(driver, driver.find_element(By.CSS_SELECTOR, "#ask button[type=submit]"))
    wait_for(driver, lambda: len(exchanges(driver)) > before)
    return exchanges(driver)[0]


def tap(driver, element) -> None:
    """Scroll an element to the middle of the screen, as a person would, and tap it (at the
    bottom edge the fixed emergency bar would be over it)."""
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    element.click()


def no_console_errors(driver) -> list:
    """Errors the page caused (a CSP violation, a script error); the favicon is not one."""
    return [e for e in driver.get_log("browser") if e["level"] == "SEVERE" and "favicon" not in e["message"]]


def test_typing_a_question_shows_the_answer_without_leaving_the_page(page):
    page.execute_script("window.stillHere = true")
    reply = ask(page, "借呗被盗了怎么办")
    assert reply.find_element(By.TAG_NAME, "h2").text == "支付宝（借呗、花呗）被盗了怎么办？"
    assert "95188" in reply.text and "审核于" in reply.text and "来源：" in reply.text
    assert page.execute_script("return window.stillHere") is True      # fetched, not reloaded
    assert page.find_element(By.ID, "text").get_attribute("value") == ""  # the box is ready for the next one
    assert no_console_errors(page) == []


def test_checking_a_number_shows_the_verdict_with_reasons(page):
    reply = ask(page, "+86 95588")
    assert "kind-check" in reply.get_attribute("class")
    assert "疑似冒充官方号码" in reply.find_element(By.TAG_NAME, "h2").text
    assert "工商银行" in reply.text and "+86" in reply.text
    assert reply.find_elements(By.CSS_SELECTOR, "a[href^='tel:']") == []  # numbers in replies are never links


def test_a_pasted_scam_message_gets_the_high_risk_verdict(page):
    message = ("【中国银行】尊敬的客户：您的手机银行将于今日失效，请立即登录 boc-yz.top 进行实名认证，"
               "并提供短信验证码完成激活，否则账户将被冻结。")
    reply = ask(page, message)
    assert "risk-high" in reply.get_attribute("class")
    assert "高风险" in reply.find_element(By.TAG_NAME, "h2").text
    assert "boc-yz[.]top" in reply.text and "boc-yz.top" not in reply.text  # the link is defanged
    assert reply.find_elements(By.CSS_SELECTOR, "a[href*='boc']") == []
    assert "发现的可疑迹象" in reply.text


def test_tapping_a_related_question_adds_its_answer(page):
    answer = ask(page, "借呗被盗了怎么办")
    page.execute_script("window.stillHere = true")
    link = answer.find_element(By.CSS_SELECTOR, ".related a")
    question = link.text
    tap(page, link)
    wait_for(page, lambda: len(exchanges(page)) == 2)
    assert exchanges(page)[0].find_element(By.TAG_NAME, "h2").text == question
    assert page.execute_script("return window.stillHere") is True


def test_switching_to_traditional_characters(page):
    tap(page, page.find_element(By.CSS_SELECTOR, ".scripts button[value='traditional-hk']"))
    wait_for(page, lambda: page.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-HK")
    assert page.find_element(By.CSS_SELECTOR, ".scripts button.on").text == "繁體（香港）"
    assert "上傳" in page.find_element(By.ID, "image").text                     # the page itself
    reply = ask(page, "借呗被盗了怎么办")                                        # typed in simplified
    assert reply.find_element(By.TAG_NAME, "h2").text == "支付寶（借唄、花唄）被盜了怎麼辦？"
    assert "審核於" in reply.text
    tap(page, page.find_element(By.CSS_SELECTOR, ".scripts button[value='simplified']"))
    wait_for(page, lambda: page.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-CN")
    assert "支付宝" in ask(page, "借呗被盗了怎么办").text


def test_a_screenshot_is_read_and_scanned(page, tmp_path):
    shot = tmp_path / "shot.png"
    shot.write_bytes(PNG)
    page.find_element(By.ID, "image-file").send_keys(str(shot))
    tap(page, page.find_element(By.CSS_SELECTOR, "#image button[type=submit]"))
    wait_for(page, lambda: exchanges(page))
    reply = exchanges(page)[0]
    assert "risk-high" in reply.get_attribute("class")
    assert "icbc-verify[.]top" in reply.find_element(By.CSS_SELECTOR, "blockquote.quote").text  # what was read
    assert "高风险" in reply.find_element(By.TAG_NAME, "h2").text


def test_the_emergency_lines_stay_in_view(page):
    for _ in range(3):
        ask(page, "借呗被盗了怎么办")
    page.execute_script("window.scrollTo(0, document.body.scrollHeight / 2)")
    assert page.execute_script("return window.pageYOffset") > 0  # the page is long enough to scroll
    bar = page.find_element(By.CSS_SELECTOR, ".emergency")
    top = page.execute_script("return arguments[0].getBoundingClientRect().top", bar)
    assert bar.is_displayed() and "110" in bar.text and "96110" in bar.text
    assert 0 <= top < page.execute_script("return window.innerHeight")


def test_without_javascript_a_plain_form_post_gets_the_reply(site, tmp_path):
    driver = make_driver(tmp_path / "profile", javascript=False)
    try:
        driver.get(site + "/")
        driver.find_element(By.ID, "text").send_keys("花呗打电话说要上门核实是真的吗")
        tap(driver, driver.find_element(By.CSS_SELECTOR, "#ask button[type=submit]"))
        wait_for(driver, lambda: exchanges(driver))
        reply = exchanges(driver)[0]
        assert "上门" in reply.find_element(By.TAG_NAME, "h2").text and "95188" in reply.text
        assert reply.find_element(By.CSS_SELECTOR, ".you").text.endswith("花呗打电话说要上门核实是真的吗")
        # A suggested or related question is an ordinary link; the script switch an ordinary form.
        tap(driver, reply.find_element(By.CSS_SELECTOR, ".related a"))
        wait_for(driver, lambda: "/entry/" in driver.current_url)
        assert exchanges(driver)[0].find_element(By.CSS_SELECTOR, ".footer").text.startswith("来源：")
        tap(driver, driver.find_element(By.CSS_SELECTOR, ".scripts button[value='traditional-tw']"))
        wait_for(driver, lambda: driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-TW")
        assert "稽核於" in exchanges(driver)[0].text
    finally:
        driver.quit()
        shutil.rmtree(tmp_path / "profile", ignore_errors=True)
