"""Retry-After and the excerpts of answers quoted on cards."""

import time
from email.utils import formatdate

import pytest

from bot.client_credentials import TokenError
from bot.remediation.executor import Failed, Retry
from bot.remediation.wire import excerpt, retry_after, token_failure


@pytest.mark.parametrize("value, seconds", [("7", 7.0), ("0", 0.0), ("-3", 0.0), (None, None),
                                            ("", None), ("soon", None)])
def test_retry_after_in_seconds(value, seconds):
    assert retry_after(value) == seconds


def test_retry_after_as_an_http_date():
    in_a_minute = formatdate(time.time() + 60, usegmt=True)
    assert 55 <= (retry_after(in_a_minute) or 0) <= 60
    assert retry_after(formatdate(time.time() - 60, usegmt=True)) == 0.0


def test_an_excerpt_is_one_printable_line_with_secrets_struck_out():
    text = "denied\r\n\x1b[31mtoken s3cret-token\x00 is bad\t" + "x" * 300
    shown = excerpt(text, "s3cret-token", None)
    assert shown.startswith("denied [31mtoken [secret] is bad x")
    assert "s3cret" not in shown and len(shown) == 200 and shown.endswith("…")
    assert all(c.isprintable() for c in shown)


@pytest.mark.parametrize("status, outcome", [(400, Failed), (401, Failed), (429, Retry),
                                             (503, Retry), (None, Retry)])
def test_a_token_endpoint_failure_fails_only_when_the_credentials_are_refused(status, outcome):
    assert isinstance(token_failure(TokenError("token endpoint answered", status)), outcome)
