"""The server's Cursor-on-Target listeners other than plain TCP, against pytak: TLS with
client certificates (the certificate's common name is the party) and UDP datagrams (XML,
and TAK protocol version 1 as pytak sends it), with the refusals a TLS listener owes:
no certificate, one from another CA, one whose name is no party."""

import asyncio
import configparser
import os
import socket
import ssl
import subprocess
import time

import pytest

from conftest import _start
from test_cot_pytak import (Receiver, auth_message, convoy_event, is_zone_shape, poll, run, stop_tasks,
                            WAIT)
import pytak


def openssl(*arguments, cwd):
    done = subprocess.run(["openssl", *arguments], cwd=cwd, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, f"openssl {' '.join(arguments)}: {done.stderr}"


def make_certificates(folder):
    """A CA; the server's certificate for 127.0.0.1; client certificates for
    `coalition` and `nobody` (not a party) signed by the CA; and a `coalition`
    certificate from another, untrusted CA."""
    def key(name):
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", f"{name}.key", cwd=folder)

    def ca(name):
        key(name)
        openssl("req", "-x509", "-new", "-key", f"{name}.key", "-out", f"{name}.pem", "-days", "2",
                "-subj", f"/CN={name}", cwd=folder)

    def signed(name, common_name, by, extensions=None):
        key(name)
        openssl("req", "-new", "-key", f"{name}.key", "-out", f"{name}.csr", "-subj", f"/O=Deconflict tests/CN={common_name}",
                cwd=folder)
        arguments = ["x509", "-req", "-in", f"{name}.csr", "-CA", f"{by}.pem", "-CAkey", f"{by}.key",
                     "-CAcreateserial", "-out", f"{name}.pem", "-days", "2"]
        if extensions:
            with open(os.path.join(folder, f"{name}.ext"), "w") as file:
                file.write(extensions)
            arguments += ["-extfile", f"{name}.ext"]
        openssl(*arguments, cwd=folder)

    ca("test-ca")
    ca("rogue-ca")
    signed("server", "127.0.0.1", "test-ca", "subjectAltName=IP:127.0.0.1\n")
    signed("coalition", "coalition", "test-ca")
    signed("nobody", "nobody", "test-ca")
    signed("rogue", "coalition", "rogue-ca")
    return {name: os.path.join(folder, name) for name in ("test-ca", "server", "coalition", "nobody", "rogue")}


@pytest.fixture
def tls_server(request, binary):
    folder = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"tls-{os.getpid()}-{time.monotonic_ns()}")
    os.makedirs(folder)
    paths = make_certificates(folder)
    server = _start(request, binary, refresh_seconds=2, folder=folder, extra=(
        "--cot-tls", "0", "--cot-tls-cert", paths["server"] + ".pem", "--cot-tls-key", paths["server"] + ".key",
        "--cot-tls-client-ca", paths["test-ca"] + ".pem"))
    server.seed_at_tanf()
    server.certificates = paths
    return server


def tls_config(server, client):
    parser = configparser.ConfigParser()
    paths = server.certificates
    parser["interop"] = {
        "COT_URL": f"tls://127.0.0.1:{server.tls_port}", "TAK_PROTO": "0",
        "PYTAK_TLS_CLIENT_CERT": paths[client] + ".pem", "PYTAK_TLS_CLIENT_KEY": paths[client] + ".key",
        "PYTAK_TLS_CLIENT_CAFILE": paths["test-ca"] + ".pem", "PYTAK_TLS_SERVER_EXPECTED_HOSTNAME": "127.0.0.1",
    }
    return parser["interop"]


def test_tls_client_certificate_is_the_party(tls_server):
    server = tls_server

    async def scenario():
        # pytak over TLS with coalition's certificate: no auth message, the certificate
        # says who it is. It is drawn the zone and its patrol's positions are stored as
        # coalition's.
        config = tls_config(server, "coalition")
        reader, writer = await pytak.protocol_factory(config)
        receiver = Receiver(server.tls_port, "coalition", "")
        receiver.reader, receiver.writer = reader, writer
        queue = asyncio.Queue()
        tasks = [asyncio.create_task(pytak.RXWorker(queue, config, reader).run()),
                 asyncio.create_task(receiver._collect(queue))]
        receiver.tasks = tasks
        await receiver.wait_for(lambda e: e.type == "t-x-takp-v", "protocol offer")
        await receiver.wait_for(is_zone_shape, "zone shape")
        out = asyncio.Queue()
        sender = asyncio.create_task(pytak.TXWorker(out, config, writer).run())
        await out.put(convoy_event("tls-patrol", 33.41, 38.61, hae=650))
        units = await poll(lambda: (server.units("coalition").get("tls-patrol") or {}).get("lastReport") and server.units("coalition")["tls-patrol"], "the TLS patrol's report stored")
        assert units["party"] == "coalition" and units["lastReport"]["altitudeMeters"] == 650
        await stop_tasks([sender], writer)
        await receiver.close()

    run(scenario())


