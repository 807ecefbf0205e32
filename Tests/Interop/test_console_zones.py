"""Declaring, changing and removing a zone in the web console, as a staff officer does it:
drawing a circle and a polygon on the map with the mouse, typing a centre in MGRS,
choosing the kind, the agreement and the altitude band in feet or flight levels; then
checking over the REST API that the server holds exactly that. A refusal by the server
is shown on the field it names. Screenshots of the planner at 1280x800 and at a phone's
width go to $CONSOLE_ARTIFACTS (default .build/artifacts/console)."""

import math

import mgrs
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from console_support import (phone, chromium, demo, browser, distance, severe_browser_errors, shot, sign_in,  # noqa: F401
                             wait)

FOOT = 0.3048


def to_world(lat, lon):
    sin = math.sin(math.radians(lat))
    return (lon + 180) / 360, 0.5 - math.log((1 + sin) / (1 - sin)) / (4 * math.pi)


def from_world(x, y):
    return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y)))), x * 360 - 180


class MapGeometry:
    """The map's Web Mercator view as the page states it (its centre and zoom, on the
    map element), to tell which position a pixel of the map shows."""

    def __init__(self, driver):
        element = driver.find_element(By.ID, "map")
        lat, lon = (float(value) for value in element.get_attribute("data-center").split(","))
        self.zoom = float(element.get_attribute("data-zoom"))
        self.cx, self.cy = to_world(lat, lon)
        self.width, self.height = driver.execute_script(
            "const r = document.querySelector('#map svg.map-svg').getBoundingClientRect(); return [r.width, r.height];")

    def position(self, px, py):
        scale = 256 * 2 ** self.zoom
        return from_world(self.cx + (px - self.width / 2) / scale, self.cy + (py - self.height / 2) / scale)

    def meters_per_pixel(self, lat):
        return 2 * math.pi * 6_371_008.8 * math.cos(math.radians(lat)) / (256 * 2 ** self.zoom)


def record_clicks(driver):
    """Where each click on the map landed, in the map's pixels (read by `clicks`)."""
    driver.execute_script("""
        window.mapClicks = [];
        const svg = document.querySelector('#map svg.map-svg');
        svg.addEventListener('pointerup', (event) => {
          const r = svg.getBoundingClientRect();
          window.mapClicks.push([event.clientX - r.left, event.clientY - r.top]);
        });""")


def clicks(driver):
    return driver.execute_script("return window.mapClicks;")


def click_map(driver, dx, dy):
    """Clicks the map `dx`, `dy` pixels from its centre, as a mouse does (no drag)."""
    svg = driver.find_element(By.CSS_SELECTOR, "#map svg.map-svg")
    ActionChains(driver).move_to_element_with_offset(svg, dx, dy).pause(0.1).click().perform()


def hover_map(driver, dx, dy):
    svg = driver.find_element(By.CSS_SELECTOR, "#map svg.map-svg")
    ActionChains(driver).move_to_element_with_offset(svg, dx, dy).pause(0.2).perform()


def first(driver, selector):
    elements = driver.find_elements(By.CSS_SELECTOR, selector)
    return elements[0] if elements else None


def click_fresh(driver, what, selector, seconds=20):
    """Clicks an element of a list the page redraws as the situation changes (found
    again when it was replaced meanwhile)."""
    # Found, scrolled to and clicked in one step, so that a redraw cannot come between.
    def attempt():
        return driver.execute_script(
            "const element = document.querySelector(arguments[0]);"
            "if (!element) return false;"
            "element.scrollIntoView({block: 'center'}); element.click(); return true;", selector)
    wait(what, attempt, seconds)


def field(driver, name):
    return driver.find_element(By.ID, f"zone-{name}")


def type_into(driver, name, text):
    element = field(driver, name)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
    element.clear()
    element.send_keys(text)


