#!/usr/bin/env python3
"""Benchmarks the scheduler (DESIGN.md §9) through the real binaries, the upstream sandbox
and the database, reusing bench/sync_bench.py's stack (build, sandbox, server, sign-in,
seeding, wrk).

  due   "Finding due filters among 10,000 filters with 1,000,000 job rows ≤ 5 ms per tick".
        The server is started once so that the migrations run, then stopped; 10,000 filters
        with schedules (every 60, 240 or 1,440 minutes; --overdue of them, 300 by default,
        overdue by up to an hour, the others due within their interval) and 1,000,000
        finished jobs (100 per filter, one interval apart, the newest deciding the next
        sync; every 7th failed) are written with sqlite3 in one transaction, the triggers
        keeping filters.last_job_id and last_sync_started_at. Each filter exists in the
        sandbox with 3 persons and a Brevo list already holding them (linked in the
        database), so a scheduled job is an unchanged re-sync: 1 Pipedrive and 3 Brevo
        reads, no write. The server then ticks for --seconds (60) after a 5-second warm-up;
        reported: pbs_scheduler_tick_seconds over that window (ticks, mean, p50/p99 estimated
        from its buckets, the share at or under 5 ms, the largest bucket reached) and the
        due query itself, read from backend/src/db/schedule.rs and run 1,000 times with
        Python's sqlite3 on the same file after the server stopped (p50/p99/max).
        --check fails when the query's p99 or the ticks' estimated p99 is above 5 ms.

  soak  "1,000 filters each scheduled every minute for 10 minutes against the sandbox —
        never two jobs for one filter, never more than SCHEDULE_CONCURRENCY running, the
        dashboard API p99 ≤ 20 ms meanwhile, 0 requests above the upstream limits, memory
        flat". --filters (1,000) sandbox filters of --persons (5) persons are refreshed into
        the server; each filter's Brevo list is seeded in the sandbox with its members and
        linked in the database (as sync_bench.py's mirror mode does), so every scheduled
        sync is an unchanged re-sync that writes nothing to Brevo — first syncs would each
        poll an import process, and Brevo allows 100 such requests an hour. Every filter is
        set to `schedule_minutes: 1` through PATCH /api/filters/{id}, then its
        schedule_set_at is moved back one interval in the database (as if set a minute
        before the run), so that every minute of the run has scheduled syncs. For --minutes
        (10): every 0.5 s on average (jittered) the processing jobs (all, and the most of one
        filter) from a read-only sqlite3 connection and pbs_sync_jobs_running; wrk (2 threads,
        --connections 10) back to back in 10-second runs alternating GET /api/filters and
        GET /api/sync-jobs?limit=50 (as a browser asks, gzip), p50 and p99 per run and
        pooled; the server's VmRSS every 10 s (2 s under 3 minutes), as minute averages
        (flat: the last minute within 10 % of the second; thirds of the run when shorter);
        the sandbox's request log every 15 s (429s, Brevo writes, Brevo requests outside
        /v3/contacts). Afterwards: jobs started per minute, each job's outcome, and whether
        any filter's jobs overlapped (to the second, from the rows). --check fails on any
        criterion; on a debug build (--debug-build) the latency and memory criteria are
        reported but not enforced. --short is --minutes 1 --filters 100 (about 65 s with
        a built tree: the test command runs it).

Only standard-library Python, plus `wrk` (apt-get install wrk) for soak. Everything runs on
loopback and stops by itself. Results also go to target/schedule-bench-<mode>.json.
"""

import argparse
import bisect
import http.client
import json
import os
import random
import re
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sync_bench import ROOT, Stack, build, request, seed_history, wrk  # noqa: E402

TICK_METRIC = "pbs_scheduler_tick_seconds"
TARGET_TICK_S = 0.005
TARGET_API_P99_MS = 20.0


class KeepAlive:
    """One keep-alive HTTP connection, for the thousands of set-up calls."""

    def __init__(self, base_url, headers=None):
        parts = urlsplit(base_url)
        self.host, self.port, self.headers = parts.hostname, parts.port, headers or {}
        self.conn = None

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        headers = dict(self.headers)
        if data is not None:
            headers["content-type"] = "application/json"
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
            try:
                self.conn.request(method, path, data, headers)
                resp = self.conn.getresponse()
                raw = resp.read()
                return resp.status, (json.loads(raw) if raw else None)
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise

    def close(self):
        if self.conn is not None:
            self.conn.close()


# ---------------------------------------------------------------- metrics and statistics

