#!/usr/bin/env python3
"""Protocol conformance: a ZeroMQ client and worker written only from Shared/PROTOCOL.md.

Starts the whole system with `octoo up` on free loopback ports, then checks over plain pyzmq
that every service answers Health, Describe and ReadEvents (§5), that every framing error of
§2 gets the prescribed reply, and that the services keep answering afterwards. Then, against a
bus of its own, it plays a service worker (§7): announcing itself, credit, budgets, heartbeats,
draining, being lost, and the bus's own answers (§8); and against a bus with CURVE on (§9), a
listed key answered, an unlisted or plain client not.
Prints one line per check and closes with "N passed, M failed".
"""
import argparse
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import uuid

import zmq

SERVICES = ["registry", "matching", "broadcast", "opportunities"]


def free_ports(count):
    """Free loopback ports below Linux's ephemeral range, where outgoing connections take theirs."""
    import random
    ports = []
    while len(ports) < count:
        port = random.randint(20000, 32000)
        s = socket.socket()
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            continue
        finally:
            s.close()
        if port not in ports:
            ports.append(port)
    return ports


def frame(obj):
    body = json.dumps(obj).encode("utf-8")
    return struct.pack(">I", len(body)) + body


def parse(payload):
    (n,) = struct.unpack(">I", payload[:4])
    assert len(payload) == 4 + n, "reply frame length mismatch"
    return json.loads(payload[4:].decode("utf-8"))


class Client:
    def __init__(self, ctx, endpoint):
        self.sock = ctx.socket(zmq.DEALER)
        self.sock.setsockopt(zmq.LINGER, 0)
        self.sock.connect(endpoint)

    def exchange(self, raw, timeout_ms=30000):
        self.sock.send(raw)
        if self.sock.poll(timeout_ms) == 0:
            return None
        frames = self.sock.recv_multipart()
        return parse(frames[-1])

    def call(self, method, body=None, actor=None, **extra):
        request = {"id": uuid.uuid4().hex, "method": method, "body": body or {}}
        if actor:
            request["actor"] = actor
        request.update(extra)
        reply = self.exchange(frame(request))
        assert reply is not None, f"no reply to {method}"
        assert reply["id"] == request["id"], f"reply id {reply['id']} != {request['id']}"
        return reply


TAG = b"OCTOO-W1"


class Worker:
    """A service worker speaking §7 of Shared/PROTOCOL.md."""

    def __init__(self, ctx, endpoint, service, instance, credit):
        self.sock = ctx.socket(zmq.DEALER)
        self.sock.setsockopt(zmq.LINGER, 0)
        self.sock.connect(endpoint)
        self.service, self.instance = service, instance
        self.ready(credit)

    def ready(self, credit, service=None):
        body = {"service": service or self.service, "instance": self.instance, "credit": credit}
        self.sock.send_multipart([TAG, b"READY", json.dumps(body).encode()])

    def credit(self, credit):
        self.sock.send_multipart([TAG, b"CREDIT", json.dumps({"credit": credit}).encode()])

    def heartbeat(self):
        self.sock.send_multipart([TAG, b"HEARTBEAT"])

    def next(self, command, timeout_ms=30000):
        """The next message with `command`, answering nothing else; None when none came in time."""
        deadline = time.time() + timeout_ms / 1000
        while True:
            left = int((deadline - time.time()) * 1000)
            if left <= 0 or self.sock.poll(left) == 0:
                return None
            frames = self.sock.recv_multipart()
            if frames[0] == TAG and frames[1] == command:
                return frames[2:]

    def reply(self, token, request, body):
        self.sock.send_multipart([TAG, b"REPLY", token,
                                  frame({"id": request["id"], "status": {"code": "OK", "message": "", "details": []}, "body": body})])

    def close(self):
        self.sock.close(0)


def send_request(client, method, body=None, **extra):
    """Sends without waiting; returns the request."""
    request = {"id": uuid.uuid4().hex, "method": method, "body": body or {}}
    request.update(extra)
    client.sock.send(frame(request))
    return request


