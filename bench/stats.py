#!/usr/bin/env python3
"""Figures at scale (issue 12), side by side in one run: UNITS units x MEASURES measures
x YEARS years of daily figures written straight into a migrated database (SQLite file or
PostgreSQL), served by `keng serve`, and the same rows in DuckDB (in memory).

The running totals the reports read are built once with `keng stats rebuild` (timed:
the figures were written straight into the database, as a restore would). Timed, for
random periods of 58 days around Tết (15/12 to 10/02, shifted):
  report    the province's totals per measure for the period, the same period last year
            and the period before (three `GET /api/v1/stats?group_by=none`), as the
            "so với cùng kỳ" report needs them;
  breakdown the unit x measure totals of the period (`group_by=unit`);
and DuckDB computing the same aggregates over the same rows. A request is timed until
the last byte of its answer (reading the JSON is the client's business, done after), on
a kept-alive connection. DuckDB holds its table in memory; the server's database is read
into memory before timing too (the SQLite file into the OS cache, PostgreSQL's relations
with pg_prewarm), as on a node that has served for a while: a cold read of the running
totals is bounded by the disk (one page per unit and day read).
Every server answer is checked against DuckDB's (the same totals, every unit x measure
cell of the breakdown), so a fast wrong answer cannot pass.

Values are a function of (unit, day, measure) that Python and DuckDB both compute, so
the two hold the same data without copying it.

  python3 bench/stats.py --binary target/release/keng [--units 300] [--measures 60]
      [--years 5] [--pg postgres://postgres@127.0.0.1:5432] [--requests 100]
      [--keep DIR] [--only sqlite|pg]
Needs: duckdb (pip), psql for PostgreSQL. Prints a Markdown section.
"""

import argparse
import datetime as dt
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import http.client
import urllib.parse

FIRST = dt.date(2021, 1, 1)


def value(u, d, m):
    """The figure of unit u on day d (days since FIRST) for measure m: small counts."""
    return ((u * 7919 + d * 104729 + m * 1299709) % 97) % 5


VALUE_SQL = "((u * 7919 + d * 104729 + m * 1299709) % 97) % 5"


def progress(done, total, started, what):
    rate = done / max(time.time() - started, 1e-6)
    bar = "#" * int(30 * done / max(total, 1))
    sys.stderr.write(f"\r  {what} [{bar:<30}] {done:,}/{total:,} ({rate:,.0f}/s)")
    if done >= total:
        sys.stderr.write("\n")


def sub_id(u, d):
    # A UUID-shaped id (the server only reads these as text).
    return f"00000000-0000-7000-8000-{u:04x}{d:08x}"


def rows(args):
    """(units rows, measure rows, submissions rows, values rows) generators."""
    days = args.years * 365
    unit_ids = [f"00000000-0000-7000-8000-{u:012x}" for u in range(args.units)]
    return days, unit_ids


def keng(args, data, url, *cmd, stdin=None):
    full = [args.binary, "--data-dir", data]
    if url:
        full += ["--database-url", url]
    return subprocess.run(full + list(cmd), input=stdin, capture_output=True, text=True, check=True)


def seed_sql(args):
    """The statements that add the units and measures (both backends)."""
    now = int(time.time() * 1000)
    out = [
        f"INSERT INTO units (id, code, name, name_key, kind, parent_id, created_at, updated_at) VALUES "
        f"('00000000-0000-7000-8000-ffffffffffff', 'BENCH', 'Tỉnh thử', 'tinh thu', 'province', NULL, {now}, {now})"
    ]
    for u in range(args.units):
        uid = f"00000000-0000-7000-8000-{u:012x}"
        out.append(
            f"INSERT INTO units (id, code, name, name_key, kind, parent_id, created_at, updated_at) VALUES "
            f"('{uid}', 'B{u:04d}', 'Đơn vị {u}', 'don vi {u}', 'commune', '00000000-0000-7000-8000-ffffffffffff', {now}, {now})"
        )
    out.append(
        f"INSERT INTO stat_fields (id, name_vi, name_en, verb_vi, object_vi, position, created_at, updated_at) "
        f"VALUES ('bench', 'Thử', 'Bench', 'phát hiện', '', 99, {now}, {now})"
    )
    for m in range(args.measures):
        out.append(
            "INSERT INTO stat_measures (id, field_id, name_vi, name_en, unit_vi, unit_en, whole, summable, "
            "at_least, in_narrative, max_value, position, active, created_at, updated_at) VALUES "
            f"('bench.m{m:02d}', 'bench', 'Chỉ tiêu {m}', 'Measure {m}', 'vụ', 'cases', TRUE, TRUE, NULL, "
            f"{'TRUE' if m < 2 else 'FALSE'}, NULL, {1000 + m}, TRUE, {now}, {now})"
        )
    return out


