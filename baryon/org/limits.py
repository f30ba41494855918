"""AWS Organizations quotas, each overridable with an environment variable (read when a request checks it).

| variable | default | AWS quota |
|---|---|---|
| `BARYON_ORG_MAX_SCPS_PER_TARGET` | 10 | SCPs attached to one root, OU or account (5 before May 2026) |
| `BARYON_ORG_MIN_SCPS_PER_TARGET` | 1 | every root, OU and account keeps at least one SCP |
| `BARYON_ORG_SCP_MAX_CHARS` | 10240 | characters in one SCP, whitespace included (5,120 before May 2026) |
| `BARYON_ORG_MAX_RCPS_PER_TARGET` | 5 | RCPs attached to one target, `RCPFullAWSAccess` included |
| `BARYON_ORG_RCP_MAX_CHARS` | 5120 | characters in one RCP |
| `BARYON_ORG_MAX_TAG_POLICIES_PER_TARGET` | 10 | tag policies attached to one target |
| `BARYON_ORG_TAG_POLICY_MAX_CHARS` | 10000 | characters in one tag policy |
| `BARYON_ORG_MAX_OU_DEPTH` | 5 | OU levels under the root |
| `BARYON_ORG_MAX_OUS` | 2000 | OUs in the organization |
| `BARYON_ORG_MAX_POLICIES` | 10000 | policies of one type in the organization |
| `BARYON_ORG_MAX_ACCOUNTS` | 10000 | accounts in the organization |
| `BARYON_ORG_MAX_TAGS` | 50 | tags on one resource |
"""

from __future__ import annotations

import os

SCP = "SERVICE_CONTROL_POLICY"
RCP = "RESOURCE_CONTROL_POLICY"
TAG_POLICY = "TAG_POLICY"

_DEFAULTS = {
    "MAX_SCPS_PER_TARGET": 10,
    "MIN_SCPS_PER_TARGET": 1,
    "SCP_MAX_CHARS": 10240,
    "MAX_RCPS_PER_TARGET": 5,
    "RCP_MAX_CHARS": 5120,
    "MAX_TAG_POLICIES_PER_TARGET": 10,
    "TAG_POLICY_MAX_CHARS": 10000,
    "MAX_OU_DEPTH": 5,
    "MAX_OUS": 2000,
    "MAX_POLICIES": 10000,
    "MAX_ACCOUNTS": 10000,
    "MAX_TAGS": 50,
}


def limit(name: str) -> int:
    """The quota `name` (a key of the table above without the `BARYON_ORG_` prefix)."""
    raw = os.environ.get(f"BARYON_ORG_{name}")
    if raw is None:
        return _DEFAULTS[name]
    try:
        return int(raw)
    except ValueError:
        return _DEFAULTS[name]


def max_attachments(policy_type: str) -> int:
    return limit(
        {SCP: "MAX_SCPS_PER_TARGET", RCP: "MAX_RCPS_PER_TARGET"}.get(policy_type, "MAX_TAG_POLICIES_PER_TARGET")
    )


def min_attachments(policy_type: str) -> int:
    """SCPs keep at least one per target; RCPs keep `RCPFullAWSAccess`, which cannot be detached anyway."""
    return limit("MIN_SCPS_PER_TARGET") if policy_type == SCP else 0


def max_chars(policy_type: str) -> int:
    return limit({SCP: "SCP_MAX_CHARS", RCP: "RCP_MAX_CHARS"}.get(policy_type, "TAG_POLICY_MAX_CHARS"))