def histogram(text, name):
    """A Prometheus histogram from /metrics text: cumulative (le, count) buckets, sum, count."""
    buckets, total, count = [], 0.0, 0.0
    for line in text.splitlines():
        if line.startswith(name + "_bucket{"):
            le = line.split('le="', 1)[1].split('"', 1)[0]
            buckets.append((float("inf") if le == "+Inf" else float(le), float(line.split()[-1])))
        elif line.startswith(name + "_sum"):
            total = float(line.split()[-1])
        elif line.startswith(name + "_count"):
            count = float(line.split()[-1])
    if not buckets:
        raise SystemExit(f"/metrics has no {name} histogram: does this build record it?")
    return {"buckets": buckets, "sum": total, "count": count}


def histogram_delta(after, before):
    return {"buckets": [(le, a - b) for (le, a), (_, b) in zip(after["buckets"], before["buckets"])],
            "sum": after["sum"] - before["sum"], "count": after["count"] - before["count"]}


def histogram_quantile(h, q):
    """As Prometheus' histogram_quantile: linear within the bucket that holds the rank; a rank
    in the +Inf bucket gives the largest finite bound (the true value is above it)."""
    if h["count"] == 0:
        return float("nan")
    rank, lower, below = q * h["count"], 0.0, 0.0
    for le, cumulative in h["buckets"]:
        if cumulative >= rank:
            if le == float("inf"):
                return lower
            inside = cumulative - below
            return lower + (le - lower) * ((rank - below) / inside if inside else 1.0)
        lower, below = le, cumulative
    return lower


def histogram_share_at_most(h, bound):
    for le, cumulative in h["buckets"]:
        if le >= bound - 1e-12:
            return cumulative / h["count"] if h["count"] else float("nan")
    return 1.0


def histogram_max_bucket(h):
    """The bucket the slowest observation fell in, as (lower, upper) bounds."""
    lower, below, found = 0.0, 0.0, None
    for le, cumulative in h["buckets"]:
        if cumulative > below:
            found = (lower, le)
        lower, below = le, cumulative
    return found


def percentile(values, p):
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p / 100
    f = int(k)
    return ordered[f] if f + 1 >= len(ordered) else ordered[f] + (ordered[f + 1] - ordered[f]) * (k - f)


def ms(seconds):
    return round(seconds * 1000, 3)


# ------------------------------------------------------------------------------- due mode

def due_statement():
    """The scheduler's due query, exactly as backend/src/db/schedule.rs has it (its column
    aliases carry sqlx's type hints, which SQLite takes as plain names)."""
    source = (ROOT / "backend/src/db/schedule.rs").read_text()
    found = re.search(r'pub async fn due\b.*?r#"(.*?)"#', source, re.S)
    if not found:
        raise SystemExit("could not find the due query in backend/src/db/schedule.rs")
    return found.group(1).strip()


INTERVALS_MIN = (60, 240, 1440)
INTERVAL_WEIGHTS = (2, 3, 5)


def plan_due_filters(filters, overdue, now, seed=1):
    """Each filter's interval and its newest job's start: `overdue` of them one interval and
    up to an hour ago, the others less than one interval ago (due later, some within the run)."""
    rng = random.Random(seed)
    intervals = rng.choices(INTERVALS_MIN, INTERVAL_WEIGHTS, k=filters)
    late = set(rng.sample(range(filters), overdue))
    newest = [now - m * 60 - rng.randint(1, 3600) if k in late else now - rng.randint(1, m * 60 - 1)
              for k, m in enumerate(intervals)]
    return intervals, newest


def seed_sandbox(stack, filters, persons, name):
    """`filters` sandbox filters (ids 1…) of `persons` persons each, and for each a Brevo list
    already holding them; returns the list ids by filter id."""
    sandbox = KeepAlive(stack.sandbox_url)
    lists = {}
    try:
        for i in range(1, filters + 1):
            population = {"count": persons, "first": i * persons, "step": 1}
            status, body = sandbox.call("POST", "/__sandbox/filters", {"id": i, "name": name(i), **population})
            assert status == 201, body
            status, body = sandbox.call("POST", "/__sandbox/lists", {"name": name(i), "population": population})
            assert status == 201, body
            lists[i] = body["id"]
    finally:
        sandbox.close()
    return lists


def link_lists(db, lists):
    con = sqlite3.connect(db, timeout=30)
    with con:
        con.executemany("UPDATE filters SET brevo_list_id = ?, brevo_list_name = name WHERE id = ?",
                        ((list_id, filter_id) for filter_id, list_id in lists.items()))
    con.close()


