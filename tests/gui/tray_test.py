"""End to end through the real desktop plumbing: `presently demo` starts the tray app
against the Zulip, Rocket.Chat, Zoom, Mattermost and Slack stand-ins and a real Synapse (Matrix); this test reads the tray menu over D-Bus (StatusNotifierItem +
dbusmenu) as a panel would, clicks presets there, presses a preset's global hotkey with
xdotool, and checks that the stand-in received each status and the notification server
received each summary. Run inside tests/gui/desktop.sh.

usage: tray_test.py BIN_DIR [SCREENSHOT_OUT]
"""
import asyncio
import datetime
import fcntl
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request

from dbus_fast.aio import MessageBus

from traymenu import TrayMenu, badge_colour
from xwindow import close_window

RUN_DIR = os.environ["RUN_DIR"]
BIN_DIR = sys.argv[1]
SCREENSHOT_OUT = sys.argv[2] if len(sys.argv) > 2 else None
EVENTS = os.path.join(RUN_DIR, "events.log")
NOTIFICATIONS = os.path.join(RUN_DIR, "notifications.jsonl")
TRAY = os.path.join(RUN_DIR, "tray.jsonl")

EXPECTED_MENU = [
    "Available", "🍔 Lunch", "🎧 Focus", "📅 In a meeting", "☕ Be right back",
    "🌴 Vacation", "🏠 Done for the day", "Clear status", "Settings…", "Quit",
]


def wait_for(what, check, timeout=30.0):
    """Polls `check` until it returns something truthy; the thing polled is the signal."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def lines(path):
    try:
        with open(path, encoding="utf-8") as f:
            return f.read().splitlines()
    except FileNotFoundError:
        return []


def notification_titled(title):
    return wait_for(f"notification {title!r}",
                    lambda: next((n for n in map(json.loads, lines(NOTIFICATIONS))
                                  if n["summary"] == title), None))


def rc_alice(rc_url):
    with urllib.request.urlopen(f"{rc_url}/__fake/state", timeout=5) as response:
        state = json.load(response)
    return next(u for u in state["users"] if u["username"] == "alice")


def alice(zulip_url):
    with urllib.request.urlopen(f"{zulip_url}/__fake/state", timeout=5) as response:
        state = json.load(response)
    return next(u for u in state["users"] if u["email"] == "alice@example.com")


def mm_alice(mm_url):
    """Mattermost's alice: her availability and custom status (`props.customStatus`)."""
    with urllib.request.urlopen(f"{mm_url}/__fake/state", timeout=5) as response:
        state = json.load(response)
    user = next(u for u in state["users"] if u["id"] == MM_ALICE)
    custom = json.loads(user["custom_status"]) if user["custom_status"] else {}
    return user["status"]["status"], custom.get("emoji", ""), custom.get("text", "")


MM_ALICE = "k7q3x9m2p8w4n6r1t5y0z3a8bc"
SLACK_ALICE = "U0ALICE001"


def slack_alice(slack_url):
    """Slack's alice: her status text and emoji, presence, and whether a snooze runs."""
    with urllib.request.urlopen(f"{slack_url}/__fake/state", timeout=5) as response:
        state = json.load(response)
    user = next(u for u in state["users"] if u["id"] == SLACK_ALICE)
    profile = user["profile"]
    return profile["status_text"], profile["status_emoji"], user["presence"], user["snooze_end"] is not None


def matrix_presence(url, user, token):
    """What a Matrix client sees of the user: presence and status message."""
    request = urllib.request.Request(
        f"{url}/_matrix/client/v3/presence/{urllib.parse.quote(user)}/status",
        headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=5) as response:
        state = json.load(response)
    return state["presence"], state.get("status_msg", "")


def matrix_login(url, user):
    body = json.dumps({"type": "m.login.password", "identifier": {"type": "m.id.user", "user": user},
                       "password": "alice-matrix-password"}).encode()
    request = urllib.request.Request(f"{url}/_matrix/client/v3/login", data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)["access_token"]


def zoom_alice(zoom_url):
    with urllib.request.urlopen(f"{zoom_url}/__fake/state", timeout=5) as response:
        state = json.load(response)
    return next(u for u in state["users"] if u["email"] == "alice@example.com")


def zoom_presence(zoom_url):
    return zoom_alice(zoom_url)["presence"]["status"]


def rfc3339(moment):
    return moment.astimezone(datetime.timezone.utc).isoformat().replace("+00:00", "Z")


