"""On-call and silences in the console: the person's tenants only, and chat's rules for
adding and expiring silences. On SQLite and PostgreSQL."""

from datetime import timedelta

import pytest

from handlers.console import SilenceRequest, add_silence, expire_silence, on_call, silences
from storage.audit import DEPLOYMENT
from tests.conftest import NOW
from tests.handlers.console.helpers import DANA, GINA, SAM, STRANGER, refusals


async def test_on_call_now_and_next_for_each_of_the_persons_tenants(db, cfg):
    dana = await on_call(db, cfg, DANA, NOW)  # a Friday, 14:02 in London: internal hours
    assert [v.tenant_name for v in dana] == ["Acme Ltd", "Globex Corp"]
    acme = dana[0]
    assert acme.overall.person.side == "internal" and acme.overall.next_person is not None
    assert [d.layer for d in acme.layers] == ["internal", "partner"]
    assert [v.tenant_id for v in await on_call(db, cfg, GINA, NOW)] == ["globex"]
    assert (await on_call(db, cfg, STRANGER, NOW)).startswith("Tandem does not know")


async def test_silences_are_listed_for_the_persons_tenants_only(db, cfg):
    acme = await add_silence(db, cfg, SAM, SilenceRequest("acme", "service=db", "2h", "patching"),
                             NOW)
    later = await add_silence(db, cfg, SAM, SilenceRequest(
        "acme", "severity=low", "1h", start="tomorrow 02:00"), NOW)
    globex = await add_silence(db, cfg, GINA, SilenceRequest("globex", "team=web", "1h"), NOW)
    assert [s.id for s in await silences(db, cfg, GINA, NOW)] == [globex.id]
    dana = await silences(db, cfg, DANA, NOW)
    assert [s.id for s in dana] == [acme.id, later.id, globex.id]
    assert [s.in_force for s in dana] == [True, False, True]
    assert dana[0].matchers == {"service": "db"} and dana[0].reason == "patching"
    assert dana[0].ends_at == NOW + timedelta(hours=2)


@pytest.mark.parametrize(("who", "request_", "said"), [
    (DANA, SilenceRequest("acme", "service=db", "2h"),
     "A partner's silence that can match critical or high alerts must be added by an "
     "internal person; Dana Reyes is on the partner side."),
    (SAM, SilenceRequest("acme", "service=db", "8d"),
     "Silences in Acme Ltd last at most 7d; this one would last 8d."),
])
async def test_chats_rules_refuse_and_audit(db, cfg, who, request_, said):
    assert await add_silence(db, cfg, who, request_, NOW) == said
    assert await refusals(db, "acme") == [said]


async def test_bad_input_gets_a_sentence(db, cfg):
    assert await add_silence(db, cfg, SAM, SilenceRequest("acme", "service", "2h"), NOW) == (
        "Silence: 'service' is not key=value.")
    assert (await add_silence(db, cfg, SAM, SilenceRequest("acme", "a=b", "soon"), NOW)
            ).startswith("Silence: ")
    assert await refusals(db, "acme") == []


async def test_another_tenant_is_refused_as_an_unknown_one(db, cfg):
    for tenant in ("acme", "nowhere"):
        said = await add_silence(db, cfg, GINA, SilenceRequest(tenant, "a=b", "1h"), NOW)
        assert said == f"Tenant {tenant!r} is not available to you."
    assert await refusals(db, DEPLOYMENT) == [
        "Tenant 'acme' is not available to you.", "Tenant 'nowhere' is not available to you."]
    assert await refusals(db, "acme") == []
    assert (await add_silence(db, cfg, STRANGER, SilenceRequest("acme", "a=b", "1h"), NOW)
            ).startswith("Tandem does not know")


async def test_expiring_follows_chat(db, cfg):
    made = await add_silence(db, cfg, SAM, SilenceRequest("acme", "service=db", "2h"), NOW)
    assert await expire_silence(db, cfg, GINA, made.id, NOW) == (
        f"No silence {made.id} in your tenants.", False)
    assert await expire_silence(db, cfg, GINA, 2**40, NOW) == (
        f"No silence {2**40} in your tenants.", False)
    said, done = await expire_silence(db, cfg, SAM, made.id, NOW + timedelta(minutes=5))
    assert done and said == f"Sam Okafor (internal) expired silence {made.id} in Acme Ltd."
    assert await silences(db, cfg, SAM, NOW + timedelta(minutes=6)) == ()
