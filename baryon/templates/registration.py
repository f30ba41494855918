"""Service-template registration files of template sync: ``.template-registration.yaml``::

    compatible_environments: [my-env-template:1, another-env-template:3]
    supported_component_sources: [DIRECTLY_DEFINED]   # optional

and the legacy ``.compatible-envs`` (one ``template:major`` per line), still honoured.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from baryon.templates.bundle import Bundle
from baryon.templates.errors import BundleError
from baryon.templates.yamlio import load_mapping

REGISTRATION = ".template-registration.yaml"
LEGACY = ".compatible-envs"
COMPONENT_SOURCES = ("DIRECTLY_DEFINED",)
_ENTRY = re.compile(r"^(?P<name>[0-9A-Za-z][0-9A-Za-z_-]*):(?P<major>[0-9]+)$")


@dataclass(frozen=True)
class Registration:
    compatible_environments: tuple[tuple[str, str], ...] = ()
    supported_component_sources: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


def _entry(raw: object, where: str) -> tuple[str, str]:
    match = _ENTRY.match(str(raw).strip())
    if match is None:
        raise BundleError(f"{where}: {raw!r} is not 'template-name:major-version'")
    return match["name"], match["major"]


def read_registration(bundle: Bundle) -> Registration:
    """Compatible environments and component sources declared in the bundle (empty when neither file exists)."""
    warnings: list[str] = []
    if REGISTRATION in bundle.files:
        doc = load_mapping(bundle.text(REGISTRATION), REGISTRATION) if bundle.text(REGISTRATION).strip() else {}
        for key in doc:
            if key not in ("compatible_environments", "supported_component_sources"):
                warnings.append(f"{REGISTRATION}: unknown key '{key}' ignored")
        envs = doc.get("compatible_environments") or []
        if not isinstance(envs, list):
            raise BundleError(f"{REGISTRATION}: compatible_environments must be a list of 'template:major'")
        compatible = tuple(_entry(e, f"{REGISTRATION}: compatible_environments[{i}]") for i, e in enumerate(envs))
        sources = doc.get("supported_component_sources") or []
        if not isinstance(sources, list):
            raise BundleError(f"{REGISTRATION}: supported_component_sources must be a list")
        for i, source in enumerate(sources):
            if source not in COMPONENT_SOURCES:
                raise BundleError(f"{REGISTRATION}: supported_component_sources[{i}]: must be DIRECTLY_DEFINED")
        if LEGACY in bundle.files:
            warnings.append(f"{LEGACY}: ignored because {REGISTRATION} is present")
        return Registration(compatible, tuple(sources), tuple(warnings))
    if LEGACY in bundle.files:
        lines = [line.split("#", 1)[0].strip() for line in bundle.text(LEGACY).splitlines()]
        entries = tuple(_entry(line, f"{LEGACY} line {n}") for n, line in enumerate(lines, 1) if line)
        return Registration(entries)
    return Registration()