def let_a_minute_pass(config_dir, zoom_url):
    """Zoom takes one presence change a minute. Instead of waiting one, move Presently's
    shared pacing book and the stand-in's clock a minute on, together, under the same
    file lock the app takes, so the app sees the waiting change's turn come now."""
    with open(os.path.join(config_dir, "pacing.lock"), "a", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        path = os.path.join(config_dir, "pacing.json")
        with open(path, encoding="utf-8") as f:
            book = json.load(f)
        now = datetime.datetime.now(datetime.timezone.utc)
        for slot in book["slots"].values():
            slot["last_sent"] = rfc3339(now - datetime.timedelta(seconds=61))
            if slot.get("pending"):
                slot["pending"]["not_before"] = rfc3339(now)
        with open(path + ".tmp", "w", encoding="utf-8") as f:
            json.dump(book, f)
        os.replace(path + ".tmp", path)
        request = urllib.request.Request(f"{zoom_url}/__fake/clock", method="POST",
                                         data=b'{"advance_seconds": 61}',
                                         headers={"Content-Type": "application/json"})
        urllib.request.urlopen(request, timeout=5).close()


def windows_ended():
    """Whether each settings window process the tray started has ended (a second one
    hands over to the first and ends at once)."""
    events = lines(EVENTS)
    return events.count("settings:starting") == sum(l.startswith("settings:ended:") for l in events)


async def wait_checked(menu, label):
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if await menu.checked() == [label]:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"tray never marked {label!r}; marked: {await menu.checked()}")


