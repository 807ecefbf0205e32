"""The server's Cursor-on-Target TCP listener against pytak, a TAK client library in
Python (with takproto for TAK protocol version 1): authentication, the zones and alerts
it draws for each party, reports streamed as XML and as protobuf, and hostile input."""

import asyncio
import configparser
import logging
import math
import socket
import time
import xml.etree.ElementTree as ET

import warnings

with warnings.catch_warnings():
    # pytak warns that its optional extras (cryptography, aiohttp) are missing: plain
    # TCP needs neither.
    warnings.simplefilter("ignore")
    import pytak

ZONE_UID = "deconflict.zone.at-tanf-55km"
START = (34.008492, 38.037629)
CENTER = (33.5, 38.65)
ZONE_RADIUS = 55_000
# A bound on every wait for the server.
WAIT = 30

logging.getLogger("pytak").setLevel(logging.WARNING)
for handler in pytak.Worker._logger.handlers:
    handler.setLevel(logging.WARNING)


def run(scenario, seconds=90):
    """Runs an async scenario to its end, within `seconds`."""
    asyncio.run(asyncio.wait_for(scenario, seconds))


def pytak_config(port, tak_proto):
    parser = configparser.ConfigParser()
    parser["interop"] = {"COT_URL": f"tcp://127.0.0.1:{port}", "TAK_PROTO": str(tak_proto)}
    return parser["interop"]


def auth_message(party, key):
    """TAK's authentication message, the first on a stream."""
    auth = ET.Element("auth")
    ET.SubElement(auth, "cot", username=party, password=key)
    return b'<?xml version="1.0"?>' + ET.tostring(auth)


def distance(a, b):
    """Great-circle distance in metres between two (lat, lon) in degrees."""
    (lat1, lon1), (lat2, lon2) = (tuple(map(math.radians, p)) for p in (a, b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(math.sqrt(h))


def bearing(a, b):
    (lat1, lon1), (lat2, lon2) = (tuple(map(math.radians, p)) for p in (a, b))
    y = math.sin(lon2 - lon1) * math.cos(lat2)
    x = math.cos(lat1) * math.sin(lat2) - math.sin(lat1) * math.cos(lat2) * math.cos(lon2 - lon1)
    return math.degrees(math.atan2(y, x)) % 360


def convoy_track(count=150, stop_meters=27_000):
    """Positions on the straight line from START toward CENTER, the last one about
    `stop_meters` from CENTER (well inside the 55 km zone)."""
    total = distance(START, CENTER)
    reach = 1 - stop_meters / total
    points = []
    for i in range(count):
        f = reach * i / (count - 1)
        points.append((START[0] + f * (CENTER[0] - START[0]), START[1] + f * (CENTER[1] - START[1])))
    assert distance(points[0], CENTER) > ZONE_RADIUS + 10_000
    assert abs(distance(points[-1], CENTER) - stop_meters) < 1_000
    return points


def convoy_event(uid, lat, lon, hae=700, course=None, stale=60):
    """One position of a friendly ground unit, as pytak makes CoT events: time now,
    stale `stale` seconds later."""
    track = ET.Element("track", speed="12", course=f"{course if course is not None else 0:.1f}")
    detail = pytak.cot_detail(track)
    return pytak.serialize_cot(pytak.cot_event(
        uid=uid, cot_type="a-f-G-U-C", stale=stale, callsign=uid, detail=detail,
        point=pytak.cot_point(lat=lat, lon=lon, hae=hae, ce=10, le=10, precision=6)))


class Received:
    """One CoT event received from the server."""

    def __init__(self, raw):
        self.raw = raw
        text = raw.strip()
        self.element = ET.fromstring(text)
        self.type = self.element.get("type")
        self.uid = self.element.get("uid")

    def find(self, path):
        return self.element.find(path)

    def __repr__(self):
        return f"<{self.type} {self.uid}>"


class Receiver:
    """A pytak client that authenticates as `party` and collects what the server sends
    (XML, TAK_PROTO=0) through pytak's RXWorker."""

    def __init__(self, port, party, key):
        self.config = pytak_config(port, 0)
        self.party, self.key = party, key
        self.events = []
        self.raw = b""
        self.tasks = []

    async def start(self):
        reader, self.writer = await pytak.protocol_factory(self.config)
        self.reader = reader
        self.writer.write(auth_message(self.party, self.key))
        await self.writer.drain()
        queue = asyncio.Queue()
        worker = pytak.RXWorker(queue, self.config, reader)
        self.tasks = [asyncio.create_task(worker.run()), asyncio.create_task(self._collect(queue))]
        return self

    async def _collect(self, queue):
        while True:
            data = await queue.get()
            self.raw += data
            self.events.append(Received(data))

    async def wait_for(self, predicate, what, seconds=WAIT, since=0):
        """The first event received (after the first `since`) that satisfies `predicate`,
        waiting at most `seconds`."""
        deadline = time.monotonic() + seconds
        while True:
            for event in self.events[since:]:
                if predicate(event):
                    return event
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.party} received no {what} within {seconds} s; "
                                     f"received {self.events[-40:]}")
            if self.reader.at_eof():
                raise AssertionError(f"the server closed {self.party}'s connection before {what}; "
                                     f"received {self.events[-40:]}")
            await asyncio.sleep(0.05)

    async def close(self):
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        self.writer.close()
        try:
            await asyncio.wait_for(self.writer.wait_closed(), 5)
        except (OSError, asyncio.TimeoutError):
            pass


