"""The known month's report, built once per engine for the tests of this package."""

import asyncio

import pytest

from handlers.evidence.view import ReportView
from tests.conftest import _database_url

from .month import report_of


@pytest.fixture(scope="module", params=["sqlite", pytest.param("pg", marks=pytest.mark.pg)])
def november(request, tmp_path_factory, cfg_module) -> ReportView:
    """November 2026 at Acme (tests/evidence/month.py), on SQLite and PostgreSQL."""
    urls = _database_url(request.param, request, tmp_path_factory.mktemp("report"))
    url = next(urls)
    try:
        return asyncio.run(report_of(url, cfg_module))
    finally:
        next(urls, None)
