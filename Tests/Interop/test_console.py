"""The web console in a real browser (Debian's Chromium, headless, driven by selenium
through chromium-driver), against `deconflict serve --demo` playing the seed scenario:
sign-in, the map's zone and convoy, the incursion alert arriving live, acknowledging it,
what another party's page holds (checked in the DOM), and the after-action replay.
Screenshots go to $CONSOLE_ARTIFACTS (default .build/artifacts/console)."""

import json
from datetime import datetime
import math
import os
import re
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

import pytest
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

CENTER = (33.5, 38.65)
RADIUS = 55_000
KEY_LINE = re.compile(r"demo: party (\S+) key (dck_\S+)")
HTTP_LINE = re.compile(r"listening on http://127\.0\.0\.1:(\d+)")
ARTIFACTS = os.environ.get("CONSOLE_ARTIFACTS") or os.path.join(
    os.path.dirname(__file__), "..", "..", ".build", "artifacts", "console")


def distance(a, b):
    (lat1, lon1), (lat2, lon2) = (tuple(map(math.radians, p)) for p in (a, b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(math.sqrt(h))


def instant(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


class Demo:
    """`deconflict serve --demo` on a fresh store: the seed scenario played live."""

    def __init__(self, binary, speed):
        self.folder = tempfile.mkdtemp(prefix="deconflict-console.")
        self.log_path = os.path.join(self.folder, "server.log")
        self.log = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            [binary, "serve", "--demo", "--store", os.path.join(self.folder, "demo.sqlite"), "--port", "0",
             "--speed", str(speed)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self.log)
        self.keys, self.port = {}, None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and (self.port is None or len(self.keys) < 4):
            text = self.text()
            self.keys = dict(KEY_LINE.findall(text))
            match = HTTP_LINE.search(text)
            self.port = int(match.group(1)) if match else None
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        assert self.port and len(self.keys) == 4, f"the demo did not start:\n{self.text()}"
        self.base = f"http://127.0.0.1:{self.port}"

    def text(self):
        with open(self.log_path, "rb") as file:
            return file.read().decode("utf-8", "replace")

    def get(self, party, path):
        request = urllib.request.Request(self.base + path, headers={"Authorization": f"Bearer {self.keys[party]}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)

    def status(self, party, path):
        request = urllib.request.Request(self.base + path, headers={"Authorization": f"Bearer {self.keys[party]}"})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.log.close()
        subprocess.run(["rm", "-rf", self.folder], check=False)


@pytest.fixture(scope="module")
def demo(binary):
    # 60× real time: the convoy enters the zone about half a minute in.
    server = Demo(binary, speed=60)
    yield server
    server.stop()
    assert server.process.returncode == 0, f"the server exited with {server.process.returncode}"


def chromium(width=1280, height=800):
    options = Options()
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     f"--window-size={width},{height}"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")), options=options)


@pytest.fixture
def browser():
    driver = chromium()
    yield driver
    driver.quit()


def shot(driver, name):
    os.makedirs(ARTIFACTS, exist_ok=True)
    path = os.path.abspath(os.path.join(ARTIFACTS, f"{name}.png"))
    driver.save_screenshot(path)
    return path


def wait(what, check, seconds=60):
    deadline = time.monotonic() + seconds
    last = None
    while time.monotonic() < deadline:
        try:
            result = check()
            if result:
                return result
        except StaleElementReferenceException as error:
            last = error
        time.sleep(0.2)
    raise AssertionError(f"no {what} within {seconds} s ({last})")


def sign_in(driver, demo, party):
    driver.get(demo.base + "/console/")
    field = wait("sign-in form", lambda: driver.find_element(By.ID, "signin-key"), 20)
    field.clear()
    field.send_keys(demo.keys[party])
    driver.find_element(By.ID, "signin-submit").click()
    wait("the signed-in party", lambda: party in driver.find_element(By.ID, "viewer").text, 20)


def units_on_map(driver):
    return {element.get_attribute("data-unit-id") for element in driver.find_elements(By.CSS_SELECTOR, "#map [data-unit-id]")}


def severe_browser_errors(driver):
    return [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def test_coalition_sees_the_zone_the_convoy_and_the_incursion_live(demo, browser):
    sign_in(browser, demo, "coalition")
    wait("the 55 km zone on the map",
         lambda: browser.find_elements(By.CSS_SELECTOR, '#map [data-zone-id="at-tanf-55km"]'), 20)
    # The convoy is drawn once the coalition may locate it (near the agreed zone).
    wait("the convoy on the map", lambda: "convoy" in units_on_map(browser), 90)
    # The incursion alert arrives without a reload.
    url = browser.current_url
    # The convoy's incursion (the militia's guns raise incursions of their own).
    def convoy_incursion():
        alerts = demo.get("coalition", "/v1/alerts")["alerts"]
        ids = {alert["id"] for alert in alerts if alert["kind"] == "incursion" and "convoy" in alert["units"]}
        return next((element for element in browser.find_elements(By.CSS_SELECTOR, "#alerts [data-alert-id]")
                     if element.get_attribute("data-alert-id") in ids and "incursion" in element.text.lower()
                     and element.get_attribute("data-alert-state") == "raised"), None)
    alert = wait("the convoy's incursion alert", convoy_incursion, 90)
    assert browser.current_url == url
    shot(browser, "coalition-incursion")
    alert_id = alert.get_attribute("data-alert-id")
    server_alert = demo.get("coalition", f"/v1/alerts/{alert_id}")
    assert server_alert["kind"] == "incursion" and "convoy" in server_alert["units"]
    # Acknowledging it changes its state on the server.
    alert.find_element(By.CSS_SELECTOR, '[data-action="acknowledge"]').click()

    def acknowledged():
        alert = demo.get("coalition", f"/v1/alerts/{alert_id}")
        return any(a.get("party") == "coalition" and a.get("acknowledgedAt") for a in alert.get("routing", []))
    wait("the acknowledgement on the server", acknowledged, 20)
    # The page shows the coalition's acknowledgement (the alert stays raised until every
    # addressee that must acknowledge has).
    wait("the acknowledgement on the page", lambda: browser.find_elements(
        By.CSS_SELECTOR, f'#alerts [data-alert-id="{alert_id}"] [data-party="coalition"][data-acknowledged="true"]'), 20)
    shot(browser, "coalition-acknowledged")
    assert severe_browser_errors(browser) == []


def test_another_party_does_not_get_what_it_may_not_see(demo, browser):
    sign_in(browser, demo, "allied-militia")
    wait("the zone on the map", lambda: browser.find_elements(By.CSS_SELECTOR, '#map [data-zone-id="at-tanf-55km"]'), 20)
    # What the militia may locate, by the server's rules; the page must hold no other unit.
    situation = demo.get("allied-militia", "/v1/situation")
    locatable = {unit["id"] for unit in situation["units"] if "lastReport" in unit}
    hidden = {unit["id"] for unit in situation["units"] if unit.get("reference")}
    assert {"coalition-patrol", "coalition-jet"} <= hidden, situation["units"]
    time.sleep(3)
    drawn = units_on_map(browser)
    assert drawn <= locatable, f"drawn {drawn}, may locate {locatable}"
    page = browser.page_source
    for unit in hidden:
        assert f'data-unit-id="{unit}"' not in page
    # Every alert on the militia's page is one addressed to the militia (the server
    # answers 403 to a party that is not an addressee).
    on_page = {element.get_attribute("data-alert-id") for element in browser.find_elements(By.CSS_SELECTOR, "[data-alert-id]")}
    for alert in on_page:
        assert demo.status("allied-militia", f"/v1/alerts/{alert}") == 200, f"alert {alert} is not the militia's"
    coalition_only = {alert["id"] for alert in demo.get("coalition", "/v1/alerts?state=all")["alerts"]
                      if "allied-militia" not in alert["addressees"]}
    assert coalition_only, "the demo raised no alert that is not the militia's: nothing to check"
    assert not (coalition_only & on_page)
    shot(browser, "militia")


def test_replay_shows_the_convoy_outside_the_zone_earlier(demo, browser):
    sign_in(browser, demo, "syrian-government")
    wait("the convoy on the map", lambda: "convoy" in units_on_map(browser), 60)
    timeline = browser.find_element(By.ID, "timeline")
    # The start of the record, then 30 s on: the convoy is 80 km out.
    timeline.click()
    timeline.send_keys(Keys.HOME)
    timeline.send_keys(Keys.ARROW_RIGHT)
    banner = wait("the replay banner", lambda: browser.find_element(By.ID, "replay-banner").is_displayed() and
                  browser.find_element(By.ID, "replay-banner"), 20)
    assert banner.text.strip()

    def replayed():
        # The map drawn for the instant the banner names.
        map_element = browser.find_element(By.ID, "map")
        at = browser.find_element(By.ID, "replay-banner").get_attribute("data-at")
        drawn = map_element.get_attribute("data-time")
        return (at and drawn and abs((instant(drawn) - instant(at)).total_seconds()) < 0.01
                and map_element.get_attribute("aria-busy") != "true" and map_element.get_attribute("data-live") == "false")
    wait("the map at the replayed instant", replayed, 20)

    def convoy_position():
        element = browser.find_elements(By.CSS_SELECTOR, '#map [data-unit-id="convoy"]')
        if not element:
            return None
        lat, lon = element[0].get_attribute("data-lat"), element[0].get_attribute("data-lon")
        return (float(lat), float(lon)) if lat and lon else None
    position = wait("the convoy in the replay", convoy_position, 20)
    assert distance(position, CENTER) > RADIUS, f"the convoy at {position} is inside the zone early on"
    shot(browser, "replay-start")
    browser.find_element(By.ID, "live").click()
    wait("live again", lambda: not browser.find_element(By.ID, "replay-banner").is_displayed(), 20)


def test_narrow_screen(demo):
    driver = chromium(390, 844)
    # A phone's viewport (a headless window's size is not its viewport's).
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True})
    try:
        sign_in(driver, demo, "coalition")
        wait("the zone on the map", lambda: driver.find_elements(By.CSS_SELECTOR, '#map [data-zone-id="at-tanf-55km"]'), 20)
        width = driver.execute_script("return document.documentElement.scrollWidth")
        assert width <= 400, f"the page is {width} px wide on a 390 px screen"
        shot(driver, "coalition-narrow")
    finally:
        driver.quit()
