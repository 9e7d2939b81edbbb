"""Signed runbook webhooks against a receiver on loopback that verifies them with the
standardwebhooks library."""

import json
import time
from datetime import UTC, datetime

import pytest

from bot.remediation.executor import Endpoint, Failed, Retry, State
from bot.remediation.webhooks import Webhooks, signer
from fakes.runbooks import WebhookReceiver
from tests.bot.remediation.conftest import closed_port_url, job

PAYLOAD = {"alert": "ACME-142", "fix": "restart-service", "target": {"host": "db-1"}}


@pytest.fixture
def webhooks(http):
    return Webhooks(http)


def delivery(receiver: WebhookReceiver, secret: str | None = None, **changes):
    endpoint = Endpoint(receiver.hook, str(receiver.secret) if secret is None else secret)
    return job("webhook", endpoint=endpoint, payload=PAYLOAD, app=None, **changes)


async def test_a_delivery_is_signed_and_verified_by_the_receiver(webhooks, receiver):
    before = int(time.time())
    progress = await webhooks.launch(delivery(receiver))
    assert (progress.state, progress.external_id) == (State.SUCCEEDED, "tandem-execution-7")
    assert receiver.deliveries == {"tandem-execution-7": PAYLOAD}
    [request] = receiver.requests
    headers = request["headers"]
    assert headers["webhook-id"] == "tandem-execution-7"
    assert before <= int(headers["webhook-timestamp"]) <= time.time()
    assert headers["webhook-signature"].startswith("v1,")
    assert json.loads(request["body"]) == PAYLOAD
    assert str(receiver.secret) not in json.dumps(headers)


async def test_a_forged_signature_is_refused(webhooks, receiver, http):
    forged = "whsec_" + "Zm9yZ2VkLXNpZ25pbmcta2V5LW9mLWFuLWltcG9zdG9y"
    with pytest.raises(Failed, match=r"refused the request \(401"):
        await webhooks.launch(delivery(receiver, secret=forged))
    # A body changed after signing does not verify either.
    body = json.dumps(PAYLOAD).encode()
    headers = {"webhook-id": "msg-1", "webhook-timestamp": str(int(time.time()))}
    headers["webhook-signature"] = signer(str(receiver.secret)).sign(
        "msg-1", datetime.fromtimestamp(int(headers["webhook-timestamp"]), UTC), body)
    async with http.post(receiver.hook, data=body.replace(b"db-1", b"db-2"),
                         headers=headers) as answer:
        assert answer.status == 401
    assert receiver.refused == 2 and receiver.deliveries == {}


async def test_a_repeat_carries_the_same_webhook_id_and_the_receiver_keeps_one(webhooks,
                                                                              receiver):
    await webhooks.launch(delivery(receiver))
    await webhooks.launch(delivery(receiver, attempt=1))
    first, second = receiver.requests
    assert first["headers"]["webhook-id"] == second["headers"]["webhook-id"]
    assert (len(receiver.deliveries), receiver.duplicates) == (1, 1)


async def test_a_raw_secret_signs_with_its_bytes(webhooks, receiver):
    receiver.secret = b"plain-shared-secret"  # the library takes bytes as the raw key
    await webhooks.launch(delivery(receiver, secret="plain-shared-secret"))
    assert list(receiver.deliveries) == ["tandem-execution-7"]


@pytest.mark.parametrize("status, after", [(429, 7), (502, None), (503, 30), (504, None),
                                           (500, None)])
async def test_throttled_or_down_is_a_retry_with_retry_after(webhooks, receiver, status, after):
    receiver.answer_next.append((status, after))
    with pytest.raises(Retry) as retry:
        await webhooks.launch(delivery(receiver))
    assert retry.value.after == after
    assert str(retry.value) == f"the runbook endpoint answered {status}"


async def test_410_gone_fails_saying_the_endpoint_is_disabled(webhooks, receiver):
    receiver.answer_next.append((410, None))
    with pytest.raises(Failed, match="answered 410 Gone: it is disabled"):
        await webhooks.launch(delivery(receiver))


async def test_another_4xx_fails_with_a_printable_excerpt_of_the_answer(webhooks, receiver):
    receiver.answer_next.append((422, None))
    with pytest.raises(Failed) as refused:
        await webhooks.launch(delivery(receiver))
    assert str(refused.value) == ('the runbook endpoint refused the request (422: '
                                  '{"error": "answering 422"})')


async def test_an_unreachable_endpoint_is_a_retry(webhooks):
    endpoint = Endpoint(f"{closed_port_url()}/hook", "whsec_c2VjcmV0")
    with pytest.raises(Retry, match=r"could not be reached \(Client"):
        await webhooks.launch(job("webhook", endpoint=endpoint, app=None))


async def test_a_webhook_without_a_signing_secret_is_not_sent(webhooks, receiver):
    with pytest.raises(Failed, match="no signing secret"):
        await webhooks.launch(job("webhook", endpoint=Endpoint(receiver.hook), app=None))
    assert receiver.requests == []


async def test_webhooks_are_repeatable(webhooks):
    assert webhooks.kinds == webhooks.repeatable == {"webhook"}
