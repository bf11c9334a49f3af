#!/usr/bin/env python3
"""Benchmarks Pipedrive → Brevo Sync end to end, through its HTTP API, against the
upstream sandbox with a fixed latency per request and the real rate limits enforced.

  sync      one sync per size: wall time, the lower bound the upstream APIs allow and the
            ratio, upstream requests per API, 429s, the server's peak RSS, contacts/s; and a
            per-contact baseline (one Brevo create-contact request per person, sequential
            pages) measured on a small filter and extrapolated at its rate-limited pace
  mirror    re-syncs against a list that already holds the filter: unchanged (0 Brevo writes
            expected) and with 5 % leavers and 5 % joiners; the list is seeded in the sandbox
            and linked to the filter in the database, so only the re-sync is timed
  changelog a job with a 1,000,000-row change log (written with the record stage's own
            statement, timed): GET …/changes?limit=200 at the log's top, middle and end and
            by action and at random depths (wrk, 100 connections; at random depths also the
            server's CPU time a request), and the whole CSV streamed (rows/s, server RSS and
            its anonymous part, RssAnon)
  mapping   with a field mapping of 8 fields (4 custom) saved: a first sync, an unchanged
            re-sync, and a re-sync after one field changed on 1 % of the persons (exactly
            those must be imported: import rows counted)
  api-load  GET /api/filters and GET /api/sync-jobs with 1,000 filters and 1,000,000 job
            rows at 100 connections (wrk), with and without a sync running

Only standard-library Python; `wrk` for api-load (apt-get install wrk). Everything runs on
loopback and stops by itself.
"""

