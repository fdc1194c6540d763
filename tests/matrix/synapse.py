"""A real Synapse homeserver for Presently's Matrix tests: generated config, SQLite, listening
on 127.0.0.1 only, no federation, users registered with the shared secret.

Run it with the Python of the venv Synapse is installed in (scripts/setup.sh makes it):

    $PRESENTLY_SYNAPSE_PYTHON tests/matrix/synapse.py [--presence off] [--presence-limit]

Prints one JSON line, {"url": "http://127.0.0.1:PORT", "server_name": "localhost",
"users": {"alice": "<password>", "bob": "<password>"}, "started_ms": N}, then serves until
stdin closes (or SIGTERM), when it stops Synapse and removes its directory.

--presence off      the server's presence switched off (`presence: {enabled: false}`):
                    presence writes answer 200 and change nothing
--server-name NAME  the server name user ids end with (default "localhost"); discovery tests
                    serve its /.well-known/matrix/client themselves
--presence-limit    keep Synapse's own presence limit (one update per 10 s per user);
                    otherwise it is raised so tests may change presence often
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

import yaml

USERS = {"alice": "alice-matrix-password", "bob": "bob-matrix-password"}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def configure(directory, port, presence_on, presence_limit, server_name):
    config_path = os.path.join(directory, "homeserver.yaml")
    subprocess.run([sys.executable, "-m", "synapse.app.homeserver", "--server-name", server_name,
                    "--config-path", config_path, "--data-directory", directory,
                    "--generate-config", "--report-stats=no"],
                   check=True, cwd=directory, stdout=subprocess.DEVNULL)
    with open(config_path, encoding="utf-8") as f:
        config = yaml.safe_load(f)
    config["listeners"] = [{
        "port": port, "bind_addresses": ["127.0.0.1"], "type": "http", "tls": False,
        "x_forwarded": False, "resources": [{"names": ["client"], "compress": False}],
    }]
    # Nothing reaches out: no key servers, no federation listener, no stats.
    config["trusted_key_servers"] = []
    config["suppress_key_server_warning"] = True
    config["report_stats"] = False
    config["presence"] = {"enabled": presence_on}
    config["rc_login"] = {
        "address": {"per_second": 1000, "burst_count": 1000},
        "account": {"per_second": 1000, "burst_count": 1000},
        "failed_attempts": {"per_second": 1000, "burst_count": 1000},
    }
    if not presence_limit:
        config["rc_presence"] = {"per_user": {"per_second": 1000, "burst_count": 1000}}
    config["rc_message"] = {"per_second": 1000, "burst_count": 1000}
    log_config = os.path.join(directory, "log.yaml")
    with open(log_config, "w", encoding="utf-8") as f:
        yaml.safe_dump({
            "version": 1,
            "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
            "handlers": {"file": {"class": "logging.FileHandler", "formatter": "plain",
                                  "filename": os.path.join(directory, "homeserver.log")}},
            "root": {"level": "WARNING", "handlers": ["file"]},
            "disable_existing_loggers": False,
        }, f)
    config["log_config"] = log_config
    with open(config_path, "w", encoding="utf-8") as f:
        yaml.safe_dump(config, f)
    return config_path


def wait_healthy(url, server, deadline_s=180):
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"synapse ended early with {server.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                if response.read() == b"OK":
                    return
        except OSError:
            pass
        time.sleep(0.05)
    raise SystemExit("synapse did not become healthy in time")


def main():
    args = sys.argv[1:]
    presence_on = not ("--presence" in args and args[args.index("--presence") + 1] == "off")
    presence_limit = "--presence-limit" in args
    server_name = args[args.index("--server-name") + 1] if "--server-name" in args else "localhost"
    directory = tempfile.mkdtemp(prefix="presently-synapse-")
    server = None
    try:
        port = free_port()
        config_path = configure(directory, port, presence_on, presence_limit, server_name)
        url = f"http://127.0.0.1:{port}"
        started = time.monotonic()
        server = subprocess.Popen([sys.executable, "-m", "synapse.app.homeserver", "-c", config_path],
                                  cwd=directory, stdout=subprocess.DEVNULL,
                                  stderr=open(os.path.join(directory, "stderr.log"), "w"))
        wait_healthy(url, server)
        started_ms = round((time.monotonic() - started) * 1000)
        register = os.path.join(os.path.dirname(sys.executable), "register_new_matrix_user")
        for user, password in USERS.items():
            subprocess.run([register, "-c", config_path, "-u", user, "-p", password,
                            "--no-admin" if user == "alice" else "--admin", url],
                           check=True, stdout=subprocess.DEVNULL)
        print(json.dumps({"url": url, "server_name": server_name, "users": USERS,
                          "started_ms": started_ms}), flush=True)
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
        stop.wait()
    finally:
        if server and server.poll() is None:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