async def main():
    env = dict(os.environ, PRESENTLY_EVENTS_LOG=EVENTS)
    demo = subprocess.Popen([os.path.join(BIN_DIR, "presently"), "demo", "--json"], env=env,
                            stdout=subprocess.PIPE, text=True)
    try:
        info = json.loads(demo.stdout.readline())["demo"]
        zulip = info["zulip"]
        rc = info["rocketchat"]
        zoom = info["zoom"]
        mm = info["mattermost"]
        assert info["mattermost_user"] == MM_ALICE, info
        slack = info["slack"]
        assert info["slack_user"] == SLACK_ALICE, info
        # A real Synapse where scripts/setup.sh installed it (CI does): six services then.
        mx, mx_user = info.get("matrix"), info.get("matrix_user")
        if os.environ.get("PRESENTLY_REQUIRE_SYNAPSE"):
            assert mx, "the demo has no Matrix account, but Synapse is required"
        services = 6 if mx else 5
        mx_token = matrix_login(mx, mx_user) if mx else None
        config_dir = info["config_dir"]
        wait_for("the app to be ready", lambda: "ready" in lines(EVENTS))
        registration = json.loads(wait_for("the tray item to register", lambda: lines(TRAY))[-1])
        bus = await MessageBus().connect()
        menu = TrayMenu(bus, registration["sender"], registration["path"])

        labels = [i["label"] for i in await menu.items()]
        assert labels == EXPECTED_MENU, labels
        assert await menu.checked() == [], "nothing should be marked before a preset is set"
        assert any(line.startswith("hotkey-registered:Ctrl+Alt+2:focus") for line in lines(EVENTS))

        # A tray click lands on the server and in one notification.
        await menu.click("🍔 Lunch")
        wait_for("Lunch on the Zulip stand-in", lambda: alice(zulip)["status"]["status_text"] == "Lunch")
        status = alice(zulip)["status"]
        assert (status["emoji_name"], status["emoji_code"]) == ("hamburger", "1f354"), status
        wait_for("Lunch on the Rocket.Chat stand-in",
                 lambda: rc_alice(rc)["status"] == {"message": "🍔 Lunch", "status": "away"})
        wait_for("Away on the Zoom stand-in", lambda: zoom_presence(zoom) == "Away")
        wait_for("Lunch on the Mattermost stand-in",
                 lambda: mm_alice(mm) == ("away", "hamburger", "Lunch"))
        wait_for("Lunch on the Slack stand-in",
                 lambda: slack_alice(slack) == ("Lunch", ":hamburger:", "away", False))
        if mx:
            wait_for("Lunch on the real Synapse",
                     lambda: matrix_presence(mx, mx_user, mx_token)[1] == "🍔 Lunch")
        notification_titled(f"Lunch set on {services} of {services} accounts")
        await wait_checked(menu, "🍔 Lunch")
        print(f"ok: tray click set Lunch on Zulip, Rocket.Chat, Zoom, Mattermost, Slack{' and Matrix (Synapse)' if mx else ''} and notified")

        # The icon shows the availability in effect: away is amber.
        async def badge_is(rgb):
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                if badge_colour(await menu.icon_file()) == rgb:
                    return
                await asyncio.sleep(0.1)
            raise AssertionError(f"the tray badge never turned {rgb}: {badge_colour(await menu.icon_file())}")
        await badge_is((0xf0, 0xa2, 0x02))
        print("ok: the tray icon's badge shows away")

        # A real key press of a preset's hotkey does the same.
        subprocess.run(["xdotool", "key", "ctrl+alt+2"], check=True)
        wait_for("Focus on the Zulip stand-in", lambda: alice(zulip)["status"]["status_text"] == "Focus")
        assert alice(zulip)["status"]["emoji_name"] == "headphones"
        wait_for("Focus on the Rocket.Chat stand-in",
                 lambda: rc_alice(rc)["status"] == {"message": "🎧 Focus", "status": "busy"})
        # Zoom takes one change a minute: Focus waits for its turn, shown as pending.
        wait_for("Focus on the Mattermost stand-in",
                 lambda: mm_alice(mm) == ("dnd", "headphones", "Focus"))
        wait_for("Focus on the Slack stand-in, notifications snoozed",
                 lambda: slack_alice(slack) == ("Focus", ":headphones:", "auto", True))
        focus = notification_titled(f"Focus set on {services} of {services} accounts (1 pending)")
        # Says plainly what each service cannot show, and when Zoom gets it.
        assert "do-not-disturb" in focus["body"] and "shown as busy" in focus["body"], focus
        assert "Zoom (demo-zoom): pending" in focus["body"], focus
        await wait_checked(menu, "🎧 Focus")
        await badge_is((0xe0, 0x31, 0x31))  # do not disturb is red
        labels = [i["label"] for i in await menu.items()]
        assert any(l.startswith("Focus on Zoom (demo-zoom): pending, sent at") for l in labels), labels
        assert zoom_presence(zoom) == "Away", "Zoom got a second change inside its minute"
        print("ok: Ctrl+Alt+2 set Focus on Zulip and Rocket.Chat and queued it for Zoom")

        let_a_minute_pass(config_dir, zoom)
        wait_for("Do not disturb on the Zoom stand-in",
                 lambda: zoom_presence(zoom) == "Do_Not_Disturb")
        assert zoom_alice(zoom)["presence"]["duration_minutes"] == 120, zoom_alice(zoom)
        notification_titled("Focus set on 1 of 1 account")
        async def pending_line_gone():
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                if not any("pending" in i["label"] for i in await menu.items()):
                    return
                await asyncio.sleep(0.1)
            raise AssertionError("the tray still shows a pending change")
        await pending_line_gone()
        print("ok: the app sent Focus to Zoom at its turn, with 120 minutes of do not disturb")

        # The CLI hands a change inside Zoom's minute to the running app instead of waiting.
        cli_env = dict(os.environ, PRESENTLY_CONFIG_DIR=config_dir,
                       PRESENTLY_KEYRING_SERVICE=info["keyring_service"])
        handed = subprocess.run([os.path.join(BIN_DIR, "presently"), "set", "lunch",
                                 "--account", "demo-zoom"], env=cli_env, capture_output=True,
                                text=True, timeout=30)
        assert handed.returncode == 0, handed
        assert "The Presently app sends the waiting change at" in handed.stderr, handed
        assert zoom_presence(zoom) == "Do_Not_Disturb"
        let_a_minute_pass(config_dir, zoom)
        wait_for("the handed-over Lunch on the Zoom stand-in", lambda: zoom_presence(zoom) == "Away")
        print("ok: a CLI change inside Zoom's minute was handed to the app, which sent it")
        # The tray redraws its menu once the handed-over change is in: a click sent while it
        # redraws names an item that is gone. Lunch checked means the redraw is done.
        await wait_checked(menu, "🍔 Lunch")

        await menu.click("Clear status")
        wait_for("a cleared status", lambda: alice(zulip)["status"]["status_text"] == ""
                 and alice(zulip)["status"]["emoji_name"] == "")
        wait_for("a cleared Rocket.Chat status",
                 lambda: rc_alice(rc)["status"] == {"message": "", "status": "online"})
        notification_titled(f"Status cleared on {services} of {services} accounts (1 pending)")
        if mx:
            wait_for("nothing on the real Synapse", lambda: matrix_presence(mx, mx_user, mx_token)[1] == "")
        wait_for("nothing on the Mattermost stand-in", lambda: mm_alice(mm) == ("online", "", ""))
        wait_for("nothing on the Slack stand-in", lambda: slack_alice(slack) == ("", "", "auto", False))
        print("ok: Clear status cleared Zulip and Rocket.Chat, and queued it for Zoom")

        # An edit to the config (by hand or by the CLI) reaches the running tray.
        config_path = os.path.join(info["config_dir"], "config.toml")
        with open(config_path, "a", encoding="utf-8") as config:
            config.write('\n[[presets]]\nid = "commute"\nname = "Commuting"\nemoji = "🚗"\n'
                         'text = "Commuting"\navailability = "away"\n')
        async def menu_has_commute():
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                if "🚗 Commuting" in [i["label"] for i in await menu.items()]:
                    return
                await asyncio.sleep(0.1)
            raise AssertionError("the tray never showed the preset added to the config")
        await menu_has_commute()
        await menu.click("🚗 Commuting")
        wait_for("Commuting on the Zulip stand-in",
                 lambda: alice(zulip)["status"]["emoji_name"] == "car")
        print("ok: a preset added to the config file appeared in the tray and works")

        # The window may be open already (the demo opens it at start): the click brings it
        # to the front, which says "settings:shown" again.
        shown_before = lines(EVENTS).count("settings:shown")
        await menu.click("Settings…")
        wait_for("the settings window", lambda: lines(EVENTS).count("settings:shown") > shown_before)
        shot = os.path.join(RUN_DIR, "screen.png")
        # The window renders asynchronously; wait until the screen is no longer blank.
        def screenshot():
            subprocess.run(["/usr/bin/import", "-window", "root", shot], check=True)
            colors = subprocess.run(["/usr/bin/convert", shot, "-format", "%k", "info:"],
                                    check=True, capture_output=True, text=True).stdout
            return int(colors) > 50
        wait_for("a rendered settings window", screenshot)
        if SCREENSHOT_OUT:
            shutil.copyfile(shot, SCREENSHOT_OUT)

        # Closing the window leaves the app in the tray, and it opens again from there.
        closed_before = lines(EVENTS).count("settings:closed")
        close_window("Presently Settings")
        wait_for("the settings window to close",
                 lambda: lines(EVENTS).count("settings:closed") > closed_before)
        # The window was a process of its own: it ended, and WebKit's with it.
        wait_for("every window process the tray started to end", windows_ended)
        gone = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", "Presently Settings"],
                              capture_output=True, text=True)
        assert gone.stdout.strip() == "", f"the window is still on screen: {gone.stdout}"
        def webkit_left():
            # Live ones only: an ended process nobody reaped yet (a container's first
            # process may never reap) holds no memory.
            table = subprocess.run(["ps", "-eo", "stat=,comm="], capture_output=True,
                                   text=True, check=True).stdout.splitlines()
            return [line for line in table
                    if "WebKit" in line and not line.strip().startswith("Z")]
        wait_for("no WebKit process left", lambda: not webkit_left())
        print("ok: closing the window ended its process; no WebKit process is left")
        shown_before = lines(EVENTS).count("settings:shown")
        await menu.click("Settings…")
        wait_for("the settings window again",
                 lambda: lines(EVENTS).count("settings:shown") == shown_before + 1)
        wait_for("a rendered settings window", screenshot)
        assert demo.poll() is None, "closing the window ended the app"
        print("ok: the settings window closes to the tray and opens again")

        # Launching Presently again opens the window of the running app and ends at once.
        close_window("Presently Settings")
        wait_for("the settings window to close again",
                 lambda: lines(EVENTS).count("settings:closed") == 2)
        wait_for("every window process to end again", windows_ended)
        shown_before = lines(EVENTS).count("settings:shown")
        second = subprocess.run([os.path.join(BIN_DIR, "presently-tray")], capture_output=True,
                                text=True, timeout=60,
                                env=dict(env, PRESENTLY_CONFIG_DIR=config_dir,
                                         PRESENTLY_KEYRING_SERVICE="presently-demo"))
        assert second.returncode == 0, second
        wait_for("the first app's window", lambda: "second-launch" in lines(EVENTS)
                 and lines(EVENTS).count("settings:shown") == shown_before + 1)
        assert demo.poll() is None, "the second launch ended the first app"
        print("ok: a second launch opens the settings window of the running app")

        await menu.click("Quit")
        assert demo.wait(timeout=20) == 0, "demo should exit cleanly after Quit"
        leftover = subprocess.run(["secret-tool", "search", "--all", "service", "presently-demo"],
                                  capture_output=True, text=True)
        assert "presently-demo" not in leftover.stdout + leftover.stderr, "demo credentials left behind"
        assert not os.path.exists(info["config_dir"]), "demo config dir left behind"
        print("ok: Quit ended the demo and removed its credentials and config")
    finally:
        if demo.poll() is None:
            demo.terminate()
            demo.wait(timeout=10)


asyncio.run(main())
