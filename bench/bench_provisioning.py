"""Provisioning throughput: environments created through Baryon's Proton API into the local cloud (moto's server,
as Baryon runs it) against a plain boto3 loop creating the same rendered stacks directly in that cloud, with the
same concurrency, in the same run.

Layout (default 200 environments, 20 member accounts, 8 workers): every stack lands in a member account's
cloud, 10 per account. Proton allows at most 5 environment account connections per environment account
(`baryon.platform.account_connections.QUOTA`, one per management account and environment name), so each
member account holds 5 environments of the management account through 5 CONNECTED connections, and provisions
the rest as its own environments (created by the member's administrator from the member's own copy of the
template with `protonServiceRoleArn`, Proton's way for an environment in its own account). Both paths assume
the same Proton-trusted role of the member account. The bundle: a VPC, two subnets (`Fn::Cidr`, `Fn::GetAZs`),
a security group and an ECS cluster, with four outputs.

Setup (not timed) ends with one AssumeRole and one CloudFormation call as the role per account, in both
clouds: moto imports its CloudFormation modules and builds every account's IAM backends on the first ones.

Part A (timed from the first CreateEnvironment to the last deployment's settle time, as the server reports
it): `--workers` client threads submit CreateEnvironment; Baryon runs `BARYON_PROVISIONING_WORKERS=--workers`
workers and brings all to SUCCEEDED (role checks, render, local fixes, guardrails, the stack through a change
set, outputs/resources/events read back).

Part B, on a fresh cloud server: `--workers` threads take the templates Baryon sent (read back from part A's
stacks with GetTemplate) and, per stack, CreateStack with the same tags and capabilities, DescribeStacks until
CREATE_COMPLETE (with its outputs) and DescribeStackResources, in the same accounts: through moto's account
header (default), or with `--direct-auth assume` as the member's Proton role, assumed for every stack (Baryon
assumes it once per role and reuses the session, as an SDK's assume-role credentials do).

Part C, the floor, on another fresh cloud: `--workers` threads make, per stack, the cloud calls Baryon makes
for it, with no control plane in between: CreateChangeSet and ExecuteChangeSet (the issue asks for a change
set) as the member's Proton role (assumed once per role and reused, as Baryon does), DescribeStacks until done,
DescribeStackResources. No control plane can be faster than this; floor / direct is what the cloud itself
charges for Baryon's way of deploying, Baryon / floor what the control plane adds.

A round is parts A, B and C, each on fresh servers (Baryon's setup is redone too); `--rounds` of them (default
3) run one after another, and the verdict is the median of the rounds' ratios: on this shared machine one pair
of wall times swings by a third between runs of the same code, more than the gap the goal is about.

Prints, per round, the wall times, deployments per second, the ratio Baryon / direct, floor / direct, Baryon /
floor, and the control plane's CPU share during part A: Baryon's CPU seconds / (Baryon's + the cloud's), from
/proc/PID/stat; then each of the three ratios by round with its median, and the verdict: the median of Baryon /
direct (goal <= 1.3).

Run: `python bench/bench_provisioning.py [--environments 200 --accounts 20 --workers 8] [--rounds 3] [--quick]
[--direct-auth header|assume] [--py-spy OUT] [--py-spy-moto OUT] [--py-spy-mode cpu|wall]` (profiles record
round 1's part A; a .txt profile is py-spy's raw collapsed stacks, .json speedscope, anything else a flame
graph SVG). About 100 s a round.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from baryon.platform.account_connections import QUOTA  # noqa: E402
from baryon.provisioning.stacks import CAPABILITIES  # noqa: E402
from tests.platform.conftest import Moto, moto_process  # noqa: E402
from tests.platform.helpers import tarball  # noqa: E402
from tests.servers import RunningServer, running_server  # noqa: E402

REGION = "us-east-1"
CLOUD_MODULE = "baryon.cloud.moto_server"
"""What runs both clouds: moto as Baryon runs it for the local cloud (`moto.server` is plain moto)."""
GOAL = 1.3
CLIENT = Config(retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=10, read_timeout=120)
MOTO_KEY = "bench"
WATCH_SECONDS = 2.0
"""How often part A lists the environments: the end time is the server's own settle time, so watching needs no
precision, and each round lists every owner's environments through the same server it measures."""
TRUSTS_PROTON = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "proton.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}

