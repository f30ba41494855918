"""STS: who am I, and temporary credentials (AssumeRole, GetSessionToken).

Temporary credentials are `ASIA…` keys with a session token; the secret is stored sealed and the token only
as a SHA-256 fingerprint. A role session acts with the role's policies, narrowed by any session policies
passed in `Policy` / `PolicyArns`.
"""

from __future__ import annotations

from datetime import timedelta

from baryon import ids
from baryon.crypto import fingerprint
from baryon.edge.context import Call
from baryon.edge.errors import ServiceError
from baryon.edge.operations import Operations, Result
from baryon.identity.arns import assumed_role_arn
from baryon.identity.tables import Role, StsSession
from baryon.policy import PolicyError, PolicyKind, parse_policy

sts = Operations("sts")

SESSION_POLICY_MAX_CHARS = 2048
ROLE_CHAINING_MAX_SECONDS = 3600


@sts("GetCallerIdentity", stateless=True)
def get_caller_identity(call: Call) -> Result:
    caller = call.caller
    return {"UserId": caller.user_id, "Account": caller.account_id, "Arn": caller.arn}


def _issue(call: Call, seconds: int, **fields: object) -> tuple[dict[str, object], StsSession]:
    cap = call.runtime.settings.max_session_seconds
    if cap is not None:
        seconds = min(seconds, cap)
    secret = ids.secret_access_key()
    token = ids.session_token()
    expires = call.now + timedelta(seconds=seconds)
    session = StsSession(
        access_key_id=ids.access_key_id(temporary=True),
        account_id=fields.pop("account_id"),
        secret_sealed=call.runtime.secrets.seal(secret),
        token_fingerprint=fingerprint(token),
        expires_at=expires,
        created_at=call.now,
        **fields,
    )
    call.db.add(session)
    credentials = {
        "AccessKeyId": session.access_key_id,
        "SecretAccessKey": secret,
        "SessionToken": token,
        "Expiration": expires,
    }
    return credentials, session


def _session_policy(call: Call) -> str | None:
    text = call.params.get("Policy")
    if text is None:
        return None
    try:
        parse_policy(text, PolicyKind.IDENTITY)
    except PolicyError as exc:
        raise ServiceError("MalformedPolicyDocumentException", exc.message) from exc
    if len(text) > SESSION_POLICY_MAX_CHARS:
        raise ServiceError(
            "PackedPolicyTooLargeException",
            "Packed size of the session policy and tags exceeds the allowed limit.",
        )
    return text


@sts("AssumeRole")
def assume_role(call: Call) -> Result:
    """Reached only after the authorizer allowed `sts:AssumeRole` on the role, trust policy included."""
    params = call.params
    role = call.db.query(Role).filter(Role.arn == params["RoleArn"]).one_or_none()
    if role is None:
        raise ServiceError("AccessDenied", f"Role {params['RoleArn']} does not exist.", status=403)
    duration = params.get("DurationSeconds", 3600)
    limit = ROLE_CHAINING_MAX_SECONDS if call.caller.is_session else role.max_session_duration
    if duration > limit:
        raise ServiceError(
            "ValidationError",
            f"The requested DurationSeconds exceeds the MaxSessionDuration set for this role ({limit} seconds).",
        )
    session_name = params["RoleSessionName"]
    tags = [{"Key": t["Key"], "Value": t["Value"]} for t in params.get("Tags", [])]
    credentials, _ = _issue(
        call,
        duration,
        account_id=role.account_id,
        kind="assumed-role",
        principal_arn=assumed_role_arn(role.account_id, role.name, session_name),
        principal_id=role.id,
        session_name=session_name,
        session_policy=_session_policy(call),
        session_policy_arns=[p["arn"] for p in params.get("PolicyArns", [])],
        tags=tags,
        source_identity=params.get("SourceIdentity"),
    )
    result: Result = {
        "Credentials": credentials,
        "AssumedRoleUser": {
            "AssumedRoleId": f"{role.id}:{session_name}",
            "Arn": assumed_role_arn(role.account_id, role.name, session_name),
        },
    }
    if params.get("Policy") or tags:
        result["PackedPolicySize"] = min(100, (len(params.get("Policy", "")) + 64 * len(tags)) * 100 // 2048)
    if params.get("SourceIdentity"):
        result["SourceIdentity"] = params["SourceIdentity"]
    return result


@sts("GetSessionToken")
def get_session_token(call: Call) -> Result:
    caller = call.caller
    if caller.is_session or caller.expires_at is not None:
        raise ServiceError("AccessDenied", "Cannot call GetSessionToken with session credentials", status=403)
    if caller.kind == "root":
        raise ServiceError(
            "AccessDenied",
            "Baryon issues session tokens to IAM users only, not to an account root.",
            status=403,
        )
    duration = call.params.get("DurationSeconds", 43200)
    credentials, _ = _issue(
        call,
        duration,
        account_id=caller.account_id,
        kind="user",
        principal_arn=caller.arn,
        principal_id=caller.principal_id,
    )
    return {"Credentials": credentials}