import argparse
import json
import math
import os
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-password"
METRICS_TOKEN = "bench-metrics-token"
PIPEDRIVE_TOKEN = "sandbox-pipedrive-token"
BREVO_KEY = "sandbox-brevo-key"
PAGE_SIZE = 500


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(method, url, body=None, headers=None, timeout=60):
    data = None if body is None else json.dumps(body).encode()
    all_headers = {"content-type": "application/json"} if data is not None else {}
    all_headers.update(headers or {})
    req = urllib.request.Request(url, data=data, method=method, headers=all_headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            raw = resp.read()
            return resp.status, resp.headers, (json.loads(raw) if raw else None)
    except urllib.error.HTTPError as err:
        raw = err.read()
        try:
            payload = json.loads(raw) if raw else None
        except ValueError:
            payload = raw.decode(errors="replace")
        return err.code, err.headers, payload


def wait_until_up(url, what, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if request("GET", url, timeout=2)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.05)
    raise SystemExit(f"{what} did not come up at {url}")


class Process:
    """A child process with its output in a log file; stopped with SIGTERM, then SIGKILL."""

    def __init__(self, args, env, log_path, cwd):
        self.log = open(log_path, "w")
        self.proc = subprocess.Popen(args, env={**os.environ, **env}, stdout=self.log,
                                     stderr=subprocess.STDOUT, cwd=cwd)

    def peak_rss_mb(self):
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def cpu_seconds(self):
        """The CPU time (user and system) the process has used so far."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_mb(self, field="VmRSS"):
        """The resident set in MB; `field="RssAnon"` for the process's own memory, without the
        files it maps."""
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


class Stack:
    """The sandbox and the server, on free loopback ports, with a fresh database."""

    def __init__(self, bins, workdir, latency_ms, import_delay_ms, enforce=True, server_env=None):
        self.workdir = Path(tempfile.mkdtemp(prefix="stack-", dir=workdir))
        sandbox_port = free_port()
        self.sandbox_url = f"http://127.0.0.1:{sandbox_port}"
        args = [bins["sandbox"], "--bind", f"127.0.0.1:{sandbox_port}", "--no-seed-demo",
                "--latency-ms", str(latency_ms), "--import-delay-ms", str(import_delay_ms)]
        if enforce:
            args.append("--enforce-rate-limits")
        self.sandbox = Process(args, {}, self.workdir / "sandbox.log", self.workdir)
        wait_until_up(f"{self.sandbox_url}/__sandbox/state", "the sandbox")
        self.db = self.workdir / "app.db"
        self.server_bin, self.server_env, self.server_starts = bins["server"], server_env or {}, 0
        self.start_server()

    def start_server(self):
        """Starts the server on the stack's database (again after `stop_server`) and signs in."""
        server_port = free_port()
        self.url = f"http://127.0.0.1:{server_port}"
        env = {
            "DATABASE_URL": f"sqlite:{self.db}", "BIND_ADDR": f"127.0.0.1:{server_port}",
            "ADMIN_PASSWORD": PASSWORD, "STATIC_DIR": str(self.workdir / "no-dashboard"),
            "PIPEDRIVE_BASE_URL": self.sandbox_url, "PIPEDRIVE_API_TOKEN": PIPEDRIVE_TOKEN,
            "BREVO_BASE_URL": self.sandbox_url, "BREVO_API_KEY": BREVO_KEY, "RUST_LOG": "warn",
            "METRICS_TOKEN": METRICS_TOKEN, **self.server_env,
        }
        log = "server.log" if self.server_starts == 0 else f"server-{self.server_starts}.log"
        self.server_starts += 1
        self.server = Process([self.server_bin], env, self.workdir / log, self.workdir)
        wait_until_up(f"{self.url}/api/health", "the server")
        status, headers, _ = request("POST", f"{self.url}/api/auth/login", {"password": PASSWORD})
        assert status == 204, status
        self.cookie = headers["set-cookie"].split(";")[0]

    def stop_server(self):
        self.server.stop()

    def metrics_text(self):
        """GET /metrics, as text."""
        req = urllib.request.Request(f"{self.url}/metrics", headers={"authorization": f"Bearer {METRICS_TOKEN}"})
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.read().decode()

    def metric(self, name):
        """A counter's value from GET /metrics (the sum over its labels)."""
        lines = self.metrics_text().splitlines()
        return sum(float(line.split()[-1]) for line in lines
                   if line.startswith(name) and line[len(name):len(name) + 1] in ("{", " "))

    def api(self, method, path, body=None):
        return request(method, f"{self.url}{path}", body, {"cookie": self.cookie})

    def add_filter(self, filter_id, count, first=0, custom_fields=False):
        status, _, _ = request("POST", f"{self.sandbox_url}/__sandbox/filters",
                               {"id": filter_id, "name": f"Bench {count:,}", "count": count, "first": first,
                                "custom_fields": custom_fields})
        assert status == 201, status
        status, _, body = self.api("POST", "/api/filters/refresh")
        assert status == 200, body

    def link_seeded_list(self, filter_id, count):
        """A list already holding global persons 0..count, as a previous sync left it."""
        status, _, body = request("POST", f"{self.sandbox_url}/__sandbox/lists",
                                  {"name": f"Bench {count:,}", "population": {"count": count, "first": 0, "step": 1}},
                                  timeout=600)
        assert status == 201, body
        con = sqlite3.connect(self.db, timeout=30)
        con.execute("UPDATE filters SET brevo_list_id = ?, brevo_list_name = name WHERE id = ?",
                    (body["id"], filter_id))
        con.commit()
        con.close()
        return body["id"]

    def brevo_writes(self):
        status, _, body = request("GET", f"{self.sandbox_url}/__sandbox/requests?api=brevo&since=0")
        assert status == 200, body
        return [r for r in body["requests"] if r["method"] != "GET"]

    def sync(self, filter_id):
        """Starts a sync and waits for its end; returns (job, wall seconds). The upstream
        requests it made are then in `self.last_requests`, for `timeline`."""
        since = request("GET", f"{self.sandbox_url}/__sandbox/requests?since={1 << 62}")[2]["next"]
        self.last_sync_started_ms = time.time() * 1000
        started = time.monotonic()
        status, _, job = self.api("POST", f"/api/filters/{filter_id}/sync")
        assert status == 202, job
        while job["status"] == "processing":
            time.sleep(0.01)
            job = self.api("GET", f"/api/sync-jobs/{job['id']}")[2]
        wall = time.monotonic() - started
        self.last_sync_ended_ms = self.last_sync_started_ms + wall * 1000
        self.last_requests = request("GET", f"{self.sandbox_url}/__sandbox/requests?since={since}")[2]["requests"]
        return job, wall

    def timeline(self):
        """Where the last sync's wall went, from the sandbox's request log: the start until the
        first person page was asked for, each person page's time in the sandbox (its latency
        and building the page), the gaps between a person page's answer and the next page's
        request (the client's own time on the sequential chain), and the tail from the last
        page's answer to the job's end (the last import and its processing)."""
        pages = [r for r in self.last_requests if r["path"] == "/api/v2/persons" and r["status"] == 200]
        if not pages:
            return {}
        gaps = sorted(b["received_ms"] - a["answered_ms"] for a, b in zip(pages, pages[1:]))
        served = sorted(p["answered_ms"] - p["received_ms"] for p in pages)
        return {
            "start_ms": round(pages[0]["received_ms"] - self.last_sync_started_ms, 1),
            "page_ms": {"p50": round(served[len(served) // 2], 2), "max": round(served[-1], 2),
                        "total_s": round(sum(served) / 1000, 3)},
            "page_gap_ms": {"mean": round(statistics.fmean(gaps), 2) if gaps else None,
                            "p50": round(gaps[len(gaps) // 2], 2) if gaps else None,
                            "max": round(gaps[-1], 2) if gaps else None,
                            "total_s": round(sum(gaps) / 1000, 3)},
            "tail_ms": round(self.last_sync_ended_ms - pages[-1]["answered_ms"], 1),
        }

    def sandbox_state(self):
        return request("GET", f"{self.sandbox_url}/__sandbox/state")[2]

    def stop(self):
        self.server.stop()
        self.sandbox.stop()


def lower_bound(n, latency_s, import_delay_s):
    """The sequential chain of person pages, plus the last import: its request, its
    processing, and the poll that sees it completed."""
    return math.ceil(n / PAGE_SIZE) * latency_s + 2 * latency_s + import_delay_s


def bench_sync(args, bins, workdir):
    rows = []
    latency_s, delay_s = args.latency_ms / 1000, args.import_delay_ms / 1000
    for n in args.sizes:
        stack = Stack(bins, workdir, args.latency_ms, args.import_delay_ms)
        try:
            stack.add_filter(1, n)
            job, wall = stack.sync(1)
            state = stack.sandbox_state()
            bound = lower_bound(n, latency_s, delay_s)
            rows.append({
                "persons": n, "status": job["status"], "error": job["error_message"],
                "fetched": job["total_fetched"], "added": job["total_added"],
                "wall_s": round(wall, 2), "lower_bound_s": round(bound, 2),
                "ratio": round(wall / bound, 3),
                "pipedrive_requests": state["pipedrive"]["requests"] - 1,  # minus the refresh
                "brevo_requests": state["brevo"]["requests"],
                "http_429": state["pipedrive"]["rate_limited"] + state["brevo"]["rate_limited"],
                "peak_rss_mb": round(stack.server.peak_rss_mb(), 1),
                "contacts_per_s": round(job["total_added"] / wall),
                "timeline": stack.timeline(),
                # The record stage's transactions, as the server measured them.
                "change_log_rows": int(stack.metric("pbs_change_log_rows_total")),
                "change_log_s": round(stack.metric("pbs_change_log_write_seconds_total"), 2),
            })
            rows[-1]["change_log_share"] = round(rows[-1]["change_log_s"] / wall, 4)
        finally:
            stack.stop()
        print(json.dumps(rows[-1]), flush=True)
    return rows


def mirror_bound(persons, members, removals, imports, latency_s, import_delay_s):
    """The larger of the person-page chain and the /v3/contacts requests that can run
    alongside it (the list's and the attributes' reads, member pages of 1,000, the
    imports) at 10 a second, plus what can only
    follow the last page: the removals (150 a call) at 10 a second and, when something was
    imported, the last import's request, processing and completing poll."""
    chain = math.ceil(persons / PAGE_SIZE) * latency_s
    alongside = (2 + math.ceil(members / 1000) + imports) / 10
    tail = math.ceil(removals / 150) / 10 + ((2 * latency_s + import_delay_s) if imports else 0)
    return max(chain, alongside) + tail


def bench_mirror(args, bins, workdir):
    rows = []
    latency_s, delay_s = args.latency_ms / 1000, args.import_delay_ms / 1000
    for n in args.sizes:
        for scenario, churn in (("unchanged", 0), ("5 % leave, 5 % join", n // 20)):
            stack = Stack(bins, workdir, args.latency_ms, args.import_delay_ms)
            try:
                stack.add_filter(1, n, first=churn)
                stack.link_seeded_list(1, n)
                writes_before = len(stack.brevo_writes())
                job, wall = stack.sync(1)
                writes = stack.brevo_writes()[writes_before:]
                imports = sum(1 for w in writes if w["path"] == "/v3/contacts/import")
                state = stack.sandbox_state()
                bound = mirror_bound(n, n, job["total_removed"], imports, latency_s, delay_s)
                rows.append({
                    "persons": n, "scenario": scenario, "status": job["status"], "error": job["error_message"],
                    "fetched": job["total_fetched"], "added": job["total_added"], "updated": job["total_updated"],
                    "removed": job["total_removed"], "skipped": job["total_skipped"],
                    "unchanged": job["total_unchanged"], "brevo_writes": len(writes), "imports": imports,
                    "wall_s": round(wall, 2), "lower_bound_s": round(bound, 2), "ratio": round(wall / bound, 3),
                    "pipedrive_requests": state["pipedrive"]["requests"] - 1,
                    "brevo_requests": state["brevo"]["requests"],
                    "http_429": state["pipedrive"]["rate_limited"] + state["brevo"]["rate_limited"],
                    "http_429_by_api": {api: state[api]["rate_limited"] for api in ("pipedrive", "brevo")},
                    "peak_rss_mb": round(stack.server.peak_rss_mb(), 1),
                })
            finally:
                stack.stop()
            print(json.dumps(rows[-1]), flush=True)
    return rows


# The sandbox's custom fields (backend/upstream-sandbox/src/person_fields.rs).
SEGMENT, INTERESTS = "f25f8a899757c44cd81de9152554b984443a46f9", "a775c56d44c36090429dcfc33151a7872644942a"
RENEWAL_DATE, SCORE = "c63d6e968b7d184c077a2a227068e9acedd63570", "e9080310a896bf886750ff2fae10af549e6276a7"
BENCH_MAPPING = [("first_name", "FIRSTNAME"), ("last_name", "LASTNAME"), ("phone", "SMS"), ("name", "COMPANY"),
                 (SEGMENT, "SEGMENT"), (INTERESTS, "INTERESTS"), (RENEWAL_DATE, "RENEWAL_DATE"), (SCORE, "SCORE")]


def splitmix64(n):
    """The sandbox generator's hash (state/generator.rs), to know which persons have an email."""
    mask = (1 << 64) - 1
    z = (n + 0x9E3779B97F4A7C15) & mask
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
    return z ^ (z >> 31)


def has_email(n):
    return not ((splitmix64(n) >> 16) & 0xFF) <= 7


def bench_mapping(args, bins, workdir):
    rows = []
    latency_s, delay_s = args.latency_ms / 1000, args.import_delay_ms / 1000
    for n in args.sizes:
        stack = Stack(bins, workdir, args.latency_ms, args.import_delay_ms)
        try:
            stack.add_filter(1, n, custom_fields=True)
            body = {"mappings": [{"pipedrive_field": f, "brevo_attribute": a} for f, a in BENCH_MAPPING]}
            status, _, saved = stack.api("PUT", "/api/field-mapping", body)
            assert status == 200, saved

            def refusals():
                state = stack.sandbox_state()
                return state["pipedrive"]["rate_limited"] + state["brevo"]["rate_limited"]

            def run(scenario, bound, changed=None):
                imports_before = len(request("GET", f"{stack.sandbox_url}/__sandbox/imports")[2]["imports"])
                refused_before = refusals()
                job, wall = stack.sync(1)
                imports = request("GET", f"{stack.sandbox_url}/__sandbox/imports")[2]["imports"][imports_before:]
                bound = bound(len(imports))
                rows.append({
                    "persons": n, "scenario": scenario, "status": job["status"], "error": job["error_message"],
                    "fetched": job["total_fetched"], "added": job["total_added"], "updated": job["total_updated"],
                    "unchanged": job["total_unchanged"], "changed": changed,
                    "import_rows": sum(i["contacts"] for i in imports),
                    "wall_s": round(wall, 2), "lower_bound_s": round(bound, 2), "ratio": round(wall / bound, 3),
                    "http_429": refusals() - refused_before,
                    "peak_rss_mb": round(stack.server.peak_rss_mb(), 1),
                    "timeline": stack.timeline(),
                })
                print(json.dumps(rows[-1]), flush=True)

            run("first sync", lambda imports: lower_bound(n, latency_s, delay_s))
            run("unchanged re-sync", lambda imports: mirror_bound(n, n, 0, imports, latency_s, delay_s), 0)
            # One field on 1 % of the persons: those with an email become `updated`.
            edited = [i for i in range(0, n, 100)]
            for i in edited:
                status, _, body = request("PATCH", f"{stack.sandbox_url}/__sandbox/persons/{i + 1}",
                                          {"custom_fields": {SCORE: 1000 + i}})
                assert status == 204, body
            changed = sum(1 for i in edited if has_email(i))
            run("1 % changed", lambda imports: mirror_bound(n, n, 0, imports, latency_s, delay_s), changed)
        finally:
            stack.stop()
    return rows


def print_mapping_table(rows):
    print("\n| persons | scenario | wall (s) | lower bound (s) | ratio | added | updated | unchanged | changed persons | import rows | 429s | peak RSS (MB) |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['persons']:,} | {r['scenario']} | {r['wall_s']} | {r['lower_bound_s']} | {r['ratio']} | {r['added']:,} "
              f"| {r['updated']:,} | {r['unchanged']:,} | {'–' if r['changed'] is None else format(r['changed'], ',')} "
              f"| {r['import_rows']:,} | {r['http_429']} | {r['peak_rss_mb']} |")


def print_mirror_table(rows):
    print("\n| persons | scenario | wall (s) | lower bound (s) | ratio | added | removed | unchanged | skipped | Brevo writes | Pipedrive req | Brevo req | 429s | peak RSS (MB) |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['persons']:,} | {r['scenario']} | {r['wall_s']} | {r['lower_bound_s']} | {r['ratio']} | {r['added']:,} "
              f"| {r['removed']:,} | {r['unchanged']:,} | {r['skipped']:,} | {r['brevo_writes']:,} | {r['pipedrive_requests']:,} "
              f"| {r['brevo_requests']:,} | {r['http_429']} | {r['peak_rss_mb']} |")


def bench_baseline(args, bins, workdir):
    """A straightforward per-contact sync, as a hand-written script does it: pages one after
    the other, one create-contact request per person, sleeping when told to slow down."""
    stack = Stack(bins, workdir, args.latency_ms, args.import_delay_ms)
    try:
        n = args.baseline_persons
        stack.add_filter(1, n)
        brevo = {"api-key": BREVO_KEY}
        sandbox = stack.sandbox_url
        requests = {"pipedrive": 0, "brevo": 0}

        def call(api, method, path, body=None):
            headers = {"x-api-token": PIPEDRIVE_TOKEN} if api == "pipedrive" else brevo
            while True:
                requests[api] += 1
                status, resp_headers, payload = request(method, f"{sandbox}{path}", body, headers)
                if status != 429:
                    return status, payload
                reset = resp_headers.get("x-sib-ratelimit-reset") or resp_headers.get("x-ratelimit-reset") or "1"
                time.sleep(float(reset))

        started = time.monotonic()
        _, folder = call("brevo", "POST", "/v3/contacts/folders", {"name": "Baseline"})
        _, new_list = call("brevo", "POST", "/v3/contacts/lists", {"name": "Baseline", "folderId": folder["id"]})
        cursor, contacts = None, 0
        while True:
            query = f"/api/v2/persons?filter_id=1&limit={PAGE_SIZE}" + (f"&cursor={cursor}" if cursor else "")
            _, page = call("pipedrive", "GET", query)
            for person in page["data"] or []:
                emails = [e["value"] for e in person.get("emails") or [] if e.get("value")]
                if emails:
                    call("brevo", "POST", "/v3/contacts",
                         {"email": emails[0], "listIds": [new_list["id"]], "updateEnabled": True,
                          "attributes": {"FIRSTNAME": person.get("first_name") or ""}})
                    contacts += 1
            cursor = (page.get("additional_data") or {}).get("next_cursor")
            if not cursor:
                break
        wall = time.monotonic() - started
        total = requests["pipedrive"] + requests["brevo"]
        result = {"persons": n, "contacts": contacts, "wall_s": round(wall, 2), "requests": total,
                  "requests_per_person": round(total / n, 4), "persons_per_s": round(n / wall, 2)}
        print(json.dumps({"baseline": result}), flush=True)
        return result
    finally:
        stack.stop()


def seed_history(db, filters, jobs, first_id=1000, created_at=None, failed_every=10):
    """`filters` filters (ids from `first_id`; existing rows are kept) and `jobs` finished
    jobs, job j of filter first_id + j % filters, written straight into the database in one
    transaction, the triggers keeping each filter's newest job. Job j started at
    `created_at(j)` (default: one a second up to now) and ended 5 s later; every
    `failed_every`-th job failed."""
    con = sqlite3.connect(db, timeout=30)
    now = int(time.time())
    created_at = created_at or (lambda j: now - jobs + j)
    con.execute("BEGIN")
    con.executemany("INSERT OR IGNORE INTO filters (id, name) VALUES (?, ?)",
                    ((i, f"Filter {i:04}") for i in range(first_id, first_id + filters)))
    con.executemany(
        "INSERT INTO sync_jobs (filter_id, status, created_at, completed_at, total_fetched, total_added, error_message)"
        " VALUES (?, ?, ?, ?, 500, 20, ?)",
        ((first_id + j % filters, "failed" if j % failed_every == 0 else "completed", created_at(j), created_at(j) + 5,
          "Brevo answered HTTP 502" if j % failed_every == 0 else None) for j in range(jobs)))
    con.commit()
    con.close()


def wrk(url, cookie, seconds, connections, accept_encoding, script=None):
    headers = ["-H", f"Cookie: {cookie}"]
    if accept_encoding:
        headers += ["-H", f"Accept-Encoding: {accept_encoding}"]
    if script:
        headers += ["-s", script]
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", *headers, url],
                         capture_output=True, text=True, check=True).stdout
    figures = {"non_2xx": 0}
    for line in out.splitlines():
        parts = line.split()
        if line.strip().startswith(("50%", "99%")):
            figures["p" + parts[0].rstrip("%")] = parts[1]
        elif " requests in " in line:
            figures["requests"] = int(parts[0])
        elif line.startswith("Requests/sec:"):
            figures["req_per_s"] = float(parts[1])
        elif line.strip().startswith("Non-2xx"):
            figures["non_2xx"] = int(parts[-1])
    return figures


# The record stage's statement (db/changes.rs): multi-row inserts of 200 rows, bound values.
STATEMENT_ROWS = 200


def insert_changes(con, rows):
    """Inserts (job_id, id, action, email, person_id, reason) tuples as the record stage does."""
    for start in range(0, len(rows), STATEMENT_ROWS):
        chunk = rows[start:start + STATEMENT_ROWS]
        con.execute("INSERT INTO sync_changes (job_id, id, action, email, person_id, reason) VALUES "
                    + ",".join(["(?,?,?,?,?,?)"] * len(chunk)), [v for row in chunk for v in row])


# Each wrk thread draws its own pages: seeded alike, the threads would ask for the same
# pages in the same order, and every second read of a page would be one the cache keeps.
RANDOM_PAGES_LUA = """
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end
function init(args)
  math.randomseed(os.time() * 100 + id)
end
request = function()
  local before = math.random(300, %(rows)d)
  return wrk.format("GET", "/api/sync-jobs/%(job)d/changes?limit=200&before=" .. before)
end
"""


def seed_change_log(db, filter_id, rows, batch=10_000):
    """A finished job of the filter with `rows` changes, written with the record stage's
    statement, a commit per batch as the record stage commits once a second (a 1M-person
    sync reads about 10,000 persons a second); returns the job's id and the seconds the
    inserts took."""
    actions = ["added", "updated", "removed", "skipped"]
    con = sqlite3.connect(db, timeout=30)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    job_id = con.execute("INSERT INTO sync_jobs (filter_id, status, completed_at) VALUES (?, 'completed', unixepoch())"
                         " RETURNING id", (filter_id,)).fetchone()[0]
    con.commit()
    spent = 0.0
    for first in range(1, rows + 1, batch):
        chunk = [(job_id, i, actions[i % 4], f"person.{i}@example.com", i,
                  "changed: LASTNAME" if i % 4 == 1 else None)
                 for i in range(first, min(first + batch, rows + 1))]
        started = time.monotonic()
        insert_changes(con, chunk)
        con.commit()
        spent += time.monotonic() - started
    con.close()
    return job_id, spent


def bench_changelog(args, bins, workdir):
    stack = Stack(bins, workdir, 0, 0, enforce=False)
    rows = []
    try:
        stack.add_filter(1, 10)
        n = args.changelog_rows
        job_id, insert_s = seed_change_log(stack.db, 1, n)
        job = {"id": job_id}
        rows.append({"rows": n, "insert_s": round(insert_s, 2), "rows_per_s": round(n / insert_s)})
        print(json.dumps(rows[-1]), flush=True)
        base = f"/api/sync-jobs/{job['id']}/changes?limit=200"

        def measured(url, connections, script=None):
            """wrk's figures, and the server's CPU time a request."""
            cpu_before = stack.server.cpu_seconds()
            figures = wrk(url, stack.cookie, args.load_seconds, connections, None, script)
            cpu_us = (stack.server.cpu_seconds() - cpu_before) / figures["requests"] * 1e6
            return {**figures, "server_cpu_us_per_request": round(cpu_us, 1)}

        for name, query in (("top", ""), ("middle", f"&before={n // 2}"), ("end", "&before=300"),
                            ("removed, middle", f"&action=removed&before={n // 2}")):
            figures = measured(f"{stack.url}{base}{query}", args.connections)
            rows.append({"page": name, **figures})
            print(json.dumps(rows[-1]), flush=True)
        # Every request a different page (none answered from the read cache).
        script = stack.workdir / "random_pages.lua"
        script.write_text(RANDOM_PAGES_LUA % {"job": job_id, "rows": n})
        for connections in (args.connections, 10):
            figures = measured(stack.url, connections, str(script))
            rows.append({"page": "random", "connections": connections, **figures})
            print(json.dumps(rows[-1]), flush=True)
        # The change log's read connections map the database file (db/read_only.rs): RSS counts
        # the pages they touched; RssAnon is the server's own memory.
        rss_before, anon_before = stack.server.rss_mb(), stack.server.rss_mb("RssAnon")
        peak, anon_peak = rss_before, anon_before
        started = time.monotonic()
        req = urllib.request.Request(f"{stack.url}/api/sync-jobs/{job['id']}/changes.csv",
                                     headers={"cookie": stack.cookie})
        lines = 0
        with urllib.request.urlopen(req, timeout=600) as resp:
            while chunk := resp.read(1 << 20):
                lines += chunk.count(b"\n")
                peak = max(peak, stack.server.rss_mb())
                anon_peak = max(anon_peak, stack.server.rss_mb("RssAnon"))
        wall = time.monotonic() - started
        rows.append({"csv_rows": lines - 1, "csv_s": round(wall, 2), "csv_rows_per_s": round((lines - 1) / wall),
                     "rss_before_mb": round(rss_before, 1), "rss_peak_during_mb": round(peak, 1),
                     "anon_before_mb": round(anon_before, 1), "anon_peak_during_mb": round(anon_peak, 1)})
        print(json.dumps(rows[-1]), flush=True)
    finally:
        stack.stop()
    return rows


def bench_api_load(args, bins, workdir):
    stack = Stack(bins, workdir, args.latency_ms, args.import_delay_ms)
    rows = []
    try:
        stack.add_filter(1, args.load_sync_persons)
        seed_history(stack.db, args.filters, args.jobs)
        paths = ["/api/filters", "/api/sync-jobs?limit=50"]
        for running in (False, True):
            job_id = None
            if running:
                status, _, job = stack.api("POST", "/api/filters/1/sync")
                assert status == 202, job
                job_id = job["id"]
            for path in paths:
                # As a browser asks (the dashboard), and as a bare script client asks.
                for encoding in ("gzip, deflate, br", None):
                    figures = wrk(f"{stack.url}{path}", stack.cookie, args.load_seconds, args.connections, encoding)
                    rows.append({"path": path, "sync_running": running, "gzip": bool(encoding), **figures})
                    print(json.dumps(rows[-1]), flush=True)
            if job_id is not None:
                job = stack.api("GET", f"/api/sync-jobs/{job_id}")[2]
                rows.append({"sync_during_load": job["status"], "fetched": job["total_fetched"]})
    finally:
        stack.stop()
    return rows


def build(release):
    profile = ["--release"] if release else []
    subprocess.run(["cargo", "build", "--locked", "--bins", "-p", "pipedrive-brevo-sync",
                    "-p", "upstream-sandbox", *profile], cwd=ROOT, check=True)
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target")) / ("release" if release else "debug")
    return {"server": str(target / "pipedrive-brevo-sync"), "sandbox": str(target / "upstream-sandbox")}


def print_sync_table(rows, baseline):
    print("\n| persons | wall (s) | lower bound (s) | ratio | Pipedrive req | Brevo req | 429s | peak RSS (MB) | contacts/s | baseline req (×) | baseline wall (×) |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        ours = r["pipedrive_requests"] + r["brevo_requests"]
        if baseline:
            base_requests = baseline["requests_per_person"] * r["persons"]
            base_wall = r["persons"] / baseline["persons_per_s"]
            ratios = f"{base_requests / ours:,.0f}× | {base_wall / r['wall_s']:,.0f}×"
        else:
            ratios = "– | –"
        print(f"| {r['persons']:,} | {r['wall_s']} | {r['lower_bound_s']} | {r['ratio']} | {r['pipedrive_requests']:,} "
              f"| {r['brevo_requests']:,} | {r['http_429']} | {r['peak_rss_mb']} | {r['contacts_per_s']:,} | {ratios} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["sync", "mirror", "mapping", "changelog", "api-load", "all"])
    parser.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")], default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--import-delay-ms", type=int, default=200)
    parser.add_argument("--baseline-persons", type=int, default=300,
                        help="persons in the measured per-contact baseline (0 to skip); it runs at Brevo's 10 requests/s")
    parser.add_argument("--filters", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=1_000_000)
    parser.add_argument("--connections", type=int, default=100)
    parser.add_argument("--load-seconds", type=int, default=10)
    parser.add_argument("--load-sync-persons", type=int, default=600_000)
    parser.add_argument("--changelog-rows", type=int, default=1_000_000)
    parser.add_argument("--debug-build", action="store_true", help="use the debug build (smoke runs)")
    parser.add_argument("--check", action="store_true", help="exit non-zero unless every sync completed exactly")
    args = parser.parse_args()

    bins = build(release=not args.debug_build)
    workdir = Path(tempfile.mkdtemp(prefix="sync-bench-"))
    print(f"machine: {os.cpu_count()} cores; logs in {workdir}", flush=True)
    results = {}
    if args.what in ("sync", "all"):
        baseline = bench_baseline(args, bins, workdir) if args.baseline_persons else None
        rows = bench_sync(args, bins, workdir)
        results.update(sync=rows, baseline=baseline)
        print_sync_table(rows, baseline)
        if args.check and any(r["status"] != "completed" or r["fetched"] != r["persons"] for r in rows):
            raise SystemExit("a benchmark sync did not complete exactly")
    if args.what in ("mirror", "all"):
        rows = bench_mirror(args, bins, workdir)
        results["mirror"] = rows
        print_mirror_table(rows)
        exact = all(r["status"] == "completed" and r["fetched"] == r["persons"] for r in rows)
        unchanged_silent = all(r["brevo_writes"] == 0 for r in rows if r["scenario"] == "unchanged")
        if args.check and not (exact and unchanged_silent):
            raise SystemExit("a mirror sync did not complete exactly, or an unchanged re-sync wrote to Brevo")
    if args.what in ("mapping", "all"):
        rows = bench_mapping(args, bins, workdir)
        results["mapping"] = rows
        print_mapping_table(rows)
        exact = all(r["status"] == "completed" and r["fetched"] == r["persons"] for r in rows)
        precise = all(r["changed"] is None or r["updated"] == r["import_rows"] == r["changed"] for r in rows)
        if args.check and not (exact and precise):
            raise SystemExit("a mapping sync did not complete exactly, or a re-sync wrote other than the changed persons")
    if args.what in ("changelog", "all"):
        results["changelog"] = bench_changelog(args, bins, workdir)
    if args.what in ("api-load", "all"):
        results["api_load"] = bench_api_load(args, bins, workdir)
    out = ROOT / "target" / "bench-results.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    print(f"\nresults: {out}")


if __name__ == "__main__":
    sys.exit(main())