SCHEMA = """schema:
  format:
    openapi: "3.0.0"
  environment_input_type: "BenchEnvInput"
  types:
    BenchEnvInput:
      type: object
      description: "Inputs of a bench environment"
      properties:
        vpc_cidr:
          type: string
          description: "The VPC CIDR"
          default: 10.0.0.0/16
"""

MANIFEST = """infrastructure:
  templates:
    - file: "cloudformation.yaml"
      rendering_engine: jinja
      template_language: cloudformation
"""

TEMPLATE = """AWSTemplateFormatVersion: '2010-09-09'
Description: A bench environment - a VPC with two subnets, a security group and an ECS cluster
Mappings:
  Network:
    VPC:
      CIDR: '{{ environment.inputs.vpc_cidr }}'
Resources:
  VPC:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: !FindInMap [Network, VPC, CIDR]
      EnableDnsSupport: true
      EnableDnsHostnames: true
  SubnetOne:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref VPC
      AvailabilityZone: !Select [0, !GetAZs {Ref: 'AWS::Region'}]
      CidrBlock: !Select [0, !Cidr [!FindInMap [Network, VPC, CIDR], 2, 8]]
  SubnetTwo:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref VPC
      AvailabilityZone: !Select [1, !GetAZs {Ref: 'AWS::Region'}]
      CidrBlock: !Select [1, !Cidr [!FindInMap [Network, VPC, CIDR], 2, 8]]
  ServiceSecurityGroup:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: Services of {{ environment.name }}
      VpcId: !Ref VPC
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 443
          ToPort: 443
          CidrIp: !FindInMap [Network, VPC, CIDR]
  Cluster:
    Type: AWS::ECS::Cluster
Outputs:
  VpcId:
    Value: !Ref VPC
  SubnetIds:
    Value: !Join [',', [!Ref SubnetOne, !Ref SubnetTwo]]
  SecurityGroupId:
    Value: !GetAtt ServiceSecurityGroup.GroupId
  ClusterName:
    Value: !Ref Cluster
"""


def bundle() -> bytes:
    return tarball(
        {
            "schema/schema.yaml": SCHEMA,
            "infrastructure/manifest.yaml": MANIFEST,
            "infrastructure/cloudformation.yaml": TEMPLATE,
        }
    )


# -- processes -------------------------------------------------------------------------------------------------


TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process, from /proc/PID/stat."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # fields 14 and 15 of proc(5), after pid and comm


# -- clients -----------------------------------------------------------------------------------------------------


_FACTORY = boto3.session.Session()
_FACTORY_LOCK = threading.Lock()


def _client(service: str, url: str, credentials: dict[str, str]) -> Any:
    """A client from the bench's one boto3 session (service models loaded once), as Baryon makes its own."""
    with _FACTORY_LOCK:  # botocore sessions are not thread-safe while creating clients
        return _FACTORY.client(
            service,
            endpoint_url=url,
            region_name=REGION,
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials.get("SessionToken"),
            config=CLIENT,
        )


def cloud_client(url: str, service: str, account: str, credentials: dict[str, str] | None = None) -> Any:
    """A client straight on moto; without credentials it acts as `account` through moto's account header."""
    client = _client(service, url, credentials or {"AccessKeyId": MOTO_KEY, "SecretAccessKey": MOTO_KEY})
    if credentials is None:
        client.meta.events.register(
            "before-sign.*.*", lambda request, **_: request.headers.__setitem__("x-moto-account-id", account)
        )
    return client


def proton(server: RunningServer, credentials: dict[str, str] | None = None) -> Any:
    return _client("proton", server.endpoint, credentials or server.admin)