def load_sqlite(args, path):
    days, unit_ids = rows(args)
    db = sqlite3.connect(path)
    db.execute("PRAGMA synchronous=OFF")
    for s in seed_sql(args):
        db.execute(s)
    total = args.units * days
    started = time.time()
    done = 0
    now = int(time.time() * 1000)
    for u in range(args.units):
        subs = []
        vals = []
        for d in range(days):
            day = (FIRST + dt.timedelta(days=d)).isoformat()
            sid = sub_id(u, d)
            subs.append((sid, unit_ids[u], day, day, now))
            for m in range(args.measures):
                vals.append((sid, f"bench.m{m:02d}", value(u, d, m)))
        db.executemany(
            "INSERT INTO stat_submissions (id, unit_id, period_kind, period_from, period_to, version, state, "
            "is_current, source, submitted_at, published, quality_note) VALUES (?, ?, 'day', ?, ?, 1, 'approved', "
            "TRUE, 'api', ?, TRUE, 'bench')",
            subs,
        )
        db.executemany("INSERT INTO stat_values (submission_id, measure_id, value) VALUES (?, ?, ?)", vals)
        done += days
        progress(done, total, started, "SQLite rows (unit-days)")
    db.commit()
    db.execute("ANALYZE")
    db.close()


def load_pg(args, url):
    days, unit_ids = rows(args)
    psql = ["psql", "-q", "-v", "ON_ERROR_STOP=1", url]
    subprocess.run(psql, input=";\n".join(seed_sql(args)) + ";\n", text=True, check=True)
    now = int(time.time() * 1000)
    started = time.time()
    copy_subs = subprocess.Popen(
        psql + ["-c", "\\copy stat_submissions (id, unit_id, period_kind, period_from, period_to, version, state, "
                "is_current, source, submitted_at, published, quality_note) FROM STDIN WITH (FORMAT csv)"],
        stdin=subprocess.PIPE, text=True)
    for u in range(args.units):
        for d in range(days):
            day = (FIRST + dt.timedelta(days=d)).isoformat()
            copy_subs.stdin.write(f"{sub_id(u, d)},{unit_ids[u]},day,{day},{day},1,approved,t,api,{now},t,bench\n")
    copy_subs.stdin.close()
    copy_subs.wait()
    copy_vals = subprocess.Popen(
        psql + ["-c", "\\copy stat_values (submission_id, measure_id, value) FROM STDIN WITH (FORMAT csv)"],
        stdin=subprocess.PIPE, text=True)
    total = args.units * days
    done = 0
    for u in range(args.units):
        for d in range(days):
            sid = sub_id(u, d)
            copy_vals.stdin.write("".join(f"{sid},bench.m{m:02d},{value(u, d, m)}\n" for m in range(args.measures)))
        done += days
        progress(done, total, started, "PostgreSQL rows (unit-days)")
    copy_vals.stdin.close()
    copy_vals.wait()
    subprocess.run(psql + ["-c", "VACUUM ANALYZE"], check=True)


def duckdb_load(args):
    import duckdb

    con = duckdb.connect()
    days = args.years * 365
    con.execute(
        f"""CREATE TABLE v AS
            SELECT u, d, m, {VALUE_SQL} AS value
              FROM range({args.units}) t1(u), range({days}) t2(d), range({args.measures}) t3(m)"""
    )
    return con


def duck_totals(con, a, b):
    """measure -> total over days a..b (inclusive, day numbers)."""
    return dict(con.execute("SELECT m, SUM(value) FROM v WHERE d BETWEEN ? AND ? GROUP BY m", [a, b]).fetchall())


def duck_breakdown(con, a, b):
    return con.execute("SELECT u, m, SUM(value) FROM v WHERE d BETWEEN ? AND ? GROUP BY u, m", [a, b]).fetchall()


def pct(values, q):
    s = sorted(values)
    return s[min(len(s) - 1, max(0, int(round(q * len(s) + 0.5)) - 1))]


def periods(args, n):
    """n random 58-day periods starting 1 to 30 December, not in the first year."""
    rnd = random.Random(7)
    out = []
    for _ in range(n):
        year = rnd.randrange(FIRST.year + 1, FIRST.year + args.years - 1)
        start = dt.date(year, 12, rnd.randrange(1, 31))
        out.append((start, start + dt.timedelta(days=57)))
    return out


