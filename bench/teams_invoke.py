"""Teams card-click round trip: 50 concurrent Action.Execute invokes with valid JWTs.

Runs `tandem serve` as a subprocess with Teams on, against a fake Bot Connector, OpenID
metadata/JWKS and token endpoint on loopback (fakes/, as the tests use). Each invoke claims
a different alert and is answered with the refreshed card; meanwhile the server's outbox
replaces the channel cards through the fake connector. Prints p50/p99 per engine.

    .venv/bin/python -m bench.teams_invoke [--rounds 6] [--concurrency 50] [--engines sqlite,pg]
"""

import argparse
import asyncio
import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import aiohttp

from bench.common import database, free_port, process, python
from bot.config import load
from cards import actions as A
from fakes.botframework.connector import APP_ID, APP_PASSWORD, FakeConnector
from fakes.botframework.identity import FakeIdentity
from handlers.config.sync import sync
from handlers.enums import Severity
from handlers.intake.ingest import ingest
from handlers.intake.types import AlertIn
from storage.db import connect
from storage.types import utcnow

TARGET_P99_MS = 150.0
CHANNEL, TEAM, TENANT = "19:bench@thread.tacv2", "19:team-bench@thread.tacv2", "aad-tenant"
PEOPLE = [f"person{i}" for i in range(5)]
CONFIG = """
tenants:
  - id: bench
    name: Bench Ltd
    code: BENCH
    channels: [{platform: teams, channel: "19:bench@thread.tacv2"}]
people:
""" + "".join(f"  - {{email: {p}@bench.example, name: {p}, side: internal, roles: [responder], "
              f"tenants: [bench], teams: {{aad_object_id: aad-{p}}}}}\n" for p in PEOPLE)


def activity(service_url: str, kind: str, aad: str, **fields) -> dict:
    return {"type": kind, "id": uuid.uuid4().hex, "channelId": "msteams",
            "serviceUrl": service_url,
            "from": {"id": f"29:{aad}", "aadObjectId": aad},
            "recipient": {"id": f"28:{APP_ID}"},
            "conversation": {"id": CHANNEL, "conversationType": "channel", "tenantId": TENANT},
            "channelData": {"tenant": {"id": TENANT}, "team": {"id": TEAM},
                            "channel": {"id": CHANNEL}}} | fields


def click(service_url: str, short_id: str, action: str, aad: str) -> dict:
    payload = A.ButtonPayload(short_id, 1, action).encode()
    value = {"action": {"type": "Action.Execute", "verb": action, "data": {"payload": payload}}}
    return activity(service_url, "invoke", aad, name="adaptiveCard/action", value=value)


async def make_alerts(url: str, config: Path, count: int) -> list[str]:
    """Alerts made through intake, as an alert source would (their cards get posted)."""
    cfg = load(config)
    db = connect(url)
    try:
        async with db.unit() as unit:
            await sync(unit, cfg)
            found = []
            for _ in range(count):
                event = AlertIn(source="bench", title="Disk full", severity=Severity.HIGH,
                                dedup_key=uuid.uuid4().hex)
                found.append((await ingest(unit, cfg, cfg.tenant("bench"), event,
                                           utcnow())).alert)
        return found
    finally:
        await db.dispose()


async def timed_post(http: aiohttp.ClientSession, url: str, body: dict,
                     token: str) -> tuple[float, int]:
    start = time.perf_counter()
    async with http.post(url, json=body, headers={"Authorization": f"Bearer {token}"}) as r:
        await r.read()
        status = r.status
    return (time.perf_counter() - start) * 1000, status