def open_planner(driver, demo, party="coalition"):
    sign_in(driver, demo, party)
    wait("the 55 km zone on the map", lambda: driver.find_elements(By.CSS_SELECTOR, '#map [data-zone-id="at-tanf-55km"]'), 20)
    new = driver.find_element(By.ID, "zone-new")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", new)
    new.click()
    # Closer in, a pixel is fewer metres.
    zoom = driver.find_element(By.ID, "map").get_attribute("data-zoom")
    driver.find_element(By.ID, "zoom-in").click()
    wait("the map zoomed in", lambda: driver.find_element(By.ID, "map").get_attribute("data-zoom") != zoom, 10)
    record_clicks(driver)


def the_agreement(demo, party="coalition"):
    situation = demo.get(party, "/v1/situation")
    return next(agreement["id"] for agreement in situation["agreements"] if party in agreement["signatories"])


def zone_on_server(demo, zone_id, party="coalition"):
    return wait(f"zone {zone_id} on the server",
                lambda: demo.status(party, f"/v1/zones/{zone_id}") == 200 and demo.get(party, f"/v1/zones/{zone_id}"), 20)


def test_circle_drawn_with_two_clicks_and_a_band_in_feet(demo, browser):
    open_planner(browser, demo)
    agreement = the_agreement(demo)
    type_into(browser, "name", "Fire base watch")
    assert field(browser, "id").get_attribute("value") == "fire-base-watch"
    Select(field(browser, "kind")).select_by_value("protected-site")
    Select(field(browser, "agreement")).select_by_value(agreement)
    Select(field(browser, "unit")).select_by_value("ft")
    type_into(browser, "lower", "0")
    type_into(browser, "upper", "10000")
    conversion = browser.find_element(By.ID, "zone-altitude-conversion").text
    assert "0–3,048 m" in conversion, conversion

    browser.find_element(By.ID, "zone-draw-circle").click()
    assert browser.find_element(By.ID, "map").get_attribute("data-drawing") == "true"
    geometry = MapGeometry(browser)
    click_map(browser, 0, 0)
    # The circle follows the pointer before the second click.
    hover_map(browser, 90, 0)
    wait("the circle's preview", lambda: browser.find_elements(By.CSS_SELECTOR, "#map .drawing-shape"), 5)
    shot(browser, "zones-drawing-circle")
    click_map(browser, 120, 0)
    wait("the drawing ended", lambda: browser.find_element(By.ID, "map").get_attribute("data-drawing") is None, 5)
    (cx, cy), (ex, ey) = clicks(browser)[-2:]
    center = geometry.position(cx, cy)
    edge = geometry.position(ex, ey)
    assert field(browser, "center").get_attribute("value") and field(browser, "radius").get_attribute("value")

    browser.find_element(By.ID, "zone-save").click()
    zone = zone_on_server(demo, "fire-base-watch")
    assert zone["name"] == "Fire base watch" and zone["kind"] == "protected-site" and zone["owner"] == "coalition"
    assert zone["agreement"] == agreement
    assert zone["altitude"] == [0, 3048] or all(abs(a - b) < 0.01 for a, b in zip(zone["altitude"], [0, 10_000 * FOOT]))
    stored = tuple(zone["circle"]["center"])
    assert distance(stored, center) < 300, f"centre {stored}, clicked at {center}"
    expected_radius = distance(center, edge)
    assert abs(zone["circle"]["radius"] - expected_radius) < 0.02 * expected_radius + 50, (zone["circle"]["radius"], expected_radius)
    assert abs(expected_radius - 120 * geometry.meters_per_pixel(center[0])) < 0.02 * expected_radius
    # The new zone is drawn, and the form is ready for the next.
    wait("the new zone on the map", lambda: browser.find_elements(By.CSS_SELECTOR, '#map [data-zone-id="fire-base-watch"]'), 20)
    assert "declared" in browser.find_element(By.ID, "zone-status").text
    assert severe_browser_errors(browser) == []


