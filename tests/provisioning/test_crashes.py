"""Crashes at any moment lose no accepted deployment: `kill -9` of `baryon up` inside create, update and delete,
then a restart, finishes each one with exactly one stack and nothing orphaned; two `baryon worker` processes
on PostgreSQL share deployments and one of them killed mid-deployment hands its work to the other.

Each server pauses before and after every stack operation (`BARYON_PROVISIONING_STEP_DELAY_SECONDS`), and the
tests read the deployment's recorded step from the store to kill inside a chosen window."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from tests.platform.conftest import need_store
from tests.platform.helpers import fails, proton, unique
from tests.platform.test_environments import (
    cloud_client,
    proton_role,
    published_workshop_template,
    vpcs,
    wait_deployed,
    wait_gone,
)
from tests.servers import RunningServer, running_server

DELAY = "2"


@pytest.fixture
def crashing_server(cloud: str) -> Iterator[RunningServer]:
    env = {"BARYON_LOCAL_CLOUD_URL": cloud, "BARYON_PROVISIONING_STEP_DELAY_SECONDS": DELAY}
    with running_server("sqlite", env) as running:
        yield running


def _database(server: RunningServer) -> str:
    return server.database_url or f"sqlite:///{server.data_dir / 'baryon.db'}"


def _deployment(server: RunningServer, deployment_id: str) -> dict[str, Any]:
    engine = create_engine(_database(server))
    try:
        with engine.connect() as connection:
            row = connection.execute(
                text("SELECT step, status, lease_owner, finished FROM proton_deployments WHERE id = :id"),
                {"id": deployment_id},
            ).one()
        return dict(row._mapping)
    finally:
        engine.dispose()


def _until(probe: Callable[[], Any], what: str, timeout: float = 60) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def _stacks(server: RunningServer, name: str) -> list[dict[str, Any]]:
    found = cloud_client(server, "cloudformation", server.account_id).list_stacks()["StackSummaries"]
    return [
        s
        for s in found
        if s["StackName"] == f"AWSProton-{name}-cloudformation" and s["StackStatus"] != "DELETE_COMPLETE"
    ]


def _active_clusters(server: RunningServer) -> list[str]:
    ecs = cloud_client(server, "ecs", server.account_id)
    arns = ecs.list_clusters()["clusterArns"]
    described = ecs.describe_clusters(clusters=arns)["clusters"] if arns else []
    return [c["clusterName"] for c in described if c["status"] == "ACTIVE"]


def test_kill_9_inside_create_update_and_delete(crashing_server: RunningServer) -> None:
    server, account = crashing_server, crashing_server.account_id
    template = published_workshop_template(server, minors=2)
    role = proton_role(server, account)
    name, cidr = unique("crash"), "10.61.0.0/16"
    spec = f"proton: EnvironmentSpec\nspec:\n  vpc_cidr: {cidr}\n  dns_hostname: crash.internal\n"
    clusters_before = set(_active_clusters(server))

    # Create: killed after the stack exists, before the deployment is settled.
    created = proton(server).create_environment(
        name=name, templateName=template, templateMajorVersion="1", templateMinorVersion="0", spec=spec,
        protonServiceRoleArn=role,
    )["environment"]  # fmt: skip
    first = created["lastAttemptedDeploymentId"]
    _until(lambda: _stacks(server, name), "the stack to exist")
    assert not _deployment(server, first)["finished"]
    server.stop(kill=True)
    server.start()
    deployed = wait_deployed(server, name)
    assert deployed["deploymentStatus"] == "SUCCEEDED", deployed.get("deploymentStatusMessage")
    assert len(_stacks(server, name)) == 1 and len(vpcs(server, account, cidr)) == 1
    assert len(set(_active_clusters(server)) - clusters_before) == 1

    # Update: killed before the stack operation, then again after it.
    for kill_after_stack in (False, True):
        updated = proton(server).update_environment(
            name=name, deploymentType="CURRENT_VERSION" if kill_after_stack else "MINOR_VERSION",
            spec=spec.replace("crash.internal", f"crash{int(kill_after_stack)}.internal"),
        )["environment"]  # fmt: skip
        deployment = updated["lastAttemptedDeploymentId"]
        _until(lambda d=deployment: _deployment(server, d)["step"] == "APPLYING", "the update to start")
        if kill_after_stack:
            time.sleep(float(DELAY) + 1.5)  # past the stack operation, inside the pause before settling
        server.stop(kill=True)
        server.start()
        deployed = wait_deployed(server, name)
        assert deployed["deploymentStatus"] == "SUCCEEDED", deployed.get("deploymentStatusMessage")
        assert deployed["lastSucceededDeploymentId"] == deployment
        assert len(_stacks(server, name)) == 1 and len(vpcs(server, account, cidr)) == 1
        assert len(set(_active_clusters(server)) - clusters_before) == 1
    assert deployed["templateMinorVersion"] == "1"

    # Delete: killed once the stack is gone, before the environment is.
    deleting = proton(server).delete_environment(name=name)["environment"]["lastAttemptedDeploymentId"]
    _until(lambda: _deployment(server, deleting)["step"] == "DELETING" and not _stacks(server, name), "the stack gone")
    server.stop(kill=True)
    server.start()
    wait_gone(server, name)
    assert _stacks(server, name) == [] and vpcs(server, account, cidr) == []
    assert set(_active_clusters(server)) - clusters_before == set()
    statuses = [d["deploymentStatus"] for d in proton(server).list_deployments(environmentName=name)["deployments"]]
    assert statuses == ["DELETE_COMPLETE", "SUCCEEDED", "SUCCEEDED", "SUCCEEDED"]


@pytest.fixture
def api_only_server(cloud: str) -> Iterator[RunningServer]:
    need_store("postgres")
    with running_server("postgres", {"BARYON_LOCAL_CLOUD_URL": cloud, "BARYON_PROVISIONING_WORKERS": "0"}) as running:
        yield running


def _worker(server: RunningServer, cloud: str, log: Path) -> subprocess.Popen[bytes]:
    assert server.database_url
    command = [sys.executable, "-m", "baryon.cli", "worker", "--threads", "2", "--data-dir", str(server.data_dir),
               "--database-url", server.database_url]  # fmt: skip
    env = {**server.env, "BARYON_LOCAL_CLOUD_URL": cloud, "BARYON_PROVISIONING_STEP_DELAY_SECONDS": "3"}
    with open(log, "ab") as out:
        return subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)


def test_two_workers_on_postgres_one_killed_mid_deployment(
    api_only_server: RunningServer, cloud: str, tmp_path: Path
) -> None:
    server, account = api_only_server, api_only_server.account_id
    template = published_workshop_template(server)
    role = proton_role(server, account)
    workers = [_worker(server, cloud, tmp_path / f"worker-{i}.log") for i in range(2)]
    try:
        name, cidr = unique("shared"), "10.62.0.0/16"
        spec = f"proton: EnvironmentSpec\nspec:\n  vpc_cidr: {cidr}\n"
        created = proton(server).create_environment(
            name=name, templateName=template, templateMajorVersion="1", spec=spec, protonServiceRoleArn=role
        )["environment"]
        deployment = created["lastAttemptedDeploymentId"]
        owner = _until(lambda: _deployment(server, deployment)["lease_owner"], "a worker to claim it")
        holder = next(w for w in workers if f":{w.pid}:" in owner)
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait()
        deployed = wait_deployed(server, name)
        assert deployed["deploymentStatus"] == "SUCCEEDED", deployed.get("deploymentStatusMessage")
        survivor = next(w for w in workers if w is not holder)
        assert survivor.poll() is None
        assert len(_stacks(server, name)) == 1 and len(vpcs(server, account, cidr)) == 1
        proton(server).delete_environment(name=name)
        wait_gone(server, name)
        assert vpcs(server, account, cidr) == []
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
                try:
                    worker.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    worker.kill()
                    worker.wait()


def test_cancel_an_update_before_its_stack_changes(crashing_server: RunningServer) -> None:
    server, client = crashing_server, proton(crashing_server)
    template = published_workshop_template(server, minors=2)
    name = unique("cancel")
    spec = "proton: EnvironmentSpec\nspec:\n  vpc_cidr: 10.63.0.0/16\n"
    client.create_environment(name=name, templateName=template, templateMajorVersion="1", templateMinorVersion="0",
                              spec=spec, protonServiceRoleArn=proton_role(server, server.account_id))  # fmt: skip
    assert wait_deployed(server, name)["deploymentStatus"] == "SUCCEEDED"
    before = cloud_client(server, "cloudformation", server.account_id).get_template(
        StackName=f"AWSProton-{name}-cloudformation")["TemplateBody"]  # fmt: skip
    deployment = client.update_environment(name=name, deploymentType="MINOR_VERSION")["environment"][
        "lastAttemptedDeploymentId"
    ]
    # the worker pauses DELAY seconds before the stack operation: the update is surely still in progress
    assert fails(client.update_environment, name=name, deploymentType="CURRENT_VERSION")[0] == "ConflictException"
    cancelling = client.cancel_environment_deployment(environmentName=name)["environment"]
    assert cancelling["deploymentStatus"] == "CANCELLING"
    assert fails(client.update_environment, name=name, deploymentType="CURRENT_VERSION")[0] == "ConflictException"
    _until(lambda: _deployment(server, deployment)["finished"], "the cancelled deployment to end")
    environment = client.get_environment(name=name)["environment"]
    assert environment["deploymentStatus"] == "CANCELLED" and environment["templateMinorVersion"] == "0"
    assert client.get_deployment(id=deployment)["deployment"]["deploymentStatus"] == "CANCELLED"
    after = cloud_client(server, "cloudformation", server.account_id).get_template(
        StackName=f"AWSProton-{name}-cloudformation")["TemplateBody"]  # fmt: skip
    assert after == before
    code, _ = fails(client.cancel_environment_deployment, environmentName=name)
    assert code == "ValidationException"
    client.delete_environment(name=name)
    wait_gone(server, name)
