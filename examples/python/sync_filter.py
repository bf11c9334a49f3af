#!/usr/bin/env python3
"""Signs in, refreshes the filters from Pipedrive, syncs one filter into Brevo and waits for
the job to end — with a client generated from the service's openapi.yaml, used as generated.

Generate the client once (Python 3.10+):

    python3 -m venv .venv && . .venv/bin/activate
    pip install openapi-python-client
    openapi-python-client generate --path openapi.yaml --output-path pbs-client
    pip install ./pbs-client

Then, against a running service (e.g. ./scripts/run.sh, which prints the password):

    python3 examples/python/sync_filter.py --url http://127.0.0.1:8080 \
        --password "$(cat data/sandbox/admin-password)" --filter "All contacts"

The password can also come from the PBS_PASSWORD variable. Exit status: 0 when the job
completed, 1 when it failed, 2 on a usage or API error.
"""

import argparse
import os
import sys
import time

from pipedrive_brevo_sync_client import Client
from pipedrive_brevo_sync_client.api.auth import auth_login
from pipedrive_brevo_sync_client.api.filters import filters_refresh, filters_start_sync
from pipedrive_brevo_sync_client.api.meta import meta_health
from pipedrive_brevo_sync_client.api.sync_jobs import sync_jobs_get
from pipedrive_brevo_sync_client.models import JobStatusOut, LoginIn, Problem, RunMode


def fail(what: str, answer) -> int:
    """Problem documents carry a stable `code` and an operator-readable `detail`."""
    parsed = answer.parsed
    if isinstance(parsed, Problem):
        print(f"{what}: HTTP {parsed.status} {parsed.code}: {parsed.detail}", file=sys.stderr)
    else:
        print(f"{what}: HTTP {answer.status_code}", file=sys.stderr)
    return 2


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8080", help="the service's origin")
    parser.add_argument("--password", default=os.environ.get("PBS_PASSWORD"), help="or PBS_PASSWORD")
    parser.add_argument("--filter", default="All contacts", help="the filter's name or id")
    parser.add_argument("--timeout", type=float, default=600, help="seconds to wait for the job")
    args = parser.parse_args()
    if not args.password:
        parser.error("give --password or set PBS_PASSWORD")

    # One Client keeps one HTTP connection pool and its cookie jar: the session cookie set by
    # the sign-in goes with every later request. (The generator types the signed-in operations
    # as taking an AuthenticatedClient, a bearer-token client; the API's session is a cookie,
    # which the plain Client carries.)
    with Client(base_url=args.url, raise_on_unexpected_status=True) as client:
        health = meta_health.sync(client=client)
        if health is not None and health.mode == RunMode.SANDBOX:
            print("note: the service runs against the upstream sandbox (demo data)")

        answer = auth_login.sync_detailed(client=client, body=LoginIn(password=args.password))
        if answer.status_code != 204:
            return fail("sign-in", answer)

        answer = filters_refresh.sync_detailed(client=client)
        refreshed = answer.parsed
        if answer.status_code != 200 or isinstance(refreshed, Problem) or refreshed is None:
            return fail("refresh", answer)
        print(f"refreshed: {refreshed.created} new, {refreshed.renamed} renamed, "
              f"{refreshed.deleted} deleted, {len(refreshed.filters)} filters")
        matches = [f for f in refreshed.filters if args.filter in (f.name, str(f.id))]
        if not matches:
            names = ", ".join(f"{f.id} {f.name!r}" for f in refreshed.filters)
            print(f"no filter {args.filter!r}; there are: {names}", file=sys.stderr)
            return 2
        target = matches[0]

        answer = filters_start_sync.sync_detailed(target.id, client=client)
        job = answer.parsed
        if answer.status_code != 202 or isinstance(job, Problem) or job is None:
            return fail(f"starting the sync of {target.name!r}", answer)
        print(f"job {job.id} started for filter {target.id} {target.name!r}")

        deadline = time.monotonic() + args.timeout
        while job.status == JobStatusOut.PROCESSING:
            if time.monotonic() > deadline:
                print(f"job {job.id} still running after {args.timeout:.0f} s", file=sys.stderr)
                return 2
            time.sleep(1)
            polled = sync_jobs_get.sync(job.id, client=client)
            if not polled or isinstance(polled, Problem):
                print(f"could not read job {job.id}", file=sys.stderr)
                return 2
            job = polled
            print(f"  {job.status.value}: {job.total_fetched} fetched")

        if job.status == JobStatusOut.COMPLETED:
            print(f"job {job.id} completed: {job.total_fetched} fetched, {job.total_added} added")
            return 0
        print(f"job {job.id} failed: {job.error_message}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
