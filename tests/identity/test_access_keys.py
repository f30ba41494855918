"""Access keys: the secret is shown once, new keys sign requests, inactive keys are refused, quotas hold."""

from __future__ import annotations

from tests.identity.helpers import READ_ONLY_ACCESS, error, unique
from tests.servers import RunningServer


def test_access_key_lifecycle(server: RunningServer) -> None:
    iam = server.client("iam")
    user = unique("keyed")
    iam.create_user(UserName=user)
    iam.attach_user_policy(UserName=user, PolicyArn=READ_ONLY_ACCESS)

    created = server.aws_json("iam", "create-access-key", "--user-name", user)["AccessKey"]
    key_id, secret = created["AccessKeyId"], created["SecretAccessKey"]
    assert key_id.startswith("AKIA") and len(key_id) == 20
    assert len(secret) == 40
    assert created["Status"] == "Active"
    assert created["UserName"] == user
    credentials = {"AccessKeyId": key_id, "SecretAccessKey": secret}

    identity = server.aws_json("sts", "get-caller-identity", credentials=credentials)
    assert identity["Arn"] == f"arn:aws:iam::{server.account_id}:user/{user}"
    as_user = server.client("iam", credentials=credentials)
    assert as_user.get_user()["User"]["UserName"] == user

    listed = iam.list_access_keys(UserName=user)["AccessKeyMetadata"]
    assert [(k["AccessKeyId"], k["Status"], k["UserName"]) for k in listed] == [(key_id, "Active", user)]
    assert all("SecretAccessKey" not in k for k in listed)
    cli_listing = server.aws("iam", "list-access-keys", "--user-name", user).stdout
    assert key_id in cli_listing and secret not in cli_listing
    last_used = iam.get_access_key_last_used(AccessKeyId=key_id)
    assert last_used["UserName"] == user
    assert secret not in str(last_used)

    iam.update_access_key(UserName=user, AccessKeyId=key_id, Status="Inactive")
    assert iam.list_access_keys(UserName=user)["AccessKeyMetadata"][0]["Status"] == "Inactive"
    refused = error(as_user.get_user)
    assert (refused["Code"], refused["Status"]) == ("InvalidClientTokenId", 403)
    cli = server.aws("sts", "get-caller-identity", credentials=credentials, check=False)
    assert cli.returncode != 0 and "InvalidClientTokenId" in cli.stderr

    iam.update_access_key(UserName=user, AccessKeyId=key_id, Status="Active")
    assert as_user.get_user()["User"]["UserName"] == user

    iam.delete_access_key(UserName=user, AccessKeyId=key_id)
    assert iam.list_access_keys(UserName=user)["AccessKeyMetadata"] == []
    assert error(as_user.get_user)["Code"] == "InvalidClientTokenId"
    gone = error(iam.delete_access_key, UserName=user, AccessKeyId=key_id)
    assert (gone["Code"], gone["Status"]) == ("NoSuchEntity", 404)
    assert gone["Message"] == f"The Access Key with id {key_id} cannot be found."

    assert secret not in server.log()


def test_two_keys_per_user(server: RunningServer) -> None:
    iam = server.client("iam")
    user = unique("twokeys")
    iam.create_user(UserName=user)
    first = iam.create_access_key(UserName=user)["AccessKey"]["AccessKeyId"]
    iam.create_access_key(UserName=user)
    over = error(iam.create_access_key, UserName=user)
    assert (over["Code"], over["Status"]) == ("LimitExceeded", 409)
    assert over["Message"] == "Cannot exceed quota for AccessKeysPerUser: 2"
    iam.delete_access_key(UserName=user, AccessKeyId=first)
    assert iam.create_access_key(UserName=user)["AccessKey"]["AccessKeyId"] != first


def test_a_user_manages_its_own_keys_without_naming_itself(server: RunningServer) -> None:
    iam = server.client("iam")
    user = unique("self")
    iam.create_user(UserName=user)
    iam.put_user_policy(
        UserName=user,
        PolicyName="own-keys",
        PolicyDocument=(
            '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:*AccessKey*"],'
            f'"Resource":"arn:aws:iam::{server.account_id}:user/{user}"}}]}}'
        ),
    )
    key = iam.create_access_key(UserName=user)["AccessKey"]
    me = server.client("iam", credentials=key)
    second = me.create_access_key()["AccessKey"]
    assert second["UserName"] == user
    ids = {k["AccessKeyId"] for k in me.list_access_keys()["AccessKeyMetadata"]}
    assert ids == {key["AccessKeyId"], second["AccessKeyId"]}
    me.delete_access_key(AccessKeyId=second["AccessKeyId"])
    other = error(me.list_access_keys, UserName="baryon-admin")
    assert other["Code"] == "AccessDenied"


def test_key_of_another_user_cannot_be_changed_through_mine(server: RunningServer) -> None:
    iam = server.client("iam")
    owner, other = unique("owner"), unique("other")
    iam.create_user(UserName=owner)
    iam.create_user(UserName=other)
    key_id = iam.create_access_key(UserName=owner)["AccessKey"]["AccessKeyId"]
    failure = error(iam.update_access_key, UserName=other, AccessKeyId=key_id, Status="Inactive")
    assert failure["Code"] == "NoSuchEntity"
    assert iam.list_access_keys(UserName=owner)["AccessKeyMetadata"][0]["Status"] == "Active"
