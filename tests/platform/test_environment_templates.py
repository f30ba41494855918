"""Environment templates and their versions, end to end through boto3 and the AWS CLI: registration from S3,
numbering, publishing, the recommended version, compatibility of minors, failures, delete rules, idempotency,
pagination."""

from __future__ import annotations

import pytest
from botocore.exceptions import WaiterError

from tests.platform.helpers import (
    ENV_SCHEMA,
    OPTIONAL_INPUT,
    REQUIRED_INPUT,
    env_bundle,
    fails,
    new_env_template,
    new_env_version,
    proton,
    sample_bundle,
    tarball,
    unique,
    upload,
    wait_registered,
)
from tests.servers import RunningServer


def test_template_lifecycle_with_the_cli(server: RunningServer) -> None:
    name = unique("vpc")
    created = server.aws_json(
        "proton", "create-environment-template", "--name", name, "--display-name", "VPC",
        "--description", "A VPC", "--tags", "key=team,value=platform",
    )["environmentTemplate"]  # fmt: skip
    arn = f"arn:aws:proton:{server.region}:{server.account_id}:environment-template/{name}"
    assert created["arn"] == arn
    assert (created["name"], created["displayName"], created["description"]) == (name, "VPC", "A VPC")
    assert "recommendedVersion" not in created

    got = server.aws_json("proton", "get-environment-template", "--name", name)["environmentTemplate"]
    assert got == created
    updated = server.aws_json("proton", "update-environment-template", "--name", name, "--description", "Public VPC")
    assert updated["environmentTemplate"]["description"] == "Public VPC"
    tags = server.aws_json("proton", "list-tags-for-resource", "--resource-arn", arn)["tags"]
    assert tags == [{"key": "team", "value": "platform"}]

    again = server.aws("proton", "create-environment-template", "--name", name, check=False)
    assert again.returncode != 0 and "ConflictException" in again.stderr

    listed = server.aws_json("proton", "list-environment-templates")["templates"]
    assert name in [t["name"] for t in listed]

    deleted = server.aws_json("proton", "delete-environment-template", "--name", name)["environmentTemplate"]
    assert deleted["arn"] == arn
    gone = server.aws("proton", "get-environment-template", "--name", name, check=False)
    assert gone.returncode != 0 and "ResourceNotFoundException" in gone.stderr


def test_version_registers_as_draft_then_publishes(server: RunningServer) -> None:
    client = proton(server)
    name = new_env_template(server)
    source = upload(server, env_bundle())
    created = client.create_environment_template_version(templateName=name, description="first", source={"s3": source})[
        "environmentTemplateVersion"
    ]
    assert created["status"] == "REGISTRATION_IN_PROGRESS"
    assert (created["majorVersion"], created["minorVersion"]) == ("1", "0")
    assert created["arn"] == f"arn:aws:proton:{server.region}:{server.account_id}:environment-template/{name}:1.0"

    client.get_waiter("environment_template_version_registered").wait(
        templateName=name, majorVersion="1", minorVersion="0", WaiterConfig={"Delay": 1, "MaxAttempts": 60}
    )
    draft = client.get_environment_template_version(templateName=name, majorVersion="1", minorVersion="0")[
        "environmentTemplateVersion"
    ]
    assert draft["status"] == "DRAFT", draft.get("statusMessage")
    assert draft["schema"] == ENV_SCHEMA.format(extra="")
    assert draft["description"] == "first"
    assert "recommendedVersion" not in client.get_environment_template(name=name)["environmentTemplate"]

    published = client.update_environment_template_version(
        templateName=name, majorVersion="1", minorVersion="0", status="PUBLISHED"
    )["environmentTemplateVersion"]
    assert published["status"] == "PUBLISHED"
    assert published["recommendedMinorVersion"] == "0"
    assert client.get_environment_template(name=name)["environmentTemplate"]["recommendedVersion"] == "1.0"

    code, message = fails(
        client.update_environment_template_version,
        templateName=name, majorVersion="1", minorVersion="0", status="DRAFT",
    )  # fmt: skip
    assert code == "ValidationException"
    assert "from DRAFT to PUBLISHED" in message


