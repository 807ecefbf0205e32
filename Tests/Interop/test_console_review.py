"""The console's review tools in a real browser (Debian's Chromium, headless, driven by
selenium), against `deconflict serve --demo` playing the seed scenario: the alert list's
filters, the "who has not answered" view, playing the record back, the CSV, KML and
GeoJSON exports and the printable incident summary, each checked against what the REST
API says. Screenshots go to $CONSOLE_ARTIFACTS (default .build/artifacts/console)."""

import csv
import glob
import json
import os
import re
import shutil
import tempfile
import time
import xml.etree.ElementTree as ElementTree

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from console_support import (chromium, demo, phone, browser, instant, severe_browser_errors, shot, sign_in,  # noqa: F401
                             units_on_map, wait)

KML = "{http://www.opengis.net/kml/2.2}"
ZONE = "at-tanf-55km"


def rows_shown(driver):
    """The ids of the alerts the list shows (a row stands for each alert it groups)."""
    ids = set()
    for row in driver.find_elements(By.CSS_SELECTOR, "#alerts > li[data-alert-ids]"):
        ids.update((row.get_attribute("data-alert-ids") or "").split())
    return ids


def recorded(alerts):
    """What the CSV holds of the alerts (their figures, which follow the units, left out)."""
    return sorted((alert["id"], alert["kind"], alert["state"], alert["raisedAt"], alert.get("zone"), alert.get("resolvedAt"),
                   alert.get("resolution"), tuple((entry["party"], entry.get("acknowledgedAt")) for entry in alert["routing"]))
                  for alert in alerts)


def unacknowledged_by(alert, party):
    return alert["state"] != "resolved" and any(
        entry["party"] == party and not entry.get("acknowledgedAt") for entry in alert.get("routing", []))


def owes_an_answer(alert, party):
    """Whether `party` must acknowledge `alert` and has not (the "not answered" view)."""
    return alert["state"] != "resolved" and any(
        entry["party"] == party and entry["mustAcknowledge"] and not entry.get("acknowledgedAt") for entry in alert.get("routing", []))


def click(driver, selector):
    """Clicks the element `selector` names, found again if the list was redrawn meanwhile."""
    def attempt():
        driver.find_element(By.CSS_SELECTOR, selector).click()
        return True
    wait(f"a click on {selector}", attempt, 10)


def wait_for_alerts(demo, party, check, seconds=90):
    return wait("the alerts wanted", lambda: check(demo.get(party, "/v1/alerts?state=all")["alerts"]), seconds)


@pytest.fixture
def downloads():
    folder = tempfile.mkdtemp(prefix="deconflict-downloads.")
    options = Options()
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,800"):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {
        "download.default_directory": folder, "download.prompt_for_download": False, "download.directory_upgrade": True})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")), options=options)
    # Headless Chromium saves downloads only when told where.
    driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": folder})
    yield driver, folder
    driver.quit()
    shutil.rmtree(folder, ignore_errors=True)


def downloaded(folder, pattern, seconds=20):
    def found():
        names = [name for name in glob.glob(os.path.join(folder, pattern)) if not name.endswith(".crdownload")]
        return names[0] if names and not glob.glob(os.path.join(folder, "*.crdownload")) else None
    path = wait(f"a download {pattern}", found, seconds)
    with open(path, encoding="utf-8") as file:
        return os.path.basename(path), file.read()


