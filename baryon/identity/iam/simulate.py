"""The IAM policy simulator's operations: SimulateCustomPolicy, SimulatePrincipalPolicy and the
GetContextKeysFor* pair. The decisions come from the same engine and organization chain as enforcement."""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import Any

from baryon.authz.simulation import Simulation, context_from_entries, context_keys, simulate
from baryon.edge.context import Call
from baryon.edge.operations import Result
from baryon.identity import policy_sources
from baryon.identity.iam import iam
from baryon.identity.iam.common import group, role, user
from baryon.identity.iam.errors import invalid_input
from baryon.identity.iam.paging import page_indexed, scope
from baryon.identity.policy_sources import SourcedPolicy
from baryon.policy import (
    AttachedPolicy,
    OrgLevel,
    PolicyError,
    PolicyKind,
    PolicySet,
    Principal,
    PrincipalKind,
    parse_policy,
)


def _parse(document: str, kind: PolicyKind, source_id: str) -> AttachedPolicy:
    try:
        return AttachedPolicy(policy_id=source_id, policy=parse_policy(document, kind))
    except PolicyError as exc:
        raise invalid_input(f"{source_id}: {exc.message}") from exc


def _inputs(documents: list[str], prefix: str, kind: PolicyKind = PolicyKind.IDENTITY) -> list[AttachedPolicy]:
    return [_parse(text, kind, f"{prefix}.{index}") for index, text in enumerate(documents, 1)]


def _principal_from_arn(arn: str) -> Principal:
    """A simulated caller named by ARN: a user, a role (simulated as one of its sessions) or an account."""
    parts = arn.split(":", 5)
    account = parts[4] if len(parts) == 6 else ""
    resource = parts[5] if len(parts) == 6 else ""
    if resource.startswith("role/"):
        return Principal(arn=arn, account=account, kind=PrincipalKind.ASSUMED_ROLE, role_arn=arn)
    if resource == "root":
        return Principal(arn=arn, account=account, kind=PrincipalKind.ROOT)
    return Principal(arn=arn, account=account, kind=PrincipalKind.USER)


def _run(call: Call, simulation: Simulation) -> Result:
    params = call.params
    resources = params.get("ResourceArns") or ["*"]
    context = context_from_entries(params.get("ContextEntries", []))
    results = simulate(simulation, params["ActionNames"], resources, context)
    page, fields = page_indexed(call, scope(call, params["ActionNames"], resources), results)
    return {"EvaluationResults": page, **fields}


@iam("SimulateCustomPolicy")
def simulate_custom_policy(call: Call) -> Result:
    params = call.params
    identity = _inputs(params["PolicyInputList"], "PolicyInputList")
    boundaries = _inputs(params.get("PermissionsBoundaryPolicyInputList", []), "PermissionsBoundaryPolicyInputList")
    if len(boundaries) > 1:
        raise invalid_input("You can input only one permissions boundary when you pass a policy to this operation.")
    levels = None
    if "OrderedOrganizationPolicyInputList" in params:
        levels = tuple(
            OrgLevel(
                target_id=f"OrderedOrganizationPolicyInputList.{depth}",
                policies=tuple(
                    _inputs(
                        level.get("ServiceControlPolicyInputList", []),
                        f"OrderedOrganizationPolicyInputList.{depth}.ServiceControlPolicyInputList",
                        PolicyKind.SCP,
                    )
                ),
            )
            for depth, level in enumerate(params["OrderedOrganizationPolicyInputList"], 1)
        )
    resource_policies: tuple[AttachedPolicy, ...] = ()
    if "ResourcePolicy" in params:
        if "CallerArn" not in params:
            raise invalid_input("CallerArn is required when you include a ResourcePolicy in the simulation.")
        resource_policies = (_parse(params["ResourcePolicy"], PolicyKind.RESOURCE, "ResourcePolicy"),)
    caller_arn = params.get("CallerArn") or call.caller.principal_arn
    policies = PolicySet(
        identity=tuple(identity),
        scp_levels=levels,
        resource_policies=resource_policies,
        permissions_boundary=boundaries[0] if boundaries else None,
    )
    types = {p.policy_id: "resource" for p in resource_policies}
    owner = _owner(params.get("ResourceOwner"))
    return _run(call, Simulation(_principal_from_arn(caller_arn), policies, types, owner))


def _owner(resource_owner: str | None) -> str | None:
    if not resource_owner:
        return None
    parts = resource_owner.split(":")
    return parts[4] if len(parts) > 4 and parts[4].isdigit() else None


def _source_type(policy: SourcedPolicy, owner_kind: str) -> str:
    if policy.inline:
        return owner_kind
    return "aws-managed" if ":iam::aws:policy/" in policy.policy_id else "user-managed"