def day_no(d):
    return (d - FIRST).days


def same_period_last_year(a, b):
    def back(d):
        try:
            return d.replace(year=d.year - 1)
        except ValueError:
            return d.replace(year=d.year - 1, day=28)
    return back(a), back(b)


CONNECTIONS = {}


def get(base, path, token):
    """The answer's bytes (timed by the caller: until its last byte; parsed after), over
    one kept-alive connection per server, as an API client or a dashboard holds one."""
    for attempt in (0, 1):
        conn = CONNECTIONS.get(base)
        if conn is None:
            host = urllib.parse.urlsplit(base)
            conn = CONNECTIONS[base] = http.client.HTTPConnection(host.hostname, host.port, timeout=120)
        try:
            conn.request("GET", path, headers={"Authorization": "Bearer " + token})
            r = conn.getresponse()
            body = r.read()
            if r.status != 200:
                raise SystemExit(f"{path}: {r.status} {body[:200]!r}")
            return body
        except (http.client.HTTPException, ConnectionError):
            conn.close()
            CONNECTIONS.pop(base, None)
            if attempt:
                raise


def warm(data, url):
    """Brings the database into memory before timing, as it is on a node that has been
    serving for a while (DuckDB, beside it, holds its table in memory): the SQLite file
    read once into the OS cache; PostgreSQL's tables and indexes of figures through
    pg_prewarm (into the OS cache: they are larger than shared_buffers)."""
    t0 = time.time()
    if url:
        rels = ["stat_running", "stat_running_pkey", "stat_running_series", "stat_submissions",
                "stat_submissions_noted", "stat_note_spans"]
        sql = "CREATE EXTENSION IF NOT EXISTS pg_prewarm; " + " ".join(
            f"SELECT pg_prewarm('{r}', 'read');" for r in rels)
        subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", url, "-c", sql], check=True,
                       capture_output=True)
    else:
        with open(os.path.join(data, "keng.sqlite3"), "rb") as f:
            while f.read(16 << 20):
                pass
    sys.stderr.write(f"  database read into memory in {time.time() - t0:.0f} s\n")


