"""The explorer in a real browser: headless Chromium (Debian's package, driven by its chromedriver)
opens the page with every host but 127.0.0.1 unreachable, moves the z[0] slider, and the decoded
digit changes. The page fetches nothing from elsewhere (no CDN, fonts or analytics)."""
import os
import pathlib
import shutil
import socket
import time

import pytest

pytestmark = pytest.mark.slow  # a browser and a server

REPO = pathlib.Path(__file__).resolve().parents[1]
SCREENSHOT = REPO / "figs" / "explore" / "explorer.png"


def _chromedriver() -> str:
    path = shutil.which("chromedriver")
    if path is None:
        message = "no chromedriver (Debian: apt-get install chromium chromium-driver)"
        if os.environ.get("KERAS_AUTOENCODERS_BROWSER_TEST") == "required":  # .ci/run sets it: never skipped there
            pytest.fail(message)
        pytest.skip(message)
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(condition, seconds: float = 60.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("the page did not get there in time")


def test_moving_a_slider_redraws_the_digit_offline(tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    from keras_autoencoders.explore.app import build_app
    from keras_autoencoders.explore.digits import load_digit_explorer

    explorer = load_digit_explorer(pretrained="part4_cvae")  # the shipped model: the screenshot shows real digits
    app = build_app(explorer)
    port = _free_port()
    app.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True, ssr_mode=False,
               theme=app.explore_theme)
    options = webdriver.ChromeOptions()
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1200,1400",
                 '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1', f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(flag)
    browser = webdriver.Chrome(service=Service(_chromedriver()), options=options)
    try:
        browser.get(f"http://127.0.0.1:{port}/")
        slider = _wait(lambda: browser.find_elements(By.CSS_SELECTOR, "#z0 input[type=range]"))[0]
        decoded = lambda: [img.get_attribute("src") for img in browser.find_elements(By.CSS_SELECTOR, "#decoded img")]
        browser.find_elements(By.CSS_SELECTOR, "input[type=radio]")[7].click()  # label 7: its manifold, a 7
        shown = _wait(lambda: decoded() and decoded()[0])
        slider.click()
        slider.send_keys(Keys.END)  # z[0] to its largest value
        first = _wait(lambda: decoded() and decoded()[0] != shown and decoded()[0])
        slider.send_keys(Keys.HOME)  # and to its smallest: another 7
        second = _wait(lambda: decoded() and decoded()[0] != first and decoded()[0])
        assert second != first
        manifold = browser.find_element(By.CSS_SELECTOR, "#manifold img")
        ActionChains(browser).move_to_element_with_offset(manifold, manifold.size["width"] // 3,
                                                          -manifold.size["height"] // 3).click().perform()
        _wait(lambda: decoded() and decoded()[0] != second)  # a click on the pad decodes the code under it
        z0 = browser.find_element(By.CSS_SELECTOR, "#z0 input[type=number]").get_attribute("value")
        assert 0 < float(z0) < explorer.pad_range[1]  # right of the centre: z[0] > 0
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(tmp_path / "explorer.png"))
        if os.environ.get("KERAS_AUTOENCODERS_SCREENSHOT"):  # refresh the README's picture on request
            shutil.copyfile(tmp_path / "explorer.png", SCREENSHOT)
        fetched = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
        elsewhere = [url for url in fetched if not url.startswith(("http://127.0.0.1", "data:", "blob:"))]
        assert elsewhere == [], f"the page fetched from other hosts: {elsewhere[:5]}"
    finally:
        browser.quit()
        app.close()
