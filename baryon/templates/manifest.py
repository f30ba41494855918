"""``manifest.yaml``: which IaC files an infrastructure directory holds and how Proton treats them.

Three provisioning styles (ag-wrap-up):

* ``rendering_engine: jinja`` + ``template_language: cloudformation`` - one CloudFormation file, rendered with
  Jinja by Proton and deployed as a stack (AWS-managed provisioning). Preview-era manifests say ``engine:``.
* ``rendering_engine: hcl`` + ``template_language: terraform`` - Terraform files (``file: "*"`` means every
  ``*.tf`` file of the directory), handed to the customer's own automation (self-managed provisioning).
* ``rendering_engine: codebuild`` - shell ``provision``/``deprovision`` commands Proton runs in CodeBuild,
  with an input file of the resource's parameters (``input_type: JSON`` or ``HCL``).
"""

from __future__ import annotations

import enum
import posixpath
from dataclasses import dataclass, field
from typing import Any

from baryon.templates.bundle import Bundle
from baryon.templates.errors import BundleError
from baryon.templates.yamlio import load_mapping


class Engine(enum.Enum):
    CLOUDFORMATION = "jinja"
    TERRAFORM = "hcl"
    CODEBUILD = "codebuild"


_LANGUAGE = {Engine.CLOUDFORMATION: "cloudformation", Engine.TERRAFORM: "terraform"}


@dataclass(frozen=True)
class Manifest:
    """One infrastructure directory (``infrastructure``, ``instance_infrastructure``, ``pipeline_infrastructure``):
    its engine, the bundle paths of its IaC files and, for CodeBuild, the ``settings`` mapping."""

    directory: str
    engine: Engine
    files: tuple[str, ...]
    settings: dict[str, Any] = field(default_factory=dict)
    input_type: str = "JSON"

    @property
    def path(self) -> str:
        return f"{self.directory}/manifest.yaml"


def _entry_engine(entry: dict[str, Any], where: str) -> Engine:
    raw = entry.get("rendering_engine", entry.get("engine"))
    if raw is None:
        raise BundleError(f"{where}.rendering_engine: is required (jinja, hcl or codebuild)")
    try:
        engine = Engine(raw)
    except ValueError:
        raise BundleError(f"{where}.rendering_engine: '{raw}' is not one of jinja, hcl, codebuild") from None
    language = entry.get("template_language")
    expected = _LANGUAGE.get(engine)
    if expected is not None and language != expected:
        raise BundleError(f"{where}.template_language: must be '{expected}' with rendering_engine {raw}")
    return engine


def _files(bundle: Bundle, directory: str, entry: dict[str, Any], engine: Engine, where: str) -> list[str]:
    name = entry.get("file")
    if not isinstance(name, str) or not name:
        raise BundleError(f"{where}.file: is required (the IaC file in {directory}/)")
    if engine is Engine.TERRAFORM and name == "*":
        found = [p for p in bundle.files if posixpath.dirname(p) == directory and p.endswith(".tf")]
        if not found:
            raise BundleError(f"{where}.file: '*' matches no .tf file in {directory}/")
        return sorted(found)
    path = posixpath.normpath(posixpath.join(directory, name))
    if not path.startswith(directory + "/"):
        raise BundleError(f"{where}.file: '{name}' is outside {directory}/")
    if path not in bundle.files:
        raise BundleError(f"{where}.file: {path} is not in the template bundle")
    return [path]


def _codebuild(entry: dict[str, Any], where: str) -> tuple[dict[str, Any], str]:
    settings = entry.get("settings")
    if not isinstance(settings, dict):
        raise BundleError(f"{where}.settings: is required with rendering_engine codebuild")
    for key in ("provision", "deprovision"):
        commands = settings.get(key)
        if not isinstance(commands, list) or not commands or not all(isinstance(c, str) for c in commands):
            raise BundleError(f"{where}.settings.{key}: must be a non-empty list of shell commands")
    if "image" in settings and not isinstance(settings["image"], str):
        raise BundleError(f"{where}.settings.image: must be a string")
    input_type = entry.get("input_type", settings.get("input_type", "JSON"))
    if input_type not in ("JSON", "HCL"):
        raise BundleError(f"{where}.input_type: must be JSON or HCL, not {input_type!r}")
    return settings, str(input_type)


def parse_manifest(bundle: Bundle, directory: str) -> Manifest:
    """Read and check ``<directory>/manifest.yaml``."""
    path = f"{directory}/manifest.yaml"
    if path not in bundle.files:
        raise BundleError(f"{path}: missing (every infrastructure directory needs a manifest.yaml)")
    doc = load_mapping(bundle.text(path), path)
    infra = doc.get("infrastructure")
    templates = infra.get("templates") if isinstance(infra, dict) else None
    if not isinstance(templates, list) or not templates:
        raise BundleError(f"{path}: infrastructure.templates must be a non-empty list")
    engines: set[Engine] = set()
    files: list[str] = []
    settings: dict[str, Any] = {}
    input_type = "JSON"
    for i, entry in enumerate(templates):
        where = f"{path}: infrastructure.templates[{i}]"
        if not isinstance(entry, dict):
            raise BundleError(f"{where}: must be a mapping")
        engine = _entry_engine(entry, where)
        engines.add(engine)
        if engine is Engine.CODEBUILD:
            settings, input_type = _codebuild(entry, where)
        else:
            files.extend(_files(bundle, directory, entry, engine, where))
    if len(engines) > 1:
        raise BundleError(f"{path}: all templates of a manifest must use the same rendering_engine")
    engine = engines.pop()
    if engine is not Engine.TERRAFORM and len(templates) > 1:
        raise BundleError(f"{path}: infrastructure.templates must list exactly one template for {engine.value}")
    if len(set(files)) != len(files):
        raise BundleError(f"{path}: a file is listed twice")
    return Manifest(directory, engine, tuple(files), settings, input_type)
