"""The Python client generated from openapi.yaml by openapi-python-client, used unmodified
against the real server and the upstream sandbox: sign-in, refresh, sync, and the example
script in examples/python/. Run by scripts/test-python-client.sh, which generates the client
and sets PBS_CLIENT_DIR, SERVER_BIN and SANDBOX_BIN.
"""

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

sys.path.insert(0, os.environ["PBS_CLIENT_DIR"])

from pipedrive_brevo_sync_client import Client  # noqa: E402
from pipedrive_brevo_sync_client.api.auth import auth_login, auth_me  # noqa: E402
from pipedrive_brevo_sync_client.api.filters import (  # noqa: E402
    filters_get,
    filters_list,
    filters_refresh,
    filters_start_sync,
    filters_list_sync_jobs,
)
from pipedrive_brevo_sync_client.api.meta import meta_health  # noqa: E402
from pipedrive_brevo_sync_client.api.sync_jobs import sync_jobs_get, sync_jobs_list  # noqa: E402
from pipedrive_brevo_sync_client.models import (  # noqa: E402
    FilterOut,
    JobStatusOut,
    LoginIn,
    Problem,
    RefreshOut,
    RunMode,
    SyncJobOut,
    SyncJobPage,
)

ROOT = Path(__file__).resolve().parents[3]
PASSWORD = "python-client-operator-password"
ENTERPRISE = 3  # demo filter "Enterprise customers": 80 persons, 79 valid unique emails


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{what} did not answer {url}")


@pytest.fixture(scope="module")
def server():
    """The upstream sandbox and the server on free loopback ports, as ./scripts/run.sh starts them."""
    processes = []
    with tempfile.TemporaryDirectory(prefix="pbs-python-client-") as data:
        try:
            sandbox_url = f"http://127.0.0.1:{free_port()}"
            sandbox = subprocess.Popen(
                [os.environ["SANDBOX_BIN"], "--bind", sandbox_url.removeprefix("http://")],
                stdout=open(Path(data, "sandbox.log"), "w"), stderr=subprocess.STDOUT,
            )
            processes.append(sandbox)
            wait_for(f"{sandbox_url}/__sandbox/state", sandbox, "the upstream sandbox")
            base_url = f"http://127.0.0.1:{free_port()}"
            env = {
                "PATH": os.environ.get("PATH", ""),
                "DATABASE_URL": f"sqlite:{data}/app.db",
                "BIND_ADDR": base_url.removeprefix("http://"),
                "ADMIN_PASSWORD": PASSWORD,
                "STATIC_DIR": "/nonexistent",
                "SANDBOX_MODE": "true",
                "PIPEDRIVE_BASE_URL": sandbox_url,
                "PIPEDRIVE_API_TOKEN": "sandbox-pipedrive-token",
                "BREVO_BASE_URL": sandbox_url,
                "BREVO_API_KEY": "sandbox-brevo-key",
            }
            service = subprocess.Popen(
                [os.environ["SERVER_BIN"]], env=env, cwd=data,
                stdout=open(Path(data, "server.log"), "w"), stderr=subprocess.STDOUT,
            )
            processes.append(service)
            wait_for(f"{base_url}/api/health", service, "the server")
            yield base_url
        finally:
            for process in reversed(processes):
                process.terminate()
                process.wait(timeout=60)


@pytest.fixture
def client(server):
    with Client(base_url=server, raise_on_unexpected_status=True) as client:
        yield client


def sign_in(client: Client) -> None:
    answer = auth_login.sync_detailed(client=client, body=LoginIn(password=PASSWORD))
    assert answer.status_code == 204


def test_health_reports_the_sandbox_mode(client):
    health = meta_health.sync(client=client)
    assert health is not None
    assert health.status == "ok"
    assert health.mode == RunMode.SANDBOX


def test_a_request_without_a_session_gets_a_problem_document(client):
    answer = filters_list.sync_detailed(client=client)
    assert answer.status_code == 401
    assert isinstance(answer.parsed, Problem)
    assert answer.parsed.code == "unauthorized"


def test_a_wrong_password_is_refused(client):
    answer = auth_login.sync_detailed(client=client, body=LoginIn(password="not the password"))
    assert answer.status_code == 401
    assert isinstance(answer.parsed, Problem)
    assert answer.parsed.code == "invalid_credentials"


def test_sign_in_refresh_sync_and_wait_for_the_job(client):
    sign_in(client)
    me = auth_me.sync(client=client)
    assert me is not None and me.user_id

    refreshed = filters_refresh.sync(client=client)
    assert isinstance(refreshed, RefreshOut)
    names = {f.id: f.name for f in refreshed.filters}
    assert names[ENTERPRISE] == "Enterprise customers"

    job = filters_start_sync.sync(ENTERPRISE, client=client)
    assert isinstance(job, SyncJobOut)
    assert job.status == JobStatusOut.PROCESSING
    deadline = time.monotonic() + 60
    while job.status == JobStatusOut.PROCESSING:
        assert time.monotonic() < deadline, f"job {job.id} still processing"
        time.sleep(0.1)
        job = sync_jobs_get.sync(job.id, client=client)
        assert isinstance(job, SyncJobOut)
    assert job.status == JobStatusOut.COMPLETED, job.error_message
    assert (job.total_fetched, job.total_added) == (80, 79)
    assert job.completed_at is not None

    synced = filters_get.sync(ENTERPRISE, client=client)
    assert isinstance(synced, FilterOut)
    assert isinstance(synced.brevo_list_id, int)
    assert synced.last_job.id == job.id
    page = sync_jobs_list.sync(client=client, filter_id=ENTERPRISE, limit=10)
    assert isinstance(page, SyncJobPage)
    assert [j.id for j in page.items] == [job.id]
    assert filters_list_sync_jobs.sync(ENTERPRISE, client=client).items[0].id == job.id


def test_the_example_script_syncs_a_filter(server):
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples/python/sync_filter.py"),
         "--url", server, "--filter", "Trade show leads 2026"],
        env={**os.environ, "PBS_PASSWORD": PASSWORD, "PYTHONPATH": os.environ["PBS_CLIENT_DIR"]},
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "completed: 250 fetched" in result.stdout, result.stdout
