"""Fixtures of the interoperability tests: a `deconflict serve` on a throwaway SQLite
store with its Cursor-on-Target TCP listener, its parties' API keys, and a small REST
client. Run through `scripts/interop`, which sets DECONFLICT_BINARY."""

import json
import os
import re
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

import pytest

PARTIES = {
    "coalition": "Coalition",
    "russia": "Russia",
    "syrian-government": "Syrian government",
    "allied-militia": "Allied militia",
}

COT_LINE = re.compile(r"Cursor-on-Target over TCP on 127\.0\.0\.1:(\d+)")
TLS_LINE = re.compile(r"Cursor-on-Target over TLS on 127\.0\.0\.1:(\d+)")
UDP_LINE = re.compile(r"Cursor-on-Target over UDP on 127\.0\.0\.1:(\d+)")
HTTP_LINE = re.compile(r"listening on http://127\.0\.0\.1:(\d+)")


class Server:
    """One running `deconflict serve`: its ports, its parties' keys, its log."""

    def __init__(self, binary, folder, parties, refresh_seconds, extra=()):
        self.binary = binary
        self.folder = folder
        self.store = os.path.join(folder, "store.sqlite")
        self.log_path = os.path.join(folder, "server.log")
        self.keys = {}
        for party, name in parties.items():
            added = subprocess.run(
                [binary, "party", "add", party, "--name", name, "--store", self.store],
                capture_output=True, text=True, timeout=30)
            assert added.returncode == 0, f"party add {party} failed: {added.stderr}"
            key = added.stdout.strip()
            assert key.startswith("dck_"), f"party add {party} printed {added.stdout!r}"
            self.keys[party] = key
        operator = subprocess.run([binary, "operator-key", "--store", self.store], capture_output=True, text=True, timeout=30)
        assert operator.returncode == 0, f"operator-key failed: {operator.stderr}"
        self.operator_key = operator.stdout.strip()
        self.log = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            [binary, "serve", "--store", self.store, "--port", "0", "--cot-tcp", "0",
             "--cot-refresh-seconds", str(refresh_seconds), *extra],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self.log)
        self.cot_port = self.http_port = self.tls_port = self.udp_port = None
        self.exit_code = None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            text = self.log_text()
            cot, http = COT_LINE.search(text), HTTP_LINE.search(text)
            tls, udp = TLS_LINE.search(text), UDP_LINE.search(text)
            if cot and http and ("--cot-tls" not in extra or tls) and ("--cot-udp" not in extra or udp):
                self.cot_port, self.http_port = int(cot.group(1)), int(http.group(1))
                self.tls_port = int(tls.group(1)) if tls else None
                self.udp_port = int(udp.group(1)) if udp else None
                break
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        if self.cot_port is None:
            self.stop()
            raise AssertionError(f"the server did not start:\n{self.log_text()}")
        self.base = f"http://127.0.0.1:{self.http_port}"

    def log_text(self):
        with open(self.log_path, "rb") as file:
            return file.read().decode("utf-8", "replace")

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.exit_code = self.process.returncode
        self.log.close()

    def call(self, party, method, path, body=None, expect=(200, 201, 204)):
        """The decoded JSON answer (None when empty) of a REST call as `party`; fails
        on a status outside `expect`."""
        status, answer = self.request(party, method, path, body)
        assert status in expect, f"{method} {path} as {party}: HTTP {status}: {answer}"
        return answer

    def request(self, party, method, path, body=None):
        """(status, decoded JSON or text) of a REST call as `party` (None: no key)."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method)
        if party == "@operator":
            request.add_header("Authorization", f"Bearer {self.operator_key}")
        elif party is not None:
            request.add_header("Authorization", f"Bearer {self.keys[party]}")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        if not raw:
            return status, None
        try:
            return status, json.loads(raw)
        except ValueError:
            return status, raw.decode("utf-8", "replace")

    def seed_at_tanf(self):
        """The At Tanf agreement signed by coalition and russia, russia answering for
        syrian-government, and coalition's 55 km deconfliction zone around At Tanf."""
        self.call("coalition", "PUT", "/v1/agreements/at-tanf", {
            "id": "at-tanf", "title": "At Tanf",
            "signatories": {"coalition": "signed", "russia": "proposed"},
            "parameters": {"groundSeparationMeters": 1000}})
        self.call("russia", "POST", "/v1/agreements/at-tanf/sign")
        self.call("russia", "POST", "/v1/responsibilities",
                  {"sponsor": "russia", "client": "syrian-government", "confirmed": True})
        self.call("coalition", "PUT", "/v1/zones/at-tanf-55km", {
            "id": "at-tanf-55km", "name": "At Tanf 55 km deconfliction zone", "kind": "deconfliction-zone",
            "agreement": "at-tanf", "circle": {"center": [33.5, 38.65], "radius": 55000}, "altitude": [0, 15000]})

    def units(self, party):
        return {unit["id"]: unit for unit in self.call(party, "GET", "/v1/units")["units"]}

    def alerts(self, party):
        return self.call(party, "GET", "/v1/alerts")["alerts"]


@pytest.fixture(scope="session")
def binary():
    path = os.environ.get("DECONFLICT_BINARY")
    if not path:
        pytest.fail("DECONFLICT_BINARY is not set: run the tests through scripts/interop")
    if not os.access(path, os.X_OK):
        pytest.fail(f"DECONFLICT_BINARY={path} is not an executable")
    return path


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


def _start(request, binary, refresh_seconds, extra=(), folder=None):
    folder = folder or tempfile.mkdtemp(prefix="deconflict-interop.")
    server = Server(binary, folder, PARTIES, refresh_seconds, extra)

    def finish():
        server.stop()
        failed = any(getattr(getattr(request.node, f"report_{when}", None), "failed", False)
                     for when in ("setup", "call"))
        if failed or server.exit_code != 0:
            tail = "\n".join(server.log_text().splitlines()[-60:])
            print(f"--- the server's log (last 60 lines) ---\n{tail}")
        subprocess.run(["rm", "-rf", folder], check=False)
        # SIGTERM is a graceful shutdown: the server ends with status 0.
        assert server.exit_code == 0, f"the server exited with {server.exit_code} on SIGTERM"

    request.addfinalizer(finish)
    return server


@pytest.fixture
def server(request, binary):
    """A fresh server for one test, the At Tanf situation seeded, zones and open alerts
    resent over CoT every 2 s."""
    server = _start(request, binary, refresh_seconds=2)
    server.seed_at_tanf()
    return server


@pytest.fixture(scope="module")
def shared_server(request, binary):
    """One server for a module's tests that leave no trace another test could see."""
    server = _start(request, binary, refresh_seconds=5)
    server.seed_at_tanf()
    return server