def test_filters_show_what_the_api_says(demo, browser):
    sign_in(browser, demo, "coalition")
    # The convoy's incursion, and so some alert of another kind or state to hide.
    wait_for_alerts(demo, "coalition", lambda alerts: any(a["kind"] == "incursion" and "convoy" in a["units"] for a in alerts))
    wait("the alert list", lambda: rows_shown(browser), 30)

    Select(browser.find_element(By.ID, "alerts-filter-state")).select_by_value("all")
    wait("the incursion kind among the filters", lambda: browser.find_elements(
        By.CSS_SELECTOR, '#alerts-filter-kind option[value="incursion"]'), 20)
    Select(browser.find_element(By.ID, "alerts-filter-kind")).select_by_value("incursion")

    def same(expected):
        def check():
            alerts = demo.get("coalition", "/v1/alerts?state=all")["alerts"]
            wanted = {alert["id"] for alert in alerts if expected(alert)}
            shown = rows_shown(browser)
            hidden = browser.find_element(By.ID, "alerts-hidden").get_attribute("data-hidden-count")
            return wanted and shown == wanted and hidden == str(len(alerts) - len(wanted)) and (alerts, shown)
        return check
    alerts, shown = wait("the incursions, as the API lists them", same(lambda alert: alert["kind"] == "incursion"), 30)
    assert all(row.get_attribute("data-alert-kind") == "incursion"
               for row in browser.find_elements(By.CSS_SELECTOR, "#alerts > li"))
    assert browser.find_element(By.ID, "alerts-hidden").is_displayed() == (len(alerts) > len(shown))
    shot(browser, "review-filter-incursion")

    # Unacknowledged by me, every kind: the filters stay as set while alerts stream in.
    Select(browser.find_element(By.ID, "alerts-filter-kind")).select_by_value("")
    Select(browser.find_element(By.ID, "alerts-filter-state")).select_by_value("unacknowledged")
    wait("the alerts the coalition has not acknowledged", same(lambda alert: unacknowledged_by(alert, "coalition")), 30)
    time.sleep(6)  # a poll and some events later
    assert Select(browser.find_element(By.ID, "alerts-filter-state")).first_selected_option.get_attribute("value") == "unacknowledged"
    wait("still the alerts the coalition has not acknowledged", same(lambda alert: unacknowledged_by(alert, "coalition")), 30)

    # Acknowledging one from its row takes it off this list, and the server holds it.
    # Found and clicked in one step, so that a redraw of the list cannot come between.
    alert_id = wait("an alert to acknowledge", lambda: browser.execute_script(
        "const button = document.querySelector('#alerts > li [data-action=\"acknowledge\"]');"
        "if (!button) return null;"
        "const id = button.closest('li[data-alert-id]').dataset.alertId; button.click(); return id;"), 20)
    wait("the acknowledgement on the server", lambda: not unacknowledged_by(demo.get("coalition", f"/v1/alerts/{alert_id}"), "coalition"), 20)
    wait("the acknowledged alert off the list", lambda: alert_id not in rows_shown(browser), 20)

    # A row opens to its addressees.
    Select(browser.find_element(By.ID, "alerts-filter-state")).select_by_value("all")
    toggle = wait("a row to open", lambda: browser.find_element(By.CSS_SELECTOR, "#alerts > li .alert-toggle"), 20)
    toggle.click()
    wait("the row opened", lambda: browser.find_element(By.CSS_SELECTOR, '#alerts > li .alert-toggle[aria-expanded="true"]'), 10)
    assert browser.find_element(By.CSS_SELECTOR, "#alerts > li.is-open .addressees").is_displayed()
    shot(browser, "review-alerts-open")
    assert severe_browser_errors(browser) == []


def test_who_has_not_answered(demo, browser):
    sign_in(browser, demo, "coalition")

    def waiting_entry():
        for alert in demo.get("coalition", "/v1/alerts")["alerts"]:
            for entry in alert.get("routing", []):
                if (not entry.get("acknowledgedAt") and entry["mustAcknowledge"] and entry["party"] in demo.keys
                        and entry["party"] != "coalition"):
                    return alert["id"], entry["party"]
        return None
    alert_id, party = wait("an addressee that has not acknowledged", waiting_entry, 90)
    selector = f'#awaiting > li[data-party="{party}"] [data-type="alert"][data-id="{alert_id}"]'
    wait(f"{party} waiting on {alert_id}", lambda: browser.find_elements(By.CSS_SELECTOR, selector), 30)
    assert party in browser.find_element(By.CSS_SELECTOR, f'#awaiting > li[data-party="{party}"] h3').text
    # Oldest first within the party.
    times = browser.execute_script(
        "return [...document.querySelectorAll(arguments[0])].map((entry) => entry.dataset.since)",
        f'#awaiting > li[data-party="{party}"] .awaiting-entry')
    assert times == sorted(times, key=instant)
    # Found again inside the script: the list is redrawn as the alerts change.
    browser.execute_script("document.querySelector(arguments[0]).scrollIntoView({block: 'center'})", selector)
    shot(browser, "review-awaiting")
    # The entry leads to the alert.
    click(browser, selector + " a")
    wait("the alert focused", lambda: alert_id in (browser.switch_to.active_element.get_attribute("data-alert-ids") or "").split(), 10)

    # Once that party acknowledges, it is no longer waited for.
    status, _ = demo.send(party, "POST", f"/v1/alerts/{alert_id}/acknowledge")
    assert status in (200, 201), status
    wait("the entry gone", lambda: not browser.find_elements(By.CSS_SELECTOR, selector), 30)
    # The view lists exactly the addressees the API says owe an answer to an open alert
    # (an addressee told for information only owes none).
    def listed_as_api_says():
        owed = {(alert["id"], entry["party"]) for alert in demo.get("coalition", "/v1/alerts")["alerts"]
                for entry in alert["routing"] if owes_an_answer(alert, entry["party"])}
        shown = set(map(tuple, browser.execute_script(
            "return [...document.querySelectorAll('#awaiting > li .awaiting-entry[data-type=\"alert\"]')]"
            ".map((entry) => [entry.dataset.id, entry.closest('li[data-party]').dataset.party])")))
        return owed == shown
    wait("the alerts awaiting answers as the API has them", listed_as_api_says, 30)
    assert severe_browser_errors(browser) == []


