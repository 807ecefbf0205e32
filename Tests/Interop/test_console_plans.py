"""Agreements and operations in the web console, end to end: proposing an agreement,
signing it as the other party and withdrawing from it; filing an operation that enters
the demo's 55 km zone (checked first, the conflict named on the page), giving notice of
it and finding the notice on the other signatory's message line; the server's refusal
shown at the field it names; and the forms at 1280x800 and on a 390 px phone."""

from selenium.webdriver.common.by import By

from console_support import demo, browser, phone, severe_browser_errors, shot, sign_in, wait  # noqa: F401


def css(driver, selector):
    return driver.find_element(By.CSS_SELECTOR, selector)


def typed(element, text):
    element.clear()
    element.send_keys(text)


def field_input(driver, path, index=0, form="#operation-form"):
    """The index-th text control in the form field named by the server's path `path`."""
    return driver.find_elements(
        By.CSS_SELECTOR, f'{form} [data-field="{path}"] input[type="text"], {form} [data-field="{path}"] textarea')[index]


def field_error(driver, path, form="#operation-form"):
    errors = [element for element in driver.find_elements(By.CSS_SELECTOR, f'{form} [data-field="{path}"] .field-error')
              if element.is_displayed() and element.text.strip()]
    return errors[0].text if errors else None


def into_view(driver, element):
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)


def open_propose_form(driver):
    details = css(driver, "#agreement-propose")
    into_view(driver, details)
    if not details.get_attribute("open"):
        details.find_element(By.TAG_NAME, "summary").click()
    return wait("the propose form", lambda: css(driver, "#agreement-form") if css(driver, "#agreement-form").is_displayed() else None, 10)


def sign_out(driver):
    button = css(driver, "#signout")
    into_view(driver, button)
    button.click()
    wait("the sign-in form", lambda: css(driver, "#signin-key").is_displayed(), 10)


def test_propose_sign_and_withdraw_an_agreement(demo, browser):
    sign_in(browser, demo, "coalition")
    form = open_propose_form(browser)
    typed(field_input(browser, "id", form="#agreement-form"), "plans-patrols")
    typed(field_input(browser, "title", form="#agreement-form"), "Patrol deconfliction east of the garrison")
    form.find_element(By.CSS_SELECTOR, 'input[name="signatory"][value="syrian-government"]').click()
    # The viewer is always a signatory.
    own = form.find_element(By.CSS_SELECTOR, 'input[name="signatory"][value="coalition"]')
    assert own.is_selected() and not own.is_enabled()
    # Each parameter shows the server's default.
    assert "1,000 m" in css(browser, '[data-field="parameters.groundSeparationMeters"] .field-hint').text
    typed(field_input(browser, "parameters.groundSeparationMeters", form="#agreement-form"), "2000")
    typed(field_input(browser, "parameters.noticeLeadSeconds", form="#agreement-form"), "90")
    typed(field_input(browser, "parameters.acknowledgementSeconds", form="#agreement-form"), "15")
    css(browser, 'input[data-parameter="disclosesIntruders"]').click()
    shot(browser, "plans-agreement-form")
    form.find_element(By.CSS_SELECTOR, 'button[type="submit"]').click()

    wait("the proposal's confirmation", lambda: "Proposed plans-patrols" in form.text, 20)
    status, agreement = demo.send("coalition", "GET", "/v1/agreements/plans-patrols")
    assert status == 200, agreement
    assert agreement["title"] == "Patrol deconfliction east of the garrison"
    assert agreement["signatories"] == {"coalition": "signed", "syrian-government": "proposed"}
    parameters = agreement["parameters"]
    assert parameters["groundSeparationMeters"] == 2000
    assert parameters["noticeLeadSeconds"] == 5400
    assert parameters["acknowledgementSeconds"] == 900
    assert parameters["disclosesIntruders"] is False
    assert parameters["airSeparationMeters"] == 9260  # left at its default
    item = wait("the agreement in the list",
                lambda: browser.find_elements(By.CSS_SELECTOR, '#agreements [data-agreement-id="plans-patrols"]'), 20)[0]
    assert "proposed" in item.find_element(By.CSS_SELECTOR, '[data-signatory="syrian-government"]').text
    # The coalition signed it: it may withdraw, not sign.
    assert not item.find_elements(By.CSS_SELECTOR, '[data-signatory="coalition"] [data-action="sign"]')
    into_view(browser, item)
    shot(browser, "plans-agreement-proposed")

    # The other party signs it.
    sign_out(browser)
    sign_in(browser, demo, "syrian-government")
    sign = wait("the sign button", lambda: browser.find_elements(
        By.CSS_SELECTOR, '#agreements [data-agreement-id="plans-patrols"] [data-signatory="syrian-government"] [data-action="sign"]'), 20)[0]
    into_view(browser, sign)
    sign.click()
    wait("both signatures on the server", lambda: demo.get("syrian-government", "/v1/agreements/plans-patrols")["signatories"]
         == {"coalition": "signed", "syrian-government": "signed"}, 20)
    wait("the signature on the page", lambda: browser.find_elements(
        By.CSS_SELECTOR, '#agreements [data-agreement-id="plans-patrols"] [data-signatory="syrian-government"][data-status="signed"]'), 20)

    # Withdrawing asks first; keeping the signature changes nothing.
    withdraw = css(browser, '#agreements [data-agreement-id="plans-patrols"] [data-signatory="syrian-government"] [data-action="withdraw"]')
    withdraw.click()
    dialog = wait("the confirmation", lambda: css(browser, "#withdraw-dialog") if css(browser, "#withdraw-dialog").is_displayed() else None, 10)
    assert "plans-patrols" in dialog.text
    shot(browser, "plans-withdraw-confirm")
    css(browser, "#withdraw-cancel").click()
    assert demo.get("syrian-government", "/v1/agreements/plans-patrols")["signatories"]["syrian-government"] == "signed"
    css(browser, '#agreements [data-agreement-id="plans-patrols"] [data-signatory="syrian-government"] [data-action="withdraw"]').click()
    wait("the confirmation", lambda: css(browser, "#withdraw-dialog").is_displayed(), 10)
    css(browser, "#withdraw-confirm").click()
    wait("the withdrawal on the server", lambda: demo.get("syrian-government", "/v1/agreements/plans-patrols")["signatories"]
         == {"coalition": "signed", "syrian-government": "withdrawn"}, 20)
    wait("the withdrawal on the page", lambda: browser.find_elements(
        By.CSS_SELECTOR, '#agreements [data-agreement-id="plans-patrols"] [data-signatory="syrian-government"][data-status="withdrawn"]'), 20)
    assert severe_browser_errors(browser) == []


