"""The local cloud's server (baryon.cloud.moto_server): moto with the fixes a Proton user would otherwise meet."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.platform.conftest import moto_server

ACCOUNT = "123456789012"
TEMPLATE = json.dumps(
    {
        "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}},
        "Outputs": {"TopicArn": {"Value": {"Ref": "Topic"}}},
    }
)


def cloudformation(url: str) -> Any:
    client = boto3.client(
        "cloudformation", endpoint_url=url, region_name="us-east-1",
        aws_access_key_id="test", aws_secret_access_key="test",
    )  # fmt: skip
    client.meta.events.register("before-sign.*.*", lambda request, **_: request.headers.__setitem__(
        "x-moto-account-id", ACCOUNT))  # fmt: skip
    return client


@pytest.fixture(scope="module")
def cfn() -> Any:
    with moto_server() as url:
        yield cloudformation(url)


def test_an_executed_change_set_shows_the_stacks_outputs(cfn: Any) -> None:
    cfn.create_change_set(StackName="with-outputs", ChangeSetName="first", TemplateBody=TEMPLATE,
                          ChangeSetType="CREATE")  # fmt: skip
    cfn.execute_change_set(StackName="with-outputs", ChangeSetName="first")
    stack = cfn.describe_stacks(StackName="with-outputs")["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    assert [o["OutputKey"] for o in stack["Outputs"]] == ["TopicArn"]
    assert stack["Outputs"][0]["OutputValue"].startswith(f"arn:aws:sns:us-east-1:{ACCOUNT}:")


def test_a_create_change_set_for_an_existing_stack_is_refused_as_in_aws(cfn: Any) -> None:
    cfn.create_change_set(StackName="taken", ChangeSetName="one", TemplateBody=TEMPLATE, ChangeSetType="CREATE")
    cfn.execute_change_set(StackName="taken", ChangeSetName="one")
    with pytest.raises(ClientError) as refused:
        cfn.create_change_set(StackName="taken", ChangeSetName="two", TemplateBody=TEMPLATE, ChangeSetType="CREATE")
    error = refused.value.response["Error"]
    assert error["Code"] == "ValidationError"
    assert error["Message"] == "Stack [taken] already exists and cannot be created again with the changeSet [two]."
    stacks = [s for s in cfn.list_stacks()["StackSummaries"] if s["StackName"] == "taken"]
    assert len(stacks) == 1 and stacks[0]["StackStatus"] == "CREATE_COMPLETE"


def test_a_deleted_stacks_name_can_be_created_again(cfn: Any) -> None:
    cfn.create_change_set(StackName="again", ChangeSetName="one", TemplateBody=TEMPLATE, ChangeSetType="CREATE")
    cfn.execute_change_set(StackName="again", ChangeSetName="one")
    cfn.delete_stack(StackName="again")
    cfn.create_change_set(StackName="again", ChangeSetName="two", TemplateBody=TEMPLATE, ChangeSetType="CREATE")
    cfn.execute_change_set(StackName="again", ChangeSetName="two")
    assert cfn.describe_stacks(StackName="again")["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"


def _client(url: str, service: str, keys: dict[str, str]) -> Any:
    return boto3.client(service, endpoint_url=url, region_name="us-east-1", **keys)


def test_a_signed_request_acts_in_the_account_of_its_keys_while_they_exist(cfn: Any) -> None:
    """The server remembers whose access key signed a request; a deleted key no longer names that account."""
    url = cfn.meta.endpoint_url
    owner = "210987654321"
    iam = _client(url, "iam", {"aws_access_key_id": "test", "aws_secret_access_key": "test"})
    iam.meta.events.register("before-sign.*.*", lambda request, **_: request.headers.__setitem__(
        "x-moto-account-id", owner))  # fmt: skip
    iam.create_user(UserName="signer")
    key = iam.create_access_key(UserName="signer")["AccessKey"]
    keys = {"aws_access_key_id": key["AccessKeyId"], "aws_secret_access_key": key["SecretAccessKey"]}
    sts = _client(url, "sts", keys)
    assert [sts.get_caller_identity()["Account"] for _ in range(3)] == [owner] * 3
    iam.delete_access_key(UserName="signer", AccessKeyId=key["AccessKeyId"])
    assert sts.get_caller_identity()["Account"] != owner


DRAIN_PROBE = """
import socket
from baryon.cloud.moto_server import _answer_without_waiting_for_hangup
from werkzeug import serving

_answer_without_waiting_for_hangup()
ours, client = socket.socketpair()
selector = serving.selectors.DefaultSelector()
selector.register(ours, serving.selectors.EVENT_READ)
print(len(selector.select(timeout=None)))  # the client sent nothing more and did not hang up
client.sendall(b"left over")
print(len(selector.select(timeout=None)))  # what has arrived is still drained
"""


def test_after_an_answer_the_server_drains_what_arrived_without_waiting_for_the_client() -> None:
    """werkzeug's handler waits for more of the request after every response; the local cloud's server takes
    what is there and goes on. Unpatched, the first `select` would wait forever (the probe would not end)."""
    probe = subprocess.run([sys.executable, "-c", DRAIN_PROBE], capture_output=True, text=True, timeout=120)
    assert probe.returncode == 0, probe.stderr
    assert probe.stdout.split() == ["0", "1"]


METHODS_PROBE = """
from moto.core import responses, utils
from moto.cloudformation.responses import CloudFormationResponse
from moto.ec2.responses import EC2Response

from baryon.cloud import moto_server

moto_server._list_response_methods_once()
for response_class in (CloudFormationResponse, EC2Response):
    listed = responses.method_names_from_class(response_class)
    again = responses.method_names_from_class(response_class)
    print(listed == set(utils.method_names_from_class(response_class)), listed is again)
"""


def test_the_methods_of_a_response_class_are_listed_once_and_as_moto_lists_them() -> None:
    """moto checks every request's action against the methods of its service's response class, listing them
    with `inspect.getmembers` each time (half a millisecond for EC2's); the local cloud lists each class once."""
    probe = subprocess.run([sys.executable, "-c", METHODS_PROBE], capture_output=True, text=True, timeout=120)
    assert probe.returncode == 0, probe.stderr
    assert probe.stdout.split() == ["True", "True", "True", "True"]
