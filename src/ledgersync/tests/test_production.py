"""The production path, end to end, as an IT person deploys it (docs/deploy.md).

The wheel in a fresh virtual environment; ``migrate`` and ``createorg``; ``serve`` behind a
TLS-terminating proxy (self-signed certificate) that adds the forwarding headers; two workers
on PostgreSQL and Redis, each reached through a proxy this test can cut; one QuickBooks
sandbox in its own process. Over https: log in, connect through the consent page (the
redirect URI the sandbox receives is https), sync invoices. Then: SIGTERM one worker mid-run
and the other finishes the run; cut Redis, then PostgreSQL, and see 503s and a red /readyz,
then recovery within 30 s and nothing in the package twice.
"""

from __future__ import annotations

import os
import re
import ssl
import subprocess
import time
from collections import Counter
from urllib.parse import parse_qs, urlsplit, urlunsplit

import httpx
import psycopg
import pytest
import redis

from ledgersync.tests.production import (
    Processes,
    build_wheel,
    clean_environment,
    free_port,
    install_wheel,
    self_signed,
    wait_until,
)
from ledgersync.tests.tcpproxy import TcpProxy, TlsProxy

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

DATABASE = "test_production"
QUEUE_DB = 13  # the suite's own queue is LEDGERSYNC_TEST_REDIS_URL's; the soak smoke has 14
INVOICES = 15
RECOVERY_SECONDS = 30


