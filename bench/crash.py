#!/usr/bin/env python3
"""Crash safety: a mixed write load at concurrency while the server is killed with
SIGKILL at random moments, then proof that nothing acknowledged was lost.

Writes (over API tokens): bulletins created and edited by a press officer (each edit a
new version; one writer per bulletin, so the order of its edits is known), taken
through the workflow (submitted, approved by the spokesperson — four eyes — and
published), a PNG attached (the blob store), scam indicators created, and the writes
of other capabilities: accounts made by the administrator, reporters' requests, police
warnings. A write counts as acknowledged when the
server answered 2xx. After every kill the server is started again and the load goes on;
after the last, each acknowledged write is checked:
  - the bulletin and the indicator are there (the desk API), each with its audit row and
    its event (the database);
  - a bulletin's title is its last acknowledged edit or one sent after it (a write the
    server committed but could not answer may be there too — never an older one); its
    state is at least its last acknowledged step, and a published one has its event;
  - an acknowledged attachment is listed and its bytes hash to what was sent;
  - SQLite's integrity check says ok.
Prints a Markdown table; exits 1 if anything acknowledged is missing.

  python3 bench/crash.py --keng target/release/keng --kills 50 [--database-url postgres://…]
"""

import argparse
import datetime as dt
import hashlib
import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
import zlib

PASSWORD = "kengdemo2025"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def png(seed):
    """A small real PNG whose bytes depend on `seed`."""
    w, h = 8, 8
    rnd = random.Random(seed)
    raw = b"".join(b"\x00" + bytes(rnd.randrange(256) for _ in range(w * 3)) for _ in range(h))

    def chunk(kind, data):
        c = kind + data
        return struct.pack(">I", len(data)) + c + struct.pack(">I", zlib.crc32(c) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


class Server:
    def __init__(self, keng, data_dir, database_url):
        self.keng, self.data_dir, self.database_url = keng, data_dir, database_url
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc = None
        self.log = open(os.path.join(data_dir, "server.log"), "ab")

    def args(self):
        a = [self.keng, "--data-dir", self.data_dir]
        if self.database_url:
            a += ["--database-url", self.database_url]
        return a

    def start(self, demo=False):
        cmd = self.args() + ["serve", "--listen", f"127.0.0.1:{self.port}"] + (["--demo"] if demo else [])
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=self.log)
        deadline = time.time() + 180
        while time.time() < deadline:
            if self.proc.poll() is not None:
                sys.exit(f"crash.py: the server exited with {self.proc.returncode}; see {self.data_dir}/server.log")
            try:
                with urllib.request.urlopen(self.base + "/readyz", timeout=2) as r:
                    if r.status == 200:
                        return
            except Exception:
                pass
            time.sleep(0.1)
        sys.exit("crash.py: the server did not become ready")

    def kill(self):
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def token(self, username):
        out = subprocess.run(self.args() + ["token", "create", "--username", username, "--name", "crash"],
                             capture_output=True, text=True, check=True)
        return out.stdout.strip().splitlines()[-1]


def call(base, token, method, path, body=None, content_type="application/json", timeout=10):
    data = None
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        req.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, None


def multipart(filename, content):
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n"
            f"Content-Type: image/png\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


class Ledger:
    """What was sent and what was acknowledged."""

    def __init__(self):
        self.lock = threading.Lock()
        self.sent = 0
        self.acked = 0
        self.errors = {}
        self.bulletins = {}  # id -> {"titles": [...sent], "acked": index or -1}
        self.attachments = []  # (bulletin id, sha256) acknowledged
        self.indicators = []  # ids acknowledged
        self.others = []  # (table kind, id) acknowledged: accounts, requests, warnings, figures
        self.approved = []  # figures whose approval was acknowledged
        self.statuses = {}

    def note(self, status):
        with self.lock:
            self.sent += 1
            self.statuses[status] = self.statuses.get(status, 0) + 1
            if status is not None and 200 <= status < 300:
                self.acked += 1


STEPS = ["submit", "approve", "publish"]
RANK = {"draft": 0, "submitted": 1, "approved": 2, "published": 3}


