"""The service models Baryon serves, loaded from the copies kept inside the package.

botocore has marked Proton deprecated and may drop it, so Baryon never reads models from botocore's data
directory; it only uses botocore's model classes to navigate the JSON.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from botocore.model import OperationModel, ServiceModel

MODELS = Path(__file__).parent.parent / "models"


@dataclass(frozen=True)
class ServiceSpec:
    """One AWS service as seen on the wire."""

    name: str
    """The SigV4 signing name and IAM action prefix (`iam`, `sts`, `proton`, `organizations`)."""
    model: ServiceModel
    protocol: str
    """`json` or `query`."""
    target_prefix: str | None
    """The `X-Amz-Target` prefix of awsJson services (`AwsProton20200720`)."""
    api_version: str
    xml_namespace: str | None

    @property
    def json_content_type(self) -> str:
        return f"application/x-amz-json-{self.model.metadata.get('jsonVersion', '1.0')}"

    def operation(self, name: str) -> OperationModel | None:
        if name not in self._operation_names:
            return None
        return self.model.operation_model(name)

    @property
    def _operation_names(self) -> frozenset[str]:
        return _operation_names(self.name)


@cache
def _operation_names(service: str) -> frozenset[str]:
    return frozenset(load_service(service).model.operation_names)


@cache
def load_service(name: str) -> ServiceSpec:
    """The spec of one served service; raises KeyError for a service Baryon does not serve natively."""
    path = MODELS / name / "service-2.json"
    if not path.exists():
        raise KeyError(name)
    model = ServiceModel(json.loads(path.read_text()), service_name=name)
    meta = model.metadata
    return ServiceSpec(
        name=name,
        model=model,
        protocol=meta["protocol"],
        target_prefix=meta.get("targetPrefix"),
        api_version=meta["apiVersion"],
        xml_namespace=meta.get("xmlNamespace"),
    )


def served_services() -> list[str]:
    return sorted(p.name for p in MODELS.iterdir() if (p / "service-2.json").exists())


@cache
def service_by_target_prefix(prefix: str) -> ServiceSpec | None:
    for name in served_services():
        spec = load_service(name)
        if spec.target_prefix == prefix:
            return spec
    return None
