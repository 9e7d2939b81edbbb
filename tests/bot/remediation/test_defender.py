"""Defender for Endpoint machine actions against a fake Defender API on loopback, paced by
a real Pacer whose schedule is in the test database."""

import asyncio
import dataclasses

import pytest

from bot.outbox.pacing import Pacer, Pacing
from bot.remediation.defender import DEFENDER_SCOPE, PACING, DefenderActions, shared_pacers
from bot.remediation.executor import Failed, Retry, State
from fakes.defender import FakeDefender
from tests.bot.remediation.conftest import closed_port_url, job

DEVICE = "1e5bc9d7e413ddd7902c2932e418702b84d0cc07"
FAST = Pacing(per_second=500.0, burst=50)  # pacing out of the way where it is not the subject


def isolate(**changes):
    return job("defender.isolate", {"device": DEVICE}, **changes)


@pytest.fixture
async def defender():
    fake = await FakeDefender(machines={DEVICE: {"computerDnsName": "ws-0142.corp.contoso.com"},
                                        "bad": {"computerDnsName": "ws-bad", "ends": "Failed"}}
                              ).start()
    yield fake
    await fake.close()


def executor(http, graph, defender, db, pacing: Pacing = FAST) -> DefenderActions:
    return DefenderActions(http, defender.url, graph.base,
                           lambda tenant: Pacer(pacing, db, "defender", tenant))


@pytest.fixture
def actions(http, graph, defender, sqlite_db):
    return executor(http, graph, defender, sqlite_db)


async def test_isolation_runs_pending_then_in_progress_then_succeeded(actions, defender, graph):
    launched = await actions.launch(isolate())
    [post] = defender.requests
    assert post["path"] == f"/api/machines/{DEVICE}/isolate"
    assert post["body"] == {"Comment": "ACME-142: The fix, approved by Sam Okafor "
                                       "[tandem-execution-7]", "IsolationType": "Full"}
    assert post["authorization"] == "Bearer defender-token-1"
    assert [t["scope"] for t in graph.token_requests] == [DEFENDER_SCOPE]
    assert (launched.state, launched.detail) == (State.RUNNING, "Pending")
    assert launched.external_id in defender.actions
    following = isolate(external_id=launched.external_id)
    states = [await actions.poll(following) for _ in range(2)]
    assert [(p.state, p.detail) for p in states] == [(State.RUNNING, "InProgress"),
                                                     (State.SUCCEEDED, "Succeeded")]
    assert defender.requests[-1]["path"] == f"/api/machineactions/{launched.external_id}"


@pytest.mark.parametrize("kind, options, path, extra", [
    ("defender.isolate", {"isolation": "selective"}, "isolate", {"IsolationType": "Selective"}),
    ("defender.release", {}, "unisolate", {}),
    ("defender.scan", {}, "runAntiVirusScan", {"ScanType": "Quick"}),
    ("defender.scan", {"scan_type": "Full"}, "runAntiVirusScan", {"ScanType": "Full"}),
])
async def test_each_kind_posts_its_action_and_options(actions, defender, kind, options, path,
                                                      extra):
    await actions.launch(job(kind, {"device": DEVICE}, options=options))
    [post] = defender.requests
    assert post["path"] == f"/api/machines/{DEVICE}/{path}"
    assert post["body"] == {"Comment": post["body"]["Comment"], **extra}


async def test_an_action_that_ends_failed_fails_the_fix(actions):
    launched = await actions.launch(job("defender.scan", {"device": "bad"}))
    following = job("defender.scan", {"device": "bad"}, external_id=launched.external_id)
    assert (await actions.poll(following)).state is State.RUNNING
    with pytest.raises(Failed, match=f"RunAntiVirusScan action {launched.external_id} on "
                                     "ws-bad: Failed"):
        await actions.poll(following)


async def test_already_in_progress_is_taken_as_started(actions, defender):
    first = await actions.launch(isolate())
    second = await actions.launch(isolate(id=8))  # another execution, same device
    assert (second.state, second.external_id) == (State.RUNNING, first.external_id)
    assert len(defender.actions) == 1
    listing = defender.requests[-1]
    assert listing["query"] == {"$filter": f"machineId eq '{DEVICE}' and type eq 'Isolate'"}


async def test_a_repeat_after_a_crash_follows_the_action_it_started(actions, defender):
    first = await actions.launch(isolate())
    defender.actions[first.external_id]["status"] = "Succeeded"  # no "in progress" to hide it
    again = await actions.launch(isolate(attempt=1))
    assert (again.state, again.external_id) == (State.SUCCEEDED, first.external_id)
    assert len(defender.posted("/isolate")) == 1


