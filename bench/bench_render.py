"""Render throughput: Baryon's spec validation + rendering against plain Jinja2 on the same templates.

For every Jinja/CloudFormation sample bundle (../shared/fixtures/proton-samples), build a spec from the
schema's defaults and generated values, then in the same run time, on every file the bundle's manifests list:

* plain: ``jinja2.Environment(undefined=StrictUndefined).from_string(...)`` compiled once, ``render(context)``;
* baryon: ``validate_spec`` (YAML parse, schema check, defaults) + ``render_service_instance`` /
  ``render_environment`` / ``render_pipeline`` (cached templates, Proton filters, context building);
* baryon without spec memo: the same with a spec text never seen before on every call, as a server meets
  them (each CreateEnvironment carries a new spec), so ``validate_spec`` parses and checks every time.

The three take turns in short slices, so the machine's varying load weighs on them alike. Prints renders per
second and the ratios (goal: baryon >= 0.5x plain, without the spec memo too). Baryon renders the same
templates with its own Jinja environment (``a.b`` on dicts without exceptions, globals copied as a plain dict),
about twice as fast as Jinja's defaults, so with memoised specs it outpaces plain.

Then the rendered CloudFormation files are read back as a deployment reads its template, in turns as above:
``yamlio.load_cloudformation`` (libyaml's parser, Baryon's direct constructor, short forms included) against
PyYAML's own construction with the same parser and the same short-form constructor (Baryon's loader before it
had the direct constructor). Runs in under a minute.
"""

from __future__ import annotations

import itertools
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from baryon.templates import (
    TemplateKind,
    bundle_from_files,
    check_bundle,
    render_environment,
    render_pipeline,
    render_service_instance,
    sample_inputs,
    validate_spec,
)
from baryon.templates.filters import FILTERS
from baryon.templates.manifest import Engine
from baryon.templates.render import instance_context, pipeline_context
from baryon.templates.yamlio import load_cloudformation
from tests.templates.fixtures import ReferenceCloudFormationLoader

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "proton-samples"
SERVICE = {"name": "svc", "branch_name": "main", "repository_connection_arn": "arn:x", "repository_id": "o/r"}
ENVIRONMENT = {"name": "env", "account_id": "111111111111", "outputs": {}}
SECONDS = 4.0
ROUNDS = 16


class Outputs(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "nodejs12.x" if key == "LambdaRuntime" else f"value-{key}"


def _cases() -> list[tuple[Callable[[], Any], Callable[[], Any], Callable[[], Any]]]:
    plain_env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False)
    plain_env.filters.update(FILTERS)
    cases = []
    for schema_path in sorted(SAMPLES.rglob("schema/schema.yaml")):
        root = schema_path.parent.parent
        files = {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}
        bundle = bundle_from_files(files)
        kind = TemplateKind.SERVICE if bundle.has_dir("instance_infrastructure") else TemplateKind.ENVIRONMENT
        pipeline = bundle.has_dir("pipeline_infrastructure")
        try:
            checked = check_bundle(bundle, kind, pipeline=pipeline)
        except Exception:  # the deliberately broken samples
            continue
        if any(m.engine is not Engine.CLOUDFORMATION for m in checked.manifests) or not checked.manifests:
            continue
        schema = checked.schema
        env = dict(ENVIRONMENT, outputs=Outputs())
        templates = [(m.directory, plain_env.from_string(bundle.text(f))) for m in checked.manifests for f in m.files]
        if kind is TemplateKind.ENVIRONMENT:
            text = yaml.safe_dump({"proton": "EnvironmentSpec", "spec": sample_inputs(schema.environment_inputs)})
            spec = validate_spec(text, schema, kind)
            context = {"environment": {"name": "env", "inputs": dict(spec.inputs)}}

            def baryon(b: Any = bundle, t: str = text, s: Any = schema) -> Any:
                parsed = validate_spec(t, s, TemplateKind.ENVIRONMENT)
                return render_environment(b, environment_name="env", inputs=parsed.inputs)

            cases.append((baryon, lambda ts=templates, c=context: [t.render(c) for _, t in ts], _cold(baryon)))
            continue
        doc: dict[str, Any] = {"proton": "ServiceSpec", "instances": [{"name": "one", "environment": "env"}]}
        doc["instances"][0]["spec"] = sample_inputs(schema.service_inputs)
        if pipeline:
            doc["pipeline"] = sample_inputs(schema.pipeline_inputs)
        text = yaml.safe_dump(doc)
        spec = validate_spec(text, schema, kind, pipeline=pipeline)
        inputs = spec.instances[0].inputs
        ictx = instance_context(environment=env, service=SERVICE, instance_name="one", inputs=inputs)
        items = [{"name": "one", "inputs": inputs, "outputs": Outputs(), "environment": env}]
        pctx = pipeline_context(service=SERVICE, pipeline_inputs=spec.pipeline_inputs or {}, instances=items)

        def plain_render(ts: Any = templates, i: Any = ictx, p: Any = pctx) -> Any:
            return [t.render(i if d == "instance_infrastructure" else p) for d, t in ts]

        def baryon_render(b: Any = bundle, t: str = text, s: Any = schema, pl: bool = pipeline, e: Any = env) -> Any:
            parsed = validate_spec(t, s, TemplateKind.SERVICE, pipeline=pl)
            instance = parsed.instances[0]
            out = render_service_instance(
                b, environment=e, service=SERVICE, instance_name="one", inputs=instance.inputs
            )
            if pl and parsed.pipeline_inputs is not None:
                item = {"name": "one", "inputs": instance.inputs, "outputs": Outputs(), "environment": e}
                out |= render_pipeline(b, service=SERVICE, pipeline_inputs=parsed.pipeline_inputs, instances=[item])
            return out

        cases.append((baryon_render, plain_render, _cold(baryon_render)))
    return cases