def seed_due_database(db, filters, jobs, intervals, newest, lists, now, name):
    """The scheduled filters, then the job history through sync_bench.seed_history (one
    transaction, triggers in place), then last_completed_at as migration 0008 derives it."""
    per_filter = jobs // filters
    con = sqlite3.connect(db, timeout=30)
    with con:
        con.executemany(
            "INSERT INTO filters (id, name, brevo_list_id, brevo_list_name, schedule_minutes, schedule_set_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            ((k + 1, name(k + 1), lists[k + 1], name(k + 1), intervals[k], now - 200 * 86400)
             for k in range(filters)))
    con.close()

    def created_at(j):
        k, m = j % filters, j // filters
        return newest[k] - (per_filter - 1 - m) * intervals[k] * 60

    started = time.monotonic()
    seed_history(db, filters, per_filter * filters, first_id=1, created_at=created_at, failed_every=7)
    insert_s = time.monotonic() - started
    con = sqlite3.connect(db, timeout=30)
    with con:
        con.execute("UPDATE filters SET last_completed_at = (SELECT max(completed_at) FROM sync_jobs"
                    " WHERE filter_id = filters.id AND dry_run = 0 AND status = 'completed')")
    # The triggers kept each filter's newest job: check it.
    wrong = con.execute(
        "SELECT count(*) FROM filters f WHERE f.last_job_id IS NOT (SELECT max(id) FROM sync_jobs WHERE filter_id = f.id)"
        " OR f.last_sync_started_at IS NOT (SELECT created_at FROM sync_jobs WHERE id = f.last_job_id)").fetchone()[0]
    counts = con.execute("SELECT (SELECT count(*) FROM filters), (SELECT count(*) FROM sync_jobs)").fetchone()
    con.close()
    assert wrong == 0, f"{wrong} filters' last_job_id or last_sync_started_at disagree with their jobs"
    return {"filters": counts[0], "jobs": counts[1], "insert_s": round(insert_s, 1)}


def count_due(db, now):
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    n = con.execute("SELECT count(*) FROM filters WHERE next_sync_at <= ?", (now,)).fetchone()[0]
    con.close()
    return n


def time_due_query(db, statement, limit, repetitions):
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    plan = [row[-1] for row in con.execute("EXPLAIN QUERY PLAN " + statement, (int(time.time()), limit))]
    times, rows = [], 0
    for _ in range(repetitions):
        now = int(time.time())
        started = time.perf_counter()
        rows = len(con.execute(statement, (now, limit)).fetchall())
        times.append(time.perf_counter() - started)
    con.close()
    return {"repetitions": repetitions, "rows": rows, "plan": plan, "p50_ms": ms(percentile(times, 50)),
            "p99_ms": ms(percentile(times, 99)), "max_ms": ms(max(times)), "mean_ms": ms(statistics.fmean(times)),
            "sqlite": sqlite3.sqlite_version}


def bench_due(args, bins, workdir):
    name = lambda i: f"Due {i:05}"  # noqa: E731
    env = {"SCHEDULE_CONCURRENCY": str(args.concurrency), "FILTER_REFRESH_MINUTES": "0", **args.server_env}
    stack = Stack(bins, workdir, args.latency_ms, args.import_delay_ms, server_env=env)
    try:
        stack.stop_server()  # the migrations ran
        started = time.monotonic()
        lists = seed_sandbox(stack, args.filters, 3, name)
        sandbox_s = time.monotonic() - started
        now = int(time.time())
        intervals, newest = plan_due_filters(args.filters, args.overdue, now)
        seeded = seed_due_database(stack.db, args.filters, args.jobs, intervals, newest, lists, now, name)
        seeded["sandbox_setup_s"] = round(sandbox_s, 1)
        print(json.dumps({"seeded": seeded}), flush=True)
        stack.start_server()
        time.sleep(args.warmup)
        before = histogram(stack.metrics_text(), TICK_METRIC)
        started_before = stack.metric("pbs_scheduled_jobs_started_total")
        due_at_start = count_due(stack.db, int(time.time()))
        time.sleep(args.seconds)
        text = stack.metrics_text()
        window = histogram_delta(histogram(text, TICK_METRIC), before)
        whole = histogram(text, TICK_METRIC)
        started_jobs = stack.metric("pbs_scheduled_jobs_started_total") - started_before
        due_at_end = count_due(stack.db, int(time.time()))
        rss = stack.server.rss_mb()
        stack.stop_server()
        con = sqlite3.connect(f"file:{stack.db}?mode=ro", uri=True)
        outcomes = dict(con.execute("SELECT status, count(*) FROM sync_jobs WHERE started_by != 'manual' GROUP BY status"))
        errors = [row[0] for row in con.execute(
            "SELECT DISTINCT error_message FROM sync_jobs WHERE started_by != 'manual' AND status = 'failed' LIMIT 5")]
        con.close()
        state = stack.sandbox_state()
        lower, upper = histogram_max_bucket(window) or (float("nan"), float("nan"))
        ticks = {
            "seconds": args.seconds, "ticks": int(window["count"]),
            "mean_ms": ms(window["sum"] / window["count"]) if window["count"] else None,
            "p50_ms": ms(histogram_quantile(window, 0.50)), "p99_ms": ms(histogram_quantile(window, 0.99)),
            "share_le_5ms": round(histogram_share_at_most(window, TARGET_TICK_S), 4),
            "max_bucket_ms": [ms(lower), ms(upper)],
            "bucket_counts": {("+Inf" if le == float("inf") else ms(le)): int(c - below)
                              for (le, c), (_, below) in zip(window["buckets"], [(0, 0)] + window["buckets"])},
            "bucket_bounds_ms": [ms(le) for le, _ in window["buckets"] if le != float("inf")],
            "whole_run_ticks": int(whole["count"]),
            "whole_run_max_bucket_ms": [ms(b) for b in (histogram_max_bucket(whole) or (0, 0))],
            "scheduled_jobs_started": int(started_jobs), "scheduled_job_outcomes": outcomes, "errors": errors,
            "due_at_start": due_at_start, "due_at_end": due_at_end, "server_rss_mb": round(rss, 1),
            "http_429": state["pipedrive"]["rate_limited"] + state["brevo"]["rate_limited"],
        }
        print(json.dumps({"ticks": ticks}), flush=True)
        query = time_due_query(stack.db, due_statement(), args.concurrency, args.repetitions)
        print(json.dumps({"due_query": query}), flush=True)
    finally:
        stack.stop()
    return {"seeded": seeded, "ticks": ticks, "due_query": query, "statement": due_statement()}


