"""Account clouds: where an account's resources live, and sessions into them.

Every account's resources live in a *cloud*: the embedded local cloud (moto's server, the default) or real AWS
(`baryon account bind ACCOUNT --cloud aws`). Provisioning takes the same path in both: assume the
environment's role through the cloud's STS, then call CloudFormation with the session's keys. Differences are
facts about the cloud, kept here: the local cloud checks neither that a role exists nor its trust policy when
it is assumed, so Baryon checks both itself before assuming (see docs/local-cloud.md).

Every client is made from one process-wide boto3 session with the caller's keys passed explicitly: a new
boto3 session per call would load and parse botocore's JSON service models again for each client (tens of
milliseconds of CPU per client). Making one still costs milliseconds, so clients are made once per cloud and
service and shared (boto3 clients are thread-safe): one for Baryon's own keys, acting in the local cloud as the
account a thread reads (`reading`), and one for all role sessions, each call signed with its session's keys
(`SessionCalls`). Role sessions are reused too: an assumed role's keys serve every deployment through that role
until they come near their expiry, as an AWS SDK's assume-role credentials do. Like AWS, a session already
issued outlives later changes to the role's trust policy; CreateEnvironment asks for a fresh check (`verify`).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote

import boto3
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import BotoCoreError, ClientError
from sqlalchemy import Connection, bindparam, select
from sqlalchemy.orm import Session

from baryon.authz.authorizer import attached
from baryon.config import Settings
from baryon.org.tables import Account
from baryon.policy import AuthorizationRequest, PolicyKind, PolicySet, Principal, PrincipalKind, evaluate
from baryon.provisioning.recent import Recent

LOCAL, AWS = "local", "aws"
PROTON_SERVICE = "proton.amazonaws.com"
ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::(?P<account>\d{12}):role/(?:.*/)?(?P<name>[\w+=,.@-]{1,64})$")
CLIENT_CONFIG = Config(
    retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=10, read_timeout=120, max_pool_connections=50
)  # shared clients serve every provisioning worker and API thread at once
LOCAL_KEY = "baryon-local-cloud"
SESSION_NAME = "baryon-provisioning"
"""The role session name of Baryon's sessions (CloudTrail shows it; change sets carry the deployment id)."""
REUSE_MARGIN = timedelta(minutes=15)
"""A role session is reused until this close to its expiry (STS issues one-hour sessions by default)."""
MAX_CLIENTS = 512
PROVISIONING_SERVICES = ("sts", "iam", "cloudformation")
"""The services a deployment calls with Baryon's own keys (role checks, guardrails) and as its role (stacks)."""


class RoleRefused(Exception):
    """The target cloud will not let Baryon act as the role (message for a ValidationException or a failed
    deployment)."""


@dataclass(frozen=True)
class CloudSession:
    """Who calls a cloud: an assumed role's keys, Baryon's local key, or (no keys) AWS's standard credential
    chain."""

    access_key_id: str | None = None
    secret_access_key: str | None = None
    session_token: str | None = None


ROLE_SESSIONS = CloudSession("baryon-role-sessions", "unused")
"""The placeholder keys of the clients role sessions share; their calls are signed with the session's."""

_FACTORY_LOCK = threading.Lock()
_factory: boto3.Session | None = None
_shared: dict[tuple[str | None, str, str, CloudSession], Any] = {}
"""Clients by (endpoint, region, service, session); the oldest go once there are MAX_CLIENTS."""
_acting_account: ContextVar[str | None] = ContextVar("baryon_local_cloud_account", default=None)
"""The local-cloud account a thread's calls with Baryon's own keys act as (see `Cloud.reading`)."""
_signing_as: ContextVar[Credentials | None] = ContextVar("baryon_role_session", default=None)
"""The keys of the role session whose call a thread is making (see `SessionCalls`)."""
_sessions: dict[tuple[str, str | None, str, str], tuple[CloudSession, datetime]] = {}
"""Assumed role sessions by (cloud kind, endpoint, region, role ARN), with their expiry."""
_trusted: Recent[bool] = Recent()
"""Local-cloud roles recently found to exist and trust Proton, by (endpoint, role ARN)."""


def _new_client(session: CloudSession, service: str, endpoint_url: str | None, region: str) -> Any:
    """A client from the process's one boto3 session (its loaded service models are reused). botocore sessions
    are not thread-safe while they create clients: the caller holds `_FACTORY_LOCK`."""
    global _factory
    if _factory is None:
        _factory = boto3.Session()
    return _factory.client(
        service,
        endpoint_url=endpoint_url,
        region_name=region,
        config=CLIENT_CONFIG,
        aws_access_key_id=session.access_key_id,
        aws_secret_access_key=session.secret_access_key,
        aws_session_token=session.session_token,
    )