class RecordingWriter:
    """Passes pytak's writes to the stream and keeps the first byte of each: what went
    on the wire, XML or a TAK protocol frame."""

    def __init__(self, writer):
        self.writer = writer
        self.first_bytes = []

    def write(self, data):
        self.first_bytes.append(bytes(data[:1]))
        self.writer.write(data)

    async def drain(self):
        await self.writer.drain()


async def stream_convoy(server, tak_proto, uid="convoy", party="syrian-government"):
    """pytak's TXWorker, authenticated as `party`, sends the convoy's ~150 positions
    10 ms apart (XML with TAK_PROTO=0, TAK protocol v1 stream frames with TAK_PROTO=1).
    Returns the connection's writer, still open, and the tasks of its workers."""
    config = pytak_config(server.cot_port, tak_proto)
    reader, writer = await pytak.protocol_factory(config)
    # The raw XML auth goes out first: pytak with TAK_PROTO=1 would convert it too.
    writer.write(auth_message(party, server.keys[party]))
    await writer.drain()
    # What the server sends back is read and dropped, as pytak does for write-only streams.
    drain = asyncio.create_task(pytak.DiscardRXWorker(asyncio.Queue(), pytak_config(server.cot_port, 0), reader).run())
    queue = asyncio.Queue()
    recorder = RecordingWriter(writer)
    sender = asyncio.create_task(pytak.TXWorker(queue, config, recorder).run())
    points = convoy_track()
    for lat, lon in points:
        await queue.put(convoy_event(uid, lat, lon, course=bearing((lat, lon), CENTER)))
        await asyncio.sleep(0.01)
    deadline = time.monotonic() + WAIT
    while not queue.empty():
        assert time.monotonic() < deadline, "pytak's TXWorker did not send the convoy's events"
        await asyncio.sleep(0.02)
    await writer.drain()
    assert not reader.at_eof(), "the server closed the sender's connection"
    # pytak sends XML as it is when it cannot convert it: make sure of the encoding.
    expected = b"\xbf" if tak_proto else b"<"
    assert len(recorder.first_bytes) == len(points) and set(recorder.first_bytes) == {expected}, \
        f"pytak (TAK_PROTO={tak_proto}) wrote messages starting with {set(recorder.first_bytes)}"
    return writer, [sender, drain]


async def poll(check, what, seconds=WAIT):
    """`check()`'s first truthy answer (check runs in a thread: it may block on REST)."""
    deadline = time.monotonic() + seconds
    while True:
        answer = await asyncio.to_thread(check)
        if answer:
            return answer
        if time.monotonic() > deadline:
            raise AssertionError(f"no {what} within {seconds} s")
        await asyncio.sleep(0.2)


def incursion_of_convoy(server, party):
    def check():
        for alert in server.alerts(party):
            if alert["kind"] == "incursion" and alert["units"] == ["convoy"] and alert["state"] != "resolved":
                return alert
        return None
    return check


async def stop_tasks(tasks, writer):
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    writer.close()


def is_zone_shape(event):
    if event.type != "u-d-c-c" or event.uid != ZONE_UID:
        return False
    ellipse = event.find("detail/shape/ellipse")
    geofence = event.find("detail/__geofence")
    return (ellipse is not None and float(ellipse.get("major")) == ZONE_RADIUS
            and float(ellipse.get("minor")) == ZONE_RADIUS
            and geofence is not None and float(geofence.get("maxElevation")) == 15000
            and float(geofence.get("minElevation")) == 0)


def links_convoy(event):
    return any(link.get("uid") == "convoy" for link in event.element.iter("link"))


