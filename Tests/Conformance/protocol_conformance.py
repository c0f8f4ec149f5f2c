#!/usr/bin/env python3
"""Protocol conformance: a ZeroMQ client written only from ../shared/PROTOCOL.md.

Starts the whole system with `octoo up` on free loopback ports, then checks over plain pyzmq
that every service answers Health, Describe and ReadEvents (PROTOCOL §5), that every framing
error of §2 gets the prescribed reply, and that the services keep answering afterwards.
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

    def exchange(self, raw, timeout_ms=5000):
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