def _servers() -> tuple[urlsplit, urlsplit]:
    database = urlsplit(os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/test")
    queue = urlsplit(os.environ.get("LEDGERSYNC_TEST_REDIS_URL", "redis://127.0.0.1:6379/15"))
    return database, queue


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    work = tmp_path_factory.mktemp("production")
    database, queue = _servers()
    admin = urlunsplit(database._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {DATABASE}")
    redis.Redis(host=queue.hostname, port=queue.port or 6379, db=QUEUE_DB).flushdb()

    bin_dir = install_wheel(work, build_wheel(work))
    cert, key = self_signed(work)
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(cert, key)
    web_port, sandbox_port = free_port(), free_port()
    pg = TcpProxy(database.port or 5432)
    rd = TcpProxy(queue.port or 6379)
    front = TlsProxy(web_port, tls)
    public = f"https://127.0.0.1:{front.port}"
    user = database.username or "postgres"
    env = {
        **clean_environment(),
        "SECRET_KEY": "production-smoke-" + "k" * 50,
        "LEDGERSYNC_ENCRYPTION_KEYS": "SGVsbG8sIHByb2R1Y3Rpb24gc21va2UgdGVzdCEhISE=",
        "DATABASE_URL": f"postgres://{user}@127.0.0.1:{pg.port}/{DATABASE}",
        "LEDGERSYNC_QUEUE_URL": f"redis://127.0.0.1:{rd.port}/{QUEUE_DB}",
        "LEDGERSYNC_PUBLIC_URL": public,
        "LEDGERSYNC_TRUSTED_PROXIES": "127.0.0.1",
        "ALLOWED_HOSTS": "127.0.0.1",
        "LEDGERSYNC_PORT": str(web_port),
        "LEDGERSYNC_VAR_DIR": str(work / "var"),
        "QUICKBOOKS_SANDBOX_URL": f"http://127.0.0.1:{sandbox_port}",
        "LEDGERSYNC_STATIC_ROOT": str(work / "static"),
    }
    processes = Processes(work, bin_dir, env)
    try:
        migrated = processes.run("migrate", "--verbosity", "0")
        assert migrated.returncode == 0, migrated.stderr
        # As the Dockerfile does: the static files, collected from the installed wheel.
        collected = subprocess.run(
            [str(bin_dir / "python"), "-m", "django", "collectstatic", "--noinput", "-v", "0"],
            env={**env, "DJANGO_SETTINGS_MODULE": "ledgersync.settings"},
            capture_output=True,
            text=True,
        )
        assert collected.returncode == 0, collected.stderr
        processes.start("sandbox", "sandbox", "quickbooks", "--port", str(sandbox_port))
        processes.start("web", "serve")
        processes.start("worker-a", "worker")
        yield {
            "processes": processes,
            "public": public,
            "sandbox": f"http://127.0.0.1:{sandbox_port}",
            "cert": str(cert),
            "verify": ssl.create_default_context(cafile=str(cert)),
            "pg": pg,
            "redis": rd,
            "bin": bin_dir,
        }
    finally:
        processes.stop_all()
        for proxy in (front, pg, rd):
            proxy.close()


def _api(deployment, key: str) -> httpx.Client:
    return httpx.Client(
        base_url=f"{deployment['public']}/api/v1",
        headers={"Authorization": f"Bearer {key}"},
        verify=ssl.create_default_context(cafile=deployment["cert"]),
        timeout=30,
    )


def _browser(deployment) -> httpx.Client:
    return httpx.Client(
        base_url=deployment["public"],
        verify=ssl.create_default_context(cafile=deployment["cert"]),
        # As a browser sends on a form post; Django checks it against the trusted origin.
        headers={"Origin": deployment["public"]},
        timeout=30,
    )


def _post_form(client: httpx.Client, path: str, data: dict) -> httpx.Response:
    token = client.cookies.get("csrftoken") or ""
    return client.post(path, data={"csrfmiddlewaretoken": token, **data})


def _package_numbers(sandbox: str, company: str) -> Counter:
    """How many invoices carry each number in the sandbox company, read through its API."""
    token = httpx.post(f"{sandbox}/_sandbox/tokens", json={"company": company}).json()
    answer = httpx.get(
        f"{sandbox}/v3/company/{company}/query",
        params={"query": "select * from Invoice MAXRESULTS 1000"},
        headers={"Authorization": f"Bearer {token['access_token']}", "Accept": "application/json"},
    )
    answer.raise_for_status()
    return Counter(i["DocNumber"] for i in answer.json()["QueryResponse"].get("Invoice", []))


def number(n: int) -> str:
    return f"PS{n:04d}"


def _invoice(api: httpx.Client, n: int) -> None:
    made = api.post(
        "/documents",
        json={
            "type": "sales_invoice",
            "account": "A1001",
            "number": number(n),  # clear of the numbers the sandbox company already holds
            "external_ref": f"JOB-{n}",
            "reference": f"Job {n}",
            "sent_via": "email",
            "mark_for_sync": True,
            "lines": [{"text": "Boiler service", "unit_price": f"{90 + n}.00", "nominal": "4000"}],
        },
    )
    assert made.status_code == 201, made.text


def _run(api: httpx.Client, run_id: int) -> dict:
    """The run as the API shows it; {} while the API is unavailable."""
    answer = api.get(f"/sync/runs/{run_id}")
    return answer.json() if answer.status_code == 200 else {}


def test_from_the_wheel_to_synced_invoices_through_stops_and_outages(deployment):
    processes: Processes = deployment["processes"]
    public, sandbox = deployment["public"], deployment["sandbox"]

    # -- the wheel is what runs ---------------------------------------------------------------
    where = processes.run("--version")
    assert where.returncode == 0 and where.stdout.strip(), where.stderr
    python = deployment["bin"] / "python"
    origin = subprocess.run(
        [str(python), "-c", "import ledgersync; print(ledgersync.__file__)"],
        env=processes.env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert origin.startswith(str(deployment["bin"].parent)), origin

    # -- first run: an organisation, an Administrator, a key for the job system ---------------
    made = processes.run(
        "createorg", "Acme Heating Ltd", "--slug", "acme", "--admin", "ann",
        "--email", "ann@acme.example", "--password-stdin", stdin="correct horse battery\n",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    keyed = processes.run("apikey", "create", "--org", "acme", "--name", "Job system")
    assert keyed.returncode == 0, keyed.stderr
    api = _api(deployment, keyed.stdout.strip().splitlines()[-1])
    wait_until(lambda: httpx.get(f"{public}/readyz", verify=deployment["verify"]).status_code == 200,
               60, "/readyz green once the web and a worker are up", explain=processes.logs)  # fmt: skip

    script = httpx.get(f"{public}/static/web/vendor/htmx.min.js", verify=deployment["verify"])
    assert script.status_code == 200 and b"htmx" in script.content[:2000]

    # The chart the job system keeps, and the customer the invoices go to.
    assert (
        api.post("/tax-codes", json={"code": "S", "name": "Standard 20%", "rate": "20"}).status_code
        == 201
    )
    nominal = {
        "code": "4000",
        "description": "Sales - Labour",
        "kind": "sales",
        "default_tax_code": "S",
    }
    assert api.post("/nominal-codes", json=nominal).status_code == 201
    account = api.post("/accounts", json={"number": "A1001", "name": "Harbour Cafe",
                                          "email": "orders@harbourcafe.example"})  # fmt: skip
    assert account.status_code == 201, account.text
    for n in range(1, INVOICES + 1):
        _invoice(api, n)

    # -- log in and connect over https -------------------------------------------------------
    browser = _browser(deployment)
    browser.get("/login/")
    logged_in = _post_form(
        browser, "/login/", {"username": "ann", "password": "correct horse battery"}
    )
    assert (logged_in.status_code, logged_in.headers.get("location")) == (302, "/"), logged_in.text[
        :500
    ]
    assert browser.cookies.jar and all(c.secure for c in browser.cookies.jar)
    to_consent = _post_form(browser, "/sync/connect/", {})
    assert to_consent.status_code == 302, to_consent.text[:500]
    consent_url = to_consent.headers["location"]
    redirect_uri = parse_qs(urlsplit(consent_url).query)["redirect_uri"][0]
    assert redirect_uri == f"{public}/sync/callback/"
    page = httpx.get(consent_url).text
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
    company = re.search(r'name="company" value="([^"]+)"', page).group(1)
    back = httpx.post(
        consent_url.split("?")[0], data={**hidden, "action": "connect", "company": company}
    )
    assert back.status_code == 302 and back.headers["location"].startswith(redirect_uri)
    arrived = browser.get(back.headers["location"])
    assert arrived.status_code == 302, arrived.text[:500]
    assert api.get("/connection").json()["status"] == "connected"
    linked = api.post(f"/accounts/{account.json()['id']}/link", json={"method": "link_this"})
    assert linked.status_code == 200, linked.text

    # -- SIGTERM one worker mid-run: the other finishes the run -------------------------------
    httpx.post(f"{sandbox}/_sandbox/faults",
               json={"kind": "slow", "seconds": 2, "probability": 1.0}).raise_for_status()  # fmt: skip
    run = api.post("/sync/runs", json={"type": "sales_invoice", "auto": True}).json()
    wait_until(lambda: _run(api, run["id"]).get("synced_count", 0) >= 1, 120,
               "the first invoices synced", explain=processes.logs)  # fmt: skip
    processes.start("worker-b", "worker")
    took = processes.terminate("worker-a")
    assert took < 30, f"worker A took {took:.0f} s to stop"
    assert "Traceback" not in processes.log("worker-a"), processes.log("worker-a")[-3000:]
    assert _run(api, run["id"])["left_count"] > 0, "the run ended before worker A was stopped"
    wait_until(lambda: _run(api, run["id"]).get("left_count") == 0, RECOVERY_SECONDS,
               "worker B finishing the run", explain=processes.logs)  # fmt: skip
    httpx.delete(f"{sandbox}/_sandbox/faults").raise_for_status()
    assert _run(api, run["id"])["synced_count"] == INVOICES
    api.post(f"/sync/runs/{run['id']}/stop")
    wait_until(lambda: _run(api, run["id"]).get("state") != "running", 30, "the run stopped")

    # -- cut Redis: red readiness, a run saved to start later, then it goes -------------------
    deployment["redis"].cut()
    for n in range(INVOICES + 1, INVOICES + 3):
        _invoice(api, n)
    ready = httpx.get(f"{public}/readyz", verify=deployment["verify"])
    assert ready.status_code == 503 and ready.json()["checks"]["queue"]["ok"] is False
    later = api.post("/sync/runs", json={"type": "sales_invoice", "auto": True})
    assert later.status_code == 202, later.text
    assert "starts by itself once the queue is back" in later.json()["stalled"]
    later_id = later.json()["id"]
    time.sleep(3)
    deployment["redis"].restore()
    wait_until(lambda: _run(api, later_id).get("synced_count") == 2, RECOVERY_SECONDS,
               "the saved run started once Redis was back", explain=processes.logs)  # fmt: skip

    # -- cut PostgreSQL mid-run: 503s in words, then the run goes on --------------------------
    httpx.post(f"{sandbox}/_sandbox/faults",
               json={"kind": "slow", "seconds": 3, "probability": 1.0}).raise_for_status()  # fmt: skip
    for n in range(INVOICES + 3, INVOICES + 6):
        _invoice(api, n)
    # The watching Auto Sync clears its "Waiting for new documents" as it takes a batch.
    wait_until(lambda: _run(api, later_id).get("message") == "", 60,
               "the Auto Sync taking the new invoices", explain=processes.logs)  # fmt: skip
    deployment["pg"].cut()
    page = browser.get("/sync/")
    assert page.status_code == 503 and "temporarily unavailable" in page.text
    answer = api.get("/sync/runs")
    assert answer.status_code == 503 and answer.headers["Retry-After"] == "30"
    assert answer.json()["error"]["code"] == "temporarily_unavailable"
    assert httpx.get(f"{public}/readyz", verify=deployment["verify"]).status_code == 503
    time.sleep(5)
    deployment["pg"].restore()
    httpx.delete(f"{sandbox}/_sandbox/faults").raise_for_status()
    wait_until(lambda: _run(api, later_id).get("synced_count") == 5, RECOVERY_SECONDS,
               "the run going on once PostgreSQL was back", explain=processes.logs)  # fmt: skip

    # -- nothing twice, and green again -------------------------------------------------------
    numbers = _package_numbers(sandbox, company)
    assert {n: numbers[number(n)] for n in range(1, INVOICES + 6)} == dict.fromkeys(
        range(1, INVOICES + 6), 1
    )
    assert httpx.get(f"{public}/readyz", verify=deployment["verify"]).status_code == 200
    for name in ("worker-b", "web"):
        assert "Traceback" not in processes.log(name), processes.log(name)[-4000:]