def test_minors_and_majors_are_numbered_and_recommended(server: RunningServer) -> None:
    client = proton(server)
    name = new_env_template(server)
    assert new_env_version(server, name)["status"] == "DRAFT"
    client.update_environment_template_version(
        templateName=name, majorVersion="1", minorVersion="0", status="PUBLISHED"
    )

    minor = new_env_version(server, name, env_bundle(OPTIONAL_INPUT), major="1")
    assert (minor["majorVersion"], minor["minorVersion"], minor["status"]) == ("1", "1", "DRAFT"), minor
    major = new_env_version(server, name)
    assert (major["majorVersion"], major["minorVersion"]) == ("2", "0")

    code, message = fails(
        client.create_environment_template_version,
        templateName=name, majorVersion="7", source={"s3": upload(server, env_bundle())},
    )  # fmt: skip
    assert code == "ValidationException" and "no major version 7" in message

    assert client.get_environment_template(name=name)["environmentTemplate"]["recommendedVersion"] == "1.0"
    client.update_environment_template_version(
        templateName=name, majorVersion="1", minorVersion="1", status="PUBLISHED"
    )
    assert client.get_environment_template(name=name)["environmentTemplate"]["recommendedVersion"] == "1.1"
    first = client.get_environment_template_version(templateName=name, majorVersion="1", minorVersion="0")
    assert first["environmentTemplateVersion"]["recommendedMinorVersion"] == "1"
    client.update_environment_template_version(
        templateName=name, majorVersion="2", minorVersion="0", status="PUBLISHED"
    )
    assert client.get_environment_template(name=name)["environmentTemplate"]["recommendedVersion"] == "2.0"

    ones = client.list_environment_template_versions(templateName=name, majorVersion="1")["templateVersions"]
    assert [(v["majorVersion"], v["minorVersion"]) for v in ones] == [("1", "0"), ("1", "1")]
    assert all("schema" not in v for v in ones)


def test_incompatible_minor_fails_with_the_reasons(server: RunningServer) -> None:
    client = proton(server)
    name = new_env_template(server)
    new_env_version(server, name)
    client.update_environment_template_version(
        templateName=name, majorVersion="1", minorVersion="0", status="PUBLISHED"
    )

    failed = new_env_version(server, name, env_bundle(REQUIRED_INPUT), major="1")
    assert failed["status"] == "REGISTRATION_FAILED"
    assert "not backward compatible with version 1.0" in failed["statusMessage"]
    assert "team" in failed["statusMessage"]
    assert "schema" not in failed
    assert client.get_environment_template(name=name)["environmentTemplate"]["recommendedVersion"] == "1.0"

    as_major = new_env_version(server, name, env_bundle(REQUIRED_INPUT))
    assert (as_major["majorVersion"], as_major["status"]) == ("2", "DRAFT")


def test_unreadable_bundles_fail_with_a_clear_message(server: RunningServer) -> None:
    client = proton(server)
    name = new_env_template(server)
    bucket = upload(server, b"placeholder")["bucket"]
    missing_key = client.create_environment_template_version(
        templateName=name, source={"s3": {"bucket": bucket, "key": "nothing/here.tar.gz"}}
    )["environmentTemplateVersion"]
    failed = wait_registered(server, "environment", name, missing_key["majorVersion"], missing_key["minorVersion"])
    assert failed["status"] == "REGISTRATION_FAILED"
    assert failed["statusMessage"] == f"The bundle s3://{bucket}/nothing/here.tar.gz could not be read: NoSuchKey"

    no_bucket = unique("absent")
    created = client.create_environment_template_version(
        templateName=name, source={"s3": {"bucket": no_bucket, "key": "b.tar.gz"}}
    )["environmentTemplateVersion"]
    failed = wait_registered(server, "environment", name, created["majorVersion"], created["minorVersion"])
    assert failed["statusMessage"] == f"The bundle s3://{no_bucket}/b.tar.gz could not be read: NoSuchBucket"

    with pytest.raises(WaiterError):
        client.get_waiter("environment_template_version_registered").wait(
            templateName=name, majorVersion="1", minorVersion="0", WaiterConfig={"Delay": 1, "MaxAttempts": 5}
        )


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"this is not a tarball", id="not-a-tarball"),
        pytest.param(tarball({"infrastructure/manifest.yaml": "infrastructure: {}\n"}), id="no-schema"),
        pytest.param(tarball({"schema/schema.yaml": "schema: [unclosed\n"}), id="bad-yaml"),
    ],
)
def test_malformed_bundle_fails_and_leaves_nothing_half_made(server: RunningServer, data: bytes) -> None:
    client = proton(server)
    name = new_env_template(server)
    failed = new_env_version(server, name, data)
    assert failed["status"] == "REGISTRATION_FAILED"
    assert failed["statusMessage"].startswith("The bundle s3://")
    assert "is not a valid environment template bundle: " in failed["statusMessage"]
    assert "schema" not in failed and "recommendedMinorVersion" not in failed
    assert "recommendedVersion" not in client.get_environment_template(name=name)["environmentTemplate"]
    # a failed version can be deleted, and then so can the template
    client.delete_environment_template_version(templateName=name, majorVersion="1", minorVersion="0")
    client.delete_environment_template(name=name)


