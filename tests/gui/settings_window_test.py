"""The real settings window in WebKit, driven through tauri-driver (WebDriver): it lists
the configured accounts and presets, reads back what each account shows, previews a
preset per account, and never carries a secret. Run inside tests/gui/desktop.sh.

usage: settings_window_test.py BIN_DIR [SCREENSHOT_OUT]
"""
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request

from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.options import ArgOptions

BIN_DIR = os.path.abspath(sys.argv[1])
SCREENSHOT_OUT = sys.argv[2] if len(sys.argv) > 2 else None
RUN_DIR = os.environ["RUN_DIR"]
ALICE_KEY = "aliceKEY0123456789abcdef01234567"
ZOOM_S2S_SECRET = "s2s-secret-0123456789"
DRIVER = "http://127.0.0.1:4444"


def wait_for(what, check, timeout=30.0):
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


def presently(*args, stdin=None):
    result = subprocess.run([os.path.join(BIN_DIR, "presently"), *args], input=stdin,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, f"presently {' '.join(args)}: {result.stdout}{result.stderr}"
    return result.stdout


def rows(driver, table):
    # One script call reads the table atomically; the window re-renders it as statuses change.
    return driver.execute_script(
        "return [...document.querySelectorAll(arguments[0])].map("
        "r => [...r.cells].map(c => c.innerText.trim()))", f"#{table} tbody tr")


def main():
    fakes = subprocess.Popen([os.path.join(BIN_DIR, "presently-fakes")], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    config_dir = tempfile.mkdtemp(prefix="presently-wd-")
    os.environ["PRESENTLY_CONFIG_DIR"] = config_dir
    driver_proc = None
    driver = None
    try:
        stand_ins = json.loads(fakes.stdout.readline())
        zulip, rocketchat = stand_ins["zulip"], stand_ins["rocketchat"]
        presently("account", "add", "zulip", "work", "--site", zulip, "--email", "alice@example.com",
                  stdin=ALICE_KEY + "\n")
        presently("account", "add", "rocketchat", "team", "--server", rocketchat, "--user", "alice",
                  stdin="alice-password\n")
        # An admin's Zoom Server-to-Server app, acting for alice.
        presently("account", "add", "zoom", "meet", "--server-to-server", "--account-id", "acct-0001",
                  "--client-id", "presently-s2s-app", "--user", "alice@example.com",
                  "--api-base", stand_ins["zoom_api_base"], "--auth-base", stand_ins["zoom_auth_base"],
                  stdin=ZOOM_S2S_SECRET + "\n")
        presently("set", "lunch")
        # A shortcut that cannot be registered must be reported, not ignored.
        config_path = os.path.join(config_dir, "config.toml")
        config = open(config_path, encoding="utf-8").read()
        assert 'id = "done"\n' in config, config
        with open(config_path, "w", encoding="utf-8") as f:
            f.write(config.replace('id = "done"\n', 'id = "done"\nhotkey = "Ctrl+Banana"\n'))

        log = open(os.path.join(RUN_DIR, "tauri-driver.log"), "w")
        driver_proc = subprocess.Popen(["tauri-driver"], stdout=log, stderr=subprocess.STDOUT)
        wait_for("tauri-driver", lambda: urllib.request.urlopen(f"{DRIVER}/status", timeout=1).status == 200)

        options = ArgOptions()
        options.set_capability("browserName", "wry")
        options.set_capability("tauri:options", {
            "application": os.path.join(BIN_DIR, "presently-tray"),
            "args": ["--settings"],
        })
        driver = webdriver.Remote(command_executor=DRIVER, options=options)
        wait_for("the window to load", lambda: driver.find_element(By.TAG_NAME, "body")
                 .get_attribute("data-loaded") == "true")

        accounts = wait_for("every account's status read back",
                            lambda: (r := rows(driver, "accounts")) and len(r) == 3
                            and r[0][3].startswith("🍔 Lunch") and r[2][3] == "Away" and r)
        assert [row[:4] for row in accounts] == [
            ["work", "Zulip", f"alice@example.com on {zulip}", "🍔 Lunch"],
            ["team", "Rocket.Chat", f"alice on {rocketchat}", "🍔 Lunch (away)"],
            ["meet", "Zoom", "alice@example.com (Server-to-Server app)", "Away"],
        ], accounts
        presets = [r[0] for r in rows(driver, "presets")]
        assert presets == ["Available", "🍔 Lunch", "🎧 Focus", "📅 In a meeting", "☕ Be right back",
                           "🌴 Vacation", "🏠 Done for the day"], presets
        lunch = next(r for r in rows(driver, "presets") if r[0] == "🍔 Lunch")
        assert lunch[1:3] == ["away", "1h"], lunch
        assert driver.find_element(By.ID, "active").text.startswith("Now: Lunch, until ")
        assert driver.find_element(By.ID, "demo-banner").is_displayed() is False
        print("ok: the window lists the three accounts (Zoom showing its presence) and the seven presets")

        team_row = driver.find_element(By.CSS_SELECTOR, "#accounts tr[data-account='team']")
        team_row.find_element(By.XPATH, ".//button[text()='Sync statuses']").click()
        synced = wait_for("the sync result", lambda: driver.find_element(By.ID, "sync-list").text)
        assert 'create "Lunch" (away)' in synced and 'create "Focus" (busy)' in synced, synced
        assert not driver.find_elements(By.CSS_SELECTOR, "#sync-list li.failed"), synced
        assert not driver.find_elements(By.CSS_SELECTOR, "#accounts tr[data-account='work'] button")
        print("ok: Sync statuses published the presets as Rocket.Chat custom statuses")

        focus_row = driver.find_element(By.CSS_SELECTOR, "#presets tr[data-preset='focus']")
        focus_row.find_element(By.XPATH, ".//button[text()='Preview']").click()
        preview = wait_for("the Focus preview", lambda: driver.find_element(By.ID, "preview-list").text)
        assert "Zulip (work): 🎧 Focus [visible]" in preview, preview
        assert "Rocket.Chat (team): 🎧 Focus [busy]" in preview, preview
        assert "Presently clears it at" in preview and "do-not-disturb" in preview, preview
        assert "Zoom (meet):" in preview and "[Do not disturb for 120 min]" in preview, preview
        assert "Zoom shows no status text" in preview, preview
        print("ok: the preview says what Zulip, Rocket.Chat and Zoom will show for Focus")

        def hotkey_notification():
            with open(os.path.join(RUN_DIR, "notifications.jsonl"), encoding="utf-8") as record:
                return next((n for n in map(json.loads, record)
                             if n["summary"] == "Some hotkeys do not work"), None)
        hotkey_warning = wait_for("the hotkey warning", hotkey_notification)
        assert "Ctrl+Banana for Done for the day is not a shortcut" in hotkey_warning["body"], hotkey_warning
        print("ok: an unusable hotkey was reported in a notification")

        assert ALICE_KEY not in driver.page_source, "the API key reached the webview"
        assert ZOOM_S2S_SECRET not in driver.page_source, "the Zoom secret reached the webview"
        if SCREENSHOT_OUT:
            driver.save_screenshot(SCREENSHOT_OUT)
    finally:
        if driver:
            driver.quit()
        if driver_proc:
            driver_proc.terminate()
            driver_proc.wait(timeout=10)
        fakes.stdin.close()
        fakes.wait(timeout=10)


main()
