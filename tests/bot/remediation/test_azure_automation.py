"""Azure Automation runbook webhooks against a fake webhook on loopback."""

import json

import pytest

from bot.remediation.azure_automation import AzureAutomation
from bot.remediation.executor import Endpoint, Failed, Retry, State
from fakes.runbooks import FakeAutomation
from tests.bot.remediation.conftest import closed_port_url, job

PAYLOAD = {"alert": "ACME-142", "host": "db-1"}


@pytest.fixture
async def automation():
    fake = await FakeAutomation().start()
    yield fake
    await fake.close()


@pytest.fixture
def executor(http):
    return AzureAutomation(http)


def trigger(url: str, **changes):
    return job("azure_automation.webhook", endpoint=Endpoint(url), payload=PAYLOAD, app=None,
               **changes)


async def test_a_202_queues_the_runbook_job_named_in_job_ids(executor, automation):
    progress = await executor.launch(trigger(automation.webhook))
    [request] = automation.requests
    assert json.loads(request["body"]) == PAYLOAD
    assert (progress.state, progress.external_id, progress.detail) == (
        State.SUCCEEDED, automation.queued[0], "runbook job queued")


async def test_an_expired_webhook_fails_with_that_sentence(executor, automation):
    automation.expired = True
    with pytest.raises(Failed, match="the Azure Automation webhook is expired or disabled"):
        await executor.launch(trigger(automation.webhook))


async def test_an_unknown_webhook_fails(executor, automation):
    with pytest.raises(Failed, match="does not exist") as missing:
        await executor.launch(trigger(f"{automation.url}/webhooks?token=other-token"))
    assert "other-token" not in str(missing.value)


async def test_a_server_error_is_a_retry(executor, automation):
    automation.answer_next.append(500)
    with pytest.raises(Retry, match="Azure Automation answered 500"):
        await executor.launch(trigger(automation.webhook))
    assert automation.queued == []


async def test_the_webhook_url_is_in_no_message(executor):
    """The URL is the secret; a network error names only its kind."""
    with pytest.raises(Retry) as unreachable:
        await executor.launch(trigger(f"{closed_port_url()}/webhooks?token=aa-s3cret-token"))
    assert "aa-s3cret-token" not in str(unreachable.value)
    assert "127.0.0.1" not in str(unreachable.value)


async def test_azure_automation_is_not_repeatable(executor):
    assert executor.kinds == {"azure_automation.webhook"} and executor.repeatable == frozenset()