def writer(n, base_of, tokens, ledger, stop):
    token, approver, admin, journalist, case, officer, leader = tokens
    rnd = random.Random(n)
    mine = []  # bulletins this writer owns (it alone edits them)
    i = 0
    while not stop.is_set():
        i += 1
        base = base_of()
        choice = rnd.random()
        try:
            if choice < 0.3 or not mine:
                title = f"Tin thử nghiệm {n}-{i}"
                st, b = call(base, token, "POST", "/api/v1/bulletins", {
                    "kind": "press_release", "category": "khac", "title": title,
                    "summary": "Tóm tắt", "body": "Nội dung thử nghiệm ghi bền vững.", "audience": "public"})
                ledger.note(st)
                if st == 201 and b:
                    with ledger.lock:
                        ledger.bulletins[b["id"]] = {"titles": [title], "acked": 0, "stage": 0, "tried": 0}
                    mine.append(b["id"])
            elif choice < 0.4:
                # The next workflow step of one of its bulletins (four eyes: the
                # spokesperson approves what the press officer wrote).
                bid = rnd.choice(mine)
                with ledger.lock:
                    step = ledger.bulletins[bid]["tried"]
                if step >= len(STEPS):
                    continue
                who = approver if STEPS[step] == "approve" else token
                with ledger.lock:
                    ledger.bulletins[bid]["tried"] = step + 1
                st, _ = call(base, who, "POST", f"/api/v1/bulletins/{bid}/{STEPS[step]}", {})
                ledger.note(st)
                if st == 200:
                    with ledger.lock:
                        ledger.bulletins[bid]["stage"] = step + 1
                elif st == 409:
                    # Its state is not what this writer thinks (a step sent before a
                    # kill went through unanswered, or not): read it and go on from there.
                    st2, got = call(base, token, "GET", f"/api/v1/desk/bulletins/{bid}")
                    if st2 == 200 and got and got.get("state") in RANK:
                        with ledger.lock:
                            ledger.bulletins[bid]["tried"] = RANK[got["state"]]
            elif choice < 0.6:
                bid = rnd.choice(mine)
                with ledger.lock:
                    if ledger.bulletins[bid]["tried"] > 0:
                        continue
                title = f"Tin thử nghiệm {n}-{i} (sửa)"
                with ledger.lock:
                    ledger.bulletins[bid]["titles"].append(title)
                    idx = len(ledger.bulletins[bid]["titles"]) - 1
                st, _ = call(base, token, "PUT", f"/api/v1/bulletins/{bid}", {
                    "kind": "press_release", "category": "khac", "title": title,
                    "summary": "Tóm tắt", "body": f"Bản sửa {i}.", "audience": "public"})
                ledger.note(st)
                if st == 200:
                    with ledger.lock:
                        ledger.bulletins[bid]["acked"] = idx
            elif choice < 0.75:
                # Files go on drafts only: a file added later sends the bulletin back
                # to draft for a second reading (four eyes), by design.
                bid = rnd.choice(mine)
                with ledger.lock:
                    if ledger.bulletins[bid]["tried"] > 0:
                        continue
                content = png(f"{n}-{i}")
                body, ct = multipart(f"anh-{n}-{i}.png", content)
                st, _ = call(base, token, "POST", f"/api/v1/bulletins/{bid}/attachments", body, ct)
                ledger.note(st)
                if st == 201:
                    with ledger.lock:
                        ledger.attachments.append((bid, hashlib.sha256(content).hexdigest()))
            elif choice < 0.8:
                # Another capability's writes: an account (accounts), a reporter's
                # request (press desk), a police warning (warnings) or a unit's figures
                # for a day, approved by the leader (figures).
                kind = rnd.choice(["users", "requests", "warnings", "figures"])
                if kind == "figures":
                    day = dt.date(2001, 1, 1) + dt.timedelta(days=(n * 4000 + i) % 36000)
                    st, got = call(base, officer, "POST", "/api/v1/stats/submissions", {
                        "unit": "CAP-HACTHANH", "period": day.isoformat(),
                        "values": {"ttxh.cases": 1 + i % 5, "ttxh.subjects": 2 + i % 5}})
                    ledger.note(st)
                    if st == 201 and got and got.get("id"):
                        with ledger.lock:
                            ledger.others.append(("figures", got["id"]))
                        st, _ = call(base, leader, "POST", f"/api/v1/stats/submissions/{got['id']}/approve", {})
                        ledger.note(st)
                        if st == 200:
                            with ledger.lock:
                                ledger.approved.append(got["id"])
                    continue
                if kind == "users":
                    who, body = admin, {"username": f"crash{n}x{i}", "display_name": f"Cán bộ {n}-{i}",
                                        "role": "press_officer", "password": "mot-mat-khau-dai-du"}
                elif kind == "requests":
                    who, body = journalist, {"kind": "information", "topic": f"Đề nghị {n}-{i}",
                                             "questions": "Xin số liệu vụ việc."}
                else:
                    who, body = token, {
                        "kind": "scam", "headline": f"Cảnh báo thử nghiệm {n}-{i}",
                        "happened": "Người dân nhận cuộc gọi giả danh công an.",
                        "signs": ["Gọi từ số lạ"], "advice": "Không chuyển tiền",
                        "contact": "113", "severity": "Severe", "urgency": "Immediate",
                        "certainty": "Observed", "area_desc": "Toàn tỉnh",
                        "valid_until": "2099-01-01T00:00:00+07:00", "bulletins": [case]}
                st, got = call(base, who, "POST", f"/api/v1/{kind}", body)
                ledger.note(st)
                if st in (200, 201) and got and got.get("id"):
                    with ledger.lock:
                        ledger.others.append((kind, got["id"]))
            else:
                value = f"crash-{n}-{i}-{rnd.randrange(1 << 30):x}.top"
                st, ind = call(base, token, "POST", "/api/v1/indicators", {
                    "value": value, "status": "verified", "evidence": "crash test"})
                ledger.note(st)
                if st == 201 and ind:
                    with ledger.lock:
                        ledger.indicators.append(ind["id"])
        except Exception as e:  # the server was killed mid-request: not acknowledged
            ledger.note(None)
            with ledger.lock:
                k = type(e).__name__
                ledger.errors[k] = ledger.errors.get(k, 0) + 1
            time.sleep(0.05)


