"""`baryon template render`."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from baryon.cli import app
from tests.templates.builders import CFN, ENV_SCHEMA, MANIFEST

runner = CliRunner()


def _bundle(tmp_path: Path) -> Path:
    root = tmp_path / "bundle"
    for path, text in {
        "schema/schema.yaml": ENV_SCHEMA,
        "infrastructure/manifest.yaml": MANIFEST,
        "infrastructure/cloudformation.yaml": CFN,
    }.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    return root


def test_render_prints_and_writes(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text("proton: EnvironmentSpec\nspec: {vpc_cidr: 10.9.0.0/16}\n")
    result = runner.invoke(app, ["template", "render", str(_bundle(tmp_path)), "--spec", str(spec)])
    assert result.exit_code == 0, result.output
    assert "CidrBlock: '10.9.0.0/16'" in result.stdout
    out = tmp_path / "out"
    result = runner.invoke(app, ["template", "render", str(_bundle(tmp_path)), "--spec", str(spec), "--out", str(out)])
    assert result.exit_code == 0
    assert "10.9.0.0/16" in (out / "infrastructure/cloudformation.yaml").read_text()


def test_render_bad_spec_exits_non_zero(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text("proton: EnvironmentSpec\nspec: {vpc_cidr: 5}\n")
    result = runner.invoke(
        app, ["template", "render", str(_bundle(tmp_path)), "--spec", str(spec), "--kind", "environment"]
    )
    assert result.exit_code == 1
    assert "spec.spec.vpc_cidr: must be a string" in result.output
