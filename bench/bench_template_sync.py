"""Template sync at scale: one Git commit adds 50 environment templates x 3 major versions (150 bundles); time
from the commit until every version is listed DRAFT, against the floor of the same work measured in the same
run (the machine is shared and noisy, so the ratio is what counts).

* sync: a real `baryon up` (SQLite, or PostgreSQL with `--store postgres`) whose template sync runs every
  second follows a `file://` host; 50 templates and 50 template sync configs are created through boto3 and
  the initial commit (a README) is fetched before the clock starts. Then one commit adds
  `templates/<name>/v{1,2,3}/` for all 50, and the clock runs until ListEnvironmentTemplateVersions shows
  all 150 versions DRAFT (the wait for the next sync tick, up to 1 s, is included). The server builds
  cfn-lint's rules once per process, on its first sync pass (here the initial commit's), before the clock.
  Also printed: the server's CPU seconds in that window (less sensitive to a busy machine than wall time).
* floor: the pure per-bundle registration check the sync can't avoid, in this process, sequentially:
  `bundle_from_files` + `check_bundle` (schema, manifest, Jinja references, sample rendering, cfn-lint) on the
  same 150 bundles, with cfn-lint's rules already built (their one-time build is printed separately). No
  database, no Git, no HTTP: everything the sync adds on top is overhead.

Prints both times, the ratio sync / floor and whether the goal (all registered in <= 10 s) is met.
Run: `python bench/bench_template_sync.py [--store sqlite|postgres] [--templates 50] [--majors 3]`.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import time
from pathlib import Path
from typing import Any

from dulwich import porcelain
from dulwich.repo import Repo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from baryon.templates import TemplateKind, bundle_from_files, check_bundle
from tests.servers import running_server

GOAL_SECONDS = 10.0
OWNER = "acme"

SCHEMA = """schema:
  format:
    openapi: "3.0.0"
  environment_input_type: "{type_name}"
  types:
    {type_name}:
      type: object
      description: "Inputs of the {name} environment, major version {major}"
      properties:
        vpc_cidr:
          type: string
          description: "The CIDR range of the VPC"
          default: 10.{octet}.0.0/16
          pattern: ([0-9]{{1,3}}\\.){{3}}[0-9]{{1,3}}($|/(16|18|24))
        public_subnet_one_cidr:
          type: string
          description: "The CIDR range of public subnet one"
          default: 10.{octet}.0.0/18
        public_subnet_two_cidr:
          type: string
          description: "The CIDR range of public subnet two"
          default: 10.{octet}.64.0/18
        team:
          type: string
          description: "The team that owns the environment"
          default: platform-{index}
{extra_inputs}"""

PRIVATE_INPUT = """        private_subnet_cidr:
          type: string
          description: "The CIDR range of the private subnet"
          default: 10.{octet}.128.0/18
"""

LOG_INPUT = """        log_retention_days:
          type: number
          description: "How long the environment's logs are kept"
          default: {days}
"""

MANIFEST = """infrastructure:
  templates:
    - file: "cloudformation.yaml"
      rendering_engine: jinja
      template_language: cloudformation
"""

CFN = """AWSTemplateFormatVersion: '2010-09-09'
Description: {name} v{major} - a VPC with two public subnets for {{{{ environment.name }}}}.
Mappings:
  SubnetConfig:
    VPC:
      CIDR: '{{{{ environment.inputs.vpc_cidr }}}}'
    Public1:
      CIDR: '{{{{ environment.inputs.public_subnet_one_cidr }}}}'
    Public2:
      CIDR: '{{{{ environment.inputs.public_subnet_two_cidr }}}}'