def serve(args, data, url):
    port = 20000 + random.randrange(20000)
    cmd = [args.binary, "--data-dir", data]
    if url:
        cmd += ["--database-url", url]
    proc = subprocess.Popen(cmd + ["serve", "--listen", f"127.0.0.1:{port}"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    for line in proc.stdout:
        if line.startswith("keng listening on "):
            return proc, line.split("on ", 1)[1].strip()
    raise SystemExit("the server did not start")


def bench_server(args, name, data, url, con):
    keng(args, data, url, "migrate")
    marker = os.path.join(data, "loaded")
    build_s = None
    if not os.path.exists(marker):
        if url:
            load_pg(args, url)
        else:
            load_sqlite(args, os.path.join(data, "keng.sqlite3"))
        t0 = time.time()
        built = keng(args, data, url, "stats", "rebuild").stdout.strip().splitlines()[-1]
        build_s = time.time() - t0
        sys.stderr.write(f"  {name}: {built}\n")
        keng(args, data, url, "user", "add", "--username", "bench", "--role", "leader", "--password-stdin",
             stdin="bench-password-2025\n")
        with open(marker, "w") as f:
            f.write(f"{args.units} {args.measures} {args.years}\n")
    token = keng(args, data, url, "token", "create", "--username", "bench").stdout.strip().splitlines()[-1]
    warm(data, url)
    proc, base = serve(args, data, url)
    try:
        report, breakdown = [], []
        for a, b in periods(args, args.requests):
            la, lb = same_period_last_year(a, b)
            pa, pb = a - (b - a) - dt.timedelta(days=1), a - dt.timedelta(days=1)
            t0 = time.perf_counter()
            answers = [get(base, f"/api/v1/stats?from={x}&to={y}&unit=BENCH&field=bench", token)
                       for x, y in ((a, b), (la, lb), (pa, pb))]
            report.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            units = get(base, f"/api/v1/stats?from={a}&to={b}&unit=BENCH&field=bench&group_by=unit", token)
            breakdown.append((time.perf_counter() - t0) * 1000)
            answers = [json.loads(x) for x in answers]
            units = json.loads(units)
            # The same totals as DuckDB's.
            want = duck_totals(con, day_no(a), day_no(b))
            got = {int(r["measure_id"].split(".m")[1]): r["value"] for r in answers[0]["rows"]}
            if any(abs(got.get(m, 0) - want.get(m, 0)) > 1e-6 for m in range(args.measures)):
                raise SystemExit(f"{name}: totals differ from DuckDB's for {a}..{b}")
            if len(units["rows"]) != args.units * args.measures:
                raise SystemExit(f"{name}: breakdown has {len(units['rows'])} rows")
            cells = {(int(r["unit_id"][-12:], 16), int(r["measure_id"].split(".m")[1])): r["value"]
                     for r in units["rows"]}
            for u, m, v in duck_breakdown(con, day_no(a), day_no(b)):
                if abs(cells.get((u, m), 0) - v) > 1e-6:
                    raise SystemExit(f"{name}: unit {u} measure {m} differs from DuckDB's for {a}..{b}")
        return report, breakdown, build_s
    finally:
        proc.terminate()
        proc.wait()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--binary", required=True)
    p.add_argument("--units", type=int, default=300)
    p.add_argument("--measures", type=int, default=60)
    p.add_argument("--years", type=int, default=5)
    p.add_argument("--pg")
    p.add_argument("--requests", type=int, default=100)
    p.add_argument("--keep", help="keep the loaded databases under this folder and reuse them on the "
                   "next run with the same sizes (for profiling; the figures' run starts without it)")
    p.add_argument("--only", choices=["sqlite", "pg"], help="one backend only")
    args = p.parse_args()
    n = args.units * args.measures * args.years * 365
    print(f"## Figures — {dt.datetime.now(dt.timezone.utc):%Y-%m-%dT%H:%MZ}: {args.units} units x "
          f"{args.measures} measures x {args.years} years = {n:,} values, {args.requests} periods\n")
    con = duckdb_load(args)
    duck_r, duck_b = [], []
    for a, b in periods(args, args.requests):
        la, lb = same_period_last_year(a, b)
        pa, pb = a - (b - a) - dt.timedelta(days=1), a - dt.timedelta(days=1)
        t0 = time.perf_counter()
        for x, y in ((a, b), (la, lb), (pa, pb)):
            duck_totals(con, day_no(x), day_no(y))
        duck_r.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        duck_breakdown(con, day_no(a), day_no(b))
        duck_b.append((time.perf_counter() - t0) * 1000)
    results = [("DuckDB (in memory)", duck_r, duck_b)]
    builds = []
    backends = [] if args.only == "pg" else [("SQLite", None)]
    if args.pg and args.only != "sqlite":
        backends.append(("PostgreSQL", args.pg.rstrip("/") + "/keng_bench_stats"))
    for name, url in backends:
        if args.keep:
            data = os.path.join(args.keep, f"{name}-{args.units}-{args.measures}-{args.years}")
            os.makedirs(data, exist_ok=True)
        else:
            data = tempfile.mkdtemp(prefix="keng-bench-stats-")
        try:
            if url and not os.path.exists(os.path.join(data, "loaded")):
                admin = args.pg.rstrip("/") + "/postgres"
                subprocess.run(["psql", "-q", admin, "-c", "DROP DATABASE IF EXISTS keng_bench_stats"], check=True)
                subprocess.run(["psql", "-q", admin, "-c", "CREATE DATABASE keng_bench_stats"], check=True)
            r, b, build_s = bench_server(args, name, data, url, con)
            results.append((f"keng on {name}", r, b))
            if build_s is not None:
                builds.append((name, build_s))
        finally:
            if not args.keep:
                shutil.rmtree(data, ignore_errors=True)
    print("| | report p50 | report p99 | breakdown p50 | breakdown p99 |")
    print("|---|---|---|---|---|")
    for name, r, b in results:
        print(f"| {name} | {statistics.median(r):.1f} ms | {pct(r, 0.99):.1f} ms | "
              f"{statistics.median(b):.1f} ms | {pct(b, 0.99):.1f} ms |")
    duck = results[0]
    print()
    for name, r, b in results[1:]:
        print(f"- {name} / DuckDB, p99: report {pct(r, 0.99) / max(pct(duck[1], 0.99), 1e-9):.2f}x, "
              f"breakdown {pct(b, 0.99) / max(pct(duck[2], 0.99), 1e-9):.2f}x")
    for name, secs in builds:
        print(f"- building the running totals from the figures (`keng stats rebuild`) on {name}: {secs:.0f} s")


if __name__ == "__main__":
    main()
