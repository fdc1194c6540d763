"""End to end through the real desktop plumbing: `presently demo` starts the tray app
against the Zulip, Rocket.Chat and Zoom stand-ins; this test reads the tray menu over D-Bus (StatusNotifierItem +
dbusmenu) as a panel would, clicks presets there, presses a preset's global hotkey with
xdotool, and checks that the stand-in received each status and the notification server
received each summary. Run inside tests/gui/desktop.sh.

usage: tray_test.py BIN_DIR [SCREENSHOT_OUT]
"""
import asyncio
import ctypes
import datetime
import fcntl
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request

from dbus_fast.aio import MessageBus

from traymenu import TrayMenu, badge_colour

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


def close_window(name):
    """Asks the window to close the way a window manager's close button does: a
    WM_DELETE_WINDOW client message (Xvfb runs no window manager)."""
    window = int(subprocess.run(["xdotool", "search", "--name", name], check=True,
                                capture_output=True, text=True).stdout.split()[0])
    x11 = ctypes.cdll.LoadLibrary("libX11.so.6")
    x11.XOpenDisplay.restype = ctypes.c_void_p
    x11.XInternAtom.restype = ctypes.c_ulong
    x11.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
    x11.XSendEvent.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_long,
                               ctypes.c_void_p]
    x11.XFlush.argtypes = [ctypes.c_void_p]
    x11.XCloseDisplay.argtypes = [ctypes.c_void_p]

    class ClientMessage(ctypes.Structure):
        _fields_ = [("type", ctypes.c_int), ("serial", ctypes.c_ulong),
                    ("send_event", ctypes.c_int), ("display", ctypes.c_void_p),
                    ("window", ctypes.c_ulong), ("message_type", ctypes.c_ulong),
                    ("format", ctypes.c_int), ("data", ctypes.c_long * 5),
                    ("pad", ctypes.c_long * 12)]  # XEvent is 24 longs

    display = x11.XOpenDisplay(None)
    assert display, "cannot open the X display"
    event = ClientMessage()
    event.type = 33  # ClientMessage
    event.window = window
    event.message_type = x11.XInternAtom(display, b"WM_PROTOCOLS", 0)
    event.format = 32
    event.data[0] = x11.XInternAtom(display, b"WM_DELETE_WINDOW", 0)
    assert x11.XSendEvent(display, window, 0, 0, ctypes.byref(event)), "XSendEvent failed"
    x11.XFlush(display)
    x11.XCloseDisplay(display)


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
        notification_titled("Lunch set on 3 of 3 accounts")
        await wait_checked(menu, "🍔 Lunch")
        print("ok: tray click set Lunch on Zulip, Rocket.Chat and Zoom and notified")

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
        focus = notification_titled("Focus set on 3 of 3 accounts (1 pending)")
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

        await menu.click("Clear status")
        wait_for("a cleared status", lambda: alice(zulip)["status"]["status_text"] == ""
                 and alice(zulip)["status"]["emoji_name"] == "")
        wait_for("a cleared Rocket.Chat status",
                 lambda: rc_alice(rc)["status"] == {"message": "", "status": "online"})
        notification_titled("Status cleared on 3 of 3 accounts (1 pending)")
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

        await menu.click("Settings…")
        wait_for("the settings window", lambda: "settings:shown" in lines(EVENTS))
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
        close_window("Presently Settings")
        wait_for("the settings window to close", lambda: "settings:closed" in lines(EVENTS))
        gone = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", "Presently Settings"],
                              capture_output=True, text=True)
        assert gone.stdout.strip() == "", f"the window is still on screen: {gone.stdout}"
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
