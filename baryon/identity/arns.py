"""ARNs of identity-plane resources."""

from __future__ import annotations


def iam_arn(account_id: str, kind: str, path: str, name: str) -> str:
    """`arn:aws:iam::ACCT:user/path/NAME` for users, groups, roles and policies."""
    return f"arn:aws:iam::{account_id}:{kind}{path}{name}"


def root_arn(account_id: str) -> str:
    return f"arn:aws:iam::{account_id}:root"


def assumed_role_arn(account_id: str, role_name: str, session_name: str) -> str:
    return f"arn:aws:sts::{account_id}:assumed-role/{role_name}/{session_name}"


def aws_managed_policy_arn(name: str, path: str = "/") -> str:
    return f"arn:aws:iam::aws:policy{path}{name}"
