"""Customer tags on templates and template versions, by ARN."""

from __future__ import annotations

from tests.platform.helpers import env_bundle, fails, new_env_template, proton, unique, upload
from tests.servers import RunningServer


def test_tags_on_templates_and_versions(server: RunningServer) -> None:
    client = proton(server)
    name = new_env_template(server, tags=[{"key": "team", "value": "a"}])
    arn = client.get_environment_template(name=name)["environmentTemplate"]["arn"]
    client.tag_resource(resourceArn=arn, tags=[{"key": "team", "value": "b"}, {"key": "cost", "value": "1"}])
    assert client.list_tags_for_resource(resourceArn=arn)["tags"] == [
        {"key": "cost", "value": "1"},
        {"key": "team", "value": "b"},
    ]
    client.untag_resource(resourceArn=arn, tagKeys=["cost"])
    assert client.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "team", "value": "b"}]

    version = client.create_environment_template_version(
        templateName=name, source={"s3": upload(server, env_bundle())}, tags=[{"key": "v", "value": "1"}]
    )["environmentTemplateVersion"]
    assert client.list_tags_for_resource(resourceArn=version["arn"])["tags"] == [{"key": "v", "value": "1"}]
    client.tag_resource(resourceArn=arn, tags=[{"key": "z", "value": "last"}])
    pages = client.get_paginator("list_tags_for_resource").paginate(resourceArn=arn, PaginationConfig={"PageSize": 1})
    assert [t["key"] for page in pages for t in page["tags"]] == ["team", "z"]


def test_unknown_resources_and_bad_tags(server: RunningServer) -> None:
    client = proton(server)
    missing = f"arn:aws:proton:{server.region}:{server.account_id}:environment-template/{unique('none')}"
    assert fails(client.list_tags_for_resource, resourceArn=missing)[0] == "ResourceNotFoundException"
    assert fails(client.tag_resource, resourceArn=missing, tags=[{"key": "a", "value": "b"}])[0] == (
        "ResourceNotFoundException"
    )
    name = new_env_template(server)
    other_account = f"arn:aws:proton:{server.region}:000000000000:environment-template/{name}"
    assert fails(client.list_tags_for_resource, resourceArn=other_account)[0] == "ResourceNotFoundException"
    arn = client.get_environment_template(name=name)["environmentTemplate"]["arn"]
    code, _ = fails(client.tag_resource, resourceArn=arn, tags=[{"key": "aws:x", "value": "b"}])
    assert code == "ValidationException"
