"""What the console's browser tests share: `deconflict serve --demo` playing the seed
scenario on a throwaway store, Debian's Chromium (headless) driven by selenium through
chromium-driver, sign-in, waiting, screenshots (to $CONSOLE_ARTIFACTS, by default
.build/artifacts/console) and a small REST client to check what the server holds."""

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


def console_folder():
    """`--console-dir` when DECONFLICT_CONSOLE_DIR names the console's source folder (to try
    the page's files without rebuilding the server); the files built in otherwise."""
    folder = os.environ.get("DECONFLICT_CONSOLE_DIR")
    return ["--console-dir", folder] if folder else []


class Demo:
    """`deconflict serve --demo` on a fresh store: the seed scenario played live."""

    def __init__(self, binary, speed):
        self.folder = tempfile.mkdtemp(prefix="deconflict-console.")
        self.log_path = os.path.join(self.folder, "server.log")
        self.log = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            [binary, "serve", "--demo", "--store", os.path.join(self.folder, "demo.sqlite"), "--port", "0",
             "--speed", str(speed)] + console_folder(),
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

    def send(self, party, method, path, body=None):
        """(status, JSON answer) of a request with a JSON body, errors included."""
        data = None if body is None else json.dumps(body).encode()
        headers = {"Authorization": f"Bearer {self.keys[party]}", "Content-Type": "application/json"}
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                text = response.read()
                return response.status, (json.loads(text) if text else None)
        except urllib.error.HTTPError as error:
            text = error.read()
            return error.code, (json.loads(text) if text else None)

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


def phone():
    """Chromium with a phone's viewport, 390 × 844 CSS pixels (a headless window's size is
    not its viewport's)."""
    driver = chromium(390, 844)
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True})
    return driver


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
    # Read in one script: the map redraws its units as reports arrive.
    return set(driver.execute_script(
        "return [...document.querySelectorAll('#map [data-unit-id]')].map((node) => node.getAttribute('data-unit-id'));"))


def severe_browser_errors(driver):
    return [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