def receive_reply(client, timeout_ms=30000):
    if client.sock.poll(timeout_ms) == 0:
        return None
    return parse(client.sock.recv_multipart()[-1])


def worker_checks(ctx, check, bus_binary):
    """The worker protocol against a bus of our own, with one-second heartbeats (a worker silent
    for three is lost): short enough to see, long enough that a busy machine loses no worker."""
    ports = free_ports(10)
    flags = ["--events-publish-port", str(ports[0]), "--events-subscribe-port", str(ports[1])]
    for i, svc in enumerate(SERVICES):
        flags += [f"--{svc}-port", str(ports[2 + 2 * i]), f"--{svc}-worker-port", str(ports[3 + 2 * i])]
    front, back = f"tcp://127.0.0.1:{ports[6]}", f"tcp://127.0.0.1:{ports[7]}"  # broadcast
    bus = subprocess.Popen([bus_binary, "--heartbeat-ms", "1000", "--log-level", "error"] + flags,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        status = None
        for _ in range(300):  # a minute at most for the bus to bind and answer
            # A socket per try: an answer that comes after its try gave up must not reach the
            # client the checks below use.
            probe = Client(ctx, front)
            status = probe.exchange(frame({"id": "s0", "method": "bus.Status"}), timeout_ms=200)
            probe.sock.close(0)
            if status:
                break
        client = Client(ctx, front)
        check("bus.Status answers on a service's client port",
              status is not None and status["status"]["code"] == "OK" and
              {s["service"] for s in status["body"]["services"]} == set(SERVICES), status)

        r = client.call("broadcast.Health", deadlineMs=400)
        check("no worker: the bus answers DEADLINE_EXCEEDED at the deadline", r["status"]["code"] == "DEADLINE_EXCEEDED", r)

        worker = Worker(ctx, back, "broadcast", "py-1", credit=1)
        request = send_request(client, "broadcast.PyEcho", {"text": "hi"}, deadlineMs=60000)
        got = worker.next(b"REQUEST")
        check("a READY worker gets REQUEST [token, budget, payload]", got is not None and len(got) == 3, got)
        token, budget, payload = got
        check("the payload is the client's request unchanged", parse(payload) == request, payload)
        check("the budget is what is left of deadlineMs", 0 < int(budget) <= 60000, budget)
        # Credit 1 is taken: a second request waits at the bus.
        second = send_request(client, "broadcast.PyEcho", {"text": "second"})
        check("no REQUEST beyond the credit", worker.next(b"REQUEST", 400) is None)
        worker.reply(token, request, {"text": "hi"})
        r = receive_reply(client)
        check("the REPLY reaches the client with its id", r is not None and r["id"] == request["id"] and r["body"] == {"text": "hi"}, r)
        got = worker.next(b"REQUEST")
        check("the waiting request follows once credit is free", got is not None and parse(got[2]) == second, got)
        check("without deadlineMs the budget frame is empty", got is not None and got[1] == b"", got)
        worker.reply(got[0], second, {})
        receive_reply(client)

        check("the bus sends heartbeats", worker.next(b"HEARTBEAT", 10000) is not None)
        status = client.call("bus.Status")["body"]
        broadcast = next(s for s in status["services"] if s["service"] == "broadcast")
        check("bus.Status lists the worker with its credit",
              [(w["instance"], w["credit"]) for w in broadcast["workers"]] == [("py-1", 1)] and broadcast["dispatched"] == 2, broadcast)

        worker.credit(0)
        # The bus reads the two sockets independently: wait (a minute at most) until it has it.
        withdrawn = False
        deadline = time.time() + 60
        while not withdrawn and time.time() < deadline:
            services = client.call("bus.Status")["body"]["services"]
            withdrawn = [w["credit"] for s in services if s["service"] == "broadcast" for w in s["workers"]] == [0]
            if not withdrawn:
                time.sleep(0.02)
        check("CREDIT 0 shows in bus.Status", withdrawn)
        drained = send_request(client, "broadcast.PyEcho", {}, deadlineMs=120000)
        check("CREDIT 0: nothing is sent", worker.next(b"REQUEST", 500) is None)
        worker.credit(1)
        got = worker.next(b"REQUEST")
        check("CREDIT 1: the waiting request comes", got is not None and parse(got[2])["id"] == drained["id"], got)

        # The worker goes silent while holding it: the caller hears UNKNOWN from the bus, which
        # noticed the missing heartbeats, within a wait far shorter than the request's own 120 s
        # (at which it would hear DEADLINE_EXCEEDED). How soon, against the heartbeat window,
        # `octoo-bench waiting` measures (Benchmarks/RESULTS.md).
        r = receive_reply(client, 60000)
        check("a lost worker's request is answered UNKNOWN", r is not None and r["status"]["code"] == "UNKNOWN"
              and r["id"] == drained["id"], r)
        check("... by the bus, before the request's own deadline", r is not None, r)
        worker.heartbeat()
        check("a forgotten worker is told DISCONNECT", worker.next(b"DISCONNECT") is not None)
        worker.close()

        wrong = Worker(ctx, back, "matching", "py-wrong", credit=1)
        got = wrong.next(b"DISCONNECT")
        check("READY for another service's port gets DISCONNECT with a reason", got is not None and b"matching" in got[0], got)
        wrong.close()

        # Rogue peers on the worker port: replies sprayed with guessed tokens, and the holder's own
        # token replayed by another worker, reach nobody; a huge credit is capped.
        holder = Worker(ctx, back, "broadcast", "py-holder", credit=1)
        request = send_request(client, "broadcast.PyEcho", {"text": "genuine"}, deadlineMs=10000)
        got = holder.next(b"REQUEST")
        check("rogue peers: the holder gets the request", got is not None, got)
        if got is not None:
            token = got[0]
            spoof = frame({"id": request["id"], "status": {"code": "OK"}, "body": {"text": "spoofed"}})
            sprayer = ctx.socket(zmq.DEALER)
            sprayer.setsockopt(zmq.LINGER, 0)
            sprayer.connect(back)
            for guess in range(1, 3001):
                sprayer.send_multipart([TAG, b"REPLY", struct.pack(">Q", guess), spoof])
            rival = Worker(ctx, back, "broadcast", "py-rival", credit=100000)
            rival.sock.send_multipart([TAG, b"REPLY", token, spoof])
            leaked = None
            for _ in range(6):  # heartbeats keep both workers known (the bus runs 200 ms heartbeats here)
                holder.heartbeat()
                rival.heartbeat()
                leaked = leaked or receive_reply(client, 150)
            check("rogue peers: no sprayed or replayed REPLY reaches the client", leaked is None, leaked)
            holder.reply(token, request, {"text": "genuine"})
            r = receive_reply(client)
            check("rogue peers: the holder's REPLY is the one delivered",
                  r is not None and r["body"] == {"text": "genuine"}, r)
            services = client.call("bus.Status")["body"]["services"]
            credits = {w["instance"]: w["credit"] for s in services if s["service"] == "broadcast" for w in s["workers"]}
            check("rogue peers: a READY with credit 100000 is given at most 256", credits.get("py-rival") == 256, credits)
            sprayer.close(0)
            rival.close()
        holder.close()

        stranger = ctx.socket(zmq.DEALER)
        stranger.setsockopt(zmq.LINGER, 0)
        stranger.connect(back)
        stranger.send_multipart([b"HELLO"])
        stranger.send_multipart([TAG, b"HEARTBEAT"])
        ok = stranger.poll(2000) and stranger.recv_multipart()[:2] == [TAG, b"DISCONNECT"]
        check("a message without the tag, or from an unknown worker, gets DISCONNECT", ok)
        stranger.close(0)
        r = client.call("bus.Status")
        check("the bus still answers after bad worker input", r["status"]["code"] == "OK", r)
    finally:
        bus.terminate()
        try:
            bus.wait(timeout=10)
        except subprocess.TimeoutExpired:
            bus.kill()
        check("octoo-bus stops cleanly on SIGTERM", bus.returncode == 0, f"exit {bus.returncode}")


def rogue_system_checks(ctx, check, front, publish_port):
    """Without CURVE: a forged event on the event port changes nothing, and a huge list is refused."""
    service_actor = {"role": "service"}
    registry = Client(ctx, f"tcp://127.0.0.1:{front['registry']}")
    matching = Client(ctx, f"tcp://127.0.0.1:{front['matching']}")
    page = registry.call("registry.ReadEvents", {"afterSeq": 0, "limit": 1}, service_actor)["body"]
    last, epoch = page["lastSeq"], page.get("epoch")
    forged = {"source": "registry", "seq": last + 1, "epoch": epoch, "type": "provider.upserted",
              "occurredAt": "2031-01-01T00:00:00Z", "partnerId": "p-conformance",
              "data": {"partnerId": "p-conformance", "id": "pr-forged", "name": "Forged", "providerType": "asl",
                       "travelRadiusKm": 10, "zones": [], "active": True, "version": 1,
                       "createdAt": "2031-01-01T00:00:00Z", "updatedAt": "2031-01-01T00:00:00Z"}}
    publisher = ctx.socket(zmq.PUB)
    publisher.setsockopt(zmq.LINGER, 0)
    publisher.connect(f"tcp://127.0.0.1:{publish_port}")
    applied = []
    for _ in range(40):  # two seconds: the subscription reaches the new publisher, the forgery goes out
        publisher.send_multipart([b"registry.provider.upserted", frame(forged)])
        time.sleep(0.05)
        health = matching.call("matching.Health")["body"]
        applied += [e["appliedSeq"] for e in health.get("events", []) if e["source"] == "registry"]
    publisher.close(0)
    check("rogue peers: a forged event with the next seq is never applied (no CURVE)",
          applied and max(applied) <= last, (last, applied[-3:]))
    check("rogue peers: ... and the registry's own log is unchanged",
          registry.call("registry.ReadEvents", {"afterSeq": 0, "limit": 1}, service_actor)["body"]["lastSeq"] == last)
    huge = [{"providerId": f"pr-{i}", "kind": "preferred"} for i in range(20000)]
    r = registry.call("registry.UpsertCustomer", {"name": "Huge", "lists": huge},
                      {"role": "partner", "partnerId": "p-conformance"})
    check("rogue peers: a customer list of 20,000 is INVALID_ARGUMENT naming body.lists",
          r["status"]["code"] == "INVALID_ARGUMENT"
          and any(d.get("field") == "body.lists" for d in r["status"].get("details", [])), r["status"])
    check("rogue peers: the registry still answers", registry.call("registry.Health")["status"]["code"] == "OK")


def read_key(path):
    """The key of a §9 key file: the first token of its first line that is not blank or a comment."""
    with open(path) as f:
        return next(l.split()[0] for l in f if l.strip() and not l.lstrip().startswith("#")).encode()


def curve_checks(ctx, check, octoo):
    """§9: a bus with CURVE on; its key files written here as §9 describes, the listed client's
    written by `octoo keys` and read here as §9 describes."""
    keys = tempfile.mkdtemp(prefix="octoo-conformance-keys-")
    subprocess.run([octoo, "keys", "--out", os.path.join(keys, "octoo"), "--components", "py-client"],
                   check=True, stdout=subprocess.DEVNULL)
    listed_secret = read_key(os.path.join(keys, "octoo", "py-client.key"))
    bus_public, bus_secret = zmq.curve_keypair()
    _, stranger_secret = zmq.curve_keypair()
    _, plain_secret = zmq.curve_keypair()      # a client that may claim no actor role
    _, publisher_secret = zmq.curve_keypair()  # publishes the registry's events only
    _, reader_secret = zmq.curve_keypair()     # a subscriber
    with open(os.path.join(keys, "bus.key"), "w") as f:
        f.write("# the bus's secret key\n" + bus_secret.decode() + "\n")
    with open(os.path.join(keys, "authorized_keys"), "w") as f:
        f.write("# clients: <key> <role>... # <name>\n"
                + zmq.curve_public(listed_secret).decode() + " client:service worker:broadcast # py-client\n"
                + zmq.curve_public(plain_secret).decode() + " client # py-plain\n"
                + zmq.curve_public(publisher_secret).decode() + " publisher:registry # py-publisher\n"
                + zmq.curve_public(reader_secret).decode() + " subscriber # py-reader\n")
    bus_binary = os.path.join(os.path.dirname(octoo), "octoo-bus")
    ports = free_ports(10)
    flags = ["--events-publish-port", str(ports[0]), "--events-subscribe-port", str(ports[1])]
    for i, svc in enumerate(SERVICES):
        flags += [f"--{svc}-port", str(ports[2 + 2 * i]), f"--{svc}-worker-port", str(ports[3 + 2 * i])]
    front, back = f"tcp://127.0.0.1:{ports[6]}", f"tcp://127.0.0.1:{ports[7]}"  # broadcast
    bus = subprocess.Popen([bus_binary, "--log-level", "error", "--curve-secret-key-file", os.path.join(keys, "bus.key"),
                            "--curve-authorized-keys", os.path.join(keys, "authorized_keys")] + flags,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def curve_socket(kind, secret, endpoint):
        sock = ctx.socket(kind)
        sock.setsockopt(zmq.LINGER, 0)
        if secret is not None:
            sock.curve_serverkey = bus_public
            sock.curve_secretkey = secret
            sock.curve_publickey = zmq.curve_public(secret)
        sock.connect(endpoint)
        return sock

    def status_over(secret, attempts):
        sock = curve_socket(zmq.DEALER, secret, front)
        try:
            for n in range(attempts):
                try:
                    # A refused peer's socket may hold no pipe at all, where a plain send would block.
                    sock.send(frame({"id": f"c{n}", "method": "bus.Status"}), zmq.NOBLOCK)
                except zmq.Again:
                    time.sleep(0.3)
                    continue
                if sock.poll(300):
                    return parse(sock.recv())
            return None
        finally:
            sock.close(0)

    try:
        r = status_over(listed_secret, 50)
        check("CURVE: a listed key is answered", r is not None and r["status"]["code"] == "OK", r)
        check("CURVE: an unlisted key gets nothing", status_over(stranger_secret, 3) is None)
        check("CURVE: a client without CURVE gets nothing", status_over(None, 3) is None)
        worker = curve_socket(zmq.DEALER, listed_secret, back)
        worker.send_multipart([TAG, b"READY", json.dumps({"service": "broadcast", "instance": "py-curve", "credit": 1}).encode()])
        client = curve_socket(zmq.DEALER, listed_secret, front)
        client.send(frame({"id": "w", "method": "broadcast.PyEcho", "deadlineMs": 5000, "body": {}}))
        got = worker.recv_multipart() if worker.poll(5000) else None
        check("CURVE: a listed worker gets the request", got is not None and got[1] == b"REQUEST", got)
        worker.close(0)
        client.close(0)

        # Roles per key: a READY from a client-only key, an actor role the key may not claim, a
        # forged event, and a subscription from a key that is no subscriber.
        rogue = curve_socket(zmq.DEALER, plain_secret, back)
        rogue.send_multipart([TAG, b"READY", json.dumps({"service": "broadcast", "instance": "py-rogue", "credit": 9}).encode()])
        check("CURVE roles: a READY from a client key gets nothing", rogue.poll(1000) == 0)
        rogue.close(0)
        services = status_over(listed_secret, 10)["body"]["services"]
        check("CURVE roles: ... and the bus lists no such worker",
              all(w["instance"] != "py-rogue" for s in services for w in s["workers"]), services)
        plain = curve_socket(zmq.DEALER, plain_secret, front)
        plain.send(frame({"id": "p", "method": "broadcast.PyEcho", "deadlineMs": 5000,
                          "actor": {"role": "partner", "partnerId": "p-1"}, "body": {}}))
        r = parse(plain.recv()) if plain.poll(5000) else None
        check("CURVE roles: a key claiming an actor role it was not given is refused PERMISSION_DENIED",
              r is not None and r["status"]["code"] == "PERMISSION_DENIED" and r["id"] == "p", r)
        plain.close(0)
        publisher = curve_socket(zmq.PUB, publisher_secret, f"tcp://127.0.0.1:{ports[0]}")
        reader = curve_socket(zmq.SUB, reader_secret, f"tcp://127.0.0.1:{ports[1]}")
        reader.setsockopt(zmq.SUBSCRIBE, b"")
        outsider = curve_socket(zmq.SUB, plain_secret, f"tcp://127.0.0.1:{ports[1]}")
        outsider.setsockopt(zmq.SUBSCRIBE, b"")
        topics = []
        for _ in range(150):  # until the subscription has reached the publisher
            publisher.send_multipart([b"matching.settings.set", b"{}"])  # forged: not this key's source
            publisher.send_multipart([b"registry.provider.upserted", b"{}"])
            time.sleep(0.02)
            while reader.poll(0):
                topics.append(reader.recv_multipart()[0])
            if b"registry.provider.upserted" in topics:
                break
        check("CURVE roles: a publisher's own events reach subscribers", b"registry.provider.upserted" in topics, topics)
        check("CURVE roles: an event of another source from that key is dropped", b"matching.settings.set" not in topics, topics)
        check("CURVE roles: a key that is no subscriber receives nothing", outsider.poll(0) == 0)
        for sock in (publisher, reader, outsider):
            sock.close(0)
    finally:
        bus.terminate()
        try:
            bus.wait(timeout=10)
        except subprocess.TimeoutExpired:
            bus.kill()
        check("CURVE: octoo-bus stops cleanly on SIGTERM", bus.returncode == 0, f"exit {bus.returncode}")
        shutil.rmtree(keys, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--octoo", default=".build/debug/octoo")
    args = parser.parse_args()

    ports = free_ports(10)
    flags = ["--events-publish-port", str(ports[0]), "--events-subscribe-port", str(ports[1])]
    front = {}
    for i, svc in enumerate(SERVICES):
        front[svc] = ports[2 + 2 * i]
        flags += [f"--{svc}-port", str(ports[2 + 2 * i]), f"--{svc}-worker-port", str(ports[3 + 2 * i])]
    data = tempfile.mkdtemp(prefix="octoo-conformance-")
    system = subprocess.Popen([args.octoo, "up", "--data-dir", data] + flags,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    passed, failed = 0, 0

    def check(name, condition, detail=""):
        nonlocal passed, failed
        if condition:
            passed += 1
            print(f"ok   {name}")
        else:
            failed += 1
            print(f"FAIL {name} {detail}")

    try:
        deadline = time.time() + 90
        seen = []
        os.set_blocking(system.stdout.fileno(), False)
        while not any("octoo: ready" in line for line in seen):
            if system.poll() is not None:
                raise RuntimeError("octoo up exited before it was ready: " + "".join(seen))
            if time.time() > deadline:
                raise RuntimeError("octoo up did not become ready: " + "".join(seen))
            line = system.stdout.readline()
            if line:
                seen.append(line)
            else:
                time.sleep(0.05)

        ctx = zmq.Context()
        service_actor = {"role": "service"}
        for svc in SERVICES:
            c = Client(ctx, f"tcp://127.0.0.1:{front[svc]}")
            r = c.call(f"{svc}.Health")
            check(f"{svc}.Health is SERVING", r["status"]["code"] == "OK" and r["body"]["status"] == "SERVING"
                  and r["body"]["service"] == svc, r)
            r = c.call(f"{svc}.Describe")
            names = {m["name"] for m in r["body"].get("methods", [])}
            check(f"{svc}.Describe lists the common methods",
                  r["body"].get("protocolVersion") == 1 and
                  {f"{svc}.Health", f"{svc}.Describe", f"{svc}.ReadEvents", f"{svc}.SetClock"} <= names, r)
            check(f"{svc}.Describe gives JSON Schemas",
                  all(isinstance(m["request"], dict) and isinstance(m["response"], dict) for m in r["body"]["methods"]))
            r = c.call(f"{svc}.ReadEvents", {"afterSeq": 0, "limit": 10}, service_actor)
            check(f"{svc}.ReadEvents answers events and lastSeq",
                  r["status"]["code"] == "OK" and isinstance(r["body"]["events"], list) and isinstance(r["body"]["lastSeq"], int), r)

            bad = [
                ("empty frame", b"", "INVALID_ARGUMENT", None),
                ("3 bytes", b"\x00\x00\x00", "INVALID_ARGUMENT", None),
                ("N larger than the frame", struct.pack(">I", 50) + b"{}", "INVALID_ARGUMENT", None),
                ("N smaller than the frame", struct.pack(">I", 1) + b"{}", "INVALID_ARGUMENT", None),
                ("N over the limit", struct.pack(">I", 2 * 1024 * 1024) + b"{}", "RESOURCE_EXHAUSTED", None),
                ("invalid UTF-8", struct.pack(">I", 4) + b"{\xff\xfe}", "INVALID_ARGUMENT", None),
                ("invalid JSON", struct.pack(">I", 5) + b"{oops", "INVALID_ARGUMENT", None),
                ("a JSON array", frame([1, 2]), "INVALID_ARGUMENT", None),
                ("missing id", frame({"method": f"{svc}.Health"}), "INVALID_ARGUMENT", None),
                ("missing method", frame({"id": "m"}), "INVALID_ARGUMENT", "m"),
                ("id of the wrong type", frame({"id": 7, "method": f"{svc}.Health"}), "INVALID_ARGUMENT", None),
                ("body field of the wrong type", frame({"id": "w", "method": f"{svc}.ReadEvents",
                                                       "actor": service_actor, "body": {"afterSeq": "x"}}), "INVALID_ARGUMENT", "w"),
                ("unknown method", frame({"id": "u", "method": f"{svc}.Nope"}), "UNIMPLEMENTED", "u"),
                ("another service's method", frame({"id": "o", "method": "elsewhere.Health"}), "UNIMPLEMENTED", "o"),
                ("missing actor", frame({"id": "a", "method": f"{svc}.ReadEvents"}), "INVALID_ARGUMENT", "a"),
                ("role not allowed", frame({"id": "r", "method": f"{svc}.ReadEvents",
                                            "actor": {"role": "customer", "partnerId": "p-1"}}), "PERMISSION_DENIED", "r"),
                ("SetClock without --manual-clock", frame({"id": "c", "method": f"{svc}.SetClock", "actor": service_actor,
                                                           "body": {"now": "2031-01-01T09:00:00Z"}}), "FAILED_PRECONDITION", "c"),
            ]
            for name, raw, code, rid in bad:
                r = c.exchange(raw)
                ok = r is not None and r["status"]["code"] == code and r.get("id") == rid and "id" in r
                check(f"{svc}: {name} -> {code}", ok, r)
            r = c.exchange(frame({"id": "w2", "method": f"{svc}.ReadEvents", "actor": service_actor, "body": {"afterSeq": "x"}}))
            check(f"{svc}: the wrongly typed field is named", any(d.get("field") == "body.afterSeq" for d in r["status"]["details"]), r)
            r = c.call(f"{svc}.Health")
            check(f"{svc} still answers after bad input", r["status"]["code"] == "OK", r)
        rogue_system_checks(ctx, check, front, ports[0])
        worker_checks(ctx, check, os.path.join(os.path.dirname(args.octoo), "octoo-bus"))
        curve_checks(ctx, check, args.octoo)
    except Exception as error:  # noqa: BLE001 - any failure is a failed check, reported below
        check("conformance run", False, repr(error))
    finally:
        system.terminate()
        try:
            system.wait(timeout=30)
        except subprocess.TimeoutExpired:
            system.kill()
        check("octoo up stops cleanly on SIGTERM", system.returncode == 0, f"exit {system.returncode}")
        shutil.rmtree(data, ignore_errors=True)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
