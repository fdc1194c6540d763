"""Measures what a user feels, and prints each figure beside its target.

Run inside the private desktop (Xvfb + D-Bus + keyring):
    bash tests/gui/desktop.sh .venv/bin/python scripts/bench.py BIN_DIR
or simply `bash scripts/bench.sh`. Figures are wall-clock on this machine; the header says which.
"""
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

BIN_DIR = os.path.abspath(sys.argv[1])
RUNS = int(os.environ.get("BENCH_RUNS", "30"))
KEYS = {"alice@example.com": "aliceKEY0123456789abcdef01234567",
        "bob@example.com": "bobKEY0123456789abcdef0123456789"}


def presently(*args, stdin=None, env=None):
    result = subprocess.run([os.path.join(BIN_DIR, "presently"), *args], input=stdin, env=env,
                            capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        raise SystemExit(f"presently {' '.join(args)} failed: {result.stdout}{result.stderr}")
    return result.stdout


def timed(runs, action):
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def row(name, value, unit, target, ok):
    print(f"{name:<46} {value:>9.1f} {unit:<3} target {target:<10} {'ok' if ok else 'MISSED'}")


def three_services(runs):
    """One `set` reaching Zulip, Rocket.Chat and Zoom. Zoom takes one change a minute, so
    before each (untimed) run the pacing book is emptied and the stand-in's clock moved on."""
    fakes = subprocess.Popen([os.path.join(BIN_DIR, "presently-fakes"), "--rocketchat-rate-limit", "0"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        info = json.loads(fakes.stdout.readline())
        home = tempfile.mkdtemp(prefix="bench-three-")
        env = dict(os.environ, PRESENTLY_CONFIG_DIR=home, PRESENTLY_KEYRING_SERVICE="presently-bench")
        presently("account", "add", "zulip", "z", "--site", info["zulip"], "--email", "alice@example.com",
                  stdin=KEYS["alice@example.com"], env=env)
        presently("account", "add", "rocketchat", "r", "--server", info["rocketchat"], "--user", "alice",
                  stdin="alice-password\n", env=env)
        presently("account", "add", "zoom", "m", "--server-to-server", "--account-id", "acct-0001",
                  "--client-id", "presently-s2s-app", "--user", "alice@example.com",
                  "--api-base", info["zoom_api_base"], "--auth-base", info["zoom_auth_base"],
                  stdin="s2s-secret-0123456789\n", env=env)
        samples = []
        for _ in range(runs):
            pacing = os.path.join(home, "pacing.json")
            if os.path.exists(pacing):
                os.remove(pacing)
            request = urllib.request.Request(f"{info['zoom']}/__fake/clock", method="POST",
                                             data=b'{"advance_seconds": 61}')
            urllib.request.urlopen(request, timeout=5).close()
            start = time.perf_counter()
            presently("set", "lunch", env=env)
            samples.append((time.perf_counter() - start) * 1000)
        for acct in ["z", "r", "m"]:
            presently("account", "remove", acct, env=env)
        samples.sort()
        return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]
    finally:
        fakes.stdin.close()
        fakes.wait(timeout=10)


def main():
    print(f"machine: {platform.node()} · {os.cpu_count()} cores · {platform.machine()} · "
          f"{platform.platform()} · binaries: {BIN_DIR}")
    fakes = [subprocess.Popen([os.path.join(BIN_DIR, "presently-fakes")], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True) for _ in range(4)]
    try:
        urls = [json.loads(f.stdout.readline())["zulip"] for f in fakes]
        one = tempfile.mkdtemp(prefix="bench-one-")
        four = tempfile.mkdtemp(prefix="bench-four-")
        env_one = dict(os.environ, PRESENTLY_CONFIG_DIR=one, PRESENTLY_KEYRING_SERVICE="presently-bench")
        env_four = dict(os.environ, PRESENTLY_CONFIG_DIR=four, PRESENTLY_KEYRING_SERVICE="presently-bench")
        presently("account", "add", "zulip", "one", "--site", urls[0], "--email", "alice@example.com",
                  stdin=KEYS["alice@example.com"], env=env_one)
        for i, url in enumerate(urls):
            email = "alice@example.com" if i % 2 == 0 else "bob@example.com"
            presently("account", "add", "zulip", f"acct{i}", "--site", url, "--email", email,
                      stdin=KEYS[email], env=env_four)

        median, p95 = timed(RUNS, lambda: presently("preset", "list", env=env_one))
        row("CLI start, `preset list` (median)", median, "ms", "< 20 ms", median < 20)
        median, p95 = timed(RUNS, lambda: presently("set", "lunch", env=env_one))
        row("`set lunch`, 1 Zulip account (median)", median, "ms", "< 150 ms", median < 150)
        row("`set lunch`, 1 Zulip account (p95)", p95, "ms", "< 300 ms", p95 < 300)
        median, p95 = timed(RUNS, lambda: presently("set", "focus", env=env_four))
        row("`set focus`, 4 accounts on 4 servers (median)", median, "ms", "< 200 ms", median < 200)

        median, p95 = three_services(RUNS)
        row("`set lunch`, Zulip + Rocket.Chat + Zoom (median)", median, "ms", "< 200 ms", median < 200)

        events = os.path.join(tempfile.mkdtemp(prefix="bench-app-"), "events.log")
        app_env = dict(env_one, PRESENTLY_EVENTS_LOG=events)
        start = time.perf_counter()
        app = subprocess.Popen([os.path.join(BIN_DIR, "presently-tray")], env=app_env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            while not (os.path.exists(events) and "ready" in open(events).read()):
                if time.perf_counter() - start > 30:
                    raise SystemExit("tray app did not become ready in 30 s")
                time.sleep(0.005)
            ready_ms = (time.perf_counter() - start) * 1000
            row("tray app start to tray ready", ready_ms, "ms", "< 1500 ms", ready_ms < 1500)
            time.sleep(2)
            rss = int(next(l for l in open(f"/proc/{app.pid}/status") if l.startswith("VmRSS")).split()[1])
            row("tray app idle memory (RSS, no window open)", rss / 1024, "MiB", "< 150 MiB", rss < 150 * 1024)
        finally:
            app.terminate()
            app.wait(timeout=10)
        for name, target in (("presently", 20), ("presently-tray", 30)):
            size = os.path.getsize(os.path.join(BIN_DIR, name)) / 1024 / 1024
            row(f"binary size {name}", size, "MiB", f"< {target} MiB", size < target)
        for acct in ["one"]:
            presently("account", "remove", acct, env=env_one)
        for i in range(4):
            presently("account", "remove", f"acct{i}", env=env_four)
    finally:
        for f in fakes:
            f.stdin.close()
            f.wait(timeout=10)


main()