Resources:
  VPC:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: !FindInMap [SubnetConfig, VPC, CIDR]
      EnableDnsHostnames: true
      EnableDnsSupport: true
      Tags:
        - Key: team
          Value: '{{{{ environment.inputs.team }}}}'
  InternetGateway:
    Type: AWS::EC2::InternetGateway
  GatewayAttachment:
    Type: AWS::EC2::VPCGatewayAttachment
    Properties:
      VpcId: !Ref VPC
      InternetGatewayId: !Ref InternetGateway
  PublicRouteTable:
    Type: AWS::EC2::RouteTable
    Properties:
      VpcId: !Ref VPC
  PublicRoute:
    Type: AWS::EC2::Route
    DependsOn: GatewayAttachment
    Properties:
      RouteTableId: !Ref PublicRouteTable
      DestinationCidrBlock: 0.0.0.0/0
      GatewayId: !Ref InternetGateway
  PublicSubnetOne:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref VPC
      CidrBlock: !FindInMap [SubnetConfig, Public1, CIDR]
      AvailabilityZone: !Select [0, !GetAZs '']
      MapPublicIpOnLaunch: true
  PublicSubnetOneRouteTableAssociation:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties:
      SubnetId: !Ref PublicSubnetOne
      RouteTableId: !Ref PublicRouteTable
  PublicSubnetTwo:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref VPC
      CidrBlock: !FindInMap [SubnetConfig, Public2, CIDR]
      AvailabilityZone: !Select [1, !GetAZs '']
      MapPublicIpOnLaunch: true
  PublicSubnetTwoRouteTableAssociation:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties:
      SubnetId: !Ref PublicSubnetTwo
      RouteTableId: !Ref PublicRouteTable
  ContainerSecurityGroup:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: Access to the containers of {name}
      VpcId: !Ref VPC
{extra_resources}Outputs:
  VpcId:
    Value: !Ref VPC
  PublicSubnetOneId:
    Value: !Ref PublicSubnetOne
  PublicSubnetTwoId:
    Value: !Ref PublicSubnetTwo
  SecurityGroupId:
    Value: !GetAtt ContainerSecurityGroup.GroupId
{extra_outputs}"""

PRIVATE_RESOURCES = """  PrivateSubnet:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref VPC
      CidrBlock: '{{ environment.inputs.private_subnet_cidr }}'
      AvailabilityZone: !Select [0, !GetAZs '']
  PrivateRouteTable:
    Type: AWS::EC2::RouteTable
    Properties:
      VpcId: !Ref VPC
  PrivateSubnetRouteTableAssociation:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties:
      SubnetId: !Ref PrivateSubnet
      RouteTableId: !Ref PrivateRouteTable
"""

LOG_RESOURCES = """  EnvironmentLogGroup:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: '/proton/{{ environment.name }}'
      RetentionInDays: {{ environment.inputs.log_retention_days }}
