#!/usr/bin/env python3
"""Incident notebook ("Sổ tay sự cố"): the vulnerable service of the demo attack/defend drill.

Every team runs its own copy. Notes are stored as one JSON file each under --data and can only be
read back with the secret token returned when they were created... except through one endpoint
that forgot to check it. Finding and patching that hole is the defenders' job.

Run:
    python3 notes.py --host 127.0.0.1 --port 24001 --data /tmp/notes-data [--verbose]

Endpoints:
    GET  /                              HTML page
    GET  /health                        {"ok": true}
    POST /api/notes                     {"id", "title", "body"} -> 201 {"id", "token"}
    GET  /api/notes                     newest 50 notes: [{"id", "title"}]
    GET  /api/notes/<id>?token=<token>  {"id", "title", "body"}
    GET  /api/notes/<id>/export         the note as JSON

Standard library only (Python 3.11).
"""

import argparse
import json
import os
import re
import secrets
import signal
import sys
import tempfile
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

MAX_BODY = 64 * 1024
ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
NOTE_PATH_RE = re.compile(r"^/api/notes/([A-Za-z0-9_-]{1,64})(/export)?$")

PAGE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8">
<title>Sổ tay sự cố / Incident notebook</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 2em auto">
<h1>Sổ tay sự cố / Incident notebook</h1>
<p>Ghi chép nhanh cho đội ứng cứu sự cố. Mỗi ghi chú chỉ đọc được bằng mã bí mật (token).<br>
Quick notes for incident responders. Each note can only be read with its secret token.</p>
<ul>
<li><code>POST /api/notes</code> {"id", "title", "body"} &rarr; {"id", "token"}</li>
<li><code>GET /api/notes</code> &mdash; danh sách / list</li>
<li><code>GET /api/notes/&lt;id&gt;?token=&lt;token&gt;</code> &mdash; đọc / read</li>
<li><code>GET /api/notes/&lt;id&gt;/export</code> &mdash; xuất / export</li>
</ul>
</body></html>
"""


class BadRequest(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


class Store:
    """One JSON file per note; read from disk on every request so restarts lose nothing."""

    def __init__(self, root):
        self.root = root
        os.makedirs(root, exist_ok=True)

    def _path(self, note_id):
        return os.path.join(self.root, note_id + ".json")

    def load(self, note_id):
        try:
            with open(self._path(note_id), encoding="utf-8") as f:
                return json.load(f)
        except (OSError, ValueError):
            return None

    def create(self, note):
        """Write the note atomically; return False if the id is taken."""
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(note, f, ensure_ascii=False)
            # os.link fails if the target exists, so two concurrent creates cannot both win.
            try:
                os.link(tmp, self._path(note["id"]))
            except FileExistsError:
                return False
            except OSError:  # file systems without hard links
                if os.path.exists(self._path(note["id"])):
                    return False
                os.replace(tmp, self._path(note["id"]))
            return True
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)

    def newest(self, limit=50):
        entries = []
        for name in os.listdir(self.root):
            if name.endswith(".json") and not name.startswith("."):
                try:
                    entries.append((os.path.getmtime(os.path.join(self.root, name)), name[:-5]))
                except OSError:
                    pass
        entries.sort(reverse=True)
        out = []
        for _, note_id in entries[:limit]:
            note = self.load(note_id)
            if note:
                out.append({"id": note.get("id", note_id), "title": note.get("title", "")})
        return out


class Handler(BaseHTTPRequestHandler):
    server_version = "notes/1.0"
    protocol_version = "HTTP/1.1"
    timeout = 10  # seconds a client may stay idle or slow before its connection is dropped

    def log_message(self, fmt, *args):
        if self.server.verbose:
            sys.stderr.write("%s - %s\n" % (self.address_string(), fmt % args))

    def send(self, status, payload, content_type="application/json; charset=utf-8"):
        if isinstance(payload, str):
            data = payload.encode("utf-8")
        else:
            data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def fail(self, status, message):
        self.send(status, {"error": message})

    def read_json(self):
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            raise BadRequest(400, "bad Content-Length")
        if length < 0:
            raise BadRequest(400, "bad Content-Length")
        if length > MAX_BODY:
            # Drain a moderately large body so the client sees the reply instead of a reset.
            self.close_connection = True
            if length <= 16 * MAX_BODY:
                self.rfile.read(length)
            raise BadRequest(413, "body too large (max 64 KiB)")
        try:
            data = json.loads(self.rfile.read(length).decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            raise BadRequest(400, "invalid JSON")
        if not isinstance(data, dict):
            raise BadRequest(400, "expected a JSON object")
        return data

    def handle_safely(self, fn):
        try:
            fn()
        except BadRequest as e:
            self.fail(e.status, e.message)
        except Exception as e:  # never let bad input kill the worker silently
            if self.server.verbose:
                sys.stderr.write("internal error: %r\n" % e)
            try:
                self.fail(500, "internal error")
            except OSError:
                pass

    def do_GET(self):
        self.handle_safely(self.get)

    def do_POST(self):
        self.handle_safely(self.post)

    def do_PUT(self):
        self.handle_safely(lambda: self.fail(404, "not found"))

    do_DELETE = do_PATCH = do_PUT

    def get(self):
        url = urlsplit(self.path)
        store = self.server.store
        if url.path == "/":
            return self.send(200, PAGE, "text/html; charset=utf-8")
        if url.path == "/health":
            return self.send(200, {"ok": True})
        if url.path == "/api/notes":
            return self.send(200, store.newest(50))
        m = NOTE_PATH_RE.match(url.path)
        if not m:
            return self.fail(404, "not found")
        note = store.load(m.group(1))
        if note is None:
            return self.fail(404, "no such note")
        if m.group(2):
            # VULNERABILITY (intended): the export forgets to check the token, so anyone who
            # knows a note id can read its body. Teams are meant to find and patch this,
            # e.g. by requiring ?token= here exactly as below.
            return self.send(200, {k: note.get(k, "") for k in ("id", "title", "body")})
        token = parse_qs(url.query).get("token", [""])[0]
        if not secrets.compare_digest(token.encode(), str(note.get("token", "")).encode()):
            return self.fail(403, "wrong token")
        return self.send(200, {k: note.get(k, "") for k in ("id", "title", "body")})

    def post(self):
        if urlsplit(self.path).path != "/api/notes":
            return self.fail(404, "not found")
        data = self.read_json()
        note_id, title, body = data.get("id"), data.get("title", ""), data.get("body", "")
        if not isinstance(note_id, str) or not ID_RE.match(note_id):
            raise BadRequest(400, "id must match ^[A-Za-z0-9_-]{1,64}$")
        if not isinstance(title, str) or not isinstance(body, str):
            raise BadRequest(400, "title and body must be strings")
        token = secrets.token_hex(8)
        note = {"id": note_id, "title": title, "body": body, "token": token,
                "created": time.time()}
        if not self.server.store.create(note):
            return self.fail(409, "note already exists")
        return self.send(201, {"id": note_id, "token": token})


def watch_parent(pid):
    """Exit as soon as `pid` stops being our parent (the demo that started us was killed)."""
    import threading

    def watch():
        while os.getppid() == pid:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


def main():
    ap = argparse.ArgumentParser(description="Incident notebook (demo A/D service)")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8000)
    ap.add_argument("--data", default="./data")
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--parent", type=int, default=0,
                    help="exit when the process with this id is no longer our parent")
    args = ap.parse_args()
    if args.parent:
        watch_parent(args.parent)

    try:
        server = ThreadingHTTPServer((args.host, args.port), Handler)
    except OSError as e:
        sys.stderr.write("notes: cannot listen on %s:%d: %s\n" % (args.host, args.port, e))
        return 1
    server.daemon_threads = True
    server.store = Store(args.data)
    server.verbose = args.verbose

    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    if args.verbose:
        sys.stderr.write("notes listening on %s:%d, data in %s\n" % (args.host, args.port, args.data))
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
