"""The console's common operating picture in a real browser (Debian's Chromium, headless,
through selenium) against `deconflict serve --demo`: MIL-STD-2525D / APP-6 unit frames
whose affiliation and domain match what the server's situation says, a unit whose
reports stopped drawn and marked stale, the regional basemap (relief image, towns near
At Tanf from the GeoNames data the console ships), and unit labels that never cover each
other, at 1280 × 800 zoomed to the 55 km zone and on a 390 px phone.
Screenshots go to $CONSOLE_ARTIFACTS (default .build/artifacts/console)."""

import json
import urllib.request
from datetime import timedelta

from selenium.webdriver.common.by import By

from console_support import (phone, CENTER, chromium, demo, browser, distance, instant, severe_browser_errors,  # noqa: F401
                             shot, sign_in, units_on_map, wait)

OUTPOST = "coalition-outpost-rukban"

# The labels' boxes that intersect (by more than half a pixel), as [[a, b], …].
OVERLAPPING_LABELS = """
const boxes = [...document.querySelectorAll('#map .unit-label')].map((element) => {
  const box = element.getBoundingClientRect();
  return { text: element.textContent, box };
}).filter((item) => item.box.width > 0);
const pairs = [];
for (let i = 0; i < boxes.length; i += 1) {
  for (let j = i + 1; j < boxes.length; j += 1) {
    const a = boxes[i].box;
    const b = boxes[j].box;
    if (a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5) {
      pairs.push([boxes[i].text, boxes[j].text]);
    }
  }
}
return pairs;
"""

# One unit's symbol as drawn, read in one go (null while it is not on the map).
UNIT_SYMBOL = """
const element = [...document.querySelectorAll('#map [data-unit-id]')].find((node) => node.dataset.unitId === arguments[0]);
if (!element) { return null; }
const title = element.querySelector('title');
const label = element.querySelector('.unit-label');
return { stale: element.getAttribute('data-stale'), staleFrame: !!element.querySelector('.unit-frame.is-stale'),
  title: title ? title.textContent : '', label: label ? label.textContent : '' };
"""

# The towns labelled on the map.
DRAWN_TOWNS = "return [...document.querySelectorAll('#map [data-town]')].map((node) => node.getAttribute('data-town'));"

# Loads the relief image the map's <image> names, as the browser resolves it.
RELIEF_LOADED = """
const done = arguments[arguments.length - 1];
const image = document.querySelector('#map image.relief');
if (!image) { done({ error: 'no relief image on the map' }); return; }
const href = new URL(image.getAttribute('href'), document.baseURI).href;
const probe = new Image();
probe.onload = () => fetch(href).then((response) => done({ href, width: probe.naturalWidth, status: response.status,
  type: response.headers.get('content-type') }));
probe.onerror = () => done({ error: `${href} did not load` });
probe.src = href;
"""


def expected_affiliation(party, viewer, agreements):
    """The console's rule (js/picture.js affiliationOf), from the server's own answer."""
    if party == viewer:
        return "friend"
    for agreement in agreements:
        signatories = agreement.get("signatories", {})
        if signatories.get(viewer) == "signed" and signatories.get(party) == "signed":
            return "neutral"
    return "unknown"


