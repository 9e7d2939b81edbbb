"""AWX job-template launches against a fake AWX on loopback."""

import json

import pytest

from bot.remediation.awx import Awx
from bot.remediation.executor import Endpoint, Failed, Retry, State
from fakes.runbooks import FakeAwx
from tests.bot.remediation.conftest import job

OPTIONS = {"job_template": 42, "extra_vars": {"service": "nginx"}}


@pytest.fixture
async def awx():
    fake = await FakeAwx().start()
    yield fake
    await fake.close()


@pytest.fixture
def executor(http):
    return Awx(http)


def launch(awx: FakeAwx, token: str | None = None, **changes):
    changes.setdefault("options", OPTIONS)
    endpoint = Endpoint(awx.url + "/", awx.token if token is None else token)
    return job("awx.launch", {"host": "db-1"}, endpoint=endpoint, app=None, **changes)


async def test_a_launch_passes_the_extra_vars_and_follows_the_job(executor, awx):
    launched = await executor.launch(launch(awx))
    [request] = awx.requests
    assert request["path"] == "/api/v2/job_templates/42/launch/"
    assert request["headers"]["Authorization"] == f"Bearer {awx.token}"
    assert json.loads(request["body"]) == {"extra_vars": {
        "service": "nginx", "tandem_execution": 7, "tandem_alert": "ACME-142", "host": "db-1"}}
    assert (launched.state, launched.external_id, launched.detail) == (
        State.RUNNING, "812", "job 812 pending")
    following = launch(awx, external_id="812")
    polled = [await executor.poll(following) for _ in range(2)]
    assert [(p.state, p.detail) for p in polled] == [(State.RUNNING, "job 812 running"),
                                                     (State.SUCCEEDED, "job 812 successful")]
    assert awx.requests[-1]["path"] == "/api/v2/jobs/812/"


async def test_a_failed_job_fails_the_fix_with_its_explanation(executor, awx):
    awx.failing.add(42)
    launched = await executor.launch(launch(awx))
    following = launch(awx, external_id=launched.external_id)
    await executor.poll(following)
    with pytest.raises(Failed) as failed:
        await executor.poll(following)
    assert str(failed.value) == "AWX job 812 ended failed: Task failed on host db-1"


async def test_a_repeat_after_a_crash_follows_the_job_it_launched(executor, awx):
    first = await executor.launch(launch(awx))
    await executor.launch(launch(awx, id=70))  # another execution's job, newer
    again = await executor.launch(launch(awx, attempt=1))
    assert again.external_id == first.external_id
    assert len(awx.launched()) == 2
    listing = awx.requests[-1]
    assert (listing["path"], listing["query"]) == ("/api/v2/job_templates/42/jobs/",
                                                   {"order_by": "-created", "page_size": "50"})


async def test_a_repeat_with_nothing_launched_launches(executor, awx):
    launched = await executor.launch(launch(awx, attempt=1))
    assert launched.external_id == "812" and len(awx.launched()) == 1


async def test_a_wrong_token_fails_without_showing_it(executor, awx):
    with pytest.raises(Failed, match="AWX refused the token") as refused:
        await executor.launch(launch(awx, token="wrong-awx-token"))
    assert "wrong-awx-token" not in str(refused.value)


async def test_an_answer_quoting_the_token_is_shown_with_the_token_struck_out(executor, awx):
    awx.answer_next.append((400, f"token {awx.token} may not launch with these variables"))
    with pytest.raises(Failed) as refused:
        await executor.launch(launch(awx))
    assert awx.token not in str(refused.value)
    assert str(refused.value) == ("AWX refused (400: token [secret] may not launch with these "
                                  "variables)")


async def test_an_unknown_template_fails_with_that_sentence(executor, awx):
    with pytest.raises(Failed, match="AWX has no job template 99"):
        await executor.launch(launch(awx, options={"job_template": 99}))


async def test_a_server_error_is_a_retry(executor, awx):
    awx.answer_next.append((503, "maintenance"))
    with pytest.raises(Retry, match="AWX answered 503"):
        await executor.launch(launch(awx))
    assert awx.jobs == {}


async def test_a_template_that_is_no_id_fails_before_any_call(executor, awx):
    with pytest.raises(Failed, match="`job_template` must be an AWX job template id"):
        await executor.launch(launch(awx, options={"job_template": "../../users"}))
    assert awx.requests == []