def test_delete_rules(server: RunningServer) -> None:
    client = proton(server)
    name = new_env_template(server)
    for major in (None, "1"):
        new_env_version(server, name, env_bundle(OPTIONAL_INPUT if major else ""), major=major)
    new_env_version(server, name)  # 2.0
    for major, minor in (("1", "0"), ("1", "1"), ("2", "0")):
        client.update_environment_template_version(
            templateName=name, majorVersion=major, minorVersion=minor, status="PUBLISHED"
        )

    code, message = fails(client.delete_environment_template, name=name)
    assert code == "ConflictException" and "has versions (1.0, 1.1, 2.0)" in message
    code, message = fails(
        client.delete_environment_template_version, templateName=name, majorVersion="1", minorVersion="1"
    )
    assert code == "ValidationException" and "Recommended minor version of major version 1" in message
    code, message = fails(
        client.delete_environment_template_version, templateName=name, majorVersion="2", minorVersion="0"
    )
    assert code == "ValidationException" and "is the Recommended version" in message

    deleted = client.delete_environment_template_version(templateName=name, majorVersion="1", minorVersion="0")
    assert deleted["environmentTemplateVersion"]["minorVersion"] == "0"
    client.delete_environment_template_version(templateName=name, majorVersion="1", minorVersion="1")
    client.delete_environment_template_version(templateName=name, majorVersion="2", minorVersion="0")
    assert "recommendedVersion" not in client.get_environment_template(name=name)["environmentTemplate"]
    code, _ = fails(client.get_environment_template_version, templateName=name, majorVersion="2", minorVersion="0")
    assert code == "ResourceNotFoundException"
    client.delete_environment_template(name=name)
    assert fails(client.get_environment_template, name=name)[0] == "ResourceNotFoundException"


def test_client_token_makes_create_idempotent(server: RunningServer) -> None:
    client = proton(server)
    name = new_env_template(server)
    source = {"s3": upload(server, env_bundle())}
    token = unique("token")
    first = client.create_environment_template_version(templateName=name, source=source, clientToken=token)
    second = client.create_environment_template_version(templateName=name, source=source, clientToken=token)
    assert first["environmentTemplateVersion"]["arn"] == second["environmentTemplateVersion"]["arn"]
    versions = client.list_environment_template_versions(templateName=name)["templateVersions"]
    assert len(versions) == 1

    code, message = fails(
        client.create_environment_template_version,
        templateName=name, source=source, clientToken=token, description="different",
    )  # fmt: skip
    assert code == "ConflictException" and token in message
    other = client.create_environment_template_version(templateName=name, source=source, clientToken=unique("t"))
    assert other["environmentTemplateVersion"]["majorVersion"] == "2"


def test_listings_page_with_tamper_evident_tokens(server: RunningServer) -> None:
    client = proton(server)
    prefix = unique("page")
    names = [new_env_template(server, f"{prefix}-{i}") for i in range(5)]
    seen: list[str] = []
    for page in client.get_paginator("list_environment_templates").paginate(PaginationConfig={"PageSize": 2}):
        assert len(page["templates"]) <= 2
        seen += [t["name"] for t in page["templates"]]
    assert len(seen) == len(set(seen))
    assert [n for n in seen if n.startswith(prefix)] == names

    first = client.list_environment_templates(maxResults=1)
    token = first["nextToken"]
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    assert fails(client.list_environment_templates, maxResults=1, nextToken=tampered)[0] == "ValidationException"

    name = names[0]
    bucket = upload(server, b"x")["bucket"]
    for _ in range(3):  # versions that fail fast (missing objects) still count and list
        client.create_environment_template_version(templateName=name, source={"s3": {"bucket": bucket, "key": "k"}})
    listed = []
    for page in client.get_paginator("list_environment_template_versions").paginate(
        templateName=name, PaginationConfig={"PageSize": 1}
    ):
        listed += [v["majorVersion"] for v in page["templateVersions"]]
    assert listed == ["1", "2", "3"]
    page = client.list_environment_template_versions(templateName=name, maxResults=1)
    other = fails(client.list_environment_template_versions, templateName=names[1], nextToken=page["nextToken"])
    assert other[0] == "ValidationException"


def test_customer_managed_template_takes_a_schema_only_bundle(server: RunningServer) -> None:
    client = proton(server)
    name = new_env_template(server, provisioning="CUSTOMER_MANAGED")
    assert client.get_environment_template(name=name)["environmentTemplate"]["provisioning"] == "CUSTOMER_MANAGED"
    version = new_env_version(server, name, tarball({"schema/schema.yaml": ENV_SCHEMA.format(extra="")}))
    assert version["status"] == "DRAFT", version.get("statusMessage")


def test_sample_bundle_registers(server: RunningServer) -> None:
    data = sample_bundle("environment-templates/fargate-env/v1")
    name = new_env_template(server)
    version = new_env_version(server, name, data)
    assert version["status"] == "DRAFT", version.get("statusMessage")
    assert "FargateEnvironmentInput" in version["schema"]


def test_templates_are_per_region(server: RunningServer) -> None:
    name = new_env_template(server)
    other = server.client("proton", region="eu-west-1")
    assert fails(other.get_environment_template, name=name)[0] == "ResourceNotFoundException"
    assert name not in [t["name"] for t in other.list_environment_templates()["templates"]]
    other.create_environment_template(name=name)  # the same name is free in another region
    assert other.get_environment_template(name=name)["environmentTemplate"]["arn"].split(":")[3] == "eu-west-1"
