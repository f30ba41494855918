"""Fetching a template bundle from the caller's account cloud and checking it with the template core.

The cloud is the S3-compatible endpoint of `Settings.local_cloud_url`, read through the local cloud's shared
client (`Cloud.reading`: the account is chosen per request with the `x-moto-account-id` header, which moto's
server routes on); the region is the version's region. Checking is `baryon.templates`' job: this module only
adapts its answers to a version's outcome.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

MAX_BUNDLE_BYTES = 5 * 1024 * 1024
"""Proton's quota on a template bundle."""


class BundleUnavailable(Exception):
    """The bundle could not be read; the message is the version's statusMessage."""


@dataclass(frozen=True)
class Checked:
    """What a registered version keeps from its bundle."""

    schema: Any  # baryon.templates.TemplateSchema
    schema_text: str
    warnings: tuple[str, ...] = ()
    compatible_environments: tuple[Any, ...] = field(default=())
    supported_component_sources: tuple[Any, ...] = field(default=())


def fetch(endpoint: str | None, account_id: str, region: str, bucket: str, key: str) -> bytes:
    """The bundle's bytes; `BundleUnavailable` with a message fit for a statusMessage when it can't be read."""
    where = f"s3://{bucket}/{key}"
    if not endpoint:
        raise BundleUnavailable(
            f"The bundle {where} could not be read: no account cloud is configured (set BARYON_LOCAL_CLOUD_URL)."
        )
    from botocore.exceptions import BotoCoreError, ClientError

    from baryon.provisioning.clouds import LOCAL, Cloud

    cloud = Cloud(LOCAL, endpoint, region)
    try:
        with cloud.reading(account_id, cloud.base_session(), "s3") as s3:
            response = s3.get_object(Bucket=bucket, Key=key)
        size = int(response.get("ContentLength") or 0)
        if size > MAX_BUNDLE_BYTES:
            response["Body"].close()
            raise BundleUnavailable(
                f"The bundle {where} is {size} bytes; a template bundle can be at most {MAX_BUNDLE_BYTES} bytes."
            )
        data: bytes = response["Body"].read(MAX_BUNDLE_BYTES + 1)
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "Error")
        raise BundleUnavailable(f"The bundle {where} could not be read: {code}") from None
    except BotoCoreError as error:
        raise BundleUnavailable(f"The bundle {where} could not be read: {error}") from None
    if len(data) > MAX_BUNDLE_BYTES:
        raise BundleUnavailable(f"The bundle {where} is larger than {MAX_BUNDLE_BYTES} bytes, Proton's limit.")
    return data


def check(data: bytes, kind: str, *, customer_managed: bool, pipeline: bool) -> Checked:
    """Check a tarball as a bundle of `kind` (ENVIRONMENT | SERVICE); `BundleError` from the core if it is not
    one (its `.message` says why)."""
    from baryon import templates

    bundle = templates.read_tarball(data)
    checked = templates.check_bundle(
        bundle, templates.TemplateKind[kind], customer_managed=customer_managed, pipeline=pipeline
    )
    return Checked(
        schema=checked.schema,
        schema_text=checked.schema.source,
        warnings=checked.warnings,
        compatible_environments=checked.compatible_environments,
        supported_component_sources=checked.supported_component_sources,
    )


def stored_schema(
    schema_text: str | None, data: bytes | None, kind: str, *, customer_managed: bool, pipeline: bool
) -> Any:
    """The `TemplateSchema` of a registered version: parsed from its stored schema text when the core can,
    else by checking its stored bundle again. None when neither is stored."""
    from baryon import templates

    parse = getattr(templates.TemplateSchema, "parse", None)
    if schema_text and parse is not None:
        return parse(schema_text)
    if data is not None:
        return check(data, kind, customer_managed=customer_managed, pipeline=pipeline).schema
    return None


def incompatibilities(old_schema: Any, new_schema: Any) -> list[str]:
    from baryon import templates

    return list(templates.incompatibilities(old_schema, new_schema))


def bundle_error_type() -> type[Exception]:
    from baryon import templates

    return templates.BundleError