def report_outpost(demo):
    """An own ground unit whose last report is an hour old (by the server's clock)."""
    status, answer = demo.send("coalition", "POST", "/v1/units",
                               {"id": OUTPOST, "domain": "ground", "name": "Outpost Rukban"})
    assert status in (200, 201), answer
    now = instant(demo.get("coalition", "/v1/situation")["time"])
    old = (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    status, answer = demo.send("coalition", "POST", "/v1/reports", {"reports": [{
        "unit": OUTPOST, "time": old, "position": [33.64, 38.52], "altitudeMeters": 700,
        "speedMetersPerSecond": 0, "courseDegrees": 0, "uncertaintyMeters": 50}]})
    assert status in (200, 201, 202), answer


def report_now(demo, party, unit, domain, name, position, altitude):
    """A unit of `party` reported now (by the server's clock) at `position`."""
    status, answer = demo.send(party, "POST", "/v1/units", {"id": unit, "domain": domain, "name": name})
    assert status in (200, 201), answer
    now = demo.get(party, "/v1/situation")["time"]
    status, answer = demo.send(party, "POST", "/v1/reports", {"reports": [{
        "unit": unit, "time": now, "position": {"lat": position[0], "lng": position[1]}, "altitudeMeters": altitude,
        "speedMetersPerSecond": 60, "courseDegrees": 90, "uncertaintyMeters": 30}]})
    assert status in (200, 201, 202), answer


def towns_near(demo, kilometres):
    with urllib.request.urlopen(demo.base + "/console/basemap/towns.geojson", timeout=10) as response:
        towns = json.load(response)
    near = []
    for feature in towns["features"]:
        lon, lat = feature["geometry"]["coordinates"]
        if distance((lat, lon), CENTER) < kilometres * 1000:
            near.append(feature["properties"]["name"])
    return near


def test_the_picture_shows_affiliations_stale_units_towns_and_relief(demo, browser):
    report_outpost(demo)
    # Aircraft of the coalition's own and of a party it signed the zone's agreement with,
    # inside the zone (the scenario's jets are located for a few seconds only).
    report_now(demo, "coalition", "picture-coalition-helo", "air", "Coalition helicopter", (33.45, 38.75), 1_500)
    report_now(demo, "russia", "picture-russian-helo", "air", "Russian helicopter", (33.62, 38.80), 2_000)
    sign_in(browser, demo, "coalition")
    wait("the 55 km zone on the map", lambda: browser.find_elements(By.CSS_SELECTOR, '#map [data-zone-id="at-tanf-55km"]'), 20)
    # The whole zone in view: the fit button frames the zone and the units.
    browser.find_element(By.ID, "zoom-fit").click()

    # The picture is checked against the server's situation read at the same moment.
    last = {}

    def picture_agrees():
        situation = demo.get("coalition", "/v1/situation")
        located = {unit["id"]: unit for unit in situation["units"] if "lastReport" in unit and not unit.get("reference")}
        drawn = {element.get_attribute("data-unit-id"): element for element in browser.find_elements(By.CSS_SELECTOR, "#map [data-unit-id]")}
        seen, wrong = set(), []
        for unit_id, unit in located.items():
            element = drawn.get(unit_id)
            affiliation = expected_affiliation(unit["party"], "coalition", situation["agreements"])
            frame_domain = "air" if unit["domain"] == "air" else "ground"
            if element is None:
                wrong.append((unit_id, "not drawn"))
            elif (element.get_attribute("data-affiliation"), element.get_attribute("data-domain")) != (affiliation, unit["domain"]):
                wrong.append((unit_id, element.get_attribute("data-affiliation"), element.get_attribute("data-domain"), affiliation, unit["domain"]))
            elif not element.find_elements(By.CSS_SELECTOR, f".unit-frame.affiliation-{affiliation}.frame-{frame_domain} .frame"):
                wrong.append((unit_id, "no standard frame"))
            else:
                seen.add((affiliation, unit["domain"]))
        # Units the party may not locate are never drawn.
        wrong += [(unit_id, "drawn but not located") for unit_id in set(drawn) - set(located)]
        last.update(seen=seen, wrong=wrong, situation=situation)
        wanted = {("friend", "ground"), ("friend", "air"), ("neutral", "air"), ("unknown", "ground")}
        return not wrong and wanted <= seen and located

    try:
        located = wait("a picture that agrees with the situation, aircraft included", picture_agrees, 90)
    except AssertionError as error:
        raise AssertionError(f"{error}: seen {last.get('seen')}, wrong {last.get('wrong')}") from None
    shot(browser, "picture-aircraft")
    assert located[OUTPOST]["stale"] is True, located[OUTPOST]

    # The unit whose reports stopped: dashed, faded, and said in words. The map redraws its
    # units as the stream moves them, so the symbol is read in one script, not node by node.
    outpost = wait("the stale outpost drawn", lambda: browser.execute_script(UNIT_SYMBOL, OUTPOST), 10)
    assert outpost["stale"] == "true", outpost
    assert outpost["staleFrame"], outpost
    assert "STALE" in outpost["title"], outpost
    assert "STALE" in outpost["label"], outpost

    # Towns from the shipped GeoNames data within 60 km of the garrison are labelled.
    near = towns_near(demo, 60)
    assert near, "the basemap has no town within 60 km of At Tanf"
    drawn = wait("a town near At Tanf on the map", lambda: [
        town for town in browser.execute_script(DRAWN_TOWNS) if town in near], 20)
    assert drawn
    # The relief image resolves and decodes.
    relief = browser.execute_async_script(RELIEF_LOADED)
    assert relief.get("status") == 200 and relief.get("width", 0) > 0, relief
    assert relief["type"].startswith("image/"), relief
    attribution = browser.find_element(By.CSS_SELECTOR, "#map .attribution").text
    assert "GeoNames" in attribution and "Natural Earth" in attribution, attribution

    assert browser.execute_script(OVERLAPPING_LABELS) == []
    # Two steps closer, where more towns and the labels of units close together compete.
    browser.find_element(By.ID, "zoom-in").click()
    wait("the map redrawn", lambda: browser.find_elements(By.CSS_SELECTOR, "#map [data-unit-id]"), 5)
    assert browser.execute_script(OVERLAPPING_LABELS) == []
    browser.find_element(By.ID, "zoom-fit").click()
    wait("the fitted view", lambda: browser.find_elements(By.CSS_SELECTOR, "#map [data-town]"), 5)
    shot(browser, "picture-zone")
    assert severe_browser_errors(browser) == []


def test_the_picture_on_a_phone(demo):
    driver = phone()
    try:
        sign_in(driver, demo, "coalition")
        wait("the zone on the map", lambda: driver.find_elements(By.CSS_SELECTOR, '#map [data-zone-id="at-tanf-55km"]'), 20)
        wait("units on the map", lambda: len(units_on_map(driver)) >= 2, 60)
        wait("towns on the map", lambda: driver.find_elements(By.CSS_SELECTOR, "#map [data-town]"), 20)
        width = driver.execute_script("return document.documentElement.scrollWidth")
        assert width <= 400, f"the page is {width} px wide on a 390 px screen"
        assert driver.execute_script(OVERLAPPING_LABELS) == []
        driver.find_element(By.ID, "map").location_once_scrolled_into_view
        shot(driver, "picture-phone")
        assert severe_browser_errors(driver) == []
    finally:
        driver.quit()
