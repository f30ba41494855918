"""Writing the `baryon` profile into the AWS shared config and credentials files.

The files are the ones the AWS CLI and boto3 read (`AWS_CONFIG_FILE`, `AWS_SHARED_CREDENTIALS_FILE`, or
`~/.aws/config` and `~/.aws/credentials`). Other profiles in them are left as they are.
"""

from __future__ import annotations

import configparser
import os
from pathlib import Path

PROFILE = "baryon"
S3_SETTINGS = "\naddressing_style = path\nsignature_version = s3v4"
"""The profile's nested `s3` section: Baryon serves S3 path-style (`/bucket/key`) only, whatever the host name,
and verifies SigV4 only (the SDKs presign S3 URLs with SigV2 unless told otherwise)."""


def config_path() -> Path:
    return Path(os.environ.get("AWS_CONFIG_FILE", "~/.aws/config")).expanduser()


def credentials_path() -> Path:
    return Path(os.environ.get("AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials")).expanduser()


def _update(path: Path, section: str, values: dict[str, str], private: bool) -> None:
    parser = configparser.RawConfigParser()
    if path.exists():
        parser.read(path)
    if not parser.has_section(section):
        parser.add_section(section)
    for key, value in values.items():
        parser.set(section, key, value)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".baryon-tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if private else 0o644)
    with os.fdopen(fd, "w") as handle:
        parser.write(handle)
    os.replace(temporary, path)


def write_profile(
    access_key_id: str, secret_access_key: str, region: str, endpoint_url: str, name: str = PROFILE
) -> tuple[Path, Path]:
    """Create or update the profile; return the two files written."""
    config, credentials = config_path(), credentials_path()
    _update(
        config,
        f"profile {name}",
        {"region": region, "endpoint_url": endpoint_url, "output": "json", "s3": S3_SETTINGS},
        private=False,
    )
    _update(
        credentials,
        name,
        {"aws_access_key_id": access_key_id, "aws_secret_access_key": secret_access_key},
        private=True,
    )
    return config, credentials