def tls_refused(server, client):
    """True when the server refuses a TLS client with certificate `client` (None: none)
    during the handshake or by closing the connection at once."""
    paths = server.certificates
    context = ssl.create_default_context(cafile=paths["test-ca"] + ".pem")
    context.check_hostname = False
    if client:
        context.load_cert_chain(paths[client] + ".pem", paths[client] + ".key")
    with socket.create_connection(("127.0.0.1", server.tls_port), timeout=5) as raw:
        try:
            with context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
                tls.settimeout(5)
                # TLS 1.3 reports a refused client certificate on the first read.
                tls.sendall(convoy_event(f"intruder-{client}", 33.41, 38.61))
                return tls.recv(65536) == b""
        except (ssl.SSLError, ConnectionResetError, BrokenPipeError):
            return True


def test_tls_refuses_clients_without_a_valid_party_certificate(tls_server):
    server = tls_server
    for client in (None, "rogue", "nobody"):
        assert tls_refused(server, client), f"a TLS client with certificate {client} was served"
    for party in ("coalition", "russia"):
        units = server.units(party)
        assert not any(unit.startswith("intruder") for unit in units), units
    # Still serving: coalition's certificate works.
    assert not tls_refused(server, "coalition"), "coalition's own certificate was refused"
    status, _ = server.request(None, "GET", "/healthz")
    assert status == 200


@pytest.fixture
def udp_server(request, binary):
    server = _start(request, binary, refresh_seconds=5,
                    extra=("--cot-udp", "0", "--cot-udp-party", "syrian-government"))
    server.seed_at_tanf()
    return server


def test_udp_datagrams_speak_for_the_configured_party(udp_server):
    server = udp_server

    async def send(tak_proto, uid, lat):
        parser = configparser.ConfigParser()
        parser["interop"] = {"COT_URL": f"udp+wo://127.0.0.1:{server.udp_port}", "TAK_PROTO": str(tak_proto)}
        config = parser["interop"]
        _, writer = await pytak.protocol_factory(config)
        queue = asyncio.Queue()
        sender = asyncio.create_task(pytak.TXWorker(queue, config, writer).run())
        for step in range(5):
            await queue.put(convoy_event(uid, lat + step * 0.001, 38.2))
            await asyncio.sleep(0.05)
        deadline = time.monotonic() + WAIT
        while not queue.empty():
            assert time.monotonic() < deadline
            await asyncio.sleep(0.02)
        sender.cancel()
        await asyncio.gather(sender, return_exceptions=True)

    async def scenario():
        await send(0, "udp-xml", 33.9)
        await send(1, "udp-proto", 33.8)
        for uid, lat in (("udp-xml", 33.9), ("udp-proto", 33.8)):
            unit = await poll(lambda: (server.units("syrian-government").get(uid) or {}).get("lastReport") and server.units("syrian-government")[uid], f"{uid} stored")
            assert unit["party"] == "syrian-government"
            assert abs(unit["lastReport"]["position"][0] - (lat + 0.004)) < 1e-6, unit
        # A damaged datagram is dropped; the listener goes on.
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as raw:
            raw.sendto(b"\xbf\x01\xbf\xff\xff\xff", ("127.0.0.1", server.udp_port))
            raw.sendto(b"<event uid='x'", ("127.0.0.1", server.udp_port))
            raw.sendto(convoy_event("udp-after", 33.7, 38.2), ("127.0.0.1", server.udp_port))
        await poll(lambda: server.units("syrian-government").get("udp-after"), "udp-after stored")

    run(scenario())


def test_a_revoked_key_ends_its_cot_connection(server):
    """A TCP connection authenticated with a key is dropped within seconds of the
    operator revoking that key; reports sent after that are not stored."""
    key = server.keys["coalition"]
    with socket.create_connection(("127.0.0.1", server.cot_port), timeout=5) as raw:
        raw.sendall(auth_message("coalition", key))
        raw.settimeout(10)
        received = b""
        while b"deconflict.zone.at-tanf-55km" not in received:
            chunk = raw.recv(65536)
            assert chunk, "the server closed the connection before the zone"
            received += chunk
        key_id = key.split("_")[1]
        server.call("@operator", "DELETE", f"/v1/keys/{key_id}")
        revoked = time.monotonic()
        raw.settimeout(15)
        try:
            while raw.recv(65536):
                pass
        except (ConnectionResetError, socket.timeout) as error:
            assert not isinstance(error, socket.timeout), "the connection is still open 15 s after the revocation"
        assert time.monotonic() - revoked < 12
        try:
            raw.sendall(convoy_event("after-revocation", 33.41, 38.61))
        except OSError:
            pass
    time.sleep(1)
    status, _ = server.request("coalition", "GET", "/v1/units")
    assert status == 401
    units = server.call("@operator", "GET", "/v1/units")["units"]
    assert not any(unit["id"] == "after-revocation" for unit in units)
