"""Benchmark: one authorization decision for a member account five OUs deep.

Setup: root + 5 OUs + account = 7 organization levels, 10 SCPs per level of 10 statements each (guardrail
style: service-scoped Allow/Deny with wildcards, a region lock and tag rules with conditions), plus 5
identity policies. One request, ``proton:CreateEnvironmentTemplate`` by an assumed-role session.

Prints p50/p99 of a warm ``evaluate`` call in microseconds, the same for the cold path measured in this run
(``evaluate_uncached`` with the regex cache cleared before every call: no plan, index or memo), their
ratio, and whether the goal p50 <= 10 us holds. Run: ``python bench/bench_policy_decision.py``.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable

from baryon.policy import (
    AttachedPolicy,
    AuthorizationRequest,
    Decision,
    OrgLevel,
    PolicyKind,
    PolicySet,
    Principal,
    PrincipalKind,
    evaluate,
    evaluate_uncached,
    parse_policy,
)
from baryon.policy.plan import plan_for
from baryon.policy.wildcard import compiled

ACCOUNT = "111122223333"
GOAL_P50_US = 10.0
SERVICES = [
    "ec2", "s3", "iam", "kms", "lambda", "rds", "dynamodb", "sqs", "sns", "cloudformation",
    "proton", "organizations", "cloudtrail", "config", "guardduty", "logs", "ssm", "ecs", "ecr", "codebuild",
]  # fmt: skip


def _statement(level: int, scp: int, index: int) -> dict[str, object]:
    service = SERVICES[(level * 7 + scp * 3 + index) % len(SERVICES)]
    shapes: list[dict[str, object]] = [
        {"Effect": "Allow", "Action": f"{service}:*", "Resource": "*"},
        {"Effect": "Deny", "Action": [f"{service}:Delete*", f"{service}:Put*Policy"], "Resource": "*"},
        {
            "Effect": "Allow",
            "Action": [f"{service}:Describe*", f"{service}:Get*", f"{service}:List*"],
            "Resource": "*",
        },
        {
            "Effect": "Deny",
            "Action": f"{service}:*",
            "Resource": f"arn:aws:{service}:*:*:*/protected-*",
        },
        {
            "Effect": "Deny",
            "Action": f"{service}:Create*",
            "Resource": "*",
            "Condition": {"Null": {"aws:RequestTag/cost-center": "true"}},
        },
        {
            "Effect": "Deny",
            "Action": f"{service}:Update*",
            "Resource": "*",
            "Condition": {"StringNotEquals": {"aws:PrincipalTag/role": ["admin", "platform"]}},
        },
        {"Effect": "Deny", "Action": f"{service}:Disable*", "Resource": "*"},
        {"Effect": "Allow", "Action": f"{service}:Tag*", "Resource": "*"},
        {
            "Effect": "Deny",
            "Action": f"{service}:Leave*",
            "Resource": "*",
            "Condition": {"ArnNotLike": {"aws:PrincipalArn": f"arn:aws:iam::*:role/{service}-admin"}},
        },
        {"Effect": "Allow", "Action": f"{service}:Create*", "Resource": f"arn:aws:{service}:*:{ACCOUNT}:*"},
    ]
    statement = dict(shapes[index])
    statement["Sid"] = f"L{level}P{scp}S{index}"
    return statement


def _scp(level: int, scp: int) -> str:
    statements = [_statement(level, scp, index) for index in range(10)]
    if scp == 0:
        statements[0] = {"Sid": "FullAWSAccess", "Effect": "Allow", "Action": "*", "Resource": "*"}
    if scp == 1 and level == 0:
        statements[0] = {
            "Sid": "RegionLock",
            "Effect": "Deny",
            "NotAction": ["iam:*", "organizations:*", "sts:*", "support:*", "cloudfront:*"],
            "Resource": "*",
            "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}},
        }
    return json.dumps({"Version": "2012-10-17", "Statement": statements}, indent=2)


IDENTITY = [
    {
        "Effect": "Allow",
        "Action": ["proton:Create*", "proton:Get*", "proton:List*", "proton:Update*"],
        "Resource": [
            f"arn:aws:proton:*:{ACCOUNT}:environment-template/*",
            f"arn:aws:proton:*:{ACCOUNT}:service/*",
        ],
    },
    {"Effect": "Allow", "Action": ["ec2:Describe*", "s3:Get*", "s3:List*", "logs:*"], "Resource": "*"},
    {"Effect": "Deny", "Action": ["iam:*", "organizations:*"], "Resource": "*"},
    {
        "Effect": "Allow",
        "Action": "proton:*",
        "Resource": "*",
        "Condition": {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}},
    },
    {
        "Effect": "Allow",
        "Action": "s3:*",
        "Resource": ["arn:aws:s3:::web-artifacts", "arn:aws:s3:::web-artifacts/*"],
    },
]


def build() -> tuple[AuthorizationRequest, PolicySet]:
    targets = ["r-ab12", *(f"ou-ab12-{n:08d}" for n in range(5)), ACCOUNT]
    levels = tuple(
        OrgLevel(
            target,
            tuple(
                AttachedPolicy(
                    f"arn:aws:organizations::999988887777:policy/o-abc123defg/service_control_policy/p-{level}{scp:07d}",
                    parse_policy(_scp(level, scp), PolicyKind.SCP, max_chars=10240),
                )
                for scp in range(10)
            ),
        )
        for level, target in enumerate(targets)
    )
    identity = tuple(
        AttachedPolicy(
            f"arn:aws:iam::{ACCOUNT}:policy/dev-{n}",
            parse_policy(json.dumps({"Version": "2012-10-17", "Statement": [statement]}), PolicyKind.IDENTITY),
        )
        for n, statement in enumerate(IDENTITY)
    )
    principal = Principal(
        f"arn:aws:sts::{ACCOUNT}:assumed-role/Dev/alice",
        ACCOUNT,
        PrincipalKind.ASSUMED_ROLE,
        f"arn:aws:iam::{ACCOUNT}:role/Dev",
    )
    request = AuthorizationRequest(
        principal,
        "proton:CreateEnvironmentTemplate",
        f"arn:aws:proton:us-east-1:{ACCOUNT}:environment-template/web",
        {
            "aws:RequestedRegion": "us-east-1",
            "aws:PrincipalTag/team": "web",
            "aws:PrincipalTag/role": "developer",
            "aws:RequestTag/cost-center": "cc-42",
            "aws:TagKeys": ("cost-center",),
            "aws:CurrentTime": "2026-11-28T12:00:00Z",
            "aws:SourceIp": "203.0.113.7",
        },
    )
    return request, PolicySet(identity=identity, scp_levels=levels)


def _percentiles(call: Callable[[], Decision], iterations: int, before: Callable[[], None]) -> tuple[float, float]:
    samples = []
    clock = time.perf_counter_ns
    for _ in range(iterations):
        before()
        start = clock()
        call()
        samples.append(clock() - start)
    samples.sort()
    return statistics.median(samples) / 1000, samples[int(len(samples) * 0.99)] / 1000


def main() -> None:
    request, policies = build()
    warm = evaluate(request, policies)
    cold = evaluate_uncached(request, policies)
    assert warm == cold, "cached and uncached decisions differ"
    plan = plan_for(policies, request.action)
    statements = sum(len(p.policy.statements) for level in policies.scp_levels or () for p in level.policies)
    print(f"decision: {warm.effect.value}; {statements} SCP statements on 7 levels, 5 identity policies")
    candidates = sum(len(unit.candidates) for unit in plan.units)
    pending = len(plan.prechecked(request.resource)[1])
    print(f"plan: {candidates} statements cover the action; {pending} need per-request checks (conditions)")

    def nothing() -> None:
        return None

    for _ in range(2000):
        evaluate(request, policies)
    warm_p50, warm_p99 = _percentiles(lambda: evaluate(request, policies), 50_000, nothing)
    cold_p50, cold_p99 = _percentiles(lambda: evaluate_uncached(request, policies), 300, compiled.cache_clear)
    print(f"warm evaluate:      p50 {warm_p50:8.2f} us   p99 {warm_p99:8.2f} us")
    print(f"cold (no memo):     p50 {cold_p50:8.2f} us   p99 {cold_p99:8.2f} us")
    print(f"ratio cold/warm p50: {cold_p50 / warm_p50:.1f}x")
    verdict = "holds" if warm_p50 <= GOAL_P50_US else "does NOT hold"
    print(f"goal p50 <= {GOAL_P50_US:.0f} us: {verdict}")


if __name__ == "__main__":
    main()
