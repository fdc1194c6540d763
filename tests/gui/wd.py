"""What the WebDriver tests of the settings window share: waiting on a condition, the CLI,
the stand-in servers, tauri-driver and the window, form fields found by their labels."""
import atexit
import json
import os
import subprocess
import time
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.options import ArgOptions

DRIVER = "http://127.0.0.1:4444"
# Every wait is this many times longer (e.g. 20 with the app under valgrind).
SLOWER = float(os.environ.get("PRESENTLY_TEST_SLOWER", "1"))


def wait_for(what, check, timeout=30.0):
    timeout *= SLOWER
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = check()
        except Exception:  # the page may be mid-render; try again
            value = None
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def presently(bin_dir, *args, stdin=None, check=True):
    result = subprocess.run([os.path.join(bin_dir, "presently"), *args], input=stdin,
                            capture_output=True, text=True, timeout=60)
    if check:
        assert result.returncode == 0, f"presently {' '.join(args)}: {result.stdout}{result.stderr}"
    return result


def start_fakes(bin_dir, *args):
    """The stand-in servers; returns the process and what it printed about itself."""
    fakes = subprocess.Popen([os.path.join(bin_dir, "presently-fakes"), *args],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    return fakes, json.loads(fakes.stdout.readline())


TRAYS = []


def stop_trays():
    for tray in TRAYS:
        if tray.poll() is None:
            tray.terminate()
            tray.wait(timeout=20)


atexit.register(stop_trays)


def start_window(bin_dir, run_dir):
    """tauri-driver with the settings window (its own process, `presently-tray --window`),
    once the page loaded, then the tray app beside it (stopped when the test ends)."""
    log = open(os.path.join(run_dir, "tauri-driver.log"), "w")
    # The app logs what it does here (tests wait on it rather than sleeping).
    os.environ["PRESENTLY_EVENTS_LOG"] = os.path.join(run_dir, "events.log")
    driver_proc = subprocess.Popen(["tauri-driver"], stdout=log, stderr=subprocess.STDOUT)
    wait_for("tauri-driver", lambda: urllib.request.urlopen(f"{DRIVER}/status", timeout=1).status == 200)
    options = ArgOptions()
    options.set_capability("browserName", "wry")
    options.set_capability("tauri:options", {
        "application": os.path.join(bin_dir, "presently-tray"),
        "args": ["--window"],
    })
    driver = webdriver.Remote(command_executor=DRIVER, options=options)
    wait_for("the window to load", lambda: driver.find_element(By.TAG_NAME, "body")
             .get_attribute("data-loaded") == "true")
    events = os.environ["PRESENTLY_EVENTS_LOG"]
    tray_log = open(os.path.join(run_dir, "tray-app.log"), "w")
    TRAYS.append(subprocess.Popen([os.path.join(bin_dir, "presently-tray")], stdout=tray_log,
                                  stderr=subprocess.STDOUT))
    wait_for("the tray app", lambda: "ready" in open(events, encoding="utf-8").read().splitlines())
    return driver_proc, driver


def rows(driver, table):
    # One script call reads the table atomically; the window re-renders it as statuses change.
    return driver.execute_script(
        "return [...document.querySelectorAll(arguments[0])].map("
        "r => [...r.cells].map(c => c.innerText.trim()))", f"#{table} tbody tr")


def field(driver, label):
    """The visible control a visible label names, as a person finds it."""
    for element in driver.find_elements(By.XPATH, f"//label[normalize-space(.)='{label}']"):
        if element.is_displayed():
            return driver.find_element(By.ID, element.get_attribute("for"))
    raise AssertionError(f"no visible field labelled {label!r}")


def fill(driver, label, text):
    control = field(driver, label)
    control.clear()
    control.send_keys(text)


def choose(driver, label, option_text):
    control = field(driver, label)
    control.find_element(By.XPATH, f".//option[normalize-space(.)='{option_text}']").click()


def click(driver, name, timeout=10.0):
    """Clicks a visible, enabled button by its accessible name (its aria-label, else its
    text), waiting while the page is redrawn, the button moves or is briefly disabled."""
    xpath = f"//button[@aria-label='{name}' or (not(@aria-label) and normalize-space(.)='{name}')]"

    def attempt():
        for element in driver.find_elements(By.XPATH, xpath):
            try:
                if element.is_displayed() and element.is_enabled():
                    # A click goes to a point on the screen: only once the button stays
                    # where it is for a frame, so a redraw above it cannot move another
                    # button under that point.
                    where = element.rect
                    painted(driver)
                    if element.rect != where:
                        return False
                    element.click()
                    return True
            except StaleElementReferenceException:
                return False  # redrawn under us: look again
        return False

    wait_for(f"a visible button {name!r}", attempt, timeout)


def painted(driver):
    """Returns once the page has painted what it shows now (two animation frames), so a
    screenshot shows the same page the test just checked."""
    driver.set_script_timeout(10)
    driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "requestAnimationFrame(() => requestAnimationFrame(() => done(true)));")


def text_of(driver, element_id):
    element = driver.find_element(By.ID, element_id)
    return element.text if element.is_displayed() else ""
