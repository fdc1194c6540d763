"""The real settings window in WebKit, driven through tauri-driver (WebDriver): it lists
the configured accounts and presets, reads back what each account shows, previews a
preset per account, and never carries a secret. Run inside tests/gui/desktop.sh.

usage: settings_window_test.py BIN_DIR [SCREENSHOT_OUT]
"""
import json
import os
import sys
import tempfile

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

import wd
from wd import click, painted, rows, start_fakes, start_window, wait_for

BIN_DIR = os.path.abspath(sys.argv[1])
SCREENSHOT_OUT = sys.argv[2] if len(sys.argv) > 2 else None
RUN_DIR = os.environ["RUN_DIR"]
ALICE_KEY = "aliceKEY0123456789abcdef01234567"
ZOOM_S2S_SECRET = "s2s-secret-0123456789"
MM_TOKEN = "pat-alice-3f9s8d7f6g5h4j3k2l1"


def presently(*args, stdin=None):
    return wd.presently(BIN_DIR, *args, stdin=stdin).stdout


def main():
    fakes, stand_ins = start_fakes(BIN_DIR)
    config_dir = tempfile.mkdtemp(prefix="presently-wd-")
    os.environ["PRESENTLY_CONFIG_DIR"] = config_dir
    driver_proc = None
    driver = None
    try:
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
        presently("account", "add", "mattermost", "chat", "--server", stand_ins["mattermost"],
                  "--token-stdin", stdin=MM_TOKEN + "\n")
        presently("set", "lunch")
        # A shortcut that cannot be registered must be reported, not ignored.
        config_path = os.path.join(config_dir, "config.toml")
        config = open(config_path, encoding="utf-8").read()
        assert 'id = "done"\n' in config, config
        with open(config_path, "w", encoding="utf-8") as f:
            f.write(config.replace('id = "done"\n', 'id = "done"\nhotkey = "Ctrl+Banana"\n'))

        driver_proc, driver = start_window(BIN_DIR, RUN_DIR)

        accounts = wait_for("every account's status read back",
                            lambda: (r := rows(driver, "accounts")) and len(r) == 4
                            and r[0][4].startswith("🍔 Lunch") and r[2][4].startswith("Away") and r[3][4].startswith("🍔") and r)
        assert [row[:4] for row in accounts] == [
            ["work", "Zulip", f"alice@example.com on {zulip}", "Signed in"],
            ["team", "Rocket.Chat", f"alice on {rocketchat}", "Signed in"],
            ["meet", "Zoom", "alice@example.com (Server-to-Server app)", "Signed in"],
            ["chat", "Mattermost", f"alice on {stand_ins['mattermost']}", "Signed in"],
        ], accounts
        shows = [row[4].split("\n") for row in accounts]
        assert [s[0] for s in shows] == ["🍔 Lunch", "🍔 Lunch (away)", "Away", "🍔 Lunch (away)"], shows
        assert all(s[1].startswith("since ") for s in shows), shows
        presets = [r[0] for r in rows(driver, "presets")]
        assert presets == ["Available", "🍔 Lunch", "🎧 Focus", "📅 In a meeting", "☕ Be right back",
                           "🌴 Vacation", "🏠 Done for the day"], presets
        lunch = next(r for r in rows(driver, "presets") if r[0] == "🍔 Lunch")
        assert lunch[1:3] == ["away", "1h"], lunch
        assert driver.find_element(By.ID, "active").text.startswith("Now: Lunch, until ")
        assert driver.find_element(By.ID, "demo-banner").is_displayed() is False
        print("ok: the window lists the four accounts (Zoom showing its presence) and the seven presets")

        team_row = driver.find_element(By.CSS_SELECTOR, "#accounts tr[data-account='team']")
        team_row.find_element(By.XPATH, ".//button[text()='Sync statuses']").click()
        synced = wait_for("the sync result", lambda: driver.find_element(By.ID, "sync-list").text)
        assert 'create "Lunch" (away)' in synced and 'create "Focus" (busy)' in synced, synced
        assert not driver.find_elements(By.CSS_SELECTOR, "#sync-list li.failed"), synced
        assert not driver.find_elements(By.XPATH, "//tr[@data-account='work']//button[text()='Sync statuses']")
        print("ok: Sync statuses published the presets as Rocket.Chat custom statuses")

        focus_row = driver.find_element(By.CSS_SELECTOR, "#presets tr[data-preset='focus']")
        focus_row.find_element(By.XPATH, ".//button[text()='Preview']").click()
        preview = wait_for("the Focus preview", lambda: driver.find_element(By.ID, "preview-list").text)
        assert "Zulip (work): 🎧 Focus [visible]" in preview, preview
        assert "Rocket.Chat (team): 🎧 Focus [busy]" in preview, preview
        assert "Presently ends it on Zulip at" in preview and "do-not-disturb" in preview, preview
        assert "Zoom (meet):" in preview and "[Do not disturb for 120 min]" in preview, preview
        assert "Zoom shows no status text" in preview, preview
        assert "Mattermost (chat): 🎧 Focus [do not disturb]" in preview, preview
        assert "Presently ends it on Mattermost at" in preview, preview
        print("ok: the preview says what Zulip, Rocket.Chat, Zoom and Mattermost will show for Focus")

        def hotkey_notification():
            with open(os.path.join(RUN_DIR, "notifications.jsonl"), encoding="utf-8") as record:
                return next((n for n in map(json.loads, record)
                             if n["summary"] == "Some hotkeys do not work"), None)
        hotkey_warning = wait_for("the hotkey warning", hotkey_notification)
        assert "Ctrl+Banana for Done for the day is not a shortcut" in hotkey_warning["body"], hotkey_warning
        print("ok: an unusable hotkey was reported in a notification")

        assert ALICE_KEY not in driver.page_source, "the API key reached the webview"
        assert ZOOM_S2S_SECRET not in driver.page_source, "the Zoom secret reached the webview"
        assert MM_TOKEN not in driver.page_source, "the Mattermost token reached the webview"
        if SCREENSHOT_OUT:
            os.makedirs(os.path.dirname(os.path.abspath(SCREENSHOT_OUT)), exist_ok=True)
            driver.execute_script("window.scrollTo(0, 0)")
            painted(driver)
            driver.save_screenshot(SCREENSHOT_OUT)

        # Readable at 200 %: zoomed with Ctrl + "=" (Tauri's zoom hotkeys, 20 % a step), the
        # account form and a preset's editor open: nothing reaches past the window's edge.
        click(driver, "Add account")
        for _ in range(5):
            ActionChains(driver).key_down(Keys.CONTROL).send_keys("=").key_up(Keys.CONTROL).perform()
        wait_for("the page zoomed to 200 %", lambda: driver.execute_script("return window.innerWidth") <= 505)
        # WebKit's WebDriver misjudges what is displayed on a zoomed page: scroll, then click.
        edit_focus = driver.find_element(By.XPATH, "//button[@aria-label='Edit Focus']")
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", edit_focus)
        driver.execute_script("arguments[0].click()", edit_focus)
        wait_for("the editor", lambda: driver.find_element(By.ID, "preset-editor").is_displayed())
        painted(driver)
        layout = driver.execute_script("""
            const root = document.documentElement;
            const wide = [...document.querySelectorAll('button, input, select, label, h2, h3, td, th, li, p')]
              .filter((e) => e.getClientRects().length > 0 && !e.closest('.visually-hidden, thead'))
              .filter((e) => e.getBoundingClientRect().right > root.clientWidth + 1)
              .map((e) => `${e.tagName} ${e.id || e.textContent.trim().slice(0, 40)}`);
            return { scroll: root.scrollWidth, client: root.clientWidth, wide };
        """)
        if SCREENSHOT_OUT:
            driver.execute_script("document.getElementById('accounts').scrollIntoView()")
            painted(driver)
            driver.save_screenshot(SCREENSHOT_OUT.replace(".png", "-200-accounts.png"))
            driver.execute_script("document.getElementById('preset-editor').scrollIntoView()")
            painted(driver)
            driver.save_screenshot(SCREENSHOT_OUT.replace(".png", "-200-editor.png"))
        assert layout["wide"] == [] and layout["scroll"] <= layout["client"] + 1, layout
        print(f"ok: at 200 % nothing reaches past the window's edge ({layout['client']} px wide)")
    finally:
        if driver:
            driver.quit()
        if driver_proc:
            driver_proc.terminate()
            driver_proc.wait(timeout=10)
        fakes.stdin.close()
        fakes.wait(timeout=10)


main()
