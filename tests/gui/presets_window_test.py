"""Presets through the real settings window (WebKit via tauri-driver) and the real tray:
editing a preset previews what each account will show as you type; 61 characters are
flagged for Zulip and Save stays disabled; a saved preset keeps a comment written in the
config by hand and shows its new name in the tray menu at once; a hotkey recorded in the
window and pressed with xdotool sets the preset on every account; presets are reordered
with the keyboard and deleted after asking. Run inside tests/gui/desktop.sh.

usage: presets_window_test.py BIN_DIR [SCREENSHOT_DIR]
"""
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import urllib.request

from dbus_fast.aio import MessageBus
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

import wd
from traymenu import TrayMenu
from wd import click, field, fill, painted, rows, start_fakes, start_window, text_of, wait_for

BIN_DIR = os.path.abspath(sys.argv[1])
SHOTS = sys.argv[2] if len(sys.argv) > 2 else None
RUN_DIR = os.environ["RUN_DIR"]
ALICE_KEY = "aliceKEY0123456789abcdef01234567"
NOTE = "# lunch is at noon, usually"


def presently(*args, stdin=None):
    return wd.presently(BIN_DIR, *args, stdin=stdin).stdout


def draft_lines(driver):
    return driver.execute_script(
        "return [...document.querySelectorAll('#draft-preview li')].map(li => "
        "({text: li.innerText, failed: li.classList.contains('failed')}))")


def shot(driver, name):
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        painted(driver)
        driver.save_screenshot(os.path.join(SHOTS, name))


def edit(driver, name):
    """Opens a preset in the editor and waits until its fields are filled in."""
    click(driver, f"Edit {name}")
    wait_for(f"the editor on {name}", lambda: field(driver, "Name").get_attribute("value") == name)


def record(driver):
    """Starts recording a shortcut; the app lets go of its own shortcuts first."""
    click(driver, "Record")
    wait_for("recording", lambda: driver.find_element(By.ID, "p-hotkey-record").text == "Press keys…")


STAND_INS = {}


def fake_state(url):
    with urllib.request.urlopen(f"{url}/__fake/state", timeout=5) as response:
        return json.load(response)


def shown():
    """What alice's accounts show, read from the stand-ins' own state (reading through the
    services would spend Rocket.Chat's rate limit while waiting)."""
    zulip = next(u for u in fake_state(STAND_INS["zulip"])["users"] if u["email"] == "alice@example.com")
    rc = next(u for u in fake_state(STAND_INS["rocketchat"])["users"] if u["username"] == "alice")
    return {"work": (zulip["status"]["emoji_name"] or None, zulip["status"]["status_text"]),
            "team": (None, rc["status"]["message"])}


async def tray_labels():
    registration = json.loads(wait_for("the tray item", lambda: open(os.path.join(RUN_DIR, "tray.jsonl"))
                                       .read().splitlines())[-1])
    bus = await MessageBus().connect()
    menu = TrayMenu(bus, registration["sender"], registration["path"])
    labels = [i["label"] for i in await menu.items()]
    bus.disconnect()
    return labels


def settled(driver, names):
    """Waits until the emoji picker shows exactly these results (the answer to the last
    key typed), so a click cannot land on a list being redrawn."""
    wait_for(f"the emoji results {names}", lambda: [
        b.get_attribute("aria-label") for b in driver.find_elements(By.CSS_SELECTOR, "#emoji-results button")
    ] == names)


