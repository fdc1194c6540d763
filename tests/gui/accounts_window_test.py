"""Accounts through the real settings window (WebKit, driven by tauri-driver): a first run
opens on the account form with a welcome; a Zulip account is added with its API key (a wrong
key shows the server's refusal beside the form); a Rocket.Chat account whose server asks for
an authenticator code is finished in the window; a Zoom account signs in through the browser
(the test plays the browser from the address the window shows); Test, Sign in again and
Remove work from each row. Secrets reach the keyring, never the config, the page or the
app's log (read at its most verbose level).
Run inside tests/gui/desktop.sh.

usage: accounts_window_test.py BIN_DIR [SCREENSHOT_DIR]
"""
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import urllib.parse

from selenium.webdriver.common.by import By

from wd import (choose, click, field, fill, painted, presently, rows, start_fakes,
                start_window, text_of, wait_for)

BIN_DIR = os.path.abspath(sys.argv[1])
SHOTS = sys.argv[2] if len(sys.argv) > 2 else None
RUN_DIR = os.environ["RUN_DIR"]
ALICE_KEY = "aliceKEY0123456789abcdef01234567"
WRONG_KEY = "wrongKEY0123456789abcdef01234567"
BOB_KEY = "bobKEY0123456789abcdef0123456789"
BOB_PASSWORD = "bob-password"
ZOOM_SECRET = "user-app-secret-0123456789"


MM_ROOT_PASSWORD = "root-password"
MX_PASSWORD = "alice-matrix-password"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url):
    """One GET that does not follow redirects, as the first step of a browser would."""
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    conn.request("GET", parts.path + ("?" + parts.query if parts.query else ""))
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, response.getheader("Location"), body


def shot(driver, name):
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        painted(driver)
        driver.save_screenshot(os.path.join(SHOTS, name))


def account_row(driver, account):
    return next((r for r in rows(driver, "accounts") if r[0].split("\n")[-1] == account), None)


