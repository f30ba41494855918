"""Baryon's IAM policy engine: parse, validate and evaluate policies with AWS's semantics.

Pure code: no I/O, no logging, no clock (time arrives in the request context). Policy documents are parsed
once (:func:`parse_policy` is memoised) and evaluated many times (:func:`evaluate` remembers a per-action
plan on each :class:`PolicySet`).

Policy types in one decision: service control policies (SCPs, the organization's guardrails on principals
of member accounts), resource control policies (RCPs, guardrails on resources of member accounts),
identity-based policies, resource-based policies, a role's trust policy, permissions boundaries (the
ceiling on what identity policies can grant) and session policies (a ceiling passed when a session starts).
"""

from baryon.policy.conditions import Condition, SetQualifier
from baryon.policy.decision import Decision, EvalDecision, MatchedStatement, PolicyType, Step
from baryon.policy.errors import PolicyError, PolicySizeError
from baryon.policy.evaluate import evaluate, evaluate_uncached
from baryon.policy.model import Effect, Policy, PolicyKind, Position, Statement
from baryon.policy.parser import parse_policy
from baryon.policy.policyset import AttachedPolicy, OrgLevel, PolicySet
from baryon.policy.request import AuthorizationRequest, ContextValue, Principal, PrincipalKind

__all__ = [
    "AttachedPolicy",
    "AuthorizationRequest",
    "Condition",
    "ContextValue",
    "Decision",
    "Effect",
    "EvalDecision",
    "MatchedStatement",
    "OrgLevel",
    "Policy",
    "PolicyError",
    "PolicyKind",
    "PolicySet",
    "PolicySizeError",
    "PolicyType",
    "Position",
    "Principal",
    "PrincipalKind",
    "SetQualifier",
    "Statement",
    "Step",
    "evaluate",
    "evaluate_uncached",
    "parse_policy",
]