def fill_circle(driver, lat, lon, radius_km, lower="0", upper="3000"):
    typed(field_input(driver, "volumes[0].circle.center", 0), lat)
    typed(field_input(driver, "volumes[0].circle.center", 1), lon)
    typed(field_input(driver, "volumes[0].circle.radius"), radius_km)
    typed(field_input(driver, "volumes[0].altitude", 0), lower)
    typed(field_input(driver, "volumes[0].altitude", 1), upper)


def test_file_an_operation_into_the_zone_and_give_notice(demo, browser):
    sign_in(browser, demo, "russia")
    form = css(browser, "#operation-form")
    into_view(browser, form)
    typed(field_input(browser, "id"), "plans-sweep")
    typed(field_input(browser, "name"), "Helicopter sweep")
    fill_circle(browser, "33.55", "38.70", "8")
    # The time window is filled in, two hours ahead of the server's clock.
    assert field_input(browser, "volumes[0].from").get_attribute("value")
    css(browser, "#operation-check-button").click()
    result = wait("the check's answer", lambda: css(browser, "#operation-check") if css(browser, "#operation-check").is_displayed() else None, 20)
    wait("the zone named", lambda: "At Tanf 55 km deconfliction zone" in result.text, 10)
    assert result.get_attribute("data-clear") == "false"
    assert result.find_elements(By.CSS_SELECTOR, '[data-conflict-zone="at-tanf-55km"][data-party="coalition"]')
    assert "Notice:" in result.text and "lead time" in result.text
    # The verdict is the server's: the same check through the API says when notice is due.
    start = field_input(browser, "volumes[0].from").get_attribute("value").strip().replace(" ", "T")[:16] + ":00Z"
    volume = {"circle": {"center": {"lat": 33.55, "lng": 38.70}, "radius": 8000}, "altitude": [0, 3000], "from": start}
    status, check = demo.send("russia", "POST", "/v1/operations/check",
                              {"id": "plans-sweep", "name": "Helicopter sweep", "volumes": [volume]})
    assert status == 200 and check.get("notice"), check
    notice = result.find_element(By.CSS_SELECTOR, "[data-notice]")
    assert notice.get_attribute("data-notice") == ("late" if check["notice"]["late"] else "in-time")
    assert check["notice"]["dueBy"][:16].replace("T", " ") in notice.text, (check["notice"], notice.text)
    into_view(browser, result)
    shot(browser, "plans-operation-check")
    # Nothing is recorded by a check.
    assert demo.status("russia", "/v1/operations/plans-sweep") == 404

    css(browser, "#operation-file-button").click()
    wait("the filing", lambda: css(browser, "#operation-check").get_attribute("data-filed") == "true", 20)
    operation = demo.get("russia", "/v1/operations/plans-sweep")
    assert operation["party"] == "russia" and operation["state"] == "planned" and operation["name"] == "Helicopter sweep"
    circle = operation["volumes"][0]["circle"]
    assert circle["center"] == [33.55, 38.7] and circle["radius"] == 8000
    assert operation["volumes"][0]["altitude"] == [0, 3000]
    assert "noticeGivenAt" not in operation

    item = wait("the operation in the list", lambda: browser.find_elements(By.CSS_SELECTOR, '#operations-list [data-operation-id="plans-sweep"]'), 20)[0]
    into_view(browser, item)
    item.find_element(By.CSS_SELECTOR, '[data-action="notify"]').click()
    wait("the notice time on the server", lambda: demo.get("russia", "/v1/operations/plans-sweep").get("noticeGivenAt"), 20)

    def notice_for_coalition():
        return [message for message in demo.get("coalition", "/v1/messages")["messages"]
                if {"operation": "plans-sweep"} in message.get("references", []) and message["from"] == "russia"]
    notices = wait("the notice on the coalition's message line", notice_for_coalition, 20)
    notice_id = notices[0]["id"]
    # The page shows the notice time and the notice with the coalition's receipt.
    item = wait("the notice on the page", lambda: browser.find_elements(
        By.CSS_SELECTOR, f'#operations-list [data-operation-id="plans-sweep"] [data-message-id="{notice_id}"]'), 20)[0]
    wait("the coalition's receipt", lambda: css(
        browser, f'#operations-list [data-message-id="{notice_id}"] [data-recipient="coalition"]').get_attribute("data-receipt")
        in ("received", "acknowledged"), 20)
    assert css(browser, '#operations-list [data-operation-id="plans-sweep"] .operation-notice').get_attribute("data-notice-given")
    into_view(browser, css(browser, '#operations-list [data-operation-id="plans-sweep"]'))
    shot(browser, "plans-operation-notified")
    # The link leads to the message on the message line.
    wait("the link clicked", lambda: css(browser, f'#operations-list [data-message-id="{notice_id}"] a.message-link').click() or True, 10)
    wait("the message focused", lambda: browser.switch_to.active_element.get_attribute("data-message-id") == notice_id, 10)

    # Activating it changes its state on the server.
    button = css(browser, '#operations-list [data-operation-id="plans-sweep"] [data-action="state-active"]')
    into_view(browser, button)
    button.click()
    wait("the operation active", lambda: demo.get("russia", "/v1/operations/plans-sweep")["state"] == "active", 20)
    wait("the state on the page", lambda: browser.find_elements(
        By.CSS_SELECTOR, '#operations-list [data-operation-id="plans-sweep"][data-state="active"]'), 20)
    assert severe_browser_errors(browser) == []


