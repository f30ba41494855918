"""``evaluate``: decide one request against every policy that applies to it.

The warm path looks up the action's plan on the ``PolicySet``, checks only the plan's runtime statements
(resource, principal, conditions) and looks the decision up by their outcomes. ``evaluate_uncached`` walks
every statement of every policy and builds the decision from scratch; both always agree.
"""

from __future__ import annotations

from baryon.policy.combine import decide
from baryon.policy.decision import Decision
from baryon.policy.model import Statement
from baryon.policy.plan import Plan, Prechecked, build_plan, plan_for, precheck
from baryon.policy.policyset import PolicySet
from baryon.policy.request import AuthorizationRequest, RequestView


def _outcome(statement: Statement, request: AuthorizationRequest, view: RequestView) -> int:
    """0 when a pending statement does not apply; otherwise its grant (1 for statements without Principal).

    Resources without policy variables were already matched by :func:`precheck`. Every condition is
    evaluated, without short-circuit, so that all absent keys get reported.
    """
    resources = statement.resources
    if resources is not None and resources.templates and not resources.matches(request.resource, view):
        return 0
    code = 1
    if statement.principals is not None:
        code = statement.principals.grant(request.principal)
        if not code:
            return 0
    holds = True
    for condition in statement.conditions:
        if not condition.holds(view):
            holds = False
    return code if holds else 0


def _run(plan: Plan, request: AuthorizationRequest, prechecked: Prechecked) -> tuple[tuple[int, ...], tuple[str, ...]]:
    codes, pending = prechecked
    if not pending:
        return codes, ()
    view = RequestView(request)
    outcomes = list(codes)
    runtime = plan.runtime
    for slot in pending:
        outcomes[slot] = _outcome(runtime[slot], request, view)
    missing = tuple(dict.fromkeys(view.missing)) if view.missing else ()
    return tuple(outcomes), missing


def evaluate(request: AuthorizationRequest, policies: PolicySet) -> Decision:
    """Decide ``request`` against ``policies`` with AWS's semantics (see :mod:`baryon.policy.combine`)."""
    plan = plan_for(policies, request.action)
    codes, missing = _run(plan, request, plan.prechecked(request.resource))
    key = (codes, missing, request.principal.kind, request.cross_account)
    decision = plan.decisions.get(key)
    if decision is None:
        decision = plan.remember(key, decide(plan, codes, missing, request.principal.kind, request.cross_account))
    return decision


def evaluate_uncached(request: AuthorizationRequest, policies: PolicySet) -> Decision:
    """Like :func:`evaluate`, but without any index or memo: the cold path, for tests and benchmarks."""
    plan = build_plan(policies, request.action, indexed=False)
    codes, missing = _run(plan, request, precheck(plan.runtime, request.resource))
    return decide(plan, codes, missing, request.principal.kind, request.cross_account)