def main():
    fakes, stand_ins = start_fakes(BIN_DIR)
    STAND_INS.update(stand_ins)
    config_dir = tempfile.mkdtemp(prefix="presently-presets-")
    os.environ["PRESENTLY_CONFIG_DIR"] = config_dir
    driver_proc = driver = None
    try:
        presently("account", "add", "zulip", "work", "--site", stand_ins["zulip"],
                  "--email", "alice@example.com", stdin=ALICE_KEY + "\n")
        presently("account", "add", "rocketchat", "team", "--server", stand_ins["rocketchat"],
                  "--user", "alice", stdin="alice-password\n")
        config_path = os.path.join(config_dir, "config.toml")
        config = open(config_path, encoding="utf-8").read()
        config = config.replace('[[presets]]\nid = "lunch"', f'{NOTE}\n[[presets]]\nid = "lunch"', 1)
        assert NOTE in config
        open(config_path, "w", encoding="utf-8").write(config)

        driver_proc, driver = start_window(BIN_DIR, RUN_DIR)

        # The preview follows the editor as you type, per account.
        edit(driver, "Lunch")
        fill(driver, "Text", "Eating")
        wait_for("the preview of the new text", lambda: (lines := draft_lines(driver)) and [
            l["text"].split(" [")[0] for l in lines] == ["Zulip (work): 🍔 Eating", "Rocket.Chat (team): 🍔 Eating"])
        fill(driver, "Text", "x" * 61)
        flagged = wait_for("Zulip's limit flagged", lambda: [l for l in draft_lines(driver) if l["failed"]])
        assert len(flagged) == 1 and flagged[0]["text"].startswith("Zulip (work)"), flagged
        assert "Zulip allows 60" in flagged[0]["text"], flagged
        assert "Zulip allows 60" in text_of(driver, "p-text-problem")
        assert field(driver, "Text").get_attribute("aria-invalid") == "true"
        assert not driver.find_element(By.ID, "preset-save").is_enabled(), "Save stays disabled"
        shot(driver, "preset-too-long.png")
        print("ok: the preview changes per account as you type; 61 characters are flagged for Zulip and Save is disabled")

        # The emoji picker offers the Zulip organization's own emoji by name (not a
        # deactivated one), and the preview shows it as Zulip will.
        fill(driver, "Text", "Eating")
        click(driver, "Choose…")
        fill(driver, "Search emoji", "presently")
        settled(driver, [":presently:"])
        click(driver, ":presently:")
        assert field(driver, "Emoji").get_attribute("value") == ":presently:"
        wait_for("the custom emoji in the preview", lambda: any(
            l["text"].startswith("Zulip (work): :presently: Eating") for l in draft_lines(driver)))
        click(driver, "Choose…")
        fill(driver, "Search emoji", "old_logo")
        wait_for("the search answered", lambda: not driver.find_elements(
            By.XPATH, "//div[@id='emoji-results']/button[@aria-label=':presently:']"))
        assert not driver.find_elements(By.XPATH, "//button[@aria-label=':old_logo:']"), "deactivated"
        fill(driver, "Search emoji", "hamburger")
        settled(driver, ["hamburger"])
        click(driver, "hamburger")
        assert field(driver, "Emoji").get_attribute("value") == "🍔"
        print("ok: the emoji picker offers the Zulip organization's custom emoji; the preview shows it")

        # Save: the config keeps the hand-written comment, the tray menu the new name.
        fill(driver, "Text", "Out for food")
        fill(driver, "Name", "Food")
        wait_for("Save enabled", lambda: driver.find_element(By.ID, "preset-save").is_enabled())
        # A hotkey recorded by pressing it.
        record(driver)
        field(driver, "Hotkey").send_keys(Keys.CONTROL, Keys.ALT, "7")
        wait_for("the recorded hotkey", lambda: field(driver, "Hotkey").get_attribute("value") == "Ctrl+Alt+7")
        click(driver, "Save")
        wait_for("the saved preset", lambda: any(r[0] == "🍔 Food" for r in rows(driver, "presets")))
        saved = open(config_path, encoding="utf-8").read()
        assert NOTE in saved, saved
        assert 'name = "Food"' in saved and 'hotkey = "Ctrl+Alt+7"' in saved, saved
        labels = wait_for("the tray menu", lambda: "🍔 Food" in (l := asyncio.run(tray_labels())) and l)
        assert "🍔 Lunch" not in labels, labels
        print("ok: saved; the comment written by hand survived and the tray menu shows Food")

        # The hotkey assigned in the window, pressed for real once the app has registered it.
        events = os.path.join(RUN_DIR, "events.log")
        wait_for("the new hotkey registered", lambda: "hotkey-registered:Ctrl+Alt+7:lunch"
                 in open(events, encoding="utf-8").read().splitlines())
        want = {"work": ("hamburger", "Out for food"), "team": (None, "🍔 Out for food")}
        subprocess.run(["xdotool", "key", "ctrl+alt+7"], check=True)
        try:
            wait_for("Food on every account", lambda: shown() == want, timeout=10)
        except AssertionError:
            # The X server may take the grab a moment after the app registered it.
            print(f"note: the first press did not arrive ({shown()}); pressing again")
            subprocess.run(["xdotool", "key", "ctrl+alt+7"], check=True)
            wait_for(f"Food on every account (shown: {shown()})", lambda: shown() == want)
        print("ok: the hotkey assigned in the window set the preset on every account")

        # A hotkey for Clear status, set on the General page and pressed for real.
        driver.execute_script("document.getElementById('general-heading').scrollIntoView()")
        assert driver.find_element(By.ID, "g-end-previous").is_selected(), "the default ending"

        click(driver, "Record the Clear status hotkey")
        wait_for("recording", lambda: driver.find_element(By.ID, "g-clear-hotkey-record").text == "Press keys…")
        field(driver, "Clear status hotkey").send_keys(Keys.CONTROL, Keys.ALT, "7")
        taken = wait_for("the taken shortcut reported", lambda: text_of(driver, "g-clear-hotkey-problem"))
        assert "Ctrl+Alt+7" in taken and "another preset" in taken, taken
        click(driver, "Record the Clear status hotkey")
        wait_for("recording", lambda: driver.find_element(By.ID, "g-clear-hotkey-record").text == "Press keys…")
        field(driver, "Clear status hotkey").send_keys(Keys.CONTROL, Keys.ALT, "0")
        wait_for("the Clear status hotkey registered", lambda: "hotkey-registered:Ctrl+Alt+0:"
                 in open(events, encoding="utf-8").read().splitlines())
        assert 'clear_hotkey = "Ctrl+Alt+0"' in open(config_path, encoding="utf-8").read()
        subprocess.run(["xdotool", "key", "ctrl+alt+0"], check=True)
        wait_for(f"a cleared status (shown: {shown()})", lambda: shown() == {"work": (None, ""), "team": (None, "")})
        saved = open(config_path, encoding="utf-8").read()
        print("ok: a hotkey for Clear status set on the General page clears every account; a taken one is refused")

        # A shortcut another preset has is refused beside the field, and nothing is saved.
        edit(driver, "Focus")
        record(driver)
        field(driver, "Hotkey").send_keys(Keys.CONTROL, Keys.ALT, "7")
        wait_for("Save enabled", lambda: driver.find_element(By.ID, "preset-save").is_enabled())
        click(driver, "Save")
        problem = wait_for("the hotkey problem", lambda: text_of(driver, "p-hotkey-problem"))
        assert "Ctrl+Alt+7" in problem and "another preset" in problem, problem
        assert open(config_path, encoding="utf-8").read() == saved, "nothing saved"
        click(driver, "Cancel")
        print("ok: a hotkey another preset has is reported beside the field and not saved")

        # Reorder with the keyboard, delete after asking.
        before = [r[0] for r in rows(driver, "presets")]
        driver.find_element(By.CSS_SELECTOR, "button[aria-label='Move Food down']").send_keys(Keys.ENTER)
        wait_for("Food moved down", lambda: [r[0] for r in rows(driver, "presets")][2] == "🍔 Food")
        after = [r[0] for r in rows(driver, "presets")]
        assert after[1] == before[2] and after[2] == before[1], after
        # The new order is in the file before anything else is clicked.
        wait_for("the order saved", lambda: (saved := open(config_path, encoding="utf-8").read())
                 .index('id = "lunch"') > saved.index('id = "focus"'))
        click(driver, "Delete Vacation")
        assert any(r[0] == "🌴 Vacation" for r in rows(driver, "presets")), "asks first"
        click(driver, "Yes, delete")
        try:
            wait_for("Vacation deleted", lambda: all(r[0] != "🌴 Vacation" for r in rows(driver, "presets")))
        except AssertionError as e:
            raise AssertionError(f"{e} (notice: {text_of(driver, 'preset-notice')!r})") from e
        ids = [p["id"] for p in json.loads(presently("--json", "preset", "list"))["presets"]]
        assert ids[:3] == ["available", "focus", "lunch"] and "vacation" not in ids, ids
        assert NOTE in open(config_path, encoding="utf-8").read()
        # The tray is another process: it follows the saved file through its watcher.
        wait_for("the tray menu in the new order, without Vacation",
                 lambda: (l := asyncio.run(tray_labels()))[:3] == ["Available", "🎧 Focus", "🍔 Food"]
                 and "🌴 Vacation" not in l)
        print("ok: presets reordered with the keyboard and deleted after asking; the tray menu follows")

        edit(driver, "Food")
        shot(driver, "preset-editor.png")
        click(driver, "Cancel")
        assert not driver.find_element(By.ID, "preset-editor").is_displayed(), "Cancel closes the editor"
        driver.execute_script("document.getElementById('general-heading').scrollIntoView()")
        shot(driver, "general.png")
    except BaseException:
        if driver:
            driver.save_screenshot(os.path.join(RUN_DIR, "failure.png"))
            print(f"the window at the failure: {os.path.join(RUN_DIR, 'failure.png')}")
        raise
    finally:
        if driver:
            driver.quit()
        if driver_proc:
            driver_proc.terminate()
            driver_proc.wait(timeout=10)
        fakes.stdin.close()
        fakes.wait(timeout=10)


main()