@dataclass(frozen=True)
class Cloud:
    """One account's cloud: `kind` local or aws, and the endpoint to call (None: AWS's own endpoints)."""

    kind: str
    endpoint_url: str | None
    region: str

    @property
    def is_local(self) -> bool:
        return self.kind == LOCAL

    def client(self, session: CloudSession, service: str) -> Any:
        """A client of `service` on this cloud acting as `session`: Baryon's own sessions have a shared client
        each; role sessions share one client per service, each call signed with its session's keys."""
        if session.session_token is not None:
            shared = self._shared_client(ROLE_SESSIONS, service)
            return SessionCalls(shared, Credentials(session.access_key_id, session.secret_access_key,
                                                    session.session_token))  # fmt: skip
        return self._shared_client(session, service)

    def _shared_client(self, session: CloudSession, service: str) -> Any:
        key = (self.endpoint_url, self.region, service, session)
        found = _shared.get(key)
        if found is not None:
            return found
        with _FACTORY_LOCK:  # threads that missed together make the client once
            found = _shared.get(key)
            if found is not None:
                return found
            client = _new_client(session, service, self.endpoint_url, self.region)
            if session == ROLE_SESSIONS:
                client.meta.events.register("before-sign.*.*", _session_keys)
            elif self.is_local:
                client.meta.events.register("before-sign.*.*", _account_header)
            while len(_shared) >= MAX_CLIENTS:
                _shared.pop(next(iter(_shared)), None)
            _shared[key] = client
            return client

    def prepare(self) -> None:
        """Make the clients provisioning calls through, ahead of the first deployment (each costs tens of
        milliseconds of CPU to make, which a server spends better at its start than amid a burst of work)."""
        for service in PROVISIONING_SERVICES:
            self.client(self.base_session(), service)
        self._shared_client(ROLE_SESSIONS, "cloudformation")

    @contextmanager
    def reading(self, account: str, session: CloudSession, service: str) -> Iterator[Any]:
        """A client reading `account`'s resources: in the local cloud with Baryon's own keys, acting as the
        account in this thread (moto's `x-moto-account-id`); in AWS as `session`."""
        if not self.is_local:
            yield self.client(session, service)
            return
        acting = _acting_account.set(account)
        try:
            yield self.client(self.base_session(), service)
        finally:
            _acting_account.reset(acting)

    def base_session(self) -> CloudSession:
        """Baryon's own session: any key in the local cloud, the standard credential chain for AWS."""
        if self.is_local:
            return CloudSession(LOCAL_KEY, LOCAL_KEY)
        return CloudSession()

    def assume(self, role_arn: str) -> CloudSession:
        """A session acting as `role_arn` in its account (RoleRefused when the cloud won't allow it): the last
        one issued, while it is far from its expiry."""
        kept = self._kept(role_arn)
        return kept if kept is not None else self._assume_and_keep(role_arn)

    def verify(self, role_arn: str) -> CloudSession:
        """Check afresh that the cloud lets Baryon act as the role (RoleRefused when it won't): in the local
        cloud, Baryon's own checks (moto's STS makes none); in AWS, an AssumeRole through its STS. Returns a
        session as the role, kept for `assume`."""
        kept = self._kept(role_arn) if self.is_local else None
        if kept is None:
            return self._assume_and_keep(role_arn)  # checks before assuming
        self._check_before_assuming(role_arn)  # a session is kept, but the role may have changed since
        return kept

    def _kept(self, role_arn: str) -> CloudSession | None:
        """The session last issued for the role, while it is far from its expiry."""
        known = _sessions.get(self._session_key(role_arn))
        if known is not None and known[1] - datetime.now(UTC) > REUSE_MARGIN:
            return known[0]
        return None

    def _session_key(self, role_arn: str) -> tuple[str, str | None, str, str]:
        return self.kind, self.endpoint_url, self.region, role_arn

    def _assume_and_keep(self, role_arn: str) -> CloudSession:
        session, expires = self._assume_now(role_arn)
        _sessions[self._session_key(role_arn)] = session, expires
        return session

    def _check_before_assuming(self, role_arn: str) -> None:
        """What must hold before any AssumeRole: a role ARN, a cloud to ask, and (local cloud) the role's
        existence and trust."""
        match = ROLE_ARN.match(role_arn)
        if match is None:
            raise RoleRefused(f"{role_arn} is not an IAM role ARN.")
        if self.is_local and self.endpoint_url is None:
            raise RoleRefused("No local cloud is running (start Baryon with `baryon up`, or bind the account to AWS).")
        if self.is_local:
            self._check_local_role(self.base_session(), match["account"], match["name"], role_arn)

    def _assume_now(self, role_arn: str) -> tuple[CloudSession, datetime]:
        self._check_before_assuming(role_arn)
        try:
            credentials = self.client(self.base_session(), "sts").assume_role(
                RoleArn=role_arn, RoleSessionName=SESSION_NAME
            )["Credentials"]
        except ClientError as error:
            raise RoleRefused(
                f"Baryon can't assume the role {role_arn}: {error.response['Error']['Message']}"
            ) from None
        except BotoCoreError as error:
            raise RoleRefused(f"Baryon can't reach the cloud to assume {role_arn}: {error}") from None
        session = CloudSession(credentials["AccessKeyId"], credentials["SecretAccessKey"], credentials["SessionToken"])
        return session, credentials["Expiration"]

    def _check_local_role(self, base: CloudSession, account: str, name: str, role_arn: str) -> None:
        """What AWS's STS would check and moto's doesn't: the role exists and trusts Proton (a pass is
        remembered for a few seconds, see `recent`)."""
        key = (self.endpoint_url, role_arn)
        if _trusted.get(key):
            return
        try:
            with self.reading(account, base, "iam") as iam:
                role = iam.get_role(RoleName=name)["Role"]
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
        _trusted.put(key, True)


