#!/usr/bin/env python3
"""Checker for the demo "notes" service (Sổ tay sự cố / Incident notebook).

Hackerdom/ForcAD command line (HOST is ip:port):
    python3 notes_checker.py check HOST
    python3 notes_checker.py put   HOST FLAG_ID FLAG VULN   # prints FLAG_ID:TOKEN on success
    python3 notes_checker.py get   HOST FLAG_ID FLAG VULN   # FLAG_ID is the id:token from put

Exit codes: 101 OK, 102 CORRUPT, 103 MUMBLE, 104 DOWN, 110 CHECKER_ERROR.
stdout is the public message shown to teams, stderr holds private details for the organisers.
Every request times out after 3 s. Standard library only (Python 3.11).
"""

import json
import random
import re
import secrets
import socket
import sys
import time
import traceback
import urllib.error
import urllib.request
from urllib.parse import quote

OK, CORRUPT, MUMBLE, DOWN, CHECKER_ERROR = 101, 102, 103, 104, 110
TIMEOUT = 3.0        # per request
BUDGET = 4.0         # whole run: later requests get what is left of it
DEADLINE = time.monotonic() + BUDGET
ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
# Talk to the team's host directly, whatever http_proxy says.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))

TITLES = [
    "Nhật ký ca trực SOC", "SOC shift log", "Ghi chú phân tích mã độc", "Malware triage notes",
    "Danh sách IOC cần chặn", "IOC block list", "Biên bản họp ứng cứu sự cố",
    "Incident call minutes", "Kiểm tra máy chủ cổng thông tin", "Portal server review",
    "Theo dõi lưu lượng DNS bất thường", "Odd DNS traffic follow-up",
]
BODIES = [
    "Đã cô lập máy trạm, chờ ảnh bộ nhớ.", "Workstation isolated, waiting for the memory image.",
    "Đã đổi mật khẩu tài khoản quản trị.", "Admin passwords rotated.",
    "Cần xác minh lại nhật ký tường lửa.", "Firewall logs still to be checked.",
]


class Verdict(Exception):
    """Stop the check with an exit code, a public message and private details."""

    def __init__(self, code, public, private=""):
        super().__init__(public)
        self.code, self.public, self.private = code, public, private


def request(host, method, path, payload=None, what="request"):
    """Send one HTTP request; return (status, raw body). Network failures become DOWN."""
    url = "http://%s%s" % (host, path)
    data = None
    headers = {"User-Agent": "drillboard-checker/1.0"}
    if payload is not None:
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        headers["Content-Type"] = "application/json"
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    timeout = min(TIMEOUT, DEADLINE - time.monotonic())
    if timeout <= 0.05:
        raise Verdict(DOWN, "service is too slow", "%s %s: out of time" % (method, url))
    try:
        with OPENER.open(req, timeout=timeout) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as e:
        try:
            body = e.read()
        except Exception:
            body = b""
        return e.code, body
    except (urllib.error.URLError, socket.timeout, ConnectionError, OSError) as e:
        raise Verdict(DOWN, "service is down", "%s %s (%s): %r" % (method, url, what, e))
    except Exception as e:  # malformed HTTP (e.g. http.client.BadStatusLine)
        raise Verdict(MUMBLE, "bad HTTP reply: %s" % what, "%s %s: %r" % (method, url, e))


