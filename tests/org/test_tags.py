"""Tags on accounts, OUs, the root and policies."""

from __future__ import annotations

from tests.org.helpers import allow, create_scp, fails, new_account, new_ou, orgs, root_id, unique
from tests.servers import RunningServer


def test_tag_untag_and_list_with_the_cli(server: RunningServer) -> None:
    ou_id = new_ou(server, root_id(server))
    server.aws(
        "organizations",
        "tag-resource",
        "--resource-id",
        ou_id,
        "--tags",
        "Key=env,Value=prod",
        "Key=team,Value=core",
    )
    tags = server.aws_json("organizations", "list-tags-for-resource", "--resource-id", ou_id)["Tags"]
    assert tags == [{"Key": "env", "Value": "prod"}, {"Key": "team", "Value": "core"}]
    server.aws("organizations", "tag-resource", "--resource-id", ou_id, "--tags", "Key=env,Value=dev")
    server.aws("organizations", "untag-resource", "--resource-id", ou_id, "--tag-keys", "team")
    tags = server.aws_json("organizations", "list-tags-for-resource", "--resource-id", ou_id)["Tags"]
    assert tags == [{"Key": "env", "Value": "dev"}]


def test_every_taggable_kind(server: RunningServer) -> None:
    client = orgs(server)
    policy = create_scp(server, allow("s3:*"))
    for resource in (root_id(server), new_account(server), policy["Id"]):
        client.tag_resource(ResourceId=resource, Tags=[{"Key": "k", "Value": resource}])
        assert client.list_tags_for_resource(ResourceId=resource)["Tags"] == [{"Key": "k", "Value": resource}]


def test_tag_errors(server: RunningServer) -> None:
    client = orgs(server)
    ou_id = new_ou(server, root_id(server))
    code, _, reason = fails(
        client.tag_resource, ResourceId=ou_id, Tags=[{"Key": "a", "Value": "1"}, {"Key": "a", "Value": "2"}]
    )
    assert (code, reason) == ("InvalidInputException", "DUPLICATE_TAG_KEY")
    code, _, reason = fails(client.tag_resource, ResourceId=ou_id, Tags=[{"Key": "aws:owner", "Value": "x"}])
    assert (code, reason) == ("InvalidInputException", "INVALID_SYSTEM_TAGS_PARAMETER")
    client.tag_resource(ResourceId=ou_id, Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(50)])
    code, message, reason = fails(client.tag_resource, ResourceId=ou_id, Tags=[{"Key": "one-more", "Value": "v"}])
    assert (code, reason) == ("ConstraintViolationException", "MAX_TAG_LIMIT_EXCEEDED")
    assert message == "You have exceeded the number of tags allowed on this resource."
    client.tag_resource(ResourceId=ou_id, Tags=[{"Key": "k0", "Value": "replaced"}])
    pages = client.get_paginator("list_tags_for_resource").paginate(ResourceId=ou_id)
    tags = {t["Key"]: t["Value"] for page in pages for t in page["Tags"]}
    assert len(tags) == 50 and tags["k0"] == "replaced"
    code, _, _ = fails(client.tag_resource, ResourceId="ou-zzzz-zzzzzzzz", Tags=[{"Key": "a", "Value": "b"}])
    assert code == "TargetNotFoundException"
    code, _, reason = fails(client.tag_resource, ResourceId="p-FullAWSAccess", Tags=[{"Key": "a", "Value": "b"}])
    assert (code, reason) == ("InvalidInputException", "IMMUTABLE_POLICY")


def test_tags_given_at_creation(server: RunningServer) -> None:
    client = orgs(server)
    ou = client.create_organizational_unit(
        ParentId=root_id(server), Name=unique("tagged-ou"), Tags=[{"Key": "owner", "Value": "me"}]
    )["OrganizationalUnit"]
    assert client.list_tags_for_resource(ResourceId=ou["Id"])["Tags"] == [{"Key": "owner", "Value": "me"}]
    policy = client.create_policy(
        Name="tagged-policy-" + ou["Id"],
        Description="",
        Type="SERVICE_CONTROL_POLICY",
        Content=allow("s3:*"),
        Tags=[{"Key": "owner", "Value": "you"}],
    )["Policy"]
    tags = client.list_tags_for_resource(ResourceId=policy["PolicySummary"]["Id"])["Tags"]
    assert tags == [{"Key": "owner", "Value": "you"}]
    client.delete_organizational_unit(OrganizationalUnitId=ou["Id"])