def test_play_pause_and_step(demo, browser):
    sign_in(browser, demo, "syrian-government")
    wait("the convoy on the map", lambda: "convoy" in units_on_map(browser), 60)
    Select(browser.find_element(By.ID, "timeline-speed")).select_by_value("600")
    Select(browser.find_element(By.ID, "timeline-step")).select_by_value("60")
    timeline = browser.find_element(By.ID, "timeline")
    timeline.click()
    timeline.send_keys(Keys.HOME)
    map_element = browser.find_element(By.ID, "map")
    start = wait("the start of the record", lambda: map_element.get_attribute("data-live") == "false"
                 and map_element.get_attribute("aria-busy") != "true" and map_element.get_attribute("data-time"), 20)
    play = browser.find_element(By.ID, "timeline-play")
    play.click()
    seen = [instant(start)]
    deadline = time.monotonic() + 2.5
    while time.monotonic() < deadline:
        value = map_element.get_attribute("data-time")
        if value and instant(value) != seen[-1]:
            seen.append(instant(value))
        time.sleep(0.1)
    play.click()  # pause
    assert "Play" in play.text
    assert len(seen) >= 3, f"the map's instant did not advance while playing: {seen}"
    assert seen == sorted(seen), seen
    # 600× for 2.5 s: about 25 minutes of record, less the reads' time.
    assert (seen[-1] - seen[0]).total_seconds() >= 300, seen

    def settled():
        banner = browser.find_element(By.ID, "replay-banner").get_attribute("data-at")
        drawn = map_element.get_attribute("data-time")
        ready = map_element.get_attribute("aria-busy") != "true" and banner and drawn
        return ready and abs((instant(drawn) - instant(banner)).total_seconds()) < 0.01 and instant(drawn)
    paused = wait("the paused instant drawn", settled, 20)
    time.sleep(1)
    assert settled() == paused, "the replay moved on after the pause"
    now = instant(demo.get("syrian-government", "/v1/situation")["time"])
    assert (now - paused).total_seconds() > 120, "the record ended before the pause: nothing left to step through"
    browser.find_element(By.ID, "timeline-forward").click()
    wait("one step later", lambda: settled() and (settled() - paused).total_seconds() == 60, 20)
    shot(browser, "review-replay-paused")
    browser.find_element(By.ID, "live").click()
    wait("live again", lambda: not browser.find_element(By.ID, "replay-banner").is_displayed(), 20)
    assert severe_browser_errors(browser) == []