def test_polygon_drawn_then_edited_in_flight_levels_then_removed(demo, browser):
    open_planner(browser, demo)
    type_into(browser, "name", "Corridor north")
    Select(field(browser, "kind")).select_by_value("corridor")
    type_into(browser, "lower", "0")
    type_into(browser, "upper", "5000")
    browser.find_element(By.ID, "zone-draw-polygon").click()
    geometry = MapGeometry(browser)
    corners = [(-100, -60), (100, -60), (100, 60), (-100, 60)]
    for dx, dy in corners:
        click_map(browser, dx, dy)
    hover_map(browser, -60, 30)
    shot(browser, "zones-drawing-polygon")
    # Clicking the first vertex again closes the ring.
    click_map(browser, *corners[0])
    wait("the drawing ended", lambda: browser.find_element(By.ID, "map").get_attribute("data-drawing") is None, 5)
    vertices = browser.find_elements(By.CSS_SELECTOR, "#zone-vertices input")
    assert len(vertices) == 4, [vertex.get_attribute("value") for vertex in vertices]
    landed = clicks(browser)[-5:-1]
    browser.find_element(By.ID, "zone-save").click()
    zone = zone_on_server(demo, "corridor-north")
    assert zone["kind"] == "corridor" and zone["altitude"] == [0, 5000]
    ring = zone["polygon"][0]
    assert len(ring) == 4
    for stored, (px, py) in zip(ring, landed):
        expected = geometry.position(px, py)
        assert distance(tuple(stored), expected) < 300, f"vertex {stored}, clicked at {expected}"

    # Selected from the list of zones, it offers Edit; the form is filled from it.
    click_fresh(browser, "the zone in the list", '#situation-list [data-focus-key="zone:corridor-north"]')
    click_fresh(browser, "Edit in the zone's details", '#map-info [data-action="edit-zone"]', 30)
    assert field(browser, "id").get_attribute("value") == "corridor-north"
    assert field(browser, "id").get_attribute("readonly") is not None
    assert "Change zone" in browser.find_element(By.ID, "zone-legend").text
    assert len(browser.find_elements(By.CSS_SELECTOR, "#map .drawing-vertex")) == 4
    type_into(browser, "name", "Corridor north (amended)")
    Select(field(browser, "unit")).select_by_value("FL")
    # The band is converted with the unit: 5,000 m is FL 164.0.
    assert field(browser, "upper").get_attribute("value") == "164"
    type_into(browser, "lower", "50")
    type_into(browser, "upper", "150")
    assert "1,524–4,572 m" in browser.find_element(By.ID, "zone-altitude-conversion").text
    shot(browser, "zones-editing")
    browser.find_element(By.ID, "zone-save").click()
    wait("the change on the server", lambda: demo.get("coalition", "/v1/zones/corridor-north")["name"] == "Corridor north (amended)", 20)
    zone = demo.get("coalition", "/v1/zones/corridor-north")
    assert all(abs(a - b) < 0.01 for a, b in zip(zone["altitude"], [50 * 100 * FOOT, 150 * 100 * FOOT])), zone["altitude"]
    assert zone["polygon"][0] == ring and zone["kind"] == "corridor"

    # Removed, after a confirmation.
    click_fresh(browser, "the zone in the list", '#situation-list [data-focus-key="zone:corridor-north"]')
    click_fresh(browser, "Remove in the zone's details", '#map-info [data-action="remove-zone"]', 30)
    wait("the confirmation", lambda: first(browser, "#zone-confirm-remove"), 5).click()
    wait("the zone gone from the server", lambda: demo.status("coalition", "/v1/zones/corridor-north") == 404, 20)
    assert severe_browser_errors(browser) == []


def test_centre_typed_in_mgrs(demo, browser):
    open_planner(browser, demo)
    reference = "37S FT 14760 07283"
    type_into(browser, "name", "Grid site")
    Select(field(browser, "format")).select_by_value("mgrs")
    type_into(browser, "center", reference)
    type_into(browser, "radius", "2500")
    wait("the typed circle's preview", lambda: browser.find_elements(By.CSS_SELECTOR, "#map .drawing-shape"), 5)
    browser.find_element(By.ID, "zone-save").click()
    zone = zone_on_server(demo, "grid-site")
    expected = mgrs.MGRS().toLatLon(reference.replace(" ", ""))
    stored = tuple(zone["circle"]["center"])
    assert distance(stored, expected) < 2, f"{reference}: stored {stored}, mgrs says {expected}"
    assert zone["circle"]["radius"] == 2500 and "altitude" not in zone or zone["altitude"]


