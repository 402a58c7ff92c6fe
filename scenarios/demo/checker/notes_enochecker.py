#!/usr/bin/env python3
"""ENOWARS-style checker service (checker protocol v2) for the demo "notes" service.

    python3 notes_enochecker.py --port 9100 [--host 127.0.0.1] [--service-port 8080] [--db checker-db.json]

The engine sends each team's address without a port (as the protocol says); the service listens
on --service-port at that address.

GET /service describes it: 1 flag variant, 1 noise variant, 1 havoc variant.
POST / takes a task {"method", "address", "flag", "variantId", "taskChainId", "timeout", ...}
and answers {"result": "OK" | "MUMBLE" | "OFFLINE" | "INTERNAL_ERROR", "message", "attackInfo"}.

  putflag  creates a note holding the flag; keeps its id and read token under the taskChainId;
           attackInfo is the note id (what an attacker needs to aim the export bug at it).
  getflag  reads the note back with the kept token: MUMBLE when the flag is not there.
  putnoise creates a note with random text; getnoise reads it back.
  havoc    checks the health endpoint and the home page.

Standard library only (Python 3.11). The database is a JSON file written after each put, so a
restarted checker still reads back what it put.
"""

import argparse
import http.client
import json
import os
import secrets
import socket
import sys
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote

VARIANTS = {"flag": 1, "noise": 1, "havoc": 1}
MAX_REPLY = 1 << 20  # bytes read of a service's answer
SERVICE_PORT = 8080
LOG = False
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class Result(Exception):
    """End a task with a result and a message."""

    def __init__(self, result, message=None):
        super().__init__(message or result)
        self.result, self.message = result, message


class Store:
    """taskChainId -> what a put left for its gets, kept in a JSON file."""

    def __init__(self, path):
        self.path, self.lock, self.data = path, threading.Lock(), {}
        if path and os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                self.data = json.load(f)

    def put(self, key, value):
        with self.lock:
            self.data[key] = value
            if self.path:
                tmp = self.path + ".tmp"
                with open(tmp, "w", encoding="utf-8") as f:
                    json.dump(self.data, f)
                os.replace(tmp, self.path)

    def get(self, key):
        with self.lock:
            return self.data.get(key)


def call(address, method, path, payload, deadline):
    """One request to the team's service: (status, body). Network trouble is OFFLINE."""
    left = deadline - time.monotonic()
    if left <= 0.05:
        raise Result("OFFLINE", "service is too slow")
    data = None if payload is None else json.dumps(payload).encode("utf-8")
    host = "[%s]" % address if ":" in address else address
    req = urllib.request.Request("http://%s:%d%s" % (host, SERVICE_PORT, path), data=data,
                                 method=method,
                                 headers={"Content-Type": "application/json"} if data else {})
    try:
        with OPENER.open(req, timeout=min(left, 5.0)) as resp:
            return resp.status, resp.read(MAX_REPLY)
    except urllib.error.HTTPError as e:
        return e.code, e.read(MAX_REPLY)
    except http.client.HTTPException:  # not HTTP at all: the service answers wrongly
        raise Result("MUMBLE", "bad HTTP reply")
    except (urllib.error.URLError, socket.timeout, ConnectionError, OSError):
        raise Result("OFFLINE", "service is down")