def test_the_servers_refusal_is_shown_at_its_field(demo, browser):
    sign_in(browser, demo, "russia")
    # A negative lead time: the server names `parameters.noticeLeadSeconds`.
    form = open_propose_form(browser)
    typed(field_input(browser, "id", form="#agreement-form"), "plans-refused")
    typed(field_input(browser, "title", form="#agreement-form"), "Refused")
    form.find_element(By.CSS_SELECTOR, 'input[name="signatory"][value="coalition"]').click()
    typed(field_input(browser, "parameters.noticeLeadSeconds", form="#agreement-form"), "-5")
    form.find_element(By.CSS_SELECTOR, 'button[type="submit"]').click()
    message = wait("the error at the lead time", lambda: field_error(browser, "parameters.noticeLeadSeconds", "#agreement-form"), 20)
    assert "≥ 0" in message or "0" in message
    assert field_input(browser, "parameters.noticeLeadSeconds", form="#agreement-form").get_attribute("aria-invalid") == "true"
    assert demo.status("russia", "/v1/agreements/plans-refused") == 404
    into_view(browser, css(browser, '[data-field="parameters.noticeLeadSeconds"]'))
    shot(browser, "plans-agreement-refused")

    # An altitude band upside down: the server names `volumes[0].altitude`.
    into_view(browser, css(browser, "#operation-form"))
    typed(field_input(browser, "id"), "plans-upside-down")
    fill_circle(browser, "34.2", "37.5", "5", lower="5000", upper="100")
    css(browser, "#operation-file-button").click()
    wait("the error at the altitude", lambda: field_error(browser, "volumes[0].altitude"), 20)
    assert demo.status("russia", "/v1/operations/plans-upside-down") == 404
    into_view(browser, css(browser, '[data-field="volumes[0].altitude"]'))
    shot(browser, "plans-operation-refused")


def test_forms_on_a_phone(demo):
    driver = phone()
    try:
        sign_in(driver, demo, "coalition")
        open_propose_form(driver)
        shot(driver, "plans-narrow-agreement")
        into_view(driver, css(driver, "#operation-form"))
        shot(driver, "plans-narrow-operation")
        into_view(driver, css(driver, '#operation-form [data-field="volumes[0].altitude"]'))
        shot(driver, "plans-narrow-volume")
        width = driver.execute_script("return document.documentElement.scrollWidth")
        assert width <= 400, f"the page is {width} px wide on a 390 px screen"
    finally:
        driver.quit()
