"""Long-term access keys of IAM users: CreateAccessKey, ListAccessKeys, UpdateAccessKey, DeleteAccessKey,
GetAccessKeyLastUsed.

The secret is generated here, stored sealed, and returned exactly once, by CreateAccessKey; no other
response, error or log line carries it. Every change bumps the generation so the credential cache drops the
key at once (a deactivated key is refused from the next request on).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from baryon import ids
from baryon.edge.context import Call
from baryon.edge.operations import Result
from baryon.identity.iam import common, errors, iam, paging
from baryon.identity.tables import AccessKey, User


def _metadata(key: AccessKey, user: User) -> dict[str, Any]:
    return {"UserName": user.name, "AccessKeyId": key.id, "Status": key.status, "CreateDate": key.created_at}


def _key(call: Call, user: User) -> AccessKey:
    key_id = call.params["AccessKeyId"]
    key = call.db.get(AccessKey, key_id)
    if key is None or key.user_id != user.id or key.account_id != call.account_id:
        raise errors.no_such_entity(f"The Access Key with id {key_id} cannot be found.")
    return key


@iam("CreateAccessKey")
def create_access_key(call: Call) -> Result:
    user = common.user_or_caller(call)
    count = call.db.scalar(select(func.count()).select_from(AccessKey).where(AccessKey.user_id == user.id))
    if (count or 0) >= errors.ACCESS_KEYS_PER_USER:
        raise errors.quota("AccessKeysPerUser", errors.ACCESS_KEYS_PER_USER)
    secret = ids.secret_access_key()
    key = AccessKey(
        id=ids.access_key_id(),
        account_id=call.account_id,
        user_id=user.id,
        secret_sealed=call.runtime.secrets.seal(secret),
        status="Active",
        created_at=call.now,
    )
    call.db.add(key)
    call.runtime.watch.bump(call.db)
    return {"AccessKey": {**_metadata(key, user), "SecretAccessKey": secret}}


@iam("ListAccessKeys")
def list_access_keys(call: Call) -> Result:
    user = common.user_or_caller(call)
    keys = list(call.db.scalars(select(AccessKey).where(AccessKey.user_id == user.id)))
    page, fields = paging.page_list(call, paging.scope(call, user.id), keys, lambda k: (k.id,))
    return {"AccessKeyMetadata": [_metadata(key, user) for key in page], **fields}


@iam("UpdateAccessKey")
def update_access_key(call: Call) -> Result:
    user = common.user_or_caller(call)
    key = _key(call, user)
    status = call.params["Status"]
    if status not in ("Active", "Inactive"):
        raise errors.validation(
            f"Value '{status}' at 'status' failed to satisfy constraint: Member must "
            "satisfy enum value set: [Active, Inactive]"
        )
    if key.status != status:
        key.status = status
        call.runtime.watch.bump(call.db)
    return {}


@iam("DeleteAccessKey")
def delete_access_key(call: Call) -> Result:
    user = common.user_or_caller(call)
    call.db.delete(_key(call, user))
    call.runtime.watch.bump(call.db)
    return {}


@iam("GetAccessKeyLastUsed")
def get_access_key_last_used(call: Call) -> Result:
    """Baryon does not record key use yet; AWS answers `N/A` for a key that was never used."""
    key = call.db.get(AccessKey, call.params["AccessKeyId"])
    if key is None or key.account_id != call.account_id or key.user_id is None:
        raise errors.no_such_entity(f"The Access Key with id {call.params['AccessKeyId']} cannot be found.")
    user = call.db.get(User, key.user_id)
    assert user is not None
    common.confirm(call, user.arn)
    return {"UserName": user.name, "AccessKeyLastUsed": {"ServiceName": "N/A", "Region": "N/A"}}