async def convoy_incursion_drawn(server, coalition, tak_proto):
    """Streams the convoy (XML or protobuf), waits for its incursion alert, and for the
    coalition's receiver to be sent the `b-a-g` linking the convoy: (alert, uid, event)."""
    writer, tasks = await stream_convoy(server, tak_proto=tak_proto)
    try:
        alert = await poll(incursion_of_convoy(server, "coalition"), "incursion alert for coalition")
    finally:
        await stop_tasks(tasks, writer)
    uid = f"deconflict.alert.{alert['id']}"
    emergency = await coalition.wait_for(lambda e: e.type == "b-a-g" and e.uid == uid, f"b-a-g {uid}")
    assert links_convoy(emergency), emergency.raw
    return alert, uid, emergency


def test_xml_convoy_raises_an_incursion_drawn_for_the_addressees_only(server):
    async def scenario():
        coalition = await Receiver(server.cot_port, "coalition", server.keys["coalition"]).start()
        militia = await Receiver(server.cot_port, "allied-militia", server.keys["allied-militia"]).start()
        try:
            # Both see the zone as a TAK circle with its altitude band.
            await coalition.wait_for(lambda e: e.type == "t-x-takp-v", "protocol offer")
            await coalition.wait_for(is_zone_shape, "zone shape")
            await militia.wait_for(is_zone_shape, "zone shape")

            alert, uid, emergency = await convoy_incursion_drawn(server, coalition, tak_proto=0)
            element = emergency.find("detail/emergency")
            assert element is not None and element.get("type") == "Geo-fence Breached", emergency.raw
            assert "incursion" in element.text and "convoy" in element.text, emergency.raw
            # Only a breach is an emergency: an approach (a warning of what may come) is a
            # marker, never "Geo-fence Breached".
            false_alarms = [e for e in coalition.events if e.type == "b-a-g"
                            and "approach" in (e.find("detail/emergency").text or "")]
            assert not false_alarms, false_alarms[0].raw[:600]

            # The militia is no addressee: through a refresh of the picture (every 2 s)
            # it gets the zone again, never the alert nor anything about the convoy.
            seen = len(militia.events)
            await militia.wait_for(is_zone_shape, "refreshed zone shape", seconds=10, since=seen)
            leaked = [e for e in militia.events if e.type in ("b-a-g", "b-a-o-can")]
            assert not leaked, f"allied-militia received {len(leaked)} alert events, the first: {leaked[0].raw[:600]!r}"
            assert b"convoy" not in militia.raw, "allied-militia received an event about the convoy"

            # Resolving it cancels the emergency on coalition's map.
            server.call("coalition", "POST", f"/v1/alerts/{alert['id']}/resolve", {"reason": "convoy turned back"})
            await coalition.wait_for(lambda e: e.type == "b-a-o-can" and e.uid == uid, f"b-a-o-can {uid}")
            resolved = await asyncio.to_thread(server.call, "coalition", "GET", f"/v1/alerts/{alert['id']}")
            assert resolved["state"] == "resolved", resolved
            assert not [e for e in militia.events if e.type in ("b-a-g", "b-a-o-can")]
            assert b"convoy" not in militia.raw
        finally:
            await coalition.close()
            await militia.close()

    run(scenario())


def test_protobuf_convoy_is_stored_and_raises_an_incursion(server):
    async def scenario():
        coalition = await Receiver(server.cot_port, "coalition", server.keys["coalition"]).start()
        try:
            await coalition.wait_for(is_zone_shape, "zone shape")
            await convoy_incursion_drawn(server, coalition, tak_proto=1)

            units = await asyncio.to_thread(server.units, "syrian-government")
            assert "convoy" in units, f"syrian-government's units: {list(units)}"
            report = units["convoy"].get("lastReport")
            assert report is not None, units["convoy"]
            assert report["altitudeMeters"] == 700, report
            last = convoy_track()[-1]
            lat, lon = report["position"]
            assert distance((lat, lon), last) < 50, report
        finally:
            await coalition.close()

    run(scenario())


async def closed_by_server(reader, seconds=5):
    """The bytes read until the server closed the connection; fails when it stays open
    `seconds`."""
    received = b""
    deadline = time.monotonic() + seconds
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"the server kept the connection open {seconds} s; it sent {received[:300]!r}")
        try:
            chunk = await asyncio.wait_for(reader.read(65536), left)
        except asyncio.TimeoutError:
            continue
        except ConnectionError:
            return received
        if not chunk:
            return received
        received += chunk