def expect_json(host, method, path, payload=None, status=200, what="request"):
    """Request and insist on a given status and a JSON reply; anything else is MUMBLE."""
    code, body = request(host, method, path, payload, what)
    if code != status:
        raise Verdict(MUMBLE, "unexpected status: %s" % what,
                      "%s %s: got %d, want %d: %r" % (method, path, code, status, body[:500]))
    try:
        return json.loads(body.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise Verdict(MUMBLE, "malformed JSON: %s" % what, "%s %s: %r" % (method, path, body[:500]))


def create_note(host, note_id, title, body):
    code, raw = request(host, "POST", "/api/notes", {"id": note_id, "title": title, "body": body},
                        "creating a note")
    if code != 201:
        raise Verdict(MUMBLE, "cannot create a note", "POST /api/notes %s: %d %r" % (note_id, code, raw[:500]))
    try:
        reply = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise Verdict(MUMBLE, "cannot create a note", "malformed JSON: %r" % raw[:500])
    token = reply.get("token") if isinstance(reply, dict) else None
    if not isinstance(token, str) or not token or ":" in token or reply.get("id") != note_id:
        raise Verdict(MUMBLE, "cannot create a note", "bad create reply: %r" % (reply,))
    return token


def read_path(note_id, token):
    return "/api/notes/%s?token=%s" % (quote(note_id, safe=""), quote(token, safe=""))


def check(host):
    health = expect_json(host, "GET", "/health", what="health check")
    if not isinstance(health, dict) or health.get("ok") is not True:
        raise Verdict(MUMBLE, "health check failed", "GET /health: %r" % (health,))
    code, page = request(host, "GET", "/", what="home page")
    if code != 200 or b"Incident notebook" not in page:
        raise Verdict(MUMBLE, "home page is broken", "GET /: %d %r" % (code, page[:300]))

    note_id = "chk-" + secrets.token_hex(6)
    title, body = random.choice(TITLES), random.choice(BODIES) + " #" + secrets.token_hex(4)
    token = create_note(host, note_id, title, body)
    note = expect_json(host, "GET", read_path(note_id, token), what="reading a note back")
    if not isinstance(note, dict) or note.get("id") != note_id or note.get("title") != title \
            or note.get("body") != body:
        raise Verdict(MUMBLE, "note read back is wrong", "got %r" % (note,))

    listing = expect_json(host, "GET", "/api/notes", what="listing notes")
    if not isinstance(listing, list) or not all(isinstance(x, dict) for x in listing):
        raise Verdict(MUMBLE, "note list is malformed", "GET /api/notes: %r" % (listing,))
    if not any(x.get("id") == note_id and x.get("title") == title for x in listing):
        # A full list may just mean others created notes meanwhile: no reason to fail the team.
        if len(listing) < 50:
            raise Verdict(MUMBLE, "new note missing from the list", "%s not in %r" % (note_id, listing[:10]))
        print("note %s pushed out of a full list" % note_id, file=sys.stderr)
    if any("body" in x for x in listing):
        raise Verdict(MUMBLE, "note list is malformed", "list shows bodies")
    return OK, "service is up"


def put(host, flag_id, flag):
    if not ID_RE.match(flag_id):  # the board's fault, not the team's
        raise Verdict(CHECKER_ERROR, "checker error", "FLAG_ID must match %s: %r" % (ID_RE.pattern, flag_id))
    title = random.choice(TITLES)
    body = "%s\nFLAG: %s" % (random.choice(BODIES), flag)
    token = create_note(host, flag_id, title, body)
    return OK, "%s:%s" % (flag_id, token)


def get(host, flag_id, flag):
    note_id, sep, token = flag_id.rpartition(":")
    if not sep or not note_id:
        raise Verdict(CORRUPT, "cannot retrieve the flag", "flag id without a token: %r" % flag_id)
    code, raw = request(host, "GET", read_path(note_id, token), what="reading the flag")
    if code in (403, 404):
        raise Verdict(CORRUPT, "flag is missing", "GET note %s: %d %r" % (note_id, code, raw[:300]))
    if code != 200:
        raise Verdict(MUMBLE, "unexpected status reading the flag", "%d %r" % (code, raw[:300]))
    try:
        note = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise Verdict(MUMBLE, "malformed JSON reading the flag", "%r" % raw[:300])
    if not isinstance(note, dict) or not isinstance(note.get("body"), str):
        raise Verdict(MUMBLE, "malformed note", "%r" % (note,))
    if flag not in note["body"]:
        raise Verdict(CORRUPT, "flag is missing", "flag %s not in body %r" % (flag, note["body"][:300]))
    return OK, "flag is there"


def main(argv):
    usage = "usage: notes_checker.py check HOST | put|get HOST FLAG_ID FLAG VULN"
    if len(argv) < 2 or argv[0] not in ("check", "put", "get") \
            or (argv[0] == "check" and len(argv) != 2) or (argv[0] != "check" and len(argv) != 5):
        print("checker error")
        print(usage, file=sys.stderr)
        return CHECKER_ERROR
    action, host = argv[0], argv[1]
    try:
        if action == "check":
            code, msg = check(host)
        elif action == "put":
            code, msg = put(host, argv[2], argv[3])
        else:
            code, msg = get(host, argv[2], argv[3])
    except Verdict as v:
        code, msg = v.code, v.public
        if v.private:
            print(v.private, file=sys.stderr)
    except Exception:
        traceback.print_exc()
        code, msg = CHECKER_ERROR, "checker error"
    print(msg)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
