"""Every remediation executor, built once per process, and which carries out each kind."""

from collections.abc import Callable
from dataclasses import dataclass

import aiohttp

from bot.outbox.pacing import Pacer
from bot.remediation.awx import Awx
from bot.remediation.azure_automation import AzureAutomation
from bot.remediation.defender import DefenderActions, shared_pacers
from bot.remediation.executor import Executor
from bot.remediation.graph_actions import GraphActions
from bot.remediation.webhooks import Webhooks
from storage.db import Database


@dataclass(frozen=True)
class Executors:
    graph: GraphActions
    defender: DefenderActions
    webhooks: Webhooks
    awx: Awx
    azure_automation: AzureAutomation

    @property
    def all(self) -> tuple[Executor, ...]:
        return (self.graph, self.defender, self.webhooks, self.awx, self.azure_automation)

    @property
    def kinds(self) -> frozenset[str]:
        return frozenset().union(*(executor.kinds for executor in self.all))

    def for_kind(self, kind: str) -> Executor:
        """The executor of `kind`; a KeyError for a kind none carries out ("manual")."""
        for executor in self.all:
            if kind in executor.kinds:
                return executor
        raise KeyError(f"no executor carries out {kind}")

    async def close(self) -> None:
        for executor in self.all:
            await executor.close()


def build_executors(http: aiohttp.ClientSession, db: Database, *, graph_url: str,
                    login_url: str, defender_url: str,
                    pacer_factory: Callable[[str], Pacer] | None = None) -> Executors:
    """The executors on one aiohttp session (which the caller closes); Defender's calls
    paced through `db` unless a pacer factory is given. From Settings: graph_url,
    graph_login_url, defender_url."""
    pacers = pacer_factory or shared_pacers(db)
    return Executors(graph=GraphActions(http, graph_url, login_url),
                     defender=DefenderActions(http, defender_url, login_url, pacers),
                     webhooks=Webhooks(http), awx=Awx(http), azure_automation=AzureAutomation(http))
