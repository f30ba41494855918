"""Sessions into an account's cloud (baryon.provisioning.clouds), against moto as the local cloud runs it."""

from __future__ import annotations

import json
from collections.abc import Iterator

import boto3
import pytest

from baryon.provisioning.clouds import LOCAL, ROLE_SESSIONS, SESSION_NAME, Cloud, RoleRefused
from tests.platform.conftest import moto_server

TRUSTS_PROTON = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "proton.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


@pytest.fixture(scope="module")
def cloud() -> Iterator[Cloud]:
    with moto_server() as url:
        yield Cloud(LOCAL, url, "us-east-1")


def role(cloud: Cloud, account: str, name: str, trust: dict[str, object]) -> str:
    iam = boto3.client("iam", endpoint_url=cloud.endpoint_url, region_name="us-east-1",
                       aws_access_key_id="test", aws_secret_access_key="test")  # fmt: skip
    iam.meta.events.register("before-sign.*.*", lambda request, **_: request.headers.__setitem__(
        "x-moto-account-id", account))  # fmt: skip
    return str(iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"])


def test_each_role_sessions_calls_act_in_its_own_account(cloud: Cloud) -> None:
    first = cloud.assume(role(cloud, "111111111111", "Deployer", TRUSTS_PROTON))
    second = cloud.assume(role(cloud, "222222222222", "Deployer", TRUSTS_PROTON))
    who = {
        session.access_key_id: cloud.client(session, "sts").get_caller_identity()["Arn"]
        for session in (first, second, first)
    }
    assert who == {
        first.access_key_id: f"arn:aws:sts::111111111111:assumed-role/Deployer/{SESSION_NAME}",
        second.access_key_id: f"arn:aws:sts::222222222222:assumed-role/Deployer/{SESSION_NAME}",
    }


def test_a_session_is_reused_until_near_its_expiry(cloud: Cloud) -> None:
    arn = role(cloud, "333333333333", "Reused", TRUSTS_PROTON)
    assert cloud.assume(arn) == cloud.assume(arn)


def test_the_shared_client_never_signs_without_a_session(cloud: Cloud) -> None:
    session = cloud.assume(role(cloud, "444444444444", "Guarded", TRUSTS_PROTON))
    with pytest.raises(AttributeError):
        cloud.client(session, "cloudformation").get_paginator("describe_stack_events")
    shared = cloud.client(ROLE_SESSIONS, "sts")
    with pytest.raises(RuntimeError, match="without its session"):
        shared.get_caller_identity()


def test_a_role_that_does_not_trust_proton_is_refused(cloud: Cloud) -> None:
    distrust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}  # fmt: skip
    arn = role(cloud, "555555555555", "NotProtons", distrust)
    with pytest.raises(RoleRefused, match=r"does not allow proton\.amazonaws\.com"):
        cloud.verify(arn)
    with pytest.raises(RoleRefused, match="does not exist"):
        cloud.verify("arn:aws:iam::555555555555:role/Missing")