def main():
    port = free_port()
    redirect = f"http://127.0.0.1:{port}/oauth/callback"
    fakes, stand_ins = start_fakes(BIN_DIR, "--zoom-redirect-url", redirect)
    config_dir = tempfile.mkdtemp(prefix="presently-accounts-")
    os.environ["PRESENTLY_CONFIG_DIR"] = config_dir
    # No real browser on a test machine: the window's own link is the way in.
    os.environ["BROWSER"] = "true"
    # The app logs at its most verbose level: the check at the end greps it for secrets.
    os.environ["RUST_LOG"] = "trace"
    driver_proc = driver = None
    try:
        driver_proc, driver = start_window(BIN_DIR, RUN_DIR)
        form = driver.find_element(By.ID, "account-form")
        assert driver.find_element(By.ID, "welcome").is_displayed()
        assert form.is_displayed(), "a first run opens the account form"
        shot(driver, "accounts-first-run.png")
        print("ok: a first run opens on the account form with a welcome")

        # Zulip: a wrong key is refused in the server's words, beside the form; nothing is kept.
        choose(driver, "Service", "Zulip")
        fill(driver, "Account id", "work")
        fill(driver, "Site", stand_ins["zulip"])
        fill(driver, "E-mail", "alice@example.com")
        fill(driver, "API key", WRONG_KEY)
        click(driver, "Add")
        refusal = wait_for("the server's refusal", lambda: text_of(driver, "form-error"))
        assert "Zulip (work): credentials rejected: Invalid API key" in refusal, refusal
        assert rows(driver, "accounts") == [], "nothing was added"
        fill(driver, "API key", ALICE_KEY)
        click(driver, "Add")
        wait_for("the Zulip account", lambda: account_row(driver, "work"))
        notice = text_of(driver, "account-notice")
        assert notice.startswith("Added work: signed in as Alice Admin"), notice
        assert not form.is_displayed()
        config = open(os.path.join(config_dir, "config.toml"), encoding="utf-8").read()
        assert ALICE_KEY not in config and WRONG_KEY not in config, config
        assert "works" in presently(BIN_DIR, "account", "test", "work").stdout, "the key is in the keyring"
        print("ok: a Zulip account was added in the window; a wrong key showed the server's refusal")

        # Rocket.Chat: the server asks for an authenticator code; the window asks for it.
        click(driver, "Add account")
        choose(driver, "Service", "Rocket.Chat")
        fill(driver, "Account id", "team")
        fill(driver, "Server", stand_ins["rocketchat"])
        choose(driver, "Sign in with", "Password")
        fill(driver, "User", "bob")
        fill(driver, "Password", BOB_PASSWORD)
        click(driver, "Add")
        asked = wait_for("the code request", lambda: text_of(driver, "form-error"))
        assert "authenticator app" in asked, asked
        assert field(driver, "Code").is_displayed()
        fill(driver, "Code", "123456")
        click(driver, "Add")
        team = wait_for("the Rocket.Chat account", lambda: account_row(driver, "team"))
        assert team[1:4] == ["Rocket.Chat", f"bob on {stand_ins['rocketchat']}", "Signed in"], team
        print("ok: a Rocket.Chat account whose server asks for an authenticator code was finished in the window")

        # Mattermost: a password sign-in whose account has MFA; the window asks for the code.
        click(driver, "Add account")
        choose(driver, "Service", "Mattermost")
        fill(driver, "Account id", "chat")
        fill(driver, "Server", stand_ins["mattermost"])
        choose(driver, "Sign in with", "Password")
        fill(driver, "User", "root")
        fill(driver, "Password", MM_ROOT_PASSWORD)
        click(driver, "Add")
        asked = wait_for("the MFA code request", lambda: text_of(driver, "form-error"))
        assert "authenticator app" in asked, asked
        shot(driver, "accounts-mattermost-mfa.png")
        fill(driver, "MFA code", "123456")
        click(driver, "Add")
        chat = wait_for("the Mattermost account", lambda: account_row(driver, "chat"))
        assert chat[1:4] == ["Mattermost", f"root on {stand_ins['mattermost']}", "Signed in"], chat
        print("ok: a Mattermost account with MFA was added in the window, the code asked in the form")

        # Matrix, on a real Synapse (where scripts/setup.sh installed it; CI requires it).
        synapse_python = os.environ.get("PRESENTLY_SYNAPSE_PYTHON", "")
        if os.path.exists(synapse_python):
            script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "matrix", "synapse.py")
            synapse = subprocess.Popen([synapse_python, script], stdin=subprocess.PIPE,
                                       stdout=subprocess.PIPE, text=True)
            try:
                homeserver = json.loads(synapse.stdout.readline())["url"]
                click(driver, "Add account")
                choose(driver, "Service", "Matrix")
                fill(driver, "Account id", "mx")
                fill(driver, "User id", "@alice:localhost")
                fill(driver, "Homeserver", homeserver)
                choose(driver, "Sign in with", "Password")
                fill(driver, "Password", MX_PASSWORD)
                shot(driver, "accounts-matrix-form.png")
                click(driver, "Add")
                mx = wait_for("the Matrix account", lambda: account_row(driver, "mx"))
                assert mx[1:4] == ["Matrix", f"@alice:localhost on {homeserver}", "Signed in"], mx
                presently(BIN_DIR, "account", "remove", "mx")
            finally:
                synapse.stdin.close()
                synapse.wait(timeout=30)
            print("ok: a Matrix account was added in the window against a real Synapse")
        elif os.environ.get("PRESENTLY_REQUIRE_SYNAPSE"):
            raise AssertionError("Synapse is required but not installed")

        # Slack: a pasted user token, checked with auth.test before it is kept.
        click(driver, "Add account")
        choose(driver, "Service", "Slack")
        fill(driver, "Account id", "acme")
        shot(driver, "accounts-slack-browser.png")
        choose(driver, "Sign in with", "A user token")
        fill(driver, "Token", stand_ins["slack_tokens"][0][1])
        fill(driver, "Slack address", stand_ins["slack"])
        shot(driver, "accounts-slack-form.png")
        click(driver, "Add")
        acme = wait_for("the Slack account", lambda: account_row(driver, "acme"))
        assert acme[1:4] == ["Slack", "alice in Presently Test (Slack)", "Signed in"], acme
        print("ok: a Slack account was added in the window with a pasted user token")

        # Zoom: "Sign in with Zoom" waits for the browser; the test is the browser.
        click(driver, "Add account")
        choose(driver, "Service", "Zoom")
        fill(driver, "Account id", "meet")
        choose(driver, "Sign in with", "Zoom, in the browser")
        fill(driver, "Client id", "presently-user-app")
        fill(driver, "Client secret", ZOOM_SECRET)
        fill(driver, "Redirect port", str(port))
        fill(driver, "API address", stand_ins["zoom_api_base"])
        fill(driver, "Sign-in address", stand_ins["zoom_auth_base"])
        click(driver, "Sign in with Zoom")
        link = wait_for("the sign-in address", lambda: driver.find_element(By.ID, "form-waiting").is_displayed()
                        and (href := driver.find_element(By.ID, "form-url-text").text)
                        and href.startswith(stand_ins["zoom_auth_base"]) and href)
        assert "Waiting for the browser" in text_of(driver, "form-waiting")
        shot(driver, "accounts-zoom-waiting.png")
        status, back, _ = get(link)
        assert status == 302 and back.startswith(redirect), (status, back)
        status, _, page = get(back)
        assert status == 200, (status, page)
        meet = wait_for("the Zoom account", lambda: account_row(driver, "meet")
                        or (text_of(driver, "form-error") and AssertionError(text_of(driver, "form-error"))))
        assert isinstance(meet, list), meet
        assert meet[1:4] == ["Zoom", "alice@example.com (signed in)", "Signed in"], meet
        print("ok: a Zoom account signed in through the browser from the window")

        # Each row: Test, Sign in again (keeps the account), Remove (asks first).
        click(driver, "Test work")
        wait_for("the test result", lambda: "work works: signed in as Alice Admin" in text_of(driver, "account-notice"))
        click(driver, "Sign in again to work")
        assert field(driver, "Site").get_attribute("disabled") == "true", "the site stays"
        fill(driver, "API key", ALICE_KEY)
        click(driver, "Sign in again")
        wait_for("signed in again", lambda: text_of(driver, "account-notice").startswith("Signed in again work")
                 or (text_of(driver, "form-error") and AssertionError(text_of(driver, "form-error"))))
        assert text_of(driver, "account-notice").startswith("Signed in again work"), text_of(driver, "form-error")
        # Edit: the same account, now somebody else's e-mail and key on the same site.
        click(driver, "Edit work")
        assert field(driver, "Account id").get_attribute("disabled") == "true", "the id stays"
        fill(driver, "E-mail", "bob@example.com")
        fill(driver, "API key", BOB_KEY)
        click(driver, "Save")
        wait_for("the edited account", lambda: (row := account_row(driver, "work"))
                 and row[2].startswith("bob@example.com on "))
        assert text_of(driver, "account-notice").startswith("Saved work: signed in as Bob Member")
        click(driver, "Edit work")
        fill(driver, "E-mail", "alice@example.com")
        fill(driver, "API key", ALICE_KEY)
        click(driver, "Save")
        wait_for("alice again", lambda: account_row(driver, "work")[2].startswith("alice@example.com"))
        print("ok: Edit changes where an account lives, checked by its server, keeping the account")

        # Edit only the label: saved without asking for the key; the id stays the same.
        click(driver, "Edit work")
        fill(driver, "Label", "Work chat")
        click(driver, "Save")
        wait_for("the label", lambda: account_row(driver, "work")[0] == "Work chat\nwork")
        assert text_of(driver, "account-notice") == "Saved work.", text_of(driver, "account-notice")
        config = open(os.path.join(config_dir, "config.toml"), encoding="utf-8").read()
        assert 'label = "Work chat"' in config, config
        tested = presently(BIN_DIR, "account", "test", "work")
        assert "works" in tested.stdout, tested
        print("ok: an account gets a label in the window without signing in again; its id stays")

        # A sign-in waiting for the browser can be cancelled; the account stays as it was.
        click(driver, "Sign in again to meet")
        wait_for("waiting for the browser", lambda: driver.find_element(By.ID, "form-waiting").is_displayed()
                 and driver.find_element(By.ID, "form-url-text").text.startswith(
                     stand_ins["zoom_auth_base"]))
        click(driver, "Cancel")
        cancelled = wait_for("the cancellation", lambda: text_of(driver, "form-error"))
        assert "cancelled" in cancelled, cancelled
        assert not driver.find_element(By.ID, "form-waiting").is_displayed()
        assert account_row(driver, "meet")[3] == "Signed in"
        click(driver, "Close")
        click(driver, "Remove team")
        assert account_row(driver, "team"), "nothing is removed before the answer"
        click(driver, "Yes, remove")
        wait_for("team removed", lambda: account_row(driver, "team") is None)
        listed = presently(BIN_DIR, "account", "list").stdout
        assert "team" not in listed and "work" in listed and "meet" in listed, listed
        print("ok: Test, Sign in again and Remove (after asking) work from the account rows")

        for secret in (ALICE_KEY, WRONG_KEY, BOB_KEY, BOB_PASSWORD, ZOOM_SECRET, MM_ROOT_PASSWORD, MX_PASSWORD):
            assert secret not in driver.page_source, "a secret is in the page"
        config = open(os.path.join(config_dir, "config.toml"), encoding="utf-8").read()
        for secret in (ALICE_KEY, BOB_PASSWORD, ZOOM_SECRET, MM_ROOT_PASSWORD, MX_PASSWORD):
            assert secret not in config, "a secret is in the config"
        shot(driver, "accounts.png")
        # The app's log (RUST_LOG=trace for this run) says what happened, and no secret.
        log = os.path.join(os.environ["XDG_DATA_HOME"], "org.presently.app", "logs", "presently.log")
        logged = open(log, encoding="utf-8").read()
        assert "work: added" in logged or "(work): added" in logged, logged[-2000:]
        assert "TRACE" in logged or "DEBUG" in logged, "the loudest level was on"
        for secret in (ALICE_KEY, WRONG_KEY, BOB_KEY, BOB_PASSWORD, ZOOM_SECRET, MM_ROOT_PASSWORD, MX_PASSWORD):
            assert secret not in logged, "a secret is in the app's log"
        assert "authorization" not in logged.lower(), "a request header is in the app's log"
        print("ok: no secret in the page, the config or the app's log (at its most verbose)")
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
