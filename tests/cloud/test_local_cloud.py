"""The local cloud's life: `baryon up` starts it detached and reuses it across restarts (also after `kill -9`),
`baryon cloud status|stop` manage it, and a new local cloud replays the recording to the same identifiers."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from baryon.cloud.local import LocalCloud, repair_recording
from tests.edge.test_proxy import ROLE_TEMPLATE, cloud_client, member
from tests.org.helpers import fails, unique
from tests.servers import RunningServer, free_port, running_server


def baryon(server: RunningServer, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "baryon.cli", *args, "--data-dir", str(server.data_dir)]
    return subprocess.run(command, env=server.env, capture_output=True, text=True, timeout=120)


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] != "Z"
    except FileNotFoundError:
        return False


def vpcs(server: RunningServer) -> set[str]:
    return {v["VpcId"] for v in server.client("ec2").describe_vpcs()["Vpcs"]}


def test_restarts_reuse_the_local_cloud_and_cloud_stop_stops_it() -> None:
    with running_server("sqlite") as server:
        cloud = LocalCloud(server.data_dir)
        first = cloud.running()
        assert first is not None
        assert f"local cloud (moto) on {first.url}, started, pid {first.pid}" in server.log()
        vpc = server.client("ec2").create_vpc(CidrBlock="10.7.0.0/16")["Vpc"]["VpcId"]

        server.restart()  # Ctrl-C, then `baryon up` again
        assert cloud.running() == first and vpc in vpcs(server)
        server.stop(kill=True)  # kill -9
        assert alive(first.pid), "the local cloud does not die with Baryon"
        server.start()
        assert cloud.running() == first and vpc in vpcs(server)
        assert server.log().count(f"local cloud (moto) on {first.url}, reused, pid {first.pid}") == 2

        status = baryon(server, "cloud", "status")
        assert status.returncode == 0 and f"local cloud running on {first.url}, pid {first.pid}" in status.stdout
        stopped = baryon(server, "cloud", "stop")
        assert f"local cloud stopped (pid {first.pid}, {first.url})" in stopped.stdout
        assert not alive(first.pid)
        assert baryon(server, "cloud", "status").returncode == 1
        assert "no local cloud was running" in baryon(server, "cloud", "stop").stdout

        # Baryon keeps serving; calls for the cloud's services say it is unavailable, in their own protocol.
        code, message, _ = fails(server.client("ec2").describe_vpcs)
        assert code == "ServiceUnavailable" and first.url in message
        assert fails(server.client("ecs").list_clusters)[0] == "ServiceUnavailable"


def test_a_new_local_cloud_replays_the_recording_to_the_same_ids() -> None:
    with running_server("sqlite") as server:
        account, developer = member(server)
        ec2 = server.client("ec2", developer)
        vpc = ec2.create_vpc(CidrBlock="10.3.0.0/16")["Vpc"]["VpcId"]
        ec2.create_subnet(VpcId=vpc, CidrBlock="10.3.1.0/24")
        server.client("ecs", developer).create_cluster(clusterName="apps")
        stack = server.client("cloudformation", developer).create_stack(
            StackName="roles", TemplateBody=ROLE_TEMPLATE.format(name="AppRole"), Capabilities=["CAPABILITY_NAMED_IAM"]
        )["StackId"]
        bucket = unique("kept")
        server.client("s3", developer).create_bucket(Bucket=bucket)
        server.client("s3", developer).put_object(Bucket=bucket, Key="a/b c.txt", Body=b"kept")

        def snapshot() -> dict[str, Any]:
            ec2 = server.client("ec2", developer)
            return {
                "vpcs": sorted((v["VpcId"], v["CidrBlock"]) for v in ec2.describe_vpcs()["Vpcs"]),
                "subnets": sorted((s["SubnetId"], s["VpcId"]) for s in ec2.describe_subnets()["Subnets"]),
                "clusters": server.client("ecs", developer).list_clusters()["clusterArns"],
                "stack": server.client("cloudformation", developer).describe_stacks(StackName=stack)["Stacks"][0][
                    "StackId"
                ],
                "role": cloud_client(server, "iam", account).get_role(RoleName="AppRole")["Role"]["RoleId"],
                "object": server.client("s3", developer).get_object(Bucket=bucket, Key="a/b c.txt")["Body"].read(),
            }

        before = snapshot()
        server.stop()
        old = LocalCloud(server.data_dir).recorded()
        server.stop_cloud()
        server.start()
        new = LocalCloud(server.data_dir).running()
        assert old is not None and new is not None and new.pid != old.pid and new.port == old.port
        assert "restored from its recording" in server.log()
        assert snapshot() == before


def test_no_local_cloud_when_disabled_or_external(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "AWS_CONFIG_FILE": str(tmp_path / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "c"),
    }
    env.pop("BARYON_LOCAL_CLOUD_URL", None)
    command = [sys.executable, "-m", "baryon.cli", "up", "--data-dir", str(tmp_path / "data"), "--port", str(port)]
    process = subprocess.Popen([*command, "--no-local-cloud"], env=env, stdout=subprocess.PIPE, text=True)
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/_baryon/health", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=30)
    assert "no local cloud (--no-local-cloud)" in output
    assert LocalCloud(tmp_path / "data").recorded() is None

    with running_server("sqlite", {"BARYON_LOCAL_CLOUD_URL": ""}) as server:
        assert "no account cloud" in server.log() and LocalCloud(server.data_dir).recorded() is None
        code, message, _ = fails(server.client("ec2").describe_vpcs)
        assert (code, message) == ("InvalidAction", "Baryon does not serve the service 'ec2'.")


def test_a_torn_last_entry_is_dropped_and_a_complete_one_kept(tmp_path: Path) -> None:
    recording = tmp_path / "recording"
    entry = json.dumps({"method": "GET", "url": "http://h/", "headers": {}, "body": ""})
    recording.write_text(f"{entry}\n{entry}\n{entry[:17]}")
    assert repair_recording(recording) == 2
    assert recording.read_text() == f"{entry}\n{entry}\n"
    recording.write_text(f"{entry}\n{entry}")
    assert repair_recording(recording) == 2
    assert recording.read_text() == f"{entry}\n{entry}\n"
    assert repair_recording(tmp_path / "none") == 0