def db_rows(args, data_dir, sql):
    if args.database_url:
        out = subprocess.run(["psql", args.database_url, "-At", "-c", sql], capture_output=True, text=True, check=True)
        return [line.split("|") for line in out.stdout.splitlines() if line]
    con = sqlite3.connect(os.path.join(data_dir, "keng.sqlite3"))
    try:
        return [tuple(str(v) for v in r) for r in con.execute(sql).fetchall()]
    finally:
        con.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--keng", default="target/release/keng")
    ap.add_argument("--kills", type=int, default=50)
    ap.add_argument("--writers", type=int, default=8)
    ap.add_argument("--database-url")
    ap.add_argument("--min-gap", type=float, default=0.3)
    ap.add_argument("--max-gap", type=float, default=1.5)
    args = ap.parse_args()

    data_dir = tempfile.mkdtemp(prefix="keng-crash-")
    server = Server(os.path.abspath(args.keng), data_dir, args.database_url)
    t0 = time.time()
    server.start(demo=True)
    token = server.token("tuyentruyen")
    approver = server.token("phatngon")
    admin = server.token("quantri")
    journalist = server.token("pv.ttxvn")
    # A published case for warnings to name (warnings are tied to real cases).
    _, listed = call(server.base, token, "GET", "/api/v1/bulletins")
    case = listed[0]["uri"].rsplit("/", 1)[-1]
    officer = server.token("capx.hacthanh")
    leader = server.token("giamdoc")
    ledger = Ledger()
    stop = threading.Event()
    threads = [threading.Thread(target=writer, args=(n, lambda: server.base, (token, approver, admin, journalist, case, officer, leader), ledger, stop), daemon=True)
               for n in range(args.writers)]
    for t in threads:
        t.start()
    rnd = random.Random(7)
    restarts = []
    for k in range(args.kills):
        time.sleep(rnd.uniform(args.min_gap, args.max_gap))
        server.kill()
        r0 = time.time()
        server.start()
        restarts.append(time.time() - r0)
        print(f"\rkills {k + 1}/{args.kills} · writes acknowledged {ledger.acked}", end="", file=sys.stderr, flush=True)
    time.sleep(args.max_gap)
    stop.set()
    for t in threads:
        t.join(timeout=15)
    print(file=sys.stderr)
    # Once more, so the last writes meet a fresh start too.
    server.kill()
    server.start()

    lost = []
    base = server.base
    titles_now = dict(db_rows(args, data_dir, "SELECT id, title FROM bulletins"))
    states_now = dict(db_rows(args, data_dir, "SELECT id, state FROM bulletins"))
    published = {r[0] for r in db_rows(args, data_dir, "SELECT entity_id FROM events WHERE kind = 'bulletin.published'")}
    for bid, b in ledger.bulletins.items():
        st, _ = call(base, token, "GET", f"/api/v1/desk/bulletins/{bid}")
        if st != 200 or bid not in titles_now:
            lost.append(f"bulletin {bid}: {st}")
            continue
        titles = b["titles"]
        title = titles_now[bid]
        if title not in titles or titles.index(title) < b["acked"]:
            lost.append(f"bulletin {bid}: title {title!r}, acknowledged {titles[b['acked']]!r}")
        if RANK.get(states_now.get(bid), -1) < b["stage"]:
            lost.append(f"bulletin {bid}: state {states_now.get(bid)}, acknowledged {STEPS[b['stage'] - 1]}")
        if b["stage"] == 3 and bid not in published:
            lost.append(f"bulletin {bid}: published without its event")
    kept = {(r[0], r[1]) for r in db_rows(args, data_dir, "SELECT bulletin_id, sha256 FROM attachments")}
    for bid, sha in ledger.attachments:
        if (bid, sha) not in kept:
            lost.append(f"attachment {sha} of {bid}")
            continue
        req = urllib.request.Request(f"{base}/files/{sha}")
        req.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                if hashlib.sha256(r.read()).hexdigest() != sha:
                    lost.append(f"attachment {sha}: bytes differ")
        except urllib.error.HTTPError as e:
            lost.append(f"attachment {sha}: {e.code}")
    for iid in ledger.indicators:
        st, _ = call(base, token, "GET", f"/api/v1/indicators/{iid}")
        if st != 200:
            lost.append(f"indicator {iid}: {st}")
    tables = {"users": "users", "requests": "press_requests", "warnings": "warnings", "figures": "stat_submissions"}
    for kind, table in tables.items():
        there = {r[0] for r in db_rows(args, data_dir, f"SELECT id FROM {table}")}
        for k, oid in ledger.others:
            if k == kind and oid not in there:
                lost.append(f"{kind} {oid}")
    decided = dict(db_rows(args, data_dir, "SELECT id, state FROM stat_submissions"))
    for sid in ledger.approved:
        if decided.get(sid) not in ("approved", "superseded"):
            lost.append(f"figures {sid}: approval acknowledged, state {decided.get(sid)}")
    # Each acknowledged record has its audit row and its event.
    ids = list(ledger.bulletins) + ledger.indicators + [oid for _, oid in ledger.others]
    audited = {r[0] for r in db_rows(args, data_dir, "SELECT DISTINCT entity_id FROM audit_log")}
    evented = {r[0] for r in db_rows(args, data_dir, "SELECT DISTINCT entity_id FROM events")}
    for i in ids:
        if i not in audited:
            lost.append(f"{i}: no audit row")
        if i not in evented:
            lost.append(f"{i}: no event")
    integrity = "n/a (PostgreSQL)"
    if not args.database_url:
        integrity = db_rows(args, data_dir, "PRAGMA integrity_check")[0][0]
        if integrity != "ok":
            lost.append(f"integrity_check: {integrity}")
    server.kill()

    restarts.sort()
    backend = "PostgreSQL" if args.database_url else "SQLite"
    print(f"| backend | kills | writes sent | acknowledged | lost | integrity | restart p50 / max | run |")
    print(f"|---|---|---|---|---|---|---|---|")
    print(f"| {backend} | {args.kills} | {ledger.sent} | {ledger.acked} | **{len(lost)}** | {integrity} | "
          f"{restarts[len(restarts) // 2]:.1f} s / {restarts[-1]:.1f} s | {time.time() - t0:.0f} s |")
    print()
    print(f"Acknowledged: {len(ledger.bulletins)} bulletins created, "
          f"{sum(1 for b in ledger.bulletins.values() if b['acked'] > 0)} edited, "
          f"{sum(1 for b in ledger.bulletins.values() if b['stage'] == 3)} taken through submit, approve (another person) and publish, "
          f"{len(ledger.attachments)} attachments, "
          f"{len(ledger.indicators)} indicators, "
          + ", ".join(f"{sum(1 for k, _ in ledger.others if k == kind)} {kind}" for kind in ("users", "requests", "warnings", "figures"))
          + f" ({len(ledger.approved)} figures approved)"
          + ". Answers: "
          + ", ".join(f"{k if k is not None else 'no answer'} × {v}" for k, v in sorted(ledger.statuses.items(), key=lambda kv: str(kv[0]))))
    for line in lost[:20]:
        print(f"- LOST: {line}")
    if lost:
        print(f"crash.py: the data directory is kept for a look: {data_dir}", file=sys.stderr)
        sys.exit(1)
    shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