def as_json(status, body, want, what):
    if status != want:
        raise Result("MUMBLE", "unexpected status %d while %s" % (status, what))
    try:
        return json.loads(body.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise Result("MUMBLE", "malformed JSON while %s" % what)


def create(address, text, deadline):
    note_id = "e" + secrets.token_hex(8)
    reply = as_json(*call(address, "POST", "/api/notes",
                          {"id": note_id, "title": "Incident notebook", "body": text}, deadline),
                    201, "creating a note")
    token = reply.get("token") if isinstance(reply, dict) else None
    if not isinstance(token, str) or not token:
        raise Result("MUMBLE", "creating a note gave no token")
    return {"id": note_id, "token": token}


def read(address, kept, deadline):
    path = "/api/notes/%s?token=%s" % (quote(kept["id"], safe=""), quote(kept["token"], safe=""))
    status, body = call(address, "GET", path, None, deadline)
    if status in (403, 404):
        raise Result("MUMBLE", "note is missing")
    note = as_json(status, body, 200, "reading a note")
    text = note.get("body") if isinstance(note, dict) else None
    if not isinstance(text, str):
        raise Result("MUMBLE", "malformed note")
    return text


def run(task, store):
    method, variant = task.get("method"), task.get("variantId", 0)
    address, chain = task.get("address", ""), task.get("taskChainId", "")
    kind = {"putflag": "flag", "getflag": "flag", "putnoise": "noise", "getnoise": "noise",
            "havoc": "havoc"}.get(method)
    if kind is None or not isinstance(variant, int) or not 0 <= variant < VARIANTS[kind]:
        raise Result("INTERNAL_ERROR", "unsupported method %r or variant %r" % (method, variant))
    timeout_ms = task.get("timeout") or 10_000
    deadline = time.monotonic() + max(0.5, timeout_ms / 1000.0 - 0.3)
    if method == "putflag":
        kept = create(address, "Flag for the drill: %s" % task["flag"], deadline)
        store.put(chain, kept)
        return {"result": "OK", "message": None, "attackInfo": kept["id"]}
    if method == "getflag":
        kept = store.get(chain)
        if kept is None:
            raise Result("MUMBLE", "the flag was never stored")
        if task["flag"] not in read(address, kept, deadline):
            raise Result("MUMBLE", "flag is missing")
        return {"result": "OK", "message": None}
    if method == "putnoise":
        noise = "Noise %s" % secrets.token_hex(12)
        kept = create(address, noise, deadline)
        kept["noise"] = noise
        store.put(chain, kept)
        return {"result": "OK", "message": None}
    if method == "getnoise":
        kept = store.get(chain)
        if kept is None:
            raise Result("MUMBLE", "the noise was never stored")
        if kept["noise"] not in read(address, kept, deadline):
            raise Result("MUMBLE", "noise is missing")
        return {"result": "OK", "message": None}
    health = as_json(*call(address, "GET", "/health", None, deadline), 200, "checking health")
    if not isinstance(health, dict) or health.get("ok") is not True:
        raise Result("MUMBLE", "health check failed")
    status, page = call(address, "GET", "/", None, deadline)
    if status != 200 or b"Incident notebook" not in page:
        raise Result("MUMBLE", "home page is broken")
    return {"result": "OK", "message": None}


def handler(store):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def answer(self, status, value):
            body = json.dumps(value).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            if self.path != "/service":
                return self.answer(404, {"error": "not found"})
            self.answer(200, {"serviceName": "notes", "flagVariants": VARIANTS["flag"],
                              "noiseVariants": VARIANTS["noise"],
                              "havocVariants": VARIANTS["havoc"], "exploitVariants": 0})

        def do_POST(self):
            try:
                length = int(self.headers.get("Content-Length") or 0)
                task = json.loads(self.rfile.read(length).decode("utf-8"))
                if not isinstance(task, dict):
                    raise ValueError("a task is a JSON object")
            except (ValueError, UnicodeDecodeError) as e:
                return self.answer(400, {"error": str(e)})
            try:
                reply = run(task, store)
            except Result as r:
                reply = {"result": r.result, "message": r.message}
            except Exception as e:  # a checker bug is an internal error, never the team's fault
                reply = {"result": "INTERNAL_ERROR", "message": repr(e)}
            self.answer(200, reply)

        def log_message(self, fmt, *args):
            if LOG:
                print("%s - %s" % (self.address_string(), fmt % args), file=sys.stderr)

    return Handler


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--service-port", type=int, default=SERVICE_PORT,
                    help="the port of the notes service on each team's address (default 8080)")
    ap.add_argument("--db", default=None, help="JSON file kept between restarts")
    ap.add_argument("--log", action="store_true", help="log every request on stderr")
    args = ap.parse_args()
    globals()["SERVICE_PORT"] = args.service_port
    globals()["LOG"] = args.log
    server = ThreadingHTTPServer((args.host, args.port), handler(Store(args.db)))
    server.daemon_threads = True
    print("notes enochecker on http://%s:%d" % (args.host, args.port), file=sys.stderr)
    server.serve_forever()


if __name__ == "__main__":
    main()