def print_due(result):
    t, q, s = result["ticks"], result["due_query"], result["seeded"]
    print(f"\n{s['filters']:,} filters, {s['jobs']:,} job rows (inserted in {s['insert_s']} s, triggers on); "
          f"due at the start / end of the window: {t['due_at_start']} / {t['due_at_end']}")
    print(f"tick buckets (ms): {', '.join(str(b) for b in t['bucket_bounds_ms'])}, +Inf")
    print("\n| what | count | mean | p50 | p99 | max | ≤ 5 ms |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    print(f"| scheduler tick ({t['seconds']} s, pbs_scheduler_tick_seconds; p50/p99 from buckets) | {t['ticks']} "
          f"| {t['mean_ms']} ms | {t['p50_ms']} ms | {t['p99_ms']} ms | bucket {t['max_bucket_ms'][0]}–{t['max_bucket_ms'][1]} ms "
          f"| {t['share_le_5ms'] * 100:.1f} % |")
    print(f"| due query alone (Python sqlite3 {q['sqlite']}, same file) | {q['repetitions']} | {q['mean_ms']} ms "
          f"| {q['p50_ms']} ms | {q['p99_ms']} ms | {q['max_ms']} ms | – |")
    print(f"\nscheduled jobs started in the window: {t['scheduled_jobs_started']}, outcomes {t['scheduled_job_outcomes']}, "
          f"429s {t['http_429']}; query plan: {' / '.join(q['plan'])}")


def check_due(result):
    failures = []
    if result["due_query"]["p99_ms"] > TARGET_TICK_S * 1000:
        failures.append(f"due query p99 {result['due_query']['p99_ms']} ms > 5 ms")
    if not result["ticks"]["p99_ms"] <= TARGET_TICK_S * 1000:
        failures.append(f"tick p99 {result['ticks']['p99_ms']} ms > 5 ms")
    return failures


# ------------------------------------------------------------------------------ soak mode

PERCENTILES = [*range(1, 90), *(90 + i / 10 for i in range(90)), *(99 + i / 100 for i in range(100))]

WRK_DUMP_LUA = """
done = function(summary, latency, requests)
  local f = io.open("%(path)s", "w")
  f:write(string.format("requests %%d\\n", summary.requests))
  for _, p in ipairs({%(percentiles)s}) do
    f:write(string.format("%%.2f %%d\\n", p, latency:percentile(p)))
  end
  f:write(string.format("100 %%d\\n", latency.max))
  f:close()
end
"""


def read_wrk_dump(path):
    lines = Path(path).read_text().split("\n")
    requests = int(lines[0].split()[1])
    grid = [(float(p) / 100, int(us) / 1000) for p, us in (line.split() for line in lines[1:] if line)]
    return requests, grid


