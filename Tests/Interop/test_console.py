"""The web console in a real browser (Debian's Chromium, headless, driven by selenium
through chromium-driver), against `deconflict serve --demo` playing the seed scenario:
sign-in, the map's zone and convoy, the incursion alert arriving live, acknowledging it,
what another party's page holds (checked in the DOM), and the after-action replay.
Screenshots go to $CONSOLE_ARTIFACTS (default .build/artifacts/console)."""

import time

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from console_support import (phone, CENTER, RADIUS, chromium, demo, browser, distance, instant, severe_browser_errors,  # noqa: F401
                             shot, sign_in, units_on_map, wait)


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
    driver = phone()
    try:
        sign_in(driver, demo, "coalition")
        wait("the zone on the map", lambda: driver.find_elements(By.CSS_SELECTOR, '#map [data-zone-id="at-tanf-55km"]'), 20)
        width = driver.execute_script("return document.documentElement.scrollWidth")
        assert width <= 400, f"the page is {width} px wide on a 390 px screen"
        shot(driver, "coalition-narrow")
    finally:
        driver.quit()
