"""The explanation path: how each organization level (root → OUs → account) decided a request.

SCPs are evaluated level by level: within a level one matching `Allow` suffices, across levels every level
must allow, and a matching `Deny` anywhere denies. A `Level` is one node on that path with its verdict
(`allowed`, `explicitDeny`, `implicitDeny`) and the statements that decided it; `Cited` is one such statement.
"""

from __future__ import annotations

from dataclasses import dataclass

from baryon.policy import Step


@dataclass(frozen=True)
class Cited:
    """A policy statement that took part in a decision."""

    policy: str
    """The policy's id (`p-…`) or ARN, or an IAM policy's ARN or inline name."""
    policy_name: str | None
    sid: str | None
    effect: str
    line: int
    text: str | None = None
    """The statement's JSON, when the policy's content is at hand."""

    @property
    def scp_id(self) -> str | None:
        """`p-…` when the policy is an organization policy (its content is readable on the dashboard)."""
        if self.policy.startswith("p-"):
            return self.policy
        if self.policy.startswith("arn:aws:organizations::"):
            return self.policy.rsplit("/", 1)[-1]
        return None


@dataclass(frozen=True)
class Level:
    target_id: str
    name: str | None
    verdict: str
    statements: tuple[Cited, ...]

    @property
    def kind(self) -> str:
        """`root`, `ou` or `account`, from the id's shape."""
        if self.target_id.startswith("r-"):
            return "root"
        return "ou" if self.target_id.startswith("ou-") else "account"


def cited_from_step(step: Step) -> tuple[Cited, ...]:
    return tuple(Cited(m.policy_id, None, m.sid, m.effect.value, m.start.line) for m in step.matched_statements)