def pooled_quantile(runs, q):
    """The q-quantile (ms) of several wrk runs' latencies together, from each run's percentile
    grid (its CDF interpolated between the grid's points) weighted by its requests."""
    curves = [(n, [p for p, _ in grid], [v for _, v in grid]) for n, grid in runs]

    def cdf(ps, vs, x):
        i = bisect.bisect_right(vs, x)
        if i == 0:
            return ps[0] * x / vs[0] if vs[0] else ps[0]
        if i == len(vs):
            return 1.0
        return ps[i - 1] + (ps[i] - ps[i - 1]) * (x - vs[i - 1]) / (vs[i] - vs[i - 1])

    total = sum(n for n, _, _ in curves)
    candidates = sorted({v for _, _, vs in curves for v in vs})
    lo, hi = 0, len(candidates) - 1
    while lo < hi:  # the smallest candidate whose pooled CDF reaches q
        mid = (lo + hi) // 2
        if sum(n * cdf(ps, vs, candidates[mid]) for n, ps, vs in curves) / total >= q:
            hi = mid
        else:
            lo = mid + 1
    return candidates[lo]


class Sampler(threading.Thread):
    """Calls `sample()` every `every` seconds until stopped; with `jitter`, after a random
    0.2–1.8 × `every` (the same mean), so that the samples cannot keep in step with the
    scheduler's one-second tick and always fall between its short jobs."""

    def __init__(self, every, sample, jitter=False):
        super().__init__(daemon=True)
        self.every, self.sample, self.jitter = every, sample, jitter
        self.halt, self.error, self.rng = threading.Event(), None, random.Random()

    def run(self):
        next_at = time.monotonic()
        while not self.halt.is_set():
            try:
                self.sample()
            except Exception as err:  # reported at the end, the run goes on
                self.error = repr(err)
            next_at += self.every * (self.rng.uniform(0.2, 1.8) if self.jitter else 1)
            self.halt.wait(max(0.0, next_at - time.monotonic()))

    def stop(self):
        self.halt.set()
        self.join()


