"""Account clouds: where an account's resources live, and sessions into them.

Every account's resources live in a *cloud*: the embedded local cloud (moto's server, the default) or real AWS
(`baryon account bind ACCOUNT --cloud aws`). Provisioning takes the same path in both: assume the
environment's role through the cloud's STS, then call CloudFormation with the session's keys. Differences are
facts about the cloud, kept here: the local cloud checks neither that a role exists nor its trust policy when
it is assumed, so Baryon checks both itself before assuming; its change sets leave stack outputs stale, so
stacks there are applied with CreateStack/UpdateStack (see docs/local-cloud.md).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from sqlalchemy.orm import Session

from baryon.authz.authorizer import attached
from baryon.config import Settings
from baryon.org.tables import Account
from baryon.policy import AuthorizationRequest, PolicyKind, PolicySet, Principal, PrincipalKind, evaluate

LOCAL, AWS = "local", "aws"
PROTON_SERVICE = "proton.amazonaws.com"
ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::(?P<account>\d{12}):role/(?:.*/)?(?P<name>[\w+=,.@-]{1,64})$")
CLIENT_CONFIG = Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=10, read_timeout=120)
LOCAL_KEY = "baryon-local-cloud"


class RoleRefused(Exception):
    """The target cloud will not let Baryon act as the role (message for a ValidationException or a failed
    deployment)."""


@dataclass(frozen=True)
class Cloud:
    """One account's cloud: `kind` local or aws, and the endpoint to call (None: AWS's own endpoints)."""

    kind: str
    endpoint_url: str | None
    region: str

    @property
    def is_local(self) -> bool:
        return self.kind == LOCAL

    @property
    def uses_change_sets(self) -> bool:
        """Whether stacks are applied through change sets (moto's change sets leave outputs stale)."""
        return not self.is_local

    def client(self, session: boto3.Session, service: str, account_id: str | None = None) -> Any:
        """A client of `service` on this cloud; in the local cloud, `account_id` picks the account for calls
        made with Baryon's own keys (moto's `x-moto-account-id`)."""
        client = session.client(service, endpoint_url=self.endpoint_url, region_name=self.region, config=CLIENT_CONFIG)
        if self.is_local and account_id:
            client.meta.events.register("before-sign.*.*", _as_account(account_id))
        return client

    def base_session(self) -> boto3.Session:
        """Baryon's own session: any key in the local cloud, the standard credential chain for AWS."""
        if self.is_local:
            return boto3.Session(aws_access_key_id=LOCAL_KEY, aws_secret_access_key=LOCAL_KEY, region_name=self.region)
        return boto3.Session(region_name=self.region)

    def assume(self, role_arn: str, session_name: str) -> boto3.Session:
        """A session acting as `role_arn` in its account (RoleRefused when the cloud won't allow it)."""
        match = ROLE_ARN.match(role_arn)
        if match is None:
            raise RoleRefused(f"{role_arn} is not an IAM role ARN.")
        if self.is_local and self.endpoint_url is None:
            raise RoleRefused("No local cloud is running (start Baryon with `baryon up`, or bind the account to AWS).")
        base = self.base_session()
        if self.is_local:
            self._check_local_role(base, match["account"], match["name"], role_arn)
        try:
            credentials = self.client(base, "sts").assume_role(RoleArn=role_arn, RoleSessionName=session_name)[
                "Credentials"
            ]
        except ClientError as error:
            raise RoleRefused(
                f"Baryon can't assume the role {role_arn}: {error.response['Error']['Message']}"
            ) from None
        except BotoCoreError as error:
            raise RoleRefused(f"Baryon can't reach the cloud to assume {role_arn}: {error}") from None
        return boto3.Session(
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
            region_name=self.region,
        )

    def _check_local_role(self, base: boto3.Session, account: str, name: str, role_arn: str) -> None:
        """What AWS's STS would check and moto's doesn't: the role exists and trusts Proton."""
        try:
            role = self.client(base, "iam", account).get_role(RoleName=name)["Role"]
        except ClientError as error:
            if error.response["Error"]["Code"] == "NoSuchEntity":
                raise RoleRefused(f"The role {role_arn} does not exist in account {account}.") from None
            raise RoleRefused(f"Baryon can't read the role {role_arn}: {error.response['Error']['Message']}") from None
        except BotoCoreError as error:
            raise RoleRefused(f"Baryon can't reach the local cloud to read {role_arn}: {error}") from None
        if not trusts_proton(role.get("AssumeRolePolicyDocument"), role_arn):
            raise RoleRefused(
                f"The trust policy of {role_arn} does not allow {PROTON_SERVICE} to assume it (sts:AssumeRole)."
            )


def trusts_proton(document: Any, role_arn: str) -> bool:
    """Whether a role's trust policy lets the Proton service principal call `sts:AssumeRole`."""
    if document is None:
        return False
    text = document if isinstance(document, str) else json.dumps(document)
    if text.lstrip().startswith("%7B"):
        text = unquote(text)
    policies = PolicySet(trust_policy=attached(f"{role_arn}/trust-policy", text, PolicyKind.TRUST))
    principal = Principal(arn=PROTON_SERVICE, account="", kind=PrincipalKind.SERVICE)
    request = AuthorizationRequest(principal=principal, action="sts:AssumeRole", resource=role_arn)
    try:
        return evaluate(request, policies).allowed
    except Exception:  # a trust policy the engine can't read trusts nobody
        return False


def _as_account(account_id: str) -> Any:
    def add_header(request: Any, **_: Any) -> None:
        request.headers["x-moto-account-id"] = account_id

    return add_header


def cloud_of(db: Session, settings: Settings, account_id: str, region: str) -> Cloud:
    """The cloud that holds `account_id`'s resources (the local cloud unless the account was bound to AWS)."""
    bound = db.get(Account, account_id)
    if bound is not None and bound.cloud == AWS:
        return Cloud(AWS, bound.cloud_endpoint, region)
    return Cloud(LOCAL, settings.local_cloud_url, region)