def test_exports(demo, downloads):
    driver, folder = downloads
    sign_in(driver, demo, "coalition")
    wait_for_alerts(demo, "coalition", lambda alerts: any(a["kind"] == "incursion" and "convoy" in a["units"] for a in alerts))
    wait("the zone on the map", lambda: driver.find_elements(By.CSS_SELECTOR, f'#map [data-zone-id="{ZONE}"]'), 20)
    driver.execute_script("document.getElementById('exports-section').scrollIntoView()")

    # CSV: one row per alert and addressee, as the API has them (asked again until the
    # alerts did not change while the file was made).
    for attempt in range(6):
        before = demo.get("coalition", "/v1/alerts?state=all")["alerts"]
        for old in glob.glob(os.path.join(folder, "*.csv")):
            os.remove(old)
        driver.find_element(By.ID, "export-csv").click()
        name, text = downloaded(folder, "*.csv")
        after = demo.get("coalition", "/v1/alerts?state=all")["alerts"]
        if recorded(before) == recorded(after):
            break
        time.sleep(2)
    assert recorded(before) == recorded(after), "the alerts kept changing"
    assert name.startswith("deconflict-alerts-coalition-") and name.endswith("Z.csv"), name
    rows = list(csv.DictReader(text.splitlines()))
    expected = {(alert["id"], entry["party"]): (alert, entry) for alert in after for entry in alert["routing"]}
    assert {(row["alert_id"], row["party"]) for row in rows} == set(expected)
    for row in rows:
        alert, entry = expected[(row["alert_id"], row["party"])]
        assert row["kind"] == alert["kind"] and row["state"] == alert["state"] and row["raised_at"] == alert["raisedAt"]
        assert row["zone_id"] == (alert.get("zone") or "")
        assert row["acknowledged_at"] == (entry.get("acknowledgedAt") or ""), row
        assert row["acknowledgement_required"] == ("true" if entry["mustAcknowledge"] else "false"), row
        assert row["resolved_at"] == (alert.get("resolvedAt") or "") and row["resolution"] == (alert.get("resolution") or "")
    assert any(row["kind"] == "incursion" and "convoy" in row["units"].lower() for row in rows)

    # GeoJSON: the zones as the server writes them, and the tracks.
    driver.find_element(By.ID, "export-geojson").click()
    name, text = downloaded(folder, "*.geojson")
    assert name.startswith("deconflict-zones-tracks-coalition-"), name
    collection = json.loads(text)
    assert collection["type"] == "FeatureCollection"
    zone = next(feature for feature in collection["features"] if feature.get("id") == ZONE)
    assert zone["geometry"]["type"] == "Polygon" and zone["properties"]["radius"] == 55000
    tracks = [feature for feature in collection["features"] if feature["geometry"]["type"] == "LineString"]
    assert tracks and all(len(track["properties"]["times"]) == len(track["geometry"]["coordinates"]) for track in tracks)

    # KML 2.2: the zone a polygon, closed, near its centre.
    driver.find_element(By.ID, "export-kml").click()
    name, text = downloaded(folder, "*.kml")
    root = ElementTree.fromstring(text.encode())
    assert root.tag == f"{KML}kml"
    placemarks = root.iter(f"{KML}Placemark")
    zone = next(placemark for placemark in placemarks
                if any(data.get("name") == "id" and data.findtext(f"{KML}value") == ZONE for data in placemark.iter(f"{KML}Data")))
    assert zone.findtext(f"{KML}name") == "At Tanf 55 km deconfliction zone"
    coordinates = [tuple(map(float, point.split(","))) for point in
                   zone.find(f".//{KML}Polygon//{KML}coordinates").text.split()]
    assert len(coordinates) > 60 and coordinates[0] == coordinates[-1]
    assert all(37.9 < lon < 39.4 and 32.9 < lat < 34.1 for lon, lat, _ in coordinates)
    assert root.find(f".//{KML}Style") is not None and root.find(f".//{KML}LineString") is not None
    shot(driver, "review-exports")

    # In replay the files describe the replayed instant, and say so.
    timeline = driver.find_element(By.ID, "timeline")
    timeline.click()
    timeline.send_keys(Keys.HOME)
    for _ in range(4):
        timeline.send_keys(Keys.PAGE_UP)
    at = wait("the replayed instant", lambda: driver.find_element(By.ID, "map").get_attribute("data-live") == "false"
              and driver.find_element(By.ID, "map").get_attribute("aria-busy") != "true"
              and driver.find_element(By.ID, "replay-banner").get_attribute("data-at"), 20)
    assert "Replay" in driver.find_element(By.ID, "exports-note").text
    driver.execute_script("document.getElementById('exports-section').scrollIntoView()")
    driver.find_element(By.ID, "export-csv").click()
    name, text = downloaded(folder, "*-replay.csv")
    assert instant(at).strftime("%Y%m%dT%H%M%SZ") in name, (name, at)
    replayed = demo.get("coalition", "/v1/situation?at=" + at.replace("+", "%2B"))["alerts"]
    assert {row["alert_id"] for row in csv.DictReader(text.splitlines())} == {alert["id"] for alert in replayed}
    shot(driver, "review-exports-replay")
    assert severe_browser_errors(driver) == []