def test_connections_that_do_not_authenticate_are_dropped(shared_server):
    server = shared_server
    keys = server.keys

    async def attempt(first, uid):
        reader, writer = await pytak.protocol_factory(pytak_config(server.cot_port, 0))
        try:
            payload = (first or b"") + convoy_event(uid, 33.6, 38.6)
            writer.write(payload)
            try:
                await writer.drain()
            except ConnectionError:
                pass
            return await closed_by_server(reader)
        finally:
            writer.close()

    async def scenario():
        cases = {
            "no-auth": None,
            "wrong-key": auth_message("syrian-government", "dck_0000000000000000_" + "0" * 64),
            "not-an-api-key": auth_message("syrian-government", "hunter2"),
            "other-party-key": auth_message("syrian-government", keys["coalition"]),
            "other-party-name": auth_message("coalition", keys["syrian-government"]),
        }
        for name, first in cases.items():
            received = await attempt(first, f"intruder-{name}")
            assert received == b"", f"{name}: the server sent {received[:300]!r} to an unauthenticated connection"

        # The server still serves: a good connection is offered the protocol, gets the
        # picture, and its unit is stored.
        good = await Receiver(server.cot_port, "syrian-government", keys["syrian-government"]).start()
        try:
            await good.wait_for(lambda e: e.type == "t-x-takp-v", "protocol offer")
            await good.wait_for(is_zone_shape, "zone shape")
            good.writer.write(convoy_event("authenticated-unit", 33.9, 38.1))
            await good.writer.drain()
            await poll(lambda: "authenticated-unit" in server.units("syrian-government"), "authenticated-unit stored")
        finally:
            await good.close()
        for party in ("syrian-government", "coalition"):
            stored = [unit for unit in server.units(party) if unit.startswith("intruder-")]
            assert not stored, f"units stored from unauthenticated connections, seen by {party}: {stored}"

    run(scenario())


LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
               for i in range(1, 10))
    + b']>')


def hostile_payloads():
    def event(uid):
        return convoy_event(uid, 33.95, 38.05).split(b"\n", 1)[1]

    laughs = LAUGHS + event("hostile-laughs").replace(b"</detail>", b"<remarks>&lol9;</remarks></detail>")
    malformed = event("hostile-malformed").replace(b"<detail>", b"<detail><track speed=\"1\">")
    assert b"</track>" not in malformed
    opened = event("hostile-oversized").split(b"</detail>")[0]
    oversized = opened + b"<remarks>" + b"A" * 70_000
    framing = b"\x00" + convoy_event("hostile-framing", 33.95, 38.05)
    return {"billion-laughs": laughs, "malformed": malformed, "oversized": oversized, "wrong-framing": framing}


def raw_connection(server, party="syrian-government"):
    """A plain socket authenticated as `party`, once the server has offered the protocol."""
    connection = socket.create_connection(("127.0.0.1", server.cot_port), timeout=5)
    connection.sendall(auth_message(party, server.keys[party]))
    received = b""
    deadline = time.monotonic() + 10
    while b"t-x-takp-v" not in received:
        assert time.monotonic() < deadline, f"no protocol offer after auth; got {received[:300]!r}"
        chunk = connection.recv(65536)
        assert chunk, f"the server closed an authenticated connection; got {received[:300]!r}"
        received += chunk
    return connection


def read_until_closed(connection, seconds=5):
    deadline = time.monotonic() + seconds
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        connection.settimeout(left)
        try:
            if not connection.recv(65536):
                return True
        except socket.timeout:
            return False
        except ConnectionError:
            return True


def test_hostile_input_drops_the_connection_and_stores_nothing(shared_server):
    server = shared_server
    for name, payload in hostile_payloads().items():
        connection = raw_connection(server)
        try:
            try:
                for offset in range(0, len(payload), 8192):
                    connection.sendall(payload[offset:offset + 8192])
            except ConnectionError:
                pass  # dropped while still sending
            assert read_until_closed(connection), f"{name}: the connection stayed open"
        finally:
            connection.close()

    # A well-formed event on a fresh connection is stored: what the checks below look for
    # is there to be seen.
    connection = raw_connection(server)
    try:
        connection.sendall(convoy_event("hostile-control", 33.95, 38.05))
        deadline = time.monotonic() + WAIT
        while "hostile-control" not in server.units("syrian-government"):
            assert time.monotonic() < deadline, "a well-formed event after auth was not stored"
            time.sleep(0.2)
    finally:
        connection.close()
    stored = [unit for unit in server.units("syrian-government") if unit.startswith("hostile-") and unit != "hostile-control"]
    assert not stored, f"units stored from hostile input: {stored}"

    status, answer = server.request(None, "GET", "/healthz")
    assert status == 200, answer
    assert server.process.poll() is None, "the server exited"