_SPEC_NUMBERS = itertools.count()


def _cold(function: Callable[..., Any]) -> Callable[[], Any]:
    """The same case with a spec text never seen before on every call (defeats validate_spec's memo). The
    numbers are unique across cases: sample bundles sharing a schema have the same spec text."""

    def run() -> Any:
        defaults = function.__defaults__ or ()
        return function(defaults[0], f"{defaults[1]}# {next(_SPEC_NUMBERS)}\n", *defaults[2:])

    return run


def _throughputs(groups: list[list[Callable[[], Any]]]) -> list[float]:
    """Calls per second of each group of functions. The groups take turns in short slices, so that the
    machine's load, which varies, weighs on all of them alike."""
    counts, spent = [0] * len(groups), [0.0] * len(groups)
    for _ in range(ROUNDS):
        for i, functions in enumerate(groups):
            start = time.perf_counter()
            while time.perf_counter() - start < SECONDS / ROUNDS:
                for function in functions:
                    function()
                counts[i] += len(functions)
            spent[i] += time.perf_counter() - start
    return [count / seconds for count, seconds in zip(counts, spent, strict=True)]


def main() -> None:
    if not SAMPLES.is_dir():
        print(f"sample bundles not found at {SAMPLES}")
        return
    cases = _cases()
    for baryon, plain, cold in cases:  # warm caches, and check all work
        baryon()
        plain()
        cold()
    plain_rate, baryon_rate, cold_rate = _throughputs(
        [[plain for _, plain, _ in cases], [baryon for baryon, _, _ in cases], [cold for _, _, cold in cases]]
    )
    print(f"bundles: {len(cases)} Jinja/CloudFormation sample bundles (instance + pipeline files rendered per bundle)")
    print(f"plain jinja2 render:                          {plain_rate:9.1f} bundles/s")
    print(f"baryon validate_spec + render:                {baryon_rate:9.1f} bundles/s")
    print(f"baryon, every spec text new (no spec memo):   {cold_rate:9.1f} bundles/s")
    print(f"ratio baryon/plain:                           {baryon_rate / plain_rate:9.2f}x (goal >= 0.5x)")
    print(f"ratio baryon without spec memo/plain:         {cold_rate / plain_rate:9.2f}x (goal >= 0.5x)")
    _compare_template_loads([baryon() for baryon, _, _ in cases])


def _compare_template_loads(rendered: list[dict[str, str]]) -> None:
    texts = [text for files in rendered for path, text in files.items() if path.endswith("cloudformation.yaml")]
    for text in texts:  # both give the same template
        assert load_cloudformation(text, "t") == yaml.load(text, Loader=ReferenceCloudFormationLoader)
    pyyaml_rate, baryon_rate = _throughputs(
        [
            [lambda t=text: yaml.load(t, Loader=ReferenceCloudFormationLoader) for text in texts],
            [lambda t=text: load_cloudformation(t, "t") for text in texts],
        ]
    )
    print(f"rendered CloudFormation files: {len(texts)}")
    print(f"PyYAML construction (libyaml parser):         {pyyaml_rate:9.1f} files/s")
    print(f"baryon load_cloudformation:                   {baryon_rate:9.1f} files/s")
    print(f"ratio baryon/PyYAML:                          {baryon_rate / pyyaml_rate:9.2f}x (goal >= 1x)")


if __name__ == "__main__":
    main()