def _entity_policies(call: Call, arn: str) -> tuple[Principal, list[tuple[SourcedPolicy, str]], str | None]:
    """The entity's own policies (a user's include its groups') with their source types, and its boundary."""
    kind, _, name = arn.split(":", 5)[-1].partition("/")
    name = name.rsplit("/", 1)[-1]
    db = call.db
    if kind == "user":
        row = user(call, name)
        found = []
        for policy in policy_sources.user_policies(db, row):
            owner = "user" if policy.policy_id.startswith(f"inline:{row.arn}/") else "group"
            found.append((policy, _source_type(policy, owner)))
        principal = Principal(arn=row.arn, account=row.account_id, kind=PrincipalKind.USER)
        return principal, found, row.permissions_boundary_arn
    if kind == "role":
        row = role(call, name)
        found = [(p, _source_type(p, "role")) for p in policy_sources.role_policies(db, row)]
        principal = Principal(arn=row.arn, account=row.account_id, kind=PrincipalKind.ASSUMED_ROLE, role_arn=row.arn)
        return principal, found, row.permissions_boundary_arn
    if kind == "group":
        row = group(call, name)
        found = [(p, _source_type(p, "group")) for p in policy_sources.group_policies(db, row)]
        return Principal(arn=row.arn, account=row.account_id, kind=PrincipalKind.USER), found, None
    raise invalid_input(f"PolicySourceArn {arn} is not a user, group or role.")


def _excludes(rule: dict[str, Any], policy: SourcedPolicy, source_type: str) -> bool:
    """Whether a `PolicyExclusionList` entry (by type, by ARN with wildcards, or by inline name and owner)
    leaves this policy out of the simulation."""
    if "PolicyType" in rule:
        wanted = rule["PolicyType"]
        return (wanted == "inline" and policy.inline) or wanted == source_type
    if "PolicyArn" in rule:
        return not policy.inline and fnmatchcase(policy.policy_id, rule["PolicyArn"])
    inline = rule.get("InlinePolicyIdentifier")
    if inline and policy.inline:
        owner, _, name = policy.policy_id.removeprefix("inline:").rpartition("/")
        kind, _, owner_name = owner.split(":", 5)[-1].partition("/")
        return (
            name == inline.get("PolicyName")
            and kind == inline.get("AttachmentType", kind)
            and fnmatchcase(owner_name.rsplit("/", 1)[-1], inline.get("AttachmentName", "*"))
        )
    return False


def _display_id(policy: SourcedPolicy) -> str:
    """Inline policies are reported by name, managed ones by ARN."""
    return policy.policy_id.rsplit("/", 1)[-1] if policy.inline else policy.policy_id


@iam("SimulatePrincipalPolicy")
def simulate_principal_policy(call: Call) -> Result:
    params = call.params
    principal, found, boundary_arn = _entity_policies(call, params["PolicySourceArn"])
    exclusions = params.get("PolicyExclusionList", [])
    identity: list[AttachedPolicy] = []
    types: dict[str, str] = {}
    for policy, source_type in found:
        shown = _display_id(policy)
        if any(_excludes(rule, policy, source_type) for rule in exclusions):
            continue
        identity.append(AttachedPolicy(policy_id=shown, policy=parse_policy(policy.document, PolicyKind.IDENTITY)))
        types[shown] = source_type
    identity += _inputs(params.get("PolicyInputList", []), "PolicyInputList")
    boundaries = _inputs(params.get("PermissionsBoundaryPolicyInputList", []), "PermissionsBoundaryPolicyInputList")
    boundary = boundaries[0] if boundaries else None
    if boundary is None and boundary_arn:
        document = policy_sources.managed_document(call.db, boundary_arn)
        if document is not None:
            boundary = AttachedPolicy(boundary_arn, parse_policy(document.document, PolicyKind.IDENTITY))
            types[boundary_arn] = _source_type(document, "user")
    if any(rule.get("PolicyType") == "permission-boundary" for rule in exclusions):
        boundary = None
    levels = call.runtime.authorizer.org_levels(principal.account, principal.role_arn)
    if any(rule.get("PolicyType") == "scp" for rule in exclusions):
        levels = None
    policies = PolicySet(identity=tuple(identity), scp_levels=levels, permissions_boundary=boundary)
    caller = _principal_from_arn(params["CallerArn"]) if params.get("CallerArn") else principal
    return _run(call, Simulation(caller, policies, types, _owner(params.get("ResourceOwner"))))


@iam("GetContextKeysForCustomPolicy")
def get_context_keys_for_custom_policy(call: Call) -> Result:
    policies = [p.policy for p in _inputs(call.params["PolicyInputList"], "PolicyInputList")]
    return {"ContextKeyNames": context_keys(policies)}


@iam("GetContextKeysForPrincipalPolicy")
def get_context_keys_for_principal_policy(call: Call) -> Result:
    _, found, _ = _entity_policies(call, call.params["PolicySourceArn"])
    policies = [parse_policy(policy.document, PolicyKind.IDENTITY) for policy, _ in found]
    policies += [p.policy for p in _inputs(call.params.get("PolicyInputList", []), "PolicyInputList")]
    return {"ContextKeyNames": context_keys(policies)}