def test_printable_summary(demo, browser):
    sign_in(browser, demo, "coalition")
    wait_for_alerts(demo, "coalition", lambda alerts: any(a["kind"] == "incursion" and "convoy" in a["units"] for a in alerts))
    wait("the alert on the page", lambda: browser.find_elements(By.CSS_SELECTOR, '#alerts [data-alert-kind="incursion"]'), 30)
    console = browser.current_window_handle
    browser.find_element(By.ID, "export-print").click()
    handle = wait("the summary window", lambda: next((h for h in browser.window_handles if h != console), None), 10)
    browser.switch_to.window(handle)
    wait("the summary", lambda: "Ledger" in browser.find_element(By.TAG_NAME, "body").text, 20)
    text = browser.find_element(By.TAG_NAME, "body").text
    assert "incident summary" in text.lower() and "coalition" in text
    assert any("incursion" in line and "convoy" in line.lower() for line in text.splitlines()), text
    assert browser.find_elements(By.CSS_SELECTOR, "svg.map-snapshot")
    wait("the ledger head", lambda: "hash" in browser.find_element(By.TAG_NAME, "body").text, 20)
    # The head the service signed, with its Merkle root: a root this ledger really had at
    # that size (the service proves the ledger now extends it).
    signed = wait("the signed head", lambda: next((line for line in browser.find_element(By.TAG_NAME, "body").text.splitlines()
                                                    if line.startswith("Signed ledger head: ")), None), 20)
    match = re.search(r"Signed ledger head: (\d+) entries, Merkle root ([0-9a-f]{64}), last entry hash ([0-9a-f]{64})", signed)
    assert match, signed
    now = demo.get("coalition", "/v1/ledger/head")
    proof = demo.get("coalition", f"/v1/ledger/consistency?from={match.group(1)}&to={now['size']}")
    assert proof["fromRoot"] == match.group(2) and proof["toRoot"] == now["root"], (signed, proof, now)
    shot(browser, "review-summary")
    browser.execute_script("document.querySelector('section.alert').scrollIntoView()")
    shot(browser, "review-summary-alerts")
    browser.close()
    browser.switch_to.window(console)
    assert severe_browser_errors(browser) == []


def test_review_screens(demo):
    for start, width, name in ((chromium, 1280, "review-wide"), (phone, 390, "review-narrow")):
        driver = start()
        try:
            sign_in(driver, demo, "coalition")
            wait("the zone on the map", lambda: driver.find_elements(By.CSS_SELECTOR, f'#map [data-zone-id="{ZONE}"]'), 20)
            wait("the alerts", lambda: rows_shown(driver), 60)
            shot(driver, name)
            for section in ("alerts-section", "awaiting-section", "exports-section"):
                driver.execute_script(f"document.getElementById('{section}').scrollIntoView()")
                time.sleep(0.3)
                shot(driver, f"{name}-{section}")
            width_used = driver.execute_script("return document.documentElement.scrollWidth")
            assert width_used <= width + 10, f"the page is {width_used} px wide on a {width} px screen"
            assert severe_browser_errors(driver) == []
        finally:
            driver.quit()


def test_fit_to_the_area_of_interest(demo, browser):
    # A zone of the coalition's on another continent: an outlier to the area of interest.
    status, _ = demo.send("coalition", "PUT", "/v1/zones/far-away-range", {
        "id": "far-away-range", "name": "Far-away range", "kind": "protected-site",
        "circle": {"center": {"lat": -15.8, "lng": -47.9}, "radius": 10_000}})
    assert status in (200, 201), status
    sign_in(browser, demo, "coalition")
    wait("the zone on the map", lambda: browser.find_elements(By.CSS_SELECTOR, f'#map [data-zone-id="{ZONE}"]'), 20)
    assert any(zone["id"] == "far-away-range" for zone in demo.get("coalition", "/v1/situation")["zones"])

    def zone_width():
        return browser.execute_script(
            "return document.querySelector(arguments[0]).getBoundingClientRect().width", f'#map [data-zone-id="{ZONE}"] .zone-shape')
    Select(browser.find_element(By.ID, "fit-mode")).select_by_value("everything")
    wait("the whole world in view", lambda: zone_width() < 60, 10)
    shot(browser, "review-fit-everything")
    Select(browser.find_element(By.ID, "fit-mode")).select_by_value("interest")
    wait("the area of interest in view", lambda: zone_width() > 250, 10)
    # The fit button and the 0 key keep to the choice.
    browser.find_element(By.ID, "zoom-out").click()
    browser.find_element(By.ID, "zoom-out").click()
    wait("zoomed out", lambda: zone_width() < 150, 10)
    browser.find_element(By.ID, "zoom-fit").click()
    wait("the area of interest again", lambda: zone_width() > 250, 10)
    shot(browser, "review-fit-interest")
    assert severe_browser_errors(browser) == []
