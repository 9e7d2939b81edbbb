"""What an executor needs from a Job before it calls anything: the resolved target, the
app registration or the endpoint, and the tag that marks what this execution started.

A missing piece fails the fix with a sentence, never a KeyError: the catalogue and the
worker are meant to supply them, and a person must be told which one was not.
"""

from bot.remediation.executor import AppRegistration, Endpoint, Failed, Job
from bot.remediation.wire import excerpt


def tag(job: Job) -> str:
    """Marks everything this execution sends (a webhook's webhook-id, a Defender
    comment, an AWX extra var), so a repeat after a crash can find what was started."""
    return f"tandem-execution-{job.id}"


def target(job: Job, key: str) -> str:
    value = job.target.get(key)
    if not value:
        raise Failed(f"{job.title} needs a `{key}` target, and {job.alert} has none")
    return value


def app(job: Job) -> AppRegistration:
    if job.app is None:
        raise Failed(f"{job.title} needs the tenant's Microsoft Entra app registration "
                     "(its `graph` integration), and none is configured")
    return job.app


def endpoint(job: Job) -> Endpoint:
    if job.endpoint is None:
        raise Failed(f"{job.title} needs an endpoint URL, and none is configured")
    return job.endpoint


def option(job: Job, key: str, default: str, allowed: dict[str, str]) -> str:
    """A catalogue option, in any case, as the platform spells it (`allowed` maps the
    lower-case spelling to the platform's)."""
    value = str(job.options.get(key, default))
    if value.lower() not in allowed:
        raise Failed(f"{job.title}: `{key}` must be one of {', '.join(allowed.values())}, "
                     f"not {excerpt(value, limit=40)}")
    return allowed[value.lower()]