async def run_engine(engine: str, url: str, work: Path, rounds: int, concurrency: int) -> None:
    connector, identity = await FakeConnector().start(), await FakeIdentity().start()
    connector.channels[TEAM] = [CHANNEL]
    config = work / "bench.yaml"
    config.write_text(CONFIG)
    port = free_port()
    env = {"TANDEM_DATABASE_URL": url, "TANDEM_CONFIG": str(config), "TANDEM_PORT": str(port),
           "MICROSOFT_APP_ID": APP_ID, "MICROSOFT_APP_PASSWORD": APP_PASSWORD,
           "MICROSOFT_APP_TENANT_ID": TENANT, "TANDEM_TEAMS_TOKEN_URL": connector.token_url,
           "TANDEM_TEAMS_OPENID_METADATA_URL": identity.metadata_url,
           "TANDEM_TEAMS_GRAPH_URL": identity.graph_url, "TANDEM_OUTBOX_POLL_SECONDS": "0.2"}
    try:
        with process([str(Path(python()).with_name("tandem")), "serve"], env, port) as server:
            endpoint = f"http://127.0.0.1:{port}/api/messages"
            await measure(engine, url, config, endpoint, server.pid, (connector, identity),
                          rounds, concurrency)
    finally:
        await connector.close()
        await identity.close()


async def rounds_of(http: aiohttp.ClientSession, endpoint: str, token: str,
                    batches: list[list[dict]]) -> tuple[list[float], bool]:
    """Each batch sent at once; the first batch warms up keys, tokens and pools."""
    samples, ok = [], True
    for i, batch in enumerate(batches):
        results = await asyncio.gather(*(timed_post(http, endpoint, b, token) for b in batch))
        if i:
            samples += [ms for ms, _ in results]
            ok = ok and all(status == 200 for _, status in results)
    return samples, ok


def cpu_ms(pid: int) -> float:
    """User + system CPU the server process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def report(engine: str, what: str, samples: list[float], ok: bool, concurrency: int,
           server_cpu: float) -> None:
    q = statistics.quantiles(samples, n=100)
    verdict = "PASS" if q[98] < TARGET_P99_MS and ok else "FAIL"
    print(f"teams invoke {what:<7} ({engine:<6}) {len(samples)} requests, {concurrency} "
          f"concurrent: p50 {q[49]:7.1f} ms  p99 {q[98]:7.1f} ms  server CPU "
          f"{server_cpu / len(samples):5.1f} ms/request  all HTTP 200: {ok}  "
          f"p99 < {TARGET_P99_MS:.0f} ms: {verdict}")


async def measure(engine: str, url: str, config: Path, endpoint: str, pid: int,
                  fakes: tuple[FakeConnector, FakeIdentity], rounds: int,
                  concurrency: int) -> None:
    connector, identity = fakes
    service = connector.url
    token = identity.mint(APP_ID, service)
    alerts = await make_alerts(url, config, concurrency * (rounds + 1))
    who = [f"aad-{PEOPLE[i % len(PEOPLE)]}" for i in range(concurrency)]
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency)) as http:
        install = activity(service, "conversationUpdate", "aad-person0",
                           membersAdded=[{"id": f"28:{APP_ID}"}])
        assert (await timed_post(http, endpoint, install, token))[1] == 200
        views = [[click(service, alerts[i], A.REFRESH, who[i]) for i in range(concurrency)]
                 for _ in range(rounds + 1)]
        before = cpu_ms(pid)
        samples, ok = await rounds_of(http, endpoint, token, views)
        report(engine, "refresh", samples, ok, concurrency, cpu_ms(pid) - before)
        claims = [[click(service, a, A.CLAIM, who[i])
                   for i, a in enumerate(alerts[r * concurrency:(r + 1) * concurrency])]
                  for r in range(rounds + 1)]
        before = cpu_ms(pid)
        samples, ok = await rounds_of(http, endpoint, token, claims)
        report(engine, "claim", samples, ok, concurrency, cpu_ms(pid) - before)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--engines", default="sqlite,pg")
    opts = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="tandem-teams-bench-"))
    for engine in opts.engines.split(","):
        with database(engine, work) as url:  # made and dropped outside the event loop
            asyncio.run(run_engine(engine, url, work, opts.rounds, opts.concurrency))


if __name__ == "__main__":
    main()