"""


def bundle(name: str, index: int, major: int) -> dict[str, str]:
    """The three files of `name`'s major version `major`: each template and major differs (names, defaults,
    descriptions), v2 adds a private subnet, v3 also a log group."""
    octet = index % 250
    inputs, resources, outputs = "", "", ""
    if major >= 2:
        inputs += PRIVATE_INPUT.format(octet=octet)
        resources += PRIVATE_RESOURCES
        outputs += "  PrivateSubnetId:\n    Value: !Ref PrivateSubnet\n"
    if major >= 3:
        inputs += LOG_INPUT.format(days=(7, 14, 30, 90)[index % 4])
        resources += LOG_RESOURCES
        outputs += "  LogGroupName:\n    Value: !Ref EnvironmentLogGroup\n"
    type_name = f"Env{index}V{major}Input"
    return {
        "schema/schema.yaml": SCHEMA.format(
            type_name=type_name, name=name, major=major, octet=octet, index=index, extra_inputs=inputs
        ),
        "infrastructure/manifest.yaml": MANIFEST,
        "infrastructure/cloudformation.yaml": CFN.format(
            name=name, major=major, extra_resources=resources, extra_outputs=outputs
        ),
    }


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of process `pid` so far (Linux); None where /proc is not there."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def floor_seconds(bundles: list[dict[str, str]]) -> tuple[float, float]:
    """The per-bundle checks alone, sequentially, warm (cfn-lint's rules built by a first, untimed check):
    wall-clock and CPU seconds."""
    started = time.perf_counter()
    check_bundle(bundle_from_files({p: t.encode() for p, t in bundles[0].items()}), TemplateKind.ENVIRONMENT)
    print(f"floor: first (cold) check, building cfn-lint's rules: {time.perf_counter() - started:.2f} s (untimed)")
    started, cpu = time.perf_counter(), time.process_time()
    for files in bundles:
        checked = check_bundle(bundle_from_files({p: t.encode() for p, t in files.items()}), TemplateKind.ENVIRONMENT)
        assert checked.schema is not None
    return time.perf_counter() - started, time.process_time() - cpu


def commit(repo_dir: Path, files: dict[str, str], message: str) -> str:
    for path, text in files.items():
        target = repo_dir / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    porcelain.add(str(repo_dir), paths=[str(repo_dir / p) for p in files])
    sha = porcelain.commit(
        str(repo_dir), message=message.encode(), author=b"B <b@example.com>", committer=b"B <b@example.com>"
    )
    return sha.decode()


def wait(probe: Any, what: str, timeout: float, interval: float = 0.2) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(interval)
    raise SystemExit(f"timed out after {timeout:g} s waiting for {what}")


def link(server: Any, endpoint: str, repository: str) -> None:
    cs = server.client("codestar-connections")
    host = cs.create_host(
        Name=f"h-{secrets.token_hex(3)}", ProviderType="GitHubEnterpriseServer", ProviderEndpoint=endpoint
    )
    connection = cs.create_connection(ConnectionName=f"c-{secrets.token_hex(3)}", HostArn=host["HostArn"])
    server.client("proton").create_repository(
        provider="GITHUB_ENTERPRISE", name=repository, connectionArn=connection["ConnectionArn"]
    )


def fetched(proton: Any, repository: str, sha: str) -> bool:
    status = proton.get_repository_sync_status(
        repositoryName=repository, repositoryProvider="GITHUB_ENTERPRISE", branch="master", syncType="TEMPLATE_SYNC"
    )
    return any(e.get("externalId") == sha for e in status.get("latestSync", {}).get("events", []))


def sync_seconds(
    store: str, names: list[str], majors: int, bundles: dict[tuple[str, int], dict[str, str]]
) -> tuple[float, float | None]:
    """Wall-clock seconds from the commit until every version is DRAFT, and the server's CPU seconds meanwhile
    (its sync, plus answering the polls)."""
    # template sync reads bundles from Git, not from an account cloud: the server starts none
    with running_server(store, {"BARYON_SYNC_INTERVAL_SECONDS": "1", "BARYON_LOCAL_CLOUD_URL": ""}) as server:
        proton = server.client("proton")
        repo_name = f"templates-{secrets.token_hex(3)}"
        repository = f"{OWNER}/{repo_name}"
        repo_dir = server.home / "git" / OWNER / repo_name
        repo_dir.mkdir(parents=True)
        porcelain.init(str(repo_dir)).close()
        start_sha = commit(repo_dir, {"README.md": "environment templates\n"}, "start")
        branch = Repo(str(repo_dir)).refs.follow(b"HEAD")[0][-1].decode().removeprefix("refs/heads/")
        link(server, f"file://{server.home / 'git'}", repository)
        for name in names:
            proton.create_environment_template(name=name)
            proton.create_template_sync_config(
                templateName=name, templateType="ENVIRONMENT", repositoryName=repository,
                repositoryProvider="GITHUB_ENTERPRISE", branch=branch, subdirectory="templates",
            )  # fmt: skip
        wait(lambda: fetched(proton, repository, start_sha), "the initial commit fetched", 60)
        files = {
            f"templates/{name}/v{major}/{path}": text
            for (name, major), bundle_files in bundles.items()
            for path, text in bundle_files.items()
        }
        commit(repo_dir, files, f"{len(names)} templates x {majors} majors")
        assert server.process is not None
        started, cpu = time.perf_counter(), cpu_seconds(server.process.pid)
        pending = list(names)

        def all_registered() -> bool:
            # templates sync in order: ask only about the first one not done yet (a poll costs the server
            # some of the CPU the sync needs), move on once it is
            while pending:
                listed = proton.list_environment_template_versions(templateName=pending[0])["templateVersions"]
                failed = [v for v in listed if v["status"] == "REGISTRATION_FAILED"]
                if failed:
                    raise SystemExit(f"{pending[0]}: {failed[0].get('statusMessage')}")
                if sum(v["status"] == "DRAFT" for v in listed) < majors:
                    return False
                pending.pop(0)
            return True

        wait(all_registered, f"{len(bundles)} versions DRAFT", 180, 0.25)
        elapsed, cpu_after = time.perf_counter() - started, cpu_seconds(server.process.pid)
        total = sum(len(proton.list_environment_template_versions(templateName=n)["templateVersions"]) for n in names)
        assert total == len(bundles), f"{total} versions listed, {len(bundles)} expected"
        return elapsed, None if cpu is None or cpu_after is None else cpu_after - cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--store", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--templates", type=int, default=50)
    parser.add_argument("--majors", type=int, default=3)
    args = parser.parse_args()
    tag = secrets.token_hex(2)
    names = [f"env-{tag}-{index:03d}" for index in range(args.templates)]
    bundles = {
        (name, major): bundle(name, index, major)
        for index, name in enumerate(names)
        for major in range(1, args.majors + 1)
    }
    floor, floor_cpu = floor_seconds(list(bundles.values()))
    each = 1000 * floor / len(bundles)
    print(f"floor: {len(bundles)} bundles checked in process: {floor:6.2f} s ({each:.1f} ms each), CPU {floor_cpu:.2f}")
    synced, synced_cpu = sync_seconds(args.store, names, args.majors, bundles)
    cpu = "" if synced_cpu is None else f", server CPU {synced_cpu:.2f} s ({synced_cpu / floor_cpu:.2f}x the floor's)"
    print(f"sync ({args.store}): commit -> {len(bundles)} versions DRAFT: {synced:6.2f} s{cpu}")
    verdict = "met" if synced <= GOAL_SECONDS else "MISSED"
    print(f"ratio sync/floor = {synced / floor:.2f}; goal <= {GOAL_SECONDS:g} s {verdict}")


if __name__ == "__main__":
    main()
