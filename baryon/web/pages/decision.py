"""The guardrails' effective decision for an action in an account, explained level by level.

"May principals of account A perform action X (on resource R)?" The page reads the account's path through
the tree (root → OUs → account) and the SCPs attached at each level with the Organizations API, then asks
IAM's policy simulator (`SimulateCustomPolicy` with `OrderedOrganizationPolicyInputList`): once for the whole
path — the effective decision — and once per level, which says how that level decided and with which
statements. The identity side is an allow-everything policy, so the answer is what the guardrails leave to
an administrator of the account (its `OrganizationAccountAccessRole`, for one). Every one of those calls is
the signed-in principal's own, authorized like any other; the management account is not governed by SCPs.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from baryon.policy import PolicyKind, parse_policy
from baryon.web.calls import AwsCalls
from baryon.web.path import Cited, Level
from baryon.web.view import View

SCP = "SERVICE_CONTROL_POLICY"
ALLOW_ALL = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
LEVEL_SOURCE = re.compile(r"^OrderedOrganizationPolicyInputList\.\d+\.ServiceControlPolicyInputList\.(\d+)$")
ACCOUNT_ID = re.compile(r"^\d{12}$")


@dataclass(frozen=True)
class Question:
    account_id: str
    action: str
    resource: str

    @classmethod
    def of(cls, view: View) -> Question | None:
        """The question in the page's query (`action`, `account`, optional `resource`), if one was asked (an
        account alone only fills the form in)."""
        if not view.param("action"):
            return None
        return cls(view.param("account"), view.param("action"), view.param("resource") or "*")

    @property
    def problem(self) -> str | None:
        """What is wrong with the question before any call is made."""
        return None if ACCOUNT_ID.match(self.account_id) else "Enter the 12-digit id of an account."


@dataclass(frozen=True)
class Explanation:
    decision: str
    """`allowed`, `explicitDeny` or `implicitDeny` (the simulator's `EvalDecision`)."""
    levels: tuple[Level, ...] = ()
    note: str | None = None
    """Why SCPs do not take part (the management account; SCPs not enabled)."""
    missing_context: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Scp:
    id: str
    name: str
    content: str


def decide(calls: AwsCalls, asked: Question) -> Explanation:
    """The effective decision and each level's verdict (`asked` has no `problem`)."""
    organization = calls("organizations", "DescribeOrganization")["Organization"]
    if asked.account_id == organization["MasterAccountId"]:
        return Explanation("allowed", note="The management account is not governed by SCPs.")
    root = calls("organizations", "ListRoots")["Roots"][0]
    if not any(t["Type"] == SCP and t["Status"] == "ENABLED" for t in root.get("PolicyTypes", [])):
        return Explanation("allowed", note="SCPs are not enabled in this organization's root.")
    path = _path(calls, asked.account_id, root)
    contents: dict[str, str] = {}
    attached = [_attached(calls, target_id, contents) for target_id, _ in path]
    overall = _simulate(calls, asked, attached)
    levels = []
    for (target_id, name), scps in zip(path, attached, strict=True):
        result = _simulate(calls, asked, [scps])
        levels.append(Level(target_id, name, result["EvalDecision"], _cited(result, scps)))
    return Explanation(overall["EvalDecision"], tuple(levels), None, tuple(overall.get("MissingContextValues", [])))


def _path(calls: AwsCalls, account_id: str, root: dict[str, Any]) -> list[tuple[str, str]]:
    """(id, name) of the root, each OU and the account, root first."""
    account = calls("organizations", "DescribeAccount", AccountId=account_id)["Account"]
    path = [(account_id, account["Name"])]
    parent = calls("organizations", "ListParents", ChildId=account_id)["Parents"][0]
    while parent["Type"] != "ROOT":
        ou = calls("organizations", "DescribeOrganizationalUnit", OrganizationalUnitId=parent["Id"])
        path.append((parent["Id"], ou["OrganizationalUnit"]["Name"]))
        parent = calls("organizations", "ListParents", ChildId=parent["Id"])["Parents"][0]
    path.append((root["Id"], root["Name"]))
    path.reverse()
    return path


def _attached(calls: AwsCalls, target_id: str, contents: dict[str, str]) -> list[_Scp]:
    """The SCPs attached directly to a target, with their content (each policy read once per question)."""
    found = []
    for summary in calls.pages("organizations", "ListPoliciesForTarget", "Policies", TargetId=target_id, Filter=SCP):
        if summary["Id"] not in contents:
            policy = calls("organizations", "DescribePolicy", PolicyId=summary["Id"])["Policy"]
            contents[summary["Id"]] = policy["Content"]
        found.append(_Scp(summary["Id"], summary["Name"], contents[summary["Id"]]))
    return found


def _simulate(calls: AwsCalls, asked: Question, levels: list[list[_Scp]]) -> dict[str, Any]:
    params: dict[str, Any] = {
        "PolicyInputList": [ALLOW_ALL],
        "ActionNames": [asked.action],
        "OrderedOrganizationPolicyInputList": [
            {"ServiceControlPolicyInputList": [scp.content for scp in level]} for level in levels
        ],
        "ContextEntries": [
            {
                "ContextKeyName": "aws:PrincipalAccount",
                "ContextKeyValues": [asked.account_id],
                "ContextKeyType": "string",
            },
            {"ContextKeyName": "aws:RequestedRegion", "ContextKeyValues": [calls.region], "ContextKeyType": "string"},
        ],
    }
    if asked.resource != "*":
        params["ResourceArns"] = [asked.resource]
    result: dict[str, Any] = calls("iam", "SimulateCustomPolicy", **params)["EvaluationResults"][0]
    return result


def _cited(result: dict[str, Any], scps: list[_Scp]) -> tuple[Cited, ...]:
    """The matched statements of one level's SCPs, located by the simulator's positions."""
    cited = []
    for matched in result.get("MatchedStatements", []):
        source = LEVEL_SOURCE.match(matched["SourcePolicyId"])
        if source is None:
            continue  # the allow-everything identity policy
        scp = scps[int(source.group(1)) - 1]
        start = (matched["StartPosition"]["Line"], matched["StartPosition"]["Column"])
        statements = parse_policy(scp.content, PolicyKind.SCP).statements
        index = next(i for i, s in enumerate(statements) if (s.start.line, s.start.column) == start)
        raw = json.loads(scp.content)["Statement"]
        text = json.dumps(raw[index] if isinstance(raw, list) else raw, indent=2)
        statement = statements[index]
        cited.append(Cited(scp.id, scp.name, statement.sid, statement.effect.value, start[0], text))
    return tuple(cited)