def test_server_refusals_are_shown_on_their_field(demo, browser):
    open_planner(browser, demo)
    type_into(browser, "name", "Upside down")
    type_into(browser, "center", "33.62, 38.71")
    type_into(browser, "radius", "1500")
    # An inverted band: the form leaves that to the server.
    type_into(browser, "lower", "5000")
    type_into(browser, "upper", "100")
    browser.find_element(By.ID, "zone-save").click()
    wait("the refusal at the lower altitude", lambda: field(browser, "lower").get_attribute("aria-invalid") == "true", 10)
    error = browser.find_element(By.ID, "zone-lower-error")
    assert error.is_displayed() and error.text
    assert browser.switch_to.active_element.get_attribute("id") == "zone-lower"
    assert "422" in browser.find_element(By.ID, "zone-error").text
    # Nothing else was lost.
    assert field(browser, "name").get_attribute("value") == "Upside down"
    assert field(browser, "center").get_attribute("value") == "33.62, 38.71"
    assert field(browser, "upper").get_attribute("value") == "100"
    assert demo.status("coalition", "/v1/zones/upside-down") == 404
    shot(browser, "zones-refused")

    # A negative radius: refused by the server, shown at the radius.
    type_into(browser, "lower", "0")
    type_into(browser, "radius", "-50")
    browser.find_element(By.ID, "zone-save").click()
    wait("the refusal at the radius", lambda: field(browser, "radius").get_attribute("aria-invalid") == "true", 10)
    assert field(browser, "lower").get_attribute("aria-invalid") == "false"
    assert browser.find_element(By.ID, "zone-radius-error").text
    assert browser.switch_to.active_element.get_attribute("id") == "zone-radius"
    assert demo.status("coalition", "/v1/zones/upside-down") == 404


def test_planning_is_off_in_replay(demo, browser):
    sign_in(browser, demo, "coalition")
    wait("the zone form", lambda: browser.find_element(By.ID, "zone-fieldset").is_enabled(), 10)
    browser.find_element(By.ID, "timeline-back").click()
    wait("the replay", lambda: browser.find_element(By.ID, "replay-banner").is_displayed(), 10)
    wait("the form disabled", lambda: browser.find_element(By.ID, "zone-fieldset").get_attribute("disabled") is not None, 10)
    assert "Replay" in browser.find_element(By.ID, "zone-note").text


def test_the_planner_at_a_phone_width(demo):
    driver = phone()
    try:
        sign_in(driver, demo, "coalition")
        wait("the zone on the map", lambda: driver.find_elements(By.CSS_SELECTOR, '#map [data-zone-id="at-tanf-55km"]'), 20)
        driver.find_element(By.CSS_SELECTOR, 'a[href="#zones-section"]').click()
        type_into(driver, "name", "Phone zone")
        Select(field(driver, "unit")).select_by_value("FL")
        type_into(driver, "lower", "0")
        type_into(driver, "upper", "100")
        driver.execute_script("document.getElementById('zones-section').scrollIntoView({block: 'start'});")
        shot(driver, "zones-form-narrow")
        width = driver.execute_script("return document.documentElement.scrollWidth")
        assert width <= 400, f"the page is {width} px wide on a 390 px screen"
        draw = field(driver, "draw-circle")
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", draw)
        draw.click()
        click_map(driver, 0, 0)
        hover_map(driver, 60, 20)
        wait("the circle's preview", lambda: driver.find_elements(By.CSS_SELECTOR, "#map .drawing-shape, #map .drawing-vertex"), 5)
        shot(driver, "zones-drawing-narrow")
        width = driver.execute_script("return document.documentElement.scrollWidth")
        assert width <= 400, f"the page is {width} px wide on a 390 px screen"
    finally:
        driver.quit()
