"""Proton's Jinja filters for CloudFormation IaC files (parameter-filters page).

They mostly format a component's outputs (``service_instance.components.default.outputs``, a mapping of
output name to string) into CloudFormation YAML:

* ``proton_cfn_ecs_task_definition_formatted_env_vars(raw=True)`` -> a YAML list of ``{Name, Value}``
  (an ECS container definition's ``Environment``);
* ``proton_cfn_lambda_function_formatted_env_vars(raw=True)`` -> a YAML mapping (a Lambda function's
  ``Environment.Variables``);
* ``proton_cfn_iam_policy_arns`` -> a YAML list of the values that are IAM policy ARNs;
* ``proton_cfn_sanitize`` -> the value itself, if it matches ``^[a-zA-Z0-9_-]*$`` or is an ARN.

With ``raw=False`` the two env-var filters also require every value to match ``^[a-zA-Z0-9_-]*$``.

A multi-line result is written where the ``{{ ... }}`` stands, so its second and later lines must be indented
like the first. A filter cannot see that column, so it marks its lines (``START``/``CONT``) and
:func:`indent_marked` re-indents them after rendering.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

import yaml  # type: ignore[import-untyped, unused-ignore]

from baryon.templates.errors import BundleError

START = "\x1d"
CONT = "\x1e"
SAFE = re.compile(r"^[a-zA-Z0-9_-]*$")
ARN = re.compile(r"^arn:[a-zA-Z0-9-]+:[a-zA-Z0-9-]+:[a-zA-Z0-9-]*:(\d{12}|aws)?:\S+$")
IAM_POLICY_ARN = re.compile(r"^arn:[a-zA-Z-]+:iam::\d{12}:policy/")


def _scalar(value: Any) -> str:
    """A YAML scalar: plain when YAML reads it back as the same string, else double-quoted (JSON)."""
    text = value if isinstance(value, str) else str(value)
    if text and text == text.strip() and "\n" not in text:
        try:
            if yaml.safe_load(text) == text:
                return text
        except yaml.YAMLError:
            pass
    return json.dumps(text)


def _block(lines: list[str]) -> str:
    if not lines:
        return ""
    return START + ("\n" + CONT).join(lines)


def _outputs(value: Any, name: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise BundleError(f"{name}: expects a mapping of outputs (for example component outputs)")
    return value


def _check_raw(outputs: Mapping[str, Any], raw: bool) -> None:
    if raw:
        return
    for value in outputs.values():
        if not SAFE.match(str(value)):
            raise BundleError(f'Illegal character(s) detected in "{value}". Must match regex ^[a-zA-Z0-9_-]*$')


def ecs_env_vars(value: Any, raw: bool = True) -> str:
    outputs = _outputs(value, "proton_cfn_ecs_task_definition_formatted_env_vars")
    _check_raw(outputs, raw)
    lines: list[str] = []
    for key, val in outputs.items():
        lines += [f"- Name: {_scalar(key)}", f"  Value: {_scalar(val)}"]
    return _block(lines)


def lambda_env_vars(value: Any, raw: bool = True) -> str:
    outputs = _outputs(value, "proton_cfn_lambda_function_formatted_env_vars")
    _check_raw(outputs, raw)
    return _block([f"{_scalar(key)}: {_scalar(val)}" for key, val in outputs.items()])


def iam_policy_arns(value: Any) -> str:
    outputs = _outputs(value, "proton_cfn_iam_policy_arns")
    arns = [str(v) for v in outputs.values() if IAM_POLICY_ARN.match(str(v))]
    return _block([f"- {_scalar(arn)}" for arn in arns])


def sanitize(value: Any) -> Any:
    text = str(value)
    if SAFE.match(text) or ARN.match(text):
        return value
    raise BundleError(f'Illegal character(s) detected in "{text}". Must match regex ^[a-zA-Z0-9_-]*$ or be a valid ARN')


FILTERS = {
    "proton_cfn_ecs_task_definition_formatted_env_vars": ecs_env_vars,
    "proton_cfn_lambda_function_formatted_env_vars": lambda_env_vars,
    "proton_cfn_iam_policy_arns": iam_policy_arns,
    "proton_cfn_sanitize": sanitize,
}


def indent_marked(text: str) -> str:
    """Indent the continuation lines of filter blocks to the column where the block started (or, when the
    block follows other text on its line, to that line's indentation)."""
    if START not in text:
        return text
    out: list[str] = []
    indent = ""
    for line in text.split("\n"):
        while line.startswith(CONT):
            line = indent + line[len(CONT) :]
        if START in line:
            before = line[: line.index(START)]
            indent = before if not before.strip() else before[: len(before) - len(before.lstrip())]
            line = line.replace(START, "")
        out.append(line)
    return "\n".join(out)
