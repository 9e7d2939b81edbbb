"""Escalation policy arithmetic: which step comes next and when.

An alert's `escalation_level` counts the steps already taken (by the tick or by
the Escalate button). With n steps and `repeat` K the policy has n * (1 + K) steps
in all; step k is `steps[k % n]` in round `k // n`. A step's `after` counts from
the start of its round, and a round starts when the previous one's last step ran.
"""

from datetime import datetime, timedelta

from handlers.config.oncall import EscalationPolicy, Step
from handlers.config.schema import Tenant
from handlers.enums import Severity


def policy_for(tenant: Tenant | None, severity: str) -> EscalationPolicy | None:
    """The tenant's first policy listing this severity, if any."""
    if tenant is None:
        return None
    wanted = Severity(severity)
    return next((p for p in tenant.escalation if wanted in p.severities), None)


def total_steps(policy: EscalationPolicy) -> int:
    return len(policy.steps) * (1 + policy.repeat)


def step_at(policy: EscalationPolicy, level: int) -> Step | None:
    """The step to take at this level, or None when the policy is used up."""
    if level >= total_steps(policy):
        return None
    return policy.steps[level % len(policy.steps)]


def wait_before(policy: EscalationPolicy, level: int) -> timedelta:
    """How long after the previous step (or the round's start) step `level` runs."""
    index = level % len(policy.steps)
    previous = policy.steps[index - 1].delay if index else timedelta(0)
    return policy.steps[index].delay - previous


def due_after(policy: EscalationPolicy, level: int, base: datetime) -> datetime | None:
    """When step `level` is due, counting from `base`; None when there is none."""
    if step_at(policy, level) is None:
        return None
    return base + wait_before(policy, level)


def next_due(policy: EscalationPolicy, level: int, was_due: datetime,
             now: datetime) -> datetime | None:
    """When the step after a step that was due at `was_due` and ran at `now` is due.

    On time, the timeline keeps to its schedule; after an outage the remaining
    steps keep their spacing from now instead of all firing at once.
    """
    planned = due_after(policy, level, was_due)
    if planned is None or planned > now:
        return planned
    return due_after(policy, level, now)
