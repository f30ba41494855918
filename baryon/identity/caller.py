"""The authenticated caller of a request: an IAM user, an assumed-role session, or an account root."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Caller:
    """Who signed the request, resolved from its access key.

    `arn` is what GetCallerIdentity returns and what denial messages name: `arn:aws:iam::ACCT:user/NAME` or
    `arn:aws:sts::ACCT:assumed-role/ROLE/SESSION`. For a role session, `role_arn` is the role itself; IAM
    conditions such as `aws:PrincipalArn` see the role ARN, not the session ARN.
    """

    arn: str
    account_id: str
    kind: str
    """`user`, `assumed-role` or `root`."""
    user_id: str
    """GetCallerIdentity's UserId: `AIDA…` for a user, `AROA…:SESSION` for a role session."""
    principal_id: str
    """The database id of the user or role whose policies apply."""
    access_key_id: str
    name: str
    """The user name or role name."""
    role_arn: str | None = None
    session_name: str | None = None
    session_policy: str | None = None
    session_policy_arns: tuple[str, ...] = ()
    tags: tuple[tuple[str, str], ...] = ()
    expires_at: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def is_session(self) -> bool:
        return self.kind == "assumed-role"

    @property
    def principal_arn(self) -> str:
        """The ARN policies see as `aws:PrincipalArn`: the role for sessions, else the caller's ARN."""
        return self.role_arn or self.arn
