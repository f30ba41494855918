"""CodeStar Connections and CodeConnections through the AWS CLI and boto3: hosts, connections, tags."""

from __future__ import annotations

import json
import secrets

import pytest
from botocore.exceptions import ClientError

from tests.servers import RunningServer


def _name(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(4)}"


def test_host_and_connection_through_the_cli(server: RunningServer, tmp_path: object) -> None:
    name = _name("ghes")
    # The CLI reads a `file://` parameter as a file to load, so a user passes the endpoint in --cli-input-json.
    endpoint = json.dumps({"ProviderEndpoint": f"file://{tmp_path}"})
    host = server.aws_json(
        "codestar-connections", "create-host", "--name", name, "--provider-type", "GitHubEnterpriseServer",
        "--cli-input-json", endpoint, "--tags", "Key=team,Value=platform",
    )  # fmt: skip
    host_arn = host["HostArn"]
    assert host_arn.startswith(f"arn:aws:codestar-connections:{server.region}:{server.account_id}:host/{name}-")
    got = server.aws_json("codestar-connections", "get-host", "--host-arn", host_arn)
    assert got["Status"] == "AVAILABLE" and got["ProviderEndpoint"] == f"file://{tmp_path}"

    conn_name = _name("c")
    created = server.aws_json(
        "codestar-connections", "create-connection", "--connection-name", conn_name, "--host-arn", host_arn
    )
    connection = server.aws_json(
        "codestar-connections", "get-connection", "--connection-arn", created["ConnectionArn"]
    )["Connection"]
    assert connection["ConnectionStatus"] == "AVAILABLE"
    assert connection["ProviderType"] == "GitHubEnterpriseServer" and connection["HostArn"] == host_arn
    assert connection["OwnerAccountId"] == server.account_id

    listed = server.aws_json("codestar-connections", "list-connections", "--host-arn-filter", host_arn)
    assert [c["ConnectionName"] for c in listed["Connections"]] == [conn_name]
    hosts = server.aws_json("codestar-connections", "list-hosts")["Hosts"]
    assert host_arn in [h["HostArn"] for h in hosts]

    client = server.client("codestar-connections")
    with pytest.raises(ClientError) as busy:
        client.delete_host(HostArn=host_arn)
    assert busy.value.response["Error"]["Code"] == "ResourceUnavailableException"
    server.aws("codestar-connections", "delete-connection", "--connection-arn", created["ConnectionArn"])
    server.aws("codestar-connections", "delete-host", "--host-arn", host_arn)
    with pytest.raises(ClientError) as gone:
        client.get_host(HostArn=host_arn)
    assert gone.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_public_provider_connection_is_pending(server: RunningServer) -> None:
    client = server.client("codestar-connections")
    name = _name("gh")
    arn = client.create_connection(ProviderType="GitHub", ConnectionName=name)["ConnectionArn"]
    connection = client.get_connection(ConnectionArn=arn)["Connection"]
    assert connection["ConnectionStatus"] == "PENDING" and "HostArn" not in connection
    with pytest.raises(ClientError) as again:
        client.create_connection(ProviderType="GitHub", ConnectionName=name)
    assert again.value.response["Error"]["Code"] == "ResourceUnavailableException"
    names = [c["ConnectionName"] for c in client.list_connections(ProviderTypeFilter="GitHub")["Connections"]]
    assert name in names
    client.delete_connection(ConnectionArn=arn)


def test_tags_and_paging(server: RunningServer) -> None:
    client = server.client("codestar-connections")
    arns = [
        client.create_connection(ProviderType="Bitbucket", ConnectionName=_name("bb"))["ConnectionArn"]
        for _ in range(3)
    ]
    client.tag_resource(ResourceArn=arns[0], Tags=[{"Key": "b", "Value": "2"}, {"Key": "a", "Value": "1"}])
    client.untag_resource(ResourceArn=arns[0], TagKeys=["b"])
    assert client.list_tags_for_resource(ResourceArn=arns[0])["Tags"] == [{"Key": "a", "Value": "1"}]
    seen: list[str] = []
    params = {"ProviderTypeFilter": "Bitbucket", "MaxResults": 1}
    while True:
        page = client.list_connections(**params)
        assert len(page["Connections"]) <= 1
        seen += [c["ConnectionArn"] for c in page["Connections"]]
        if "NextToken" not in page:
            break
        params["NextToken"] = page["NextToken"]
    assert set(arns) <= set(seen) and len(seen) == len(set(seen))
    for arn in arns:
        client.delete_connection(ConnectionArn=arn)
    with pytest.raises(ClientError) as gone:
        client.list_tags_for_resource(ResourceArn=arns[0])
    assert gone.value.response["Error"]["Code"] == "ResourceNotFoundException"
