"""`baryon template`: work with Proton template bundles locally, without a server."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
from rich.console import Console

template_app = typer.Typer(help="Check and render AWS Proton template bundles locally.", no_args_is_help=True)
console = Console(soft_wrap=True, highlight=False)
errors = Console(stderr=True, soft_wrap=True, highlight=False)


def _read_dir(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def _outputs(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    data = yaml.safe_load(path.read_text()) or {}
    if not isinstance(data, dict):
        raise typer.BadParameter("--outputs must be a YAML mapping of output name to value")
    return data


@template_app.command()
def render(
    bundle_dir: Annotated[Path, typer.Argument(help="The bundle directory (holding schema/schema.yaml).")],
    spec: Annotated[Path, typer.Option("--spec", help="An EnvironmentSpec or ServiceSpec YAML file.")],
    environment_name: Annotated[
        str | None, typer.Option("--environment-name", help="Environment name (default: from the spec, or 'env').")
    ] = None,
    kind: Annotated[
        str | None, typer.Option("--kind", help="environment or service (default: guessed from the bundle).")
    ] = None,
    outputs: Annotated[
        Path | None, typer.Option("--outputs", help="YAML mapping of the environment's outputs (service templates).")
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Write the rendered files under this directory.")] = None,
) -> None:
    """Check a bundle, validate a spec against its schema and print (or write) the rendered infrastructure."""
    from baryon.templates import (
        BundleError,
        TemplateKind,
        bundle_from_files,
        check_bundle,
        render_environment,
        render_pipeline,
        render_service_instance,
        validate_spec,
    )
    from baryon.templates.samples import sample_outputs

    if not bundle_dir.is_dir():
        errors.print(f"{bundle_dir}: not a directory")
        raise typer.Exit(2)
    try:
        bundle = bundle_from_files(_read_dir(bundle_dir))
        if kind is None:
            chosen = TemplateKind.SERVICE if bundle.has_dir("instance_infrastructure") else TemplateKind.ENVIRONMENT
        elif kind.lower() in ("environment", "service"):
            chosen = TemplateKind(kind.upper())
        else:
            raise typer.BadParameter("--kind must be environment or service")
        pipeline = chosen is TemplateKind.SERVICE and bundle.has_dir("pipeline_infrastructure")
        checked = check_bundle(bundle, chosen, pipeline=pipeline)
        for warning in checked.warnings:
            errors.print(f"warning: {warning}")
        parsed = validate_spec(spec.read_text(), checked.schema, chosen, pipeline=pipeline)
        rendered: dict[str, str] = {}
        if chosen is TemplateKind.ENVIRONMENT:
            name = environment_name or "env"
            rendered = render_environment(bundle, environment_name=name, inputs=parsed.inputs)
        else:
            service = {"name": "service", "branch_name": "main", "repository_connection_arn": "", "repository_id": ""}
            env_outputs = sample_outputs(_outputs(outputs))
            items = []
            for instance in parsed.instances:
                env = {
                    "name": environment_name or instance.environment or "env",
                    "account_id": "123456789012",
                    "outputs": env_outputs,
                }
                for path, text in render_service_instance(
                    bundle, environment=env, service=service, instance_name=instance.name, inputs=instance.inputs
                ).items():
                    rendered[f"{instance.name}/{path}"] = text
                items.append({"name": instance.name, "inputs": instance.inputs, "environment": env})
            if pipeline and parsed.pipeline_inputs is not None:
                rendered |= render_pipeline(
                    bundle, service=service, pipeline_inputs=parsed.pipeline_inputs, instances=items
                )
    except BundleError as exc:
        errors.print(f"error: {exc.message}")
        raise typer.Exit(1) from None
    for path, text in rendered.items():
        if out is None:
            console.print(f"# ---- {path} ----")
            console.print(text, markup=False)
        else:
            target = out / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text if text.endswith("\n") else text + "\n")
            errors.print(f"wrote {target}")