def minute_averages(samples, start, minutes):
    buckets = [[] for _ in range(minutes)]
    for at, value in samples:
        index = int((at - start) // 60)
        if 0 <= index < minutes:
            buckets[index].append(value)
    return [round(statistics.fmean(b), 1) if b else None for b in buckets]


def bench_soak(args, bins, workdir):
    name = lambda i: f"Soak {i:04}"  # noqa: E731
    concurrency = args.concurrency
    stack = Stack(bins, workdir, args.latency_ms, args.import_delay_ms,
                  server_env={"SCHEDULE_CONCURRENCY": str(concurrency), **args.server_env})
    try:
        lists = seed_sandbox(stack, args.filters, args.persons, name)
        status, _, body = stack.api("POST", "/api/filters/refresh")
        assert status == 200 and body["created"] == args.filters, body
        link_lists(stack.db, lists)
        client = KeepAlive(stack.url, {"cookie": stack.cookie})
        for filter_id in lists:
            status, body = client.call("PATCH", f"/api/filters/{filter_id}", {"schedule_minutes": 1})
            assert status == 200 and body["schedule_minutes"] == 1, body
        client.close()
        log_next = request("GET", f"{stack.sandbox_url}/__sandbox/requests?since=0")[2]["next"]

        start_wall, start = int(time.time()), time.monotonic()
        con = sqlite3.connect(stack.db, timeout=30)
        with con:  # as if the schedules were set one interval before the run
            con.execute("UPDATE filters SET schedule_set_at = schedule_set_at - 60 WHERE schedule_minutes IS NOT NULL")
        con.close()
        deadline = start + args.minutes * 60
        reader = sqlite3.connect(f"file:{stack.db}?mode=ro", uri=True, timeout=30, check_same_thread=False)
        processing, rss, upstream = [], [], {"pipedrive": 0, "brevo": 0, "http_429": 0, "brevo_writes": 0,
                                             "brevo_outside_contacts": 0, "unanswered": 0}
        log_state = {"next": log_next}

        def sample_processing():
            total, most = reader.execute(
                "SELECT count(*), coalesce(max(n), 0) FROM (SELECT count(*) AS n FROM sync_jobs"
                " WHERE status = 'processing' GROUP BY filter_id)").fetchone()
            gauge = stack.metric("pbs_sync_jobs_running")
            processing.append((time.monotonic() - start, total, most, gauge))

        wal, wal_path = [], Path(f"{stack.db}-wal")

        def sample_rss():
            rss.append((time.monotonic(), stack.server.rss_mb()))
            wal.append(wal_path.stat().st_size / 2**20 if wal_path.exists() else 0.0)

        def read_request_log():
            body = request("GET", f"{stack.sandbox_url}/__sandbox/requests?since={log_state['next']}")[2]
            for r in body["requests"]:
                upstream[r["api"]] += 1
                upstream["http_429"] += r["status"] == 429
                upstream["unanswered"] += r["status"] is None
                if r["api"] == "brevo":
                    upstream["brevo_writes"] += r["method"] != "GET"
                    upstream["brevo_outside_contacts"] += not r["path"].startswith("/v3/contacts")
            log_state["next"] = body["next"]

        rss_every = 10 if args.minutes >= 3 else 2
        samplers = [Sampler(0.5, sample_processing, jitter=True), Sampler(rss_every, sample_rss),
                    Sampler(15, read_request_log)]
        for s in samplers:
            s.start()
        paths = ["/api/filters", "/api/sync-jobs?limit=50"]
        runs = {p: [] for p in paths}
        run = 0
        while (left := deadline - time.monotonic()) >= 2:
            path = paths[run % 2]
            dump = stack.workdir / f"wrk-{run}.txt"
            script = stack.workdir / f"wrk-{run}.lua"
            script.write_text(WRK_DUMP_LUA % {"path": dump, "percentiles": ", ".join(f"{p:g}" for p in PERCENTILES)})
            figures = wrk(f"{stack.url}{path}", stack.cookie, int(min(args.wrk_seconds, left)), args.connections,
                          "gzip, deflate, br", str(script))
            requests, grid = read_wrk_dump(dump)
            dump.unlink()
            script.unlink()
            runs[path].append({"at_s": round(time.monotonic() - start, 1), "requests": requests, "grid": grid,
                               "p50_ms": round(percentile_from_grid(grid, 0.5), 2),
                               "p99_ms": round(percentile_from_grid(grid, 0.99), 2),
                               "req_per_s": figures["req_per_s"], "non_2xx": figures["non_2xx"]})
            run += 1
        time.sleep(max(0.0, deadline - time.monotonic()))
        for s in samplers:
            s.stop()
        read_request_log()
        end_wall = int(time.time())
        reader.close()
        time.sleep(3)  # let the last jobs end before reading their rows
        metrics = stack.metrics_text()
        state = stack.sandbox_state()
        con = sqlite3.connect(f"file:{stack.db}?mode=ro", uri=True, timeout=30)
        jobs = con.execute(  # the jobs started during the run
            "SELECT id, filter_id, status, created_at, completed_at, total_added, total_updated, total_removed,"
            " error_message FROM sync_jobs WHERE started_by != 'manual' AND created_at BETWEEN ? AND ? ORDER BY id",
            (start_wall - 1, end_wall)).fetchall()
        stale = con.execute("SELECT count(*) FROM filters WHERE alert_state = 'stale'").fetchone()[0]
        con.close()
    finally:
        stack.stop()

    # Jobs.
    minutes = args.minutes
    per_minute = [0] * minutes
    for _, _, _, created, *_ in jobs:
        if start_wall <= created < start_wall + minutes * 60:
            per_minute[(created - start_wall) // 60] += 1
    outcomes = {}
    for job in jobs:
        outcomes[job[2]] = outcomes.get(job[2], 0) + 1
    errors = sorted({job[8] for job in jobs if job[8]})[:5]
    by_filter = {}
    for job in jobs:
        by_filter.setdefault(job[1], []).append(job)
    overlaps = sum(1 for rows in by_filter.values() for a, b in zip(rows, rows[1:])
                   if a[4] is None or b[3] < a[4])
    gaps = [b[3] - a[3] for rows in by_filter.values() for a, b in zip(rows, rows[1:])]
    synced = [len(by_filter.get(i, [])) for i in range(1, args.filters + 1)]
    writes = sum(1 for job in jobs if job[5] or job[6] or job[7])

    # Memory.
    rss_minutes = minute_averages(rss, start, minutes)
    if minutes >= 3:
        baseline, final, basis = rss_minutes[1], rss_minutes[-1], "minute 2 → last minute"
    else:
        third = minutes * 60 / 3
        window = lambda k: [v for at, v in rss if k * third <= at - start < (k + 1) * third]  # noqa: E731
        baseline, final = statistics.fmean(window(1)), statistics.fmean(window(2))
        basis = "second third → last third"
    growth = (final - baseline) / baseline

    # Latency.
    api = {}
    for path, path_runs in runs.items():
        pooled = [(r["requests"], r["grid"]) for r in path_runs]
        api[path] = {
            "runs": len(path_runs), "requests": sum(r["requests"] for r in path_runs),
            "req_per_s_median": round(statistics.median(r["req_per_s"] for r in path_runs), 1),
            "p50_ms": round(pooled_quantile(pooled, 0.50), 2), "p99_ms": round(pooled_quantile(pooled, 0.99), 2),
            "worst_run_p99_ms": max(r["p99_ms"] for r in path_runs),
            "non_2xx": sum(r["non_2xx"] for r in path_runs),
            "per_run": [{k: v for k, v in r.items() if k != "grid"} for r in path_runs],
        }

    tick = histogram(metrics, TICK_METRIC)
    result = {
        "filters": args.filters, "persons": args.persons, "minutes": minutes, "concurrency": concurrency,
        "latency_ms": args.latency_ms, "connections": args.connections, "debug_build": args.debug_build,
        "max_processing": max(p[1] for p in processing), "max_processing_one_filter": max(p[2] for p in processing),
        "max_running_gauge": max(p[3] for p in processing), "samples": len(processing),
        "samples_with_a_job": sum(1 for p in processing if p[1] or p[3]),
        "jobs": len(jobs), "jobs_per_minute": per_minute, "outcomes": outcomes, "errors": errors,
        "jobs_writing_to_brevo": writes, "overlapping_jobs_by_rows": overlaps,
        "syncs_per_filter": {"min": min(synced), "median": statistics.median(synced), "max": max(synced)},
        "seconds_between_a_filters_syncs": {"median": statistics.median(gaps) if gaps else None,
                                            "min": min(gaps) if gaps else None},
        "stale_filters_at_end": stale,
        "alerts": {line.split()[0]: float(line.split()[-1]) for line in metrics.splitlines()
                   if line.startswith("pbs_alerts_total{")},
        "scheduler_tick": {"ticks": int(tick["count"]), "mean_ms": ms(tick["sum"] / tick["count"]),
                           "p99_ms": ms(histogram_quantile(tick, 0.99)),
                           "max_bucket_ms": [ms(b) for b in histogram_max_bucket(tick)]},
        "upstream": upstream,
        "sandbox_429": {"pipedrive": state["pipedrive"]["rate_limited"], "brevo": state["brevo"]["rate_limited"]},
        "rss_mb_minutes": rss_minutes, "rss_mb_first": rss[0][1], "rss_mb_last": rss[-1][1],
        "rss_mb_max": max(v for _, v in rss), "rss_basis": basis, "rss_baseline_mb": round(baseline, 1),
        "rss_final_mb": round(final, 1), "rss_growth": round(growth, 4),
        "wal_mb": {"first": round(wal[0], 1), "last": round(wal[-1], 1), "max": round(max(wal), 1)},
        "api": api, "window": [start_wall, end_wall],
        "sampler_errors": [s.error for s in samplers if s.error],
    }
    return result


def percentile_from_grid(grid, q):
    for p, value in grid:
        if p >= q - 1e-9:
            return value
    return grid[-1][1]


def soak_criteria(r):
    """(criterion, figure, passed, enforced) rows."""
    perf = not r["debug_build"]
    rows = [
        (f"processing jobs ≤ SCHEDULE_CONCURRENCY ({r['concurrency']})",
         f"max {r['max_processing']} in {r['samples']} samples, {r['samples_with_a_job']} of them with a job "
         f"running (gauge max {r['max_running_gauge']:g})",
         r["max_processing"] <= r["concurrency"] and r["max_running_gauge"] <= r["concurrency"]
         and r["samples_with_a_job"] > 0, True),
        ("never two jobs for one filter", f"max {r['max_processing_one_filter']} per filter in the samples, "
         f"{r['overlapping_jobs_by_rows']} overlaps in the rows",
         r["max_processing_one_filter"] <= 1 and r["overlapping_jobs_by_rows"] == 0, True),
        ("0 requests above the upstream limits (429s)",
         f"{r['upstream']['http_429']} in the log; sandbox: Pipedrive {r['sandbox_429']['pipedrive']}, "
         f"Brevo {r['sandbox_429']['brevo']}",
         r["upstream"]["http_429"] == 0 and sum(r["sandbox_429"].values()) == 0, True),
        ("scheduled syncs ran, completed, wrote nothing",
         f"{r['jobs']} jobs {r['outcomes']}, {r['upstream']['brevo_writes']} Brevo writes",
         r["jobs"] > 0 and r["outcomes"].get("failed", 0) == 0 and r["upstream"]["brevo_writes"] == 0
         and r["jobs_writing_to_brevo"] == 0, True),
    ]
    for path, a in r["api"].items():
        rows.append((f"GET {path} p99 ≤ 20 ms", f"p50 {a['p50_ms']} ms, p99 {a['p99_ms']} ms (worst 10-s run "
                     f"{a['worst_run_p99_ms']} ms), {a['non_2xx']} non-2xx",
                     a["p99_ms"] <= TARGET_API_P99_MS and a["non_2xx"] == 0, perf))
    rows.append(("memory flat (≤ 10 %)", f"{r['rss_basis']}: {r['rss_baseline_mb']} → {r['rss_final_mb']} MB "
                 f"({r['rss_growth'] * 100:+.1f} %)", abs(r["rss_growth"]) <= 0.10, perf))
    return rows


def print_soak(r):
    print(f"\n{r['filters']:,} filters × {r['persons']} persons, schedule 1 min, {r['minutes']} min, "
          f"SCHEDULE_CONCURRENCY {r['concurrency']}, upstream latency {r['latency_ms']} ms, wrk {r['connections']} connections"
          f"{' (debug build)' if r['debug_build'] else ''}")
    print("\n| criterion | figure | result |")
    print("|---|---|---|")
    for criterion, figure, passed, enforced in soak_criteria(r):
        print(f"| {criterion} | {figure} | {'pass' if passed else 'FAIL'}{'' if enforced else ' (not enforced)'} |")
    print(f"\njobs started per minute: {r['jobs_per_minute']} (asked for: {r['filters']:,} a minute); syncs per filter "
          f"{r['syncs_per_filter']}; seconds between a filter's syncs: {r['seconds_between_a_filters_syncs']}")
    print(f"server RSS (MB): first {r['rss_mb_first']:.1f}, last {r['rss_mb_last']:.1f}, max {r['rss_mb_max']:.1f}; "
          f"minute averages {r['rss_mb_minutes']}")
    print(f"database WAL (MB): {r['wal_mb']}")
    print(f"upstream requests: {r['upstream']}; scheduler tick: {r['scheduler_tick']}; "
          f"stale filters at the end: {r['stale_filters_at_end']}; alerts {r['alerts']}")
    for path, a in r["api"].items():
        print(f"GET {path}: {a['runs']} runs, {a['requests']:,} requests, median {a['req_per_s_median']} req/s; "
              f"per-run p99 (ms): {[x['p99_ms'] for x in a['per_run']]}")
    if r["sampler_errors"]:
        print(f"sampler errors: {r['sampler_errors']}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["due", "soak"])
    parser.add_argument("--filters", type=int, help="filters (due: 10,000; soak: 1,000)")
    parser.add_argument("--jobs", type=int, default=1_000_000, help="due: job rows")
    parser.add_argument("--overdue", type=int, default=300, help="due: filters overdue at the start")
    parser.add_argument("--seconds", type=int, default=60, help="due: seconds of ticks measured")
    parser.add_argument("--warmup", type=int, default=5, help="due: seconds before the measured window")
    parser.add_argument("--repetitions", type=int, default=1000, help="due: runs of the due query")
    parser.add_argument("--minutes", type=int, default=10, help="soak: minutes")
    parser.add_argument("--persons", type=int, default=5, help="soak: persons per filter")
    parser.add_argument("--short", action="store_true", help="soak: --minutes 1 --filters 100")
    parser.add_argument("--concurrency", type=int, default=2, help="SCHEDULE_CONCURRENCY")
    parser.add_argument("--connections", type=int, default=10, help="soak: wrk connections")
    parser.add_argument("--wrk-seconds", type=int, default=10, help="soak: length of each wrk run")
    parser.add_argument("--latency-ms", type=int, default=50, help="the sandbox's latency per upstream request")
    parser.add_argument("--import-delay-ms", type=int, default=200)
    parser.add_argument("--debug-build", action="store_true", help="use the debug build (smoke runs)")
    parser.add_argument("--bins", type=Path, help="take pipedrive-brevo-sync and upstream-sandbox from this folder "
                        "instead of building them (to compare builds; --debug-build then only says what they are)")
    parser.add_argument("--server-env", action="append", default=[], metavar="NAME=VALUE",
                        help="an extra variable for the server, e.g. RUST_LOG=warn,sqlx::query=debug to profile")
    parser.add_argument("--check", action="store_true", help="exit 1 when a criterion fails")
    args = parser.parse_args()
    args.server_env = dict(item.split("=", 1) for item in args.server_env)
    if args.short:
        args.minutes, args.filters = 1, args.filters or 100
    if args.filters is None:
        args.filters = 10_000 if args.what == "due" else 1_000

    if args.bins:
        bins = {"server": str(args.bins / "pipedrive-brevo-sync"), "sandbox": str(args.bins / "upstream-sandbox")}
    else:
        bins = build(release=not args.debug_build)
    workdir = Path(tempfile.mkdtemp(prefix="schedule-bench-"))
    print(f"machine: {os.cpu_count()} cores; logs in {workdir}", flush=True)
    if args.what == "due":
        result = bench_due(args, bins, workdir)
        print_due(result)
        failures = check_due(result)
    else:
        result = bench_soak(args, bins, workdir)
        print_soak(result)
        failures = [c for c, _, passed, enforced in soak_criteria(result) if enforced and not passed]
    out = ROOT / "target" / f"schedule-bench-{args.what}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    print(f"\nresults: {out}")
    if failures:
        print("failed: " + "; ".join(failures), flush=True)
        if args.check:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
