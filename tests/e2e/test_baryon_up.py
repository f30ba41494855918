"""`baryon up` as a newcomer runs it: the profile it writes, what it prints, restarts and a clean Ctrl-C."""

from __future__ import annotations

import configparser
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.servers import free_port


def _start(home: Path, port: int) -> subprocess.Popen[str]:
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(home),
        "AWS_CONFIG_FILE": str(home / "cfg" / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / "cfg" / "credentials"),
    }
    command = [sys.executable, "-m", "baryon.cli", "up", "--data-dir", str(home / "data"), "--port", str(port)]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _wait_healthy(port: int) -> None:
    for _ in range(300):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_baryon/health", timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("server did not become healthy")


def _stop(process: subprocess.Popen[str]) -> str:
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
    return output


def test_up_writes_the_profile_keeps_others_and_stops_cleanly(tmp_path: Path) -> None:
    config_dir = tmp_path / "cfg"
    config_dir.mkdir()
    (config_dir / "config").write_text("[profile other]\nregion = eu-west-3\n")
    (config_dir / "credentials").write_text("[other]\naws_access_key_id = AKIAOTHER\naws_secret_access_key = s\n")

    first_port = free_port()
    process = _start(tmp_path, first_port)
    _wait_healthy(first_port)
    output = _stop(process)
    assert f"listening on http://127.0.0.1:{first_port}" in output
    assert "AWS profile baryon written to" in output and str(config_dir / "config") in output
    assert f"data dir {tmp_path / 'data'}" in output
    assert "Baryon stopped." in output

    config = configparser.RawConfigParser()
    config.read(config_dir / "config")
    assert config.get("profile other", "region") == "eu-west-3"
    assert config.get("profile baryon", "endpoint_url") == f"http://127.0.0.1:{first_port}"
    assert config.get("profile baryon", "region") == "us-east-1"
    credentials = configparser.RawConfigParser()
    credentials.read(config_dir / "credentials")
    assert credentials.get("other", "aws_access_key_id") == "AKIAOTHER"
    key = credentials.get("baryon", "aws_access_key_id")
    assert key.startswith("AKIA") and len(key) == 20
    assert (config_dir / "credentials").stat().st_mode & 0o077 == 0
    assert credentials.get("baryon", "aws_secret_access_key") not in output

    second_port = free_port()
    process = _start(tmp_path, second_port)
    _wait_healthy(second_port)
    output = _stop(process)
    config.read(config_dir / "config")
    assert config.get("profile baryon", "endpoint_url") == f"http://127.0.0.1:{second_port}"
    credentials.read(config_dir / "credentials")
    assert credentials.get("baryon", "aws_access_key_id") == key, "a restart keeps the administrator's key"
