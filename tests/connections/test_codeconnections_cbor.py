"""CodeConnections over Smithy RPC v2 CBOR, with botocore's own CBOR serializer and parser.

botocore's codeconnections model lists `protocols: ['smithy-rpc-v2-cbor', 'json']`, but botocore resolves a
client's protocol by its own priority order, which (1.44) still puts `json` first: a stock client speaks
awsJson today. To drive the CBOR path with stock botocore code, `cbor_models` writes the installed model with
`protocols` narrowed to `['smithy-rpc-v2-cbor']` into a data directory that a botocore session (or the CLI,
through `AWS_DATA_PATH`) reads first. Every response is checked to really be CBOR.
"""

from __future__ import annotations

import json
import secrets
import subprocess
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import botocore.session
import cbor2
import pytest
from botocore import UNSIGNED
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.loaders import Loader
from botocore.parsers import create_parser
from botocore.serialize import create_serializer

from baryon.edge.errors import SerializationFailed, ValidationFailed
from baryon.edge.protocols import cbor_codec
from baryon.edge.protocols.spec import load_service
from tests.identity.helpers import error, user_with_key
from tests.servers import CLIENT_CONFIG, RunningServer

CBOR = "smithy-rpc-v2-cbor"
SERVICE_PATH = "/service/com.amazonaws.codeconnections.CodeConnections_20231201/operation/"


def _name(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(4)}"