def warm_up(cloud: str, members: list[Member]) -> None:
    """One AssumeRole and one CloudFormation call as the role, per account, before timing: moto imports its
    CloudFormation/EC2 modules on the first such call and builds every account's IAM backends (all partitions,
    AWS-managed policies loaded) on the first call signed with role keys; a long-running cloud has done both."""
    for member in members:
        sts = cloud_client(cloud, "sts", member.account)
        creds = sts.assume_role(RoleArn=member.role_arn, RoleSessionName="bench-warm-up")["Credentials"]
        cloud_client(cloud, "cloudformation", "", creds).list_stacks()


# -- setup (not timed) -------------------------------------------------------------------------------------------


@dataclass
class Member:
    account: str
    credentials: dict[str, str]
    role_arn: str = ""


@dataclass
class Env:
    name: str
    member: Member
    connection_id: str | None  # None: the member's own environment (protonServiceRoleArn)
    spec: str
    stack: str = ""
    template_body: str = ""
    tags: list[dict[str, str]] = field(default_factory=list)


def new_member(server: RunningServer, index: int) -> Member:
    orgs = server.client("organizations")
    status = orgs.create_account(Email=f"bench{index}@example.com", AccountName=f"bench-{index:02d}")
    status = status["CreateAccountStatus"]
    deadline = time.monotonic() + 60
    while status["State"] == "IN_PROGRESS" and time.monotonic() < deadline:
        time.sleep(0.05)
        status = orgs.describe_create_account_status(CreateAccountRequestId=status["Id"])["CreateAccountStatus"]
    if status["State"] != "SUCCEEDED":
        raise RuntimeError(f"CreateAccount did not succeed: {status}")
    account = str(status["AccountId"])
    role = f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole"
    creds = server.client("sts").assume_role(RoleArn=role, RoleSessionName="bench-admin")["Credentials"]
    return Member(account, {k: creds[k] for k in ("AccessKeyId", "SecretAccessKey", "SessionToken")})


def proton_role(cloud: str, account: str) -> str:
    iam = cloud_client(cloud, "iam", account)
    iam.create_role(RoleName="BenchProtonRole", AssumeRolePolicyDocument=json.dumps(TRUSTS_PROTON))
    iam.attach_role_policy(RoleName="BenchProtonRole", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    return f"arn:aws:iam::{account}:role/BenchProtonRole"


def publish_template(server: RunningServer, cloud: str, account: str, credentials: dict[str, str] | None) -> str:
    """The bench bundle uploaded to the account's S3, registered as an environment template and published."""
    s3 = cloud_client(cloud, "s3", account)
    bucket = f"bench-bundles-{account}"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="bench-env.tar.gz", Body=bundle())
    client, name = proton(server, credentials), "bench-env"
    client.create_environment_template(name=name)
    client.create_environment_template_version(
        templateName=name, source={"s3": {"bucket": bucket, "key": "bench-env.tar.gz"}}
    )
    deadline = time.monotonic() + 120
    while True:
        version = client.get_environment_template_version(templateName=name, majorVersion="1", minorVersion="0")
        status = version["environmentTemplateVersion"]["status"]
        if status == "DRAFT":
            break
        if status != "REGISTRATION_IN_PROGRESS" or time.monotonic() > deadline:
            raise RuntimeError(f"template version of {account}: {version['environmentTemplateVersion']}")
        time.sleep(0.2)
    client.update_environment_template_version(
        templateName=name, majorVersion="1", minorVersion="0", status="PUBLISHED"
    )
    return name


def connect(server: RunningServer, member: Member, environment: str) -> str:
    requested = proton(server, member.credentials).create_environment_account_connection(
        managementAccountId=server.account_id, environmentName=environment, roleArn=member.role_arn
    )["environmentAccountConnection"]
    proton(server).accept_environment_account_connection(id=requested["id"])
    return str(requested["id"])


