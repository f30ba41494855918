"""IAM state is durable: users, groups, roles, policies, keys and attachments survive a restart."""

from __future__ import annotations

import json

from tests.identity.helpers import READ_ONLY_ACCESS, allow, error, trust_account, unique
from tests.servers import RunningServer


def test_identity_state_survives_restart(server: RunningServer) -> None:
    iam = server.client("iam")
    user, group, role = unique("durable"), unique("dgroup"), unique("drole")
    iam.create_user(UserName=user, Tags=[{"Key": "k", "Value": "v"}])
    iam.create_group(GroupName=group)
    iam.add_user_to_group(GroupName=group, UserName=user)
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=trust_account(server.account_id))
    arn = iam.create_policy(PolicyName=unique("dpol"), PolicyDocument=allow("s3:GetObject"))["Policy"]["Arn"]
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=allow("s3:PutObject"), SetAsDefault=True)
    iam.attach_role_policy(RoleName=role, PolicyArn=arn)
    iam.attach_user_policy(UserName=user, PolicyArn=READ_ONLY_ACCESS)
    iam.put_user_policy(UserName=user, PolicyName="inline", PolicyDocument=allow("s3:ListBucket"))
    key = iam.create_access_key(UserName=user)["AccessKey"]
    credentials = {"AccessKeyId": key["AccessKeyId"], "SecretAccessKey": key["SecretAccessKey"]}
    marker = iam.list_policy_versions(PolicyArn=arn, MaxItems=1)["Marker"]

    server.restart()

    iam = server.client("iam")
    assert iam.get_user(UserName=user)["User"]["Tags"] == [{"Key": "k", "Value": "v"}]
    assert [u["UserName"] for u in iam.get_group(GroupName=group)["Users"]] == [user]
    assert iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"][0]["PolicyArn"] == arn
    version = iam.get_policy_version(PolicyArn=arn, VersionId="v2")["PolicyVersion"]
    assert version["IsDefaultVersion"] is True
    assert version["Document"] == json.loads(allow("s3:PutObject"))
    assert iam.list_user_policies(UserName=user)["PolicyNames"] == ["inline"]

    as_user = server.client("iam", credentials=credentials)
    assert as_user.get_user()["User"]["UserName"] == user
    assert error(as_user.create_user, UserName=unique("x"))["Code"] == "AccessDenied"
    rest = iam.list_policy_versions(PolicyArn=arn, MaxItems=1, Marker=marker)
    assert [v["VersionId"] for v in rest["Versions"]] == ["v1"]