@pytest.fixture(scope="module")
def cbor_models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A botocore data directory whose codeconnections model offers RPC v2 CBOR only."""
    model = Loader().load_service_model("codeconnections", "service-2")
    model["metadata"]["protocols"] = [CBOR]
    root = tmp_path_factory.mktemp("models")
    version = root / "codeconnections" / model["metadata"]["apiVersion"]
    version.mkdir(parents=True)
    (version / "service-2.json").write_text(json.dumps(model))
    return root


def cbor_client(
    server: RunningServer, models: Path, credentials: dict[str, str] | None = None, config: Config = CLIENT_CONFIG
) -> Any:
    session = botocore.session.Session()
    session.register_component("data_loader", Loader(extra_search_paths=[str(models)]))
    creds = credentials or server.admin
    client = boto3.session.Session(botocore_session=session).client(
        "codeconnections",
        endpoint_url=server.endpoint,
        region_name=server.region,
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        config=config,
    )
    assert client.meta.service_model.resolved_protocol == CBOR
    return client


def _is_cbor(response: dict[str, Any]) -> bool:
    headers = response["ResponseMetadata"]["HTTPHeaders"]
    return headers.get("content-type") == "application/cbor" and headers.get("smithy-protocol") == "rpc-v2-cbor"


def test_stock_client_works_whatever_protocol_botocore_picks(server: RunningServer) -> None:
    client = server.client("codeconnections")
    model = client.meta.service_model
    assert model.protocol == CBOR and CBOR in model.protocols
    listed = client.list_hosts()
    assert _is_cbor(listed) == (model.resolved_protocol == CBOR)
    assert "Hosts" in server.aws_json("codeconnections", "list-hosts")


def test_hosts_connections_and_tags_over_cbor(server: RunningServer, cbor_models: Path) -> None:
    client = cbor_client(server, cbor_models)
    responses: list[dict[str, Any]] = []

    def call(method: Callable[..., dict[str, Any]], **params: Any) -> dict[str, Any]:
        responses.append(method(**params))
        return responses[-1]

    name = _name("ghes")
    host_arn = call(
        client.create_host,
        Name=name,
        ProviderType="GitHubEnterpriseServer",
        ProviderEndpoint="https://git.example.com",
        Tags=[{"Key": "team", "Value": "platform"}],
    )["HostArn"]
    assert host_arn.startswith(f"arn:aws:codeconnections:{server.region}:{server.account_id}:host/{name}-")
    host = call(client.get_host, HostArn=host_arn)
    assert (host["Name"], host["Status"], host["ProviderEndpoint"]) == (name, "AVAILABLE", "https://git.example.com")
    assert host_arn in [h["HostArn"] for h in call(client.list_hosts)["Hosts"]]

    conn_name = _name("c")
    conn_arn = call(client.create_connection, ConnectionName=conn_name, HostArn=host_arn)["ConnectionArn"]
    connection = call(client.get_connection, ConnectionArn=conn_arn)["Connection"]
    assert connection["ConnectionStatus"] == "AVAILABLE" and connection["HostArn"] == host_arn
    assert connection["ProviderType"] == "GitHubEnterpriseServer" and connection["OwnerAccountId"] == server.account_id
    listed = call(client.list_connections, HostArnFilter=host_arn)["Connections"]
    assert [c["ConnectionName"] for c in listed] == [conn_name]

    call(client.tag_resource, ResourceArn=conn_arn, Tags=[{"Key": "b", "Value": "2"}, {"Key": "a", "Value": "1"}])
    call(client.untag_resource, ResourceArn=conn_arn, TagKeys=["b"])
    assert call(client.list_tags_for_resource, ResourceArn=conn_arn)["Tags"] == [{"Key": "a", "Value": "1"}]

    assert error(client.delete_host, HostArn=host_arn)["Code"] == "ResourceUnavailableException"
    call(client.delete_connection, ConnectionArn=conn_arn)
    call(client.delete_host, HostArn=host_arn)
    assert error(client.get_host, HostArn=host_arn)["Code"] == "ResourceNotFoundException"
    assert all(_is_cbor(response) for response in responses)


def test_errors_over_cbor(server: RunningServer, cbor_models: Path) -> None:
    client = cbor_client(server, cbor_models)
    missing = f"arn:aws:codeconnections:{server.region}:{server.account_id}:connection/{secrets.token_hex(8)}"
    assert error(client.get_connection, ConnectionArn=missing)["Code"] == "ResourceNotFoundException"
    invalid = error(client.create_connection, ConnectionName="x" * 33, ProviderType="GitHub")
    assert (invalid["Code"], invalid["Status"]) == ("ValidationException", 400)
    assert "at 'connectionName' failed to satisfy constraint" in invalid["Message"]

    unsigned = cbor_client(server, cbor_models, config=CLIENT_CONFIG.merge(Config(signature_version=UNSIGNED)))
    assert error(unsigned.list_hosts)["Code"] == "MissingAuthenticationTokenException"
    wrong_secret = {**server.admin, "SecretAccessKey": "x" * 40}
    bad = error(cbor_client(server, cbor_models, wrong_secret).list_hosts)
    assert (bad["Code"], bad["Status"]) == ("InvalidSignatureException", 403)
    unknown = {"AccessKeyId": "AKIA" + "Z" * 16, "SecretAccessKey": "x" * 40}
    assert error(cbor_client(server, cbor_models, unknown).list_hosts)["Code"] == "UnrecognizedClientException"

    _, nobody = user_with_key(server)
    denied = error(cbor_client(server, cbor_models, nobody).list_hosts)
    assert (denied["Code"], denied["Status"]) == ("AccessDeniedException", 403)


def _signed(server: RunningServer, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, str], Any]:
    """POST a SigV4-signed request as given; (status, headers, decoded CBOR body)."""
    request = AWSRequest("POST", server.endpoint + path, data=body, headers=headers)
    credentials = Credentials(server.admin["AccessKeyId"], server.admin["SecretAccessKey"])
    SigV4Auth(credentials, "codeconnections", server.region).add_auth(request)
    prepared = request.prepare()
    raw = urllib.request.Request(prepared.url, data=body, headers=dict(prepared.headers), method="POST")
    try:
        with urllib.request.urlopen(raw, timeout=30) as response:
            return response.status, dict(response.headers), cbor2.loads(response.read())
    except urllib.error.HTTPError as failure:
        return failure.code, dict(failure.headers), cbor2.loads(failure.read())


def test_raw_rpc_v2_requests(server: RunningServer) -> None:
    cbor_headers = {"smithy-protocol": "rpc-v2-cbor", "Content-Type": "application/cbor", "Accept": "application/cbor"}
    # The protocol's own clients send only the service shape's name; botocore sends the dotted absolute ID.
    status, headers, body = _signed(server, "/service/CodeConnections_20231201/operation/ListHosts", b"", cbor_headers)
    assert status == 200 and headers["smithy-protocol"] == "rpc-v2-cbor" and "Hosts" in body

    status, _, body = _signed(server, SERVICE_PATH + "ListHosts", b"\xa1\x61", cbor_headers)
    assert status == 400 and body["__type"] == "SerializationException"
    status, _, body = _signed(server, SERVICE_PATH + "ListHosts", cbor2.dumps({"MaxResults": 2**70}), cbor_headers)
    assert status == 400 and body["__type"] == "SerializationException"
    status, _, body = _signed(server, SERVICE_PATH + "GetHost", cbor2.dumps({"HostArn": 7}), cbor_headers)
    assert (status, body["__type"]) == (400, "ValidationException")  # not in the model: a bare code
    missing = f"arn:aws:codeconnections:{server.region}:{server.account_id}:host/gone-{secrets.token_hex(4)}"
    status, _, body = _signed(server, SERVICE_PATH + "GetHost", cbor2.dumps({"HostArn": missing}), cbor_headers)
    assert body["__type"] == "com.amazonaws.codeconnections#ResourceNotFoundException"  # modeled: the shape ID
    assert "does not exist" in body["Message"]
    status, _, body = _signed(server, SERVICE_PATH + "Nope", b"", cbor_headers)
    assert (status, body["__type"]) == (400, "UnknownOperationException")
    target = {**cbor_headers, "X-Amz-Target": "com.amazonaws.codeconnections.CodeConnections_20231201.ListHosts"}
    status, _, _ = _signed(server, SERVICE_PATH + "ListHosts", b"", target)
    assert status == 400


def test_cli_over_cbor(server: RunningServer, cbor_models: Path) -> None:
    command = ["aws", "--profile", "baryon", "--debug", "codeconnections", "list-hosts"]
    env = {**server.env, "AWS_DATA_PATH": str(cbor_models)}
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "smithy-protocol" in result.stderr and SERVICE_PATH + "ListHosts" in result.stderr
    assert isinstance(json.loads(result.stdout)["Hosts"], list)


# -- the codec, without a server -------------------------------------------------------------------------------


def test_codec_reads_botocore_requests_and_botocore_reads_its_responses() -> None:
    organizations = load_service("organizations").model.operation_model("InviteOrganizationToTransferResponsibility")
    start = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    target = {"Id": "123456789012", "Type": "ACCOUNT"}
    params = {"Type": "BILLING", "Target": target, "StartTimestamp": start, "SourceName": "payer"}
    sent = create_serializer(CBOR).serialize_to_request(params, organizations)
    assert sent["url_path"].startswith("/service/") and sent["headers"]["smithy-protocol"] == "rpc-v2-cbor"
    assert cbor_codec.decode_request(organizations, sent["body"])["StartTimestamp"] == start

    status = load_service("codeconnections").model.operation_model("GetRepositorySyncStatus")
    started = datetime(2026, 5, 6, 7, 8, 9, 250000, tzinfo=UTC)
    result = {"LatestSync": {"StartedAt": started, "Status": "SUCCEEDED", "Events": [], "Ignored": 1}}
    body = cbor_codec.encode_response(status, result)
    parsed = create_parser(CBOR).parse({"body": body, "headers": {}, "status_code": 200}, status.output_shape)
    assert parsed["LatestSync"] == {"StartedAt": started, "Status": "SUCCEEDED", "Events": []}


@pytest.mark.parametrize(
    "body",
    [
        b"\xff",  # a break with nothing open
        b"\xa0\xa0",  # data after the map
        b"\x80",  # an array, not a map
        b"\xa1\x01\x02",  # an integer key
        b"\xa2\x61a\x01\x61a\x02",  # a repeated key
        b"\xd8\x1c\x81\xd8\x1d\x00",  # an array that contains itself (shared references)
        cbor2.dumps({"HostArn": cbor2.CBORTag(2, b"\xff" * 4000)}),  # a bignum
        b"\x81" * 200 + b"\xa0",  # nested too deeply
    ],
)
def test_codec_refuses_what_no_model_shape_takes(body: bytes) -> None:
    operation = load_service("codeconnections").model.operation_model("GetHost")
    with pytest.raises((SerializationFailed, ValidationFailed)):
        cbor_codec.decode_request(operation, body)


def test_codec_reads_undefined_as_null_and_an_empty_body_as_no_input() -> None:
    operation = load_service("codeconnections").model.operation_model("ListHosts")
    assert cbor_codec.decode_request(operation, b"") == {}
    assert cbor_codec.decode_request(operation, b"\xa1\x69NextToken\xf7") == {}