def set_up(server: RunningServer, cloud: str, environments: int, accounts: int) -> tuple[str, list[Env]]:
    """Members with their role, the template in every account that creates environments, the connections and
    the environments to create (spread evenly over the members)."""
    publish_template(server, cloud, server.account_id, None)
    members = [new_member(server, index) for index in range(accounts)]
    per_account = [environments // accounts + (1 if i < environments % accounts else 0) for i in range(accounts)]

    def prepare(index: int) -> list[Env]:
        member = members[index]
        member.role_arn = proton_role(cloud, member.account)
        if per_account[index] > QUOTA:  # the member creates the rest itself, from its own copy of the template
            publish_template(server, cloud, member.account, member.credentials)
        envs = []
        for k in range(per_account[index]):
            name = f"bench-a{index:02d}-e{k:02d}"
            spec = f"proton: EnvironmentSpec\nspec:\n  vpc_cidr: 10.{k % 250}.0.0/16\n"
            connection = connect(server, member, name) if k < QUOTA else None
            envs.append(Env(name, member, connection, spec))
        return envs

    with ThreadPoolExecutor(8) as pool:
        planned = [env for envs in pool.map(prepare, range(accounts)) for env in envs]
    warm_up(cloud, members)
    # interleave accounts, so that the submission order does not favour one account's cloud
    order = sorted(range(len(planned)), key=lambda i: (int(planned[i].name[-2:]), planned[i].name))
    return "bench-env", [planned[i] for i in order]


# -- part A: Baryon ----------------------------------------------------------------------------------------------


def create(clients: dict[str | None, Any], template: str, env: Env) -> None:
    if env.connection_id is not None:
        clients[None].create_environment(
            name=env.name, templateName=template, templateMajorVersion="1", spec=env.spec,
            environmentAccountConnectionId=env.connection_id,
        )  # fmt: skip
    else:
        clients[env.member.account].create_environment(
            name=env.name, templateName=template, templateMajorVersion="1", spec=env.spec,
            protonServiceRoleArn=env.member.role_arn,
        )  # fmt: skip


def statuses(client: Any) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    kwargs: dict[str, Any] = {"maxResults": 100}
    while True:
        page = client.list_environments(**kwargs)
        found.update({e["name"]: e for e in page["environments"]})
        if not page.get("nextToken"):
            return found
        kwargs["nextToken"] = page["nextToken"]


@dataclass
class Timed:
    seconds: float
    baryon_cpu: float = 0.0
    moto_cpu: float = 0.0
    client_cpu: float = 0.0


def run_baryon(server: RunningServer, moto: Moto, template: str, envs: list[Env], workers: int) -> Timed:
    """Submit every CreateEnvironment from `workers` threads, watch ListEnvironments of every owner until all
    are done; the wall time ends at the last deployment's settle (lastDeploymentSucceededAt)."""
    assert server.process is not None
    clients: dict[str | None, Any] = {None: proton(server)}
    for env in envs:
        if env.connection_id is None and env.member.account not in clients:
            clients[env.member.account] = proton(server, env.member.credentials)
    owners = {env.name: None if env.connection_id else env.member.account for env in envs}
    watcher = dict(clients)  # boto3 clients are thread safe: the watcher shares them
    done: dict[str, dict[str, Any]] = {}
    errors: list[str] = []
    cpu_before = cpu_seconds(server.process.pid), cpu_seconds(moto.process.pid), time.process_time()
    started = time.time()
    with ThreadPoolExecutor(workers) as pool:
        futures = [pool.submit(create, clients, template, env) for env in envs]
        while len(done) < len(envs):
            time.sleep(WATCH_SECONDS)
            waiting = {owners[name] for name in owners if name not in done}
            for owner in waiting:
                for name, env in statuses(watcher[owner]).items():
                    if name in owners and env["deploymentStatus"] not in ("IN_PROGRESS",):
                        done.setdefault(name, env)
            errors += [str(f.exception()) for f in futures if f.done() and f.exception() is not None]
            if errors:
                raise RuntimeError(f"CreateEnvironment failed: {errors[:3]}")
            if time.time() - started > 1800:
                raise RuntimeError(f"only {len(done)} of {len(envs)} environments finished in 30 minutes")
    seen = time.time()
    cpu_after = cpu_seconds(server.process.pid), cpu_seconds(moto.process.pid), time.process_time()
    failed = {
        name: env.get("deploymentStatusMessage") for name, env in done.items() if env["deploymentStatus"] != "SUCCEEDED"
    }
    if failed:
        raise RuntimeError(f"{len(failed)} environments did not succeed: {list(failed.items())[:3]}")
    finished = max(_epoch(env["lastDeploymentSucceededAt"]) for env in done.values())
    if not started <= finished <= seen:
        print(f"  [settle times out of the run's window ({finished - started:.2f} s): using when the watcher saw them]")
        finished = seen
    return Timed(finished - started, *(after - before for after, before in zip(cpu_after, cpu_before, strict=True)))


def _epoch(value: datetime | float) -> float:
    return value.timestamp() if isinstance(value, datetime) else float(value)


# -- part B: direct ----------------------------------------------------------------------------------------------


def read_back(cloud: str, envs: list[Env]) -> None:
    """The template and tags Baryon sent for every environment, as part A's cloud holds them."""
    clients: dict[str, Any] = {}
    for env in envs:
        cfn = clients.setdefault(env.member.account, cloud_client(cloud, "cloudformation", env.member.account))
        env.stack = f"AWSProton-{env.name}-cloudformation"
        body = cfn.get_template(StackName=env.stack)["TemplateBody"]
        env.template_body = body if isinstance(body, str) else json.dumps(body)
        env.tags = cfn.describe_stacks(StackName=env.stack)["Stacks"][0].get("Tags") or []


def roles_ready(cloud: str, envs: list[Env]) -> list[Member]:
    """The members' Proton roles made in a fresh cloud and warmed up as part A's were."""
    members = list({env.member.account: env.member for env in envs}.values())
    for member in members:
        proton_role(cloud, member.account)
    warm_up(cloud, members)
    return members


def set_up_direct(cloud: str, envs: list[Env], assume: bool) -> dict[str, Callable[[], Any]]:
    """The members' roles in the fresh cloud, warmed up as part A's was; per account, how the direct loop gets a
    CloudFormation client: moto's account header (one client per account, made here), or AssumeRole into the
    member's Proton role for every stack."""
    factories: dict[str, Callable[[], Any]] = {}
    for member in roles_ready(cloud, envs):
        if assume:
            sts = cloud_client(cloud, "sts", member.account)

            def factory(role: str = member.role_arn, sts: Any = sts) -> Any:
                creds = sts.assume_role(RoleArn=role, RoleSessionName="bench-direct")["Credentials"]
                return cloud_client(cloud, "cloudformation", "", creds)

            factories[member.account] = factory
        else:
            client = cloud_client(cloud, "cloudformation", member.account)
            factories[member.account] = lambda client=client: client
    return factories


def set_up_floor(cloud: str, envs: list[Env]) -> dict[str, Callable[[], Any]]:
    """Per account of a fresh cloud, a CloudFormation client as the member's Proton role, assumed once (on first
    use, in the timed run) and reused, as Baryon does."""
    factories: dict[str, Callable[[], Any]] = {}
    for member in roles_ready(cloud, envs):
        made: list[Any] = []
        lock = threading.Lock()

        def factory(role: str = member.role_arn, account: str = member.account, made: list[Any] = made,
                    lock: threading.Lock = lock) -> Any:  # fmt: skip
            with lock:
                if not made:
                    sts = cloud_client(cloud, "sts", account)
                    creds = sts.assume_role(RoleArn=role, RoleSessionName="bench-floor")["Credentials"]
                    made.append(cloud_client(cloud, "cloudformation", "", creds))
                return made[0]

        factories[member.account] = factory
    return factories


def deploy_direct(cfn: Any, env: Env) -> None:
    cfn.create_stack(StackName=env.stack, TemplateBody=env.template_body, Capabilities=CAPABILITIES, Tags=env.tags)
    _until_created(cfn, env)


def deploy_floor(cfn: Any, env: Env) -> None:
    change_set = f"floor-{env.name}"
    cfn.create_change_set(StackName=env.stack, ChangeSetName=change_set, ChangeSetType="CREATE",
                          TemplateBody=env.template_body, Capabilities=CAPABILITIES, Tags=env.tags)  # fmt: skip
    cfn.execute_change_set(StackName=env.stack, ChangeSetName=change_set)
    _until_created(cfn, env)


def _until_created(cfn: Any, env: Env) -> None:
    """DescribeStacks until the stack is done (it must be CREATE_COMPLETE with outputs), then its resources."""
    while True:
        stack = cfn.describe_stacks(StackName=env.stack)["Stacks"][0]
        if not stack["StackStatus"].endswith("_IN_PROGRESS"):
            break
        time.sleep(0.1)
    if stack["StackStatus"] != "CREATE_COMPLETE" or not stack.get("Outputs"):
        raise RuntimeError(f"{env.stack}: {stack['StackStatus']} {stack.get('StackStatusReason')}")
    cfn.describe_stack_resources(StackName=env.stack)


def run_direct(
    moto: Moto, envs: list[Env], workers: int, factories: dict[str, Callable[[], Any]],
    deploy: Callable[[Any, Env], None] = deploy_direct,
) -> Timed:  # fmt: skip
    work: queue.Queue[Env] = queue.Queue()
    for env in envs:
        work.put(env)
    errors: list[BaseException] = []

    def loop() -> None:
        while True:
            try:
                env = work.get_nowait()
            except queue.Empty:
                return
            try:
                deploy(factories[env.member.account](), env)
            except BaseException as error:  # reported after the run
                errors.append(error)

    threads = [threading.Thread(target=loop) for _ in range(workers)]
    moto_before, client_before = cpu_seconds(moto.process.pid), time.process_time()
    started = time.time()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.time() - started
    if errors:
        raise RuntimeError(f"{len(errors)} direct stacks failed: {errors[:3]}")
    return Timed(
        seconds, moto_cpu=cpu_seconds(moto.process.pid) - moto_before, client_cpu=time.process_time() - client_before
    )


# -- main --------------------------------------------------------------------------------------------------------


@contextmanager
def py_spy(pid: int, output: str | None, mode: str) -> Iterator[None]:
    """`py-spy record` on a server process while the block runs: `mode` cpu samples the thread holding the GIL,
    wall every thread including idle ones (a .txt output gets raw collapsed stacks, .json speedscope)."""
    if not output:
        yield
        return
    fmt = "raw" if output.endswith(".txt") else "speedscope" if output.endswith(".json") else "flamegraph"
    command = ["py-spy", "record", "--pid", str(pid), "--threads", "--nonblocking", "--format", fmt, "-o", output]
    command += ["--rate", "100", "--gil"] if mode == "cpu" else ["--rate", "25", "--idle"]  # idle: many threads
    spy = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    time.sleep(1.0)  # let it attach
    try:
        yield
    finally:
        spy.send_signal(signal.SIGINT)
        try:
            spy.wait(timeout=60)
        except subprocess.TimeoutExpired:
            spy.kill()
        print(f"py-spy profile of pid {pid} during part A: {output}")


@dataclass
class Round:
    """One round's three parts, each on fresh servers."""

    baryon: Timed
    direct: Timed
    floor: Timed

    @property
    def ratios(self) -> dict[str, float]:
        """Baryon / direct (the goal's ratio), floor / direct and Baryon / floor, of wall times."""
        baryon, direct, floor = self.baryon.seconds, self.direct.seconds, self.floor.seconds
        return {"baryon/direct": baryon / direct, "floor/direct": floor / direct, "baryon/floor": baryon / floor}


def run_round(args: argparse.Namespace, number: int) -> Round:
    """Set up a fresh Baryon and cloud, run parts A, B and C, print the round's figures."""
    env = {
        "BARYON_PROVISIONING_WORKERS": str(args.workers),
        "BARYON_PROVISIONING_STEP_DELAY_SECONDS": "0",
    }
    clock = time.monotonic()
    with moto_process(CLOUD_MODULE) as cloud_a:
        env["BARYON_LOCAL_CLOUD_URL"] = cloud_a.url
        with running_server("sqlite", env) as server:
            assert server.process is not None
            template, envs = set_up(server, cloud_a.url, args.environments, args.accounts)
            connected = sum(1 for e in envs if e.connection_id)
            print(
                f"round {number}: {len(envs)} environments in {args.accounts} member accounts ({connected} of the "
                f"management account through connections, {len(envs) - connected} the members' own), "
                f"{args.workers} workers; setup {time.monotonic() - clock:.1f} s"
            )
            with (
                py_spy(server.process.pid, args.py_spy if number == 1 else None, args.py_spy_mode),
                py_spy(cloud_a.process.pid, args.py_spy_moto if number == 1 else None, args.py_spy_mode),
            ):
                ours = run_baryon(server, cloud_a, template, envs, args.workers)
            read_back(cloud_a.url, envs)
    with moto_process(CLOUD_MODULE) as cloud_b:
        factories = set_up_direct(cloud_b.url, envs, args.direct_auth == "assume")
        theirs = run_direct(cloud_b, envs, args.workers, factories)
    with moto_process(CLOUD_MODULE) as cloud_c:
        floor = run_direct(cloud_c, envs, args.workers, set_up_floor(cloud_c.url, envs), deploy_floor)
    result = Round(ours, theirs, floor)
    n = len(envs)
    print(
        f"  baryon: {ours.seconds:7.2f} s  {n / ours.seconds:6.2f} deployments/s  "
        f"CPU baryon {ours.baryon_cpu:.1f} s, moto {ours.moto_cpu:.1f} s, bench client {ours.client_cpu:.1f} s"
    )
    print(
        f"  direct: {theirs.seconds:7.2f} s  {n / theirs.seconds:6.2f} deployments/s  "
        f"CPU moto {theirs.moto_cpu:.1f} s, bench client {theirs.client_cpu:.1f} s  (auth: {args.direct_auth})"
    )
    print(
        f"  floor:  {floor.seconds:7.2f} s  {n / floor.seconds:6.2f} deployments/s  CPU moto {floor.moto_cpu:.1f} s, "
        f"bench client {floor.client_cpu:.1f} s  (Baryon's cloud calls, no control plane)"
    )
    share = ours.baryon_cpu / (ours.baryon_cpu + ours.moto_cpu)
    print(f"  control plane CPU share during part A: {share:.1%} (baryon / (baryon + moto))")
    print(
        f"  CPU per deployment: baryon {ours.baryon_cpu / n * 1000:.0f} ms + cloud {ours.moto_cpu / n * 1000:.0f} ms; "
        f"direct: cloud {theirs.moto_cpu / n * 1000:.0f} ms + client {theirs.client_cpu / n * 1000:.0f} ms "
        "(less noisy than wall times on a shared machine)"
    )
    ratios = ", ".join(f"{label} = {value:.2f}" for label, value in result.ratios.items())
    print(f"  {ratios}; round {time.monotonic() - clock:.0f} s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--environments", type=int, default=200)
    parser.add_argument("--accounts", type=int, default=20)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3, help="rounds of parts A, B and C; the verdict is the median")
    parser.add_argument("--quick", action="store_true", help="smoke run: 24 environments in 4 accounts, one round")
    parser.add_argument("--direct-auth", choices=("header", "assume"), default="header")
    parser.add_argument("--py-spy", metavar="OUTPUT", help="record the Baryon server with py-spy during part A")
    parser.add_argument("--py-spy-moto", metavar="OUTPUT", help="record part A's moto server with py-spy")
    parser.add_argument("--py-spy-mode", choices=("cpu", "wall"), default="cpu")
    args = parser.parse_args()
    if args.quick:
        args.environments, args.accounts, args.rounds = 24, 4, 1
    clock = time.monotonic()
    rounds = [run_round(args, number) for number in range(1, args.rounds + 1)]
    for label in rounds[0].ratios:
        values = [r.ratios[label] for r in rounds]
        listed = ", ".join(f"{x:.2f}" for x in values)
        print(f"{label + ' by round:':27} {listed}  (median {statistics.median(values):.2f})")
    verdict = statistics.median(r.ratios["baryon/direct"] for r in rounds)
    print(
        f"ratio baryon/direct wall time, median of {len(rounds)} rounds = {verdict:.2f} "
        f"(goal <= {GOAL}); total run {time.monotonic() - clock:.0f} s"
    )


if __name__ == "__main__":
    main()