def trusts_proton(document: Any, role_arn: str) -> bool:
    """Whether a role's trust policy lets the Proton service principal call `sts:AssumeRole`."""
    if document is None:
        return False
    policies = PolicySet(trust_policy=attached(f"{role_arn}/trust-policy", policy_text(document), PolicyKind.TRUST))
    principal = Principal(arn=PROTON_SERVICE, account="", kind=PrincipalKind.SERVICE)
    request = AuthorizationRequest(principal=principal, action="sts:AssumeRole", resource=role_arn)
    try:
        return evaluate(request, policies).allowed
    except Exception:  # a trust policy the engine can't read trusts nobody
        return False


def policy_text(document: Any) -> str:
    """A policy document as the cloud's IAM returns it (a mapping, JSON text or URL-encoded JSON) as JSON text."""
    if isinstance(document, str):
        return unquote(document) if document.lstrip().startswith("%7B") else document
    return json.dumps(document)


class SessionCalls:
    """A role session's view of a shared client: its operations, each signed with the session's keys (botocore
    signs a request with the credentials its signing context names, when it names any). Paginators and
    waiters would call the client outside that, so they are not offered."""

    def __init__(self, client: Any, credentials: Credentials) -> None:
        self._client = client
        self._credentials = credentials
        self.meta, self.exceptions = client.meta, client.exceptions

    def __getattr__(self, name: str) -> Any:
        if name not in self._client.meta.method_to_api_mapping:
            raise AttributeError(f"{name} is not an operation of {self._client.meta.service_model.service_name}")
        method, credentials = getattr(self._client, name), self._credentials

        def call(**kwargs: Any) -> Any:
            acting = _signing_as.set(credentials)
            try:
                return method(**kwargs)
            finally:
                _signing_as.reset(acting)

        return call


def _session_keys(request: Any, **_: Any) -> None:
    """Sign a call of the role sessions' shared client with the keys of the session making it."""
    credentials = _signing_as.get()
    if credentials is None:  # never fall back to the client's placeholder keys
        raise RuntimeError("a role session's call reached the shared client without its session")
    request.context.setdefault("signing", {})["request_credentials"] = credentials


def _account_header(request: Any, **_: Any) -> None:
    """Sign a call with Baryon's own keys in the local cloud as the account `reading` set for this thread."""
    account = _acting_account.get()
    if account is not None:
        request.headers["x-moto-account-id"] = account


_BINDING = select(Account.cloud, Account.cloud_endpoint).where(Account.id == bindparam("account_id"))


def cloud_of(db: Session | Connection, settings: Settings, account_id: str, region: str) -> Cloud:
    """The cloud that holds `account_id`'s resources (the local cloud unless the account was bound to AWS)."""
    bound = db.execute(_BINDING, {"account_id": account_id}).first()
    if bound is not None and bound.cloud == AWS:
        return Cloud(AWS, bound.cloud_endpoint, region)
    return Cloud(LOCAL, settings.local_cloud_url, region)