async def test_a_repeat_finds_only_its_own_execution(actions, defender):
    """Execution 70's action carries tandem-execution-70: not execution 7's."""
    other = await actions.launch(isolate(id=70))
    defender.actions[other.external_id]["status"] = "Succeeded"
    mine = await actions.launch(isolate(attempt=1))
    assert mine.external_id != other.external_id
    assert len(defender.posted("/isolate")) == 2


@pytest.mark.parametrize("kind, denied, permission", [
    ("defender.isolate", "isolate", "Machine.Isolate"),
    ("defender.release", "unisolate", "Machine.Isolate"),
    ("defender.scan", "runAntiVirusScan", "Machine.Scan"),
])
async def test_a_403_names_the_permission_to_grant(actions, defender, kind, denied, permission):
    defender.denied.add(denied)
    with pytest.raises(Failed) as refused:
        await actions.launch(job(kind, {"device": DEVICE}))
    assert str(refused.value) == (
        "Defender for Endpoint refused (403 Forbidden: The application does not have the "
        f"required permission to perform this action.); grant the app registration {permission}")


async def test_polling_without_read_permission_names_machine_read_all(actions, defender):
    launched = await actions.launch(isolate())
    defender.denied.add("read")
    with pytest.raises(Failed, match="grant the app registration Machine.Read.All"):
        await actions.poll(isolate(external_id=launched.external_id))


async def test_an_unknown_device_fails_with_that_sentence(actions):
    with pytest.raises(Failed) as missing:
        await actions.launch(job("defender.isolate", {"device": "ffff0000"}))
    assert str(missing.value) == "device ffff0000 is not known to Defender for Endpoint"


async def test_a_429_is_a_retry_with_its_retry_after(actions, defender):
    defender.limit = 1
    await actions.launch(isolate())
    with pytest.raises(Retry) as throttled:
        await actions.poll(isolate(external_id=next(iter(defender.actions))))
    assert throttled.value.after == defender.retry_after
    assert "Defender for Endpoint is throttling calls" in str(throttled.value)


async def test_an_unreachable_api_is_a_retry(http, graph, sqlite_db):
    gone = DefenderActions(http, closed_port_url(), graph.base, shared_pacers(sqlite_db))
    with pytest.raises(Retry, match="Defender for Endpoint could not be reached"):
        await gone.launch(isolate())


async def test_a_wrong_secret_fails_before_any_defender_call(actions, defender):
    app = dataclasses.replace(isolate().app, secret="n0t-the-secret")
    with pytest.raises(Failed, match="credentials were refused") as refused:
        await actions.launch(isolate(app=app))
    assert "n0t-the-secret" not in str(refused.value)
    assert defender.requests == []


async def burst(http, graph, defender, db, pacing: Pacing, count: int) -> None:
    """`count` isolations of as many devices at once, each launch a call."""
    devices = [f"{n:040x}" for n in range(count)]
    defender.machines.update({d: {"computerDnsName": f"ws-{d[-4:]}"} for d in devices})
    actions = executor(http, graph, defender, db, pacing)
    outcomes = await asyncio.gather(*(actions.launch(job("defender.isolate", {"device": d}))
                                      for d in devices), return_exceptions=True)
    assert all(not isinstance(o, Exception) or isinstance(o, Retry) for o in outcomes), outcomes


def test_the_deployments_pacing_stays_under_100_calls_in_any_minute():
    assert PACING.burst + PACING.per_second * 60 <= 95


async def test_the_pacer_keeps_calls_under_defenders_limit(http, graph, db):
    """Scaled down sixty times: Defender's 100 calls a minute as 100 a second, and 120
    launches at once. A send goes when its turn's transaction commits, and commits that
    finish together (SQLite's group commit) release their sends together: a clump of a
    few at this scale, nothing at a minute's. So the test paces at 70 a second, burst 5,
    and asserts the fake never saw more than its 100 in any second."""
    defender = await FakeDefender(window=1.0, retry_after=1).start()
    try:
        await burst(http, graph, defender, db, Pacing(per_second=70.0, burst=5), 120)
        assert len(defender.requests) == 120
        assert defender.throttled == 0
        assert defender.calls_in_any_minute <= defender.limit
        assert defender.arrivals[-1] - defender.arrivals[0] >= 115 / 70 * 0.9
    finally:
        await defender.close()


async def test_without_the_pacer_the_same_burst_is_throttled(http, graph, db):
    """The control for the test above: the fake does count, and does refuse. (Its window is
    5 s: unpaced, the 120 calls still take each their turn in the database, which on a
    loaded machine takes more than a second.)"""
    defender = await FakeDefender(window=5.0, retry_after=1).start()
    try:
        await burst(http, graph, defender, db, Pacing(per_second=100_000.0, burst=1000), 120)
        assert defender.calls_in_any_minute > 100
        assert defender.throttled > 0
    finally:
        await defender.close()
