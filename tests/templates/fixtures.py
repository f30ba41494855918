"""Helpers shared by the template tests: where the public sample bundles live and how to load them."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from baryon.templates import Bundle, TemplateKind, bundle_from_files, yamlio

SAMPLES = Path(__file__).parents[3] / "shared" / "fixtures" / "proton-samples"
CHECKER = SAMPLES / "aws-samples+aws-proton-template-checker-action" / "test" / "sample_templates"

# Bundles that must NOT register, and why.
REFUSED = {
    "aws-samples+aws-proton-template-checker-action/test/sample_templates/invalid_jinja_syntax_template": (
        "line 31: Jinja syntax error"
    ),
    "aws-samples+aws-proton-template-checker-action/test/sample_templates/invalid_jinja_template": (
        "service_instance.inputs.this_does is not defined"
    ),
}


class ReferenceCloudFormationLoader(yamlio._SafeLoader):  # type: ignore[misc, valid-type]
    """PyYAML's own construction of a CloudFormation template, with the same parser (libyaml's when PyYAML has
    it), short forms as `yamlio` reads them and timestamps left as text: what `yamlio.load_cloudformation` must
    give, and what it used before it had its direct constructor."""

    yaml_implicit_resolvers = yamlio._CloudFormationLoader.yaml_implicit_resolvers


ReferenceCloudFormationLoader.add_multi_constructor("!", yamlio._short_form)


def need_samples() -> None:
    if not SAMPLES.is_dir():
        pytest.skip(f"sample bundles not found at {SAMPLES}")


def bundle_dirs() -> list[Path]:
    """Every template bundle in the samples: a directory holding schema/schema.yaml."""
    if not SAMPLES.is_dir():
        return []
    return sorted(p.parent.parent for p in SAMPLES.rglob("schema/schema.yaml"))


def bundle_id(path: Path) -> str:
    return str(path.relative_to(SAMPLES))


def files_of(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in directory.rglob("*") if p.is_file()}


def load_dir(directory: Path) -> Bundle:
    return bundle_from_files(files_of(directory))


def tarball(files: dict[str, bytes], prefix: str = "") -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for path, data in sorted(files.items()):
            info = tarfile.TarInfo(prefix + path)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def kind_of(bundle: Bundle) -> TemplateKind:
    return TemplateKind.SERVICE if bundle.has_dir("instance_infrastructure") else TemplateKind.ENVIRONMENT


def spec_files(directory: Path) -> list[Path]:
    """Spec files shipped next to a bundle (``spec/`` inside it or beside it)."""
    found = []
    for folder in (directory / "spec", directory.parent / "spec"):
        for name in ("spec.yaml",):
            if (folder / name).is_file():
                found.append(folder / name)
    return found
