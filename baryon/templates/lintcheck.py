"""Turning cfn-lint findings on a sample rendering into registration errors and warnings.

The rendering used sample inputs and made-up environment outputs, so a finding about a *value* (a pattern, an
enum, a deprecated Lambda runtime, a type that a real input would satisfy) says little about the template:
those are warnings. Findings about the template's structure refuse the bundle: YAML/JSON that does not parse
(E0000), bad intrinsic functions (E1xxx), unknown resource types (E3006), unknown or missing required
properties (E3002, E3003), and broken references, parameters, conditions or outputs (E2xxx, E6xxx, E8xxx)
except the value checks listed in ``VALUE_RULES`` and ``VALUE_PREFIXES``.
"""

from __future__ import annotations

from baryon.templates.errors import BundleError
from baryon.templates.lint import lint_cloudformation

FATAL_PREFIXES = ("E0", "E1", "E2", "E6", "E8")
FATAL_RULES = frozenset({"E3001", "E3002", "E3003", "E3006"})
VALUE_RULES = frozenset({"E2530", "E2531", "E2533", "E1029", "E2015", "E2001"})
VALUE_PREFIXES = ("E115",)  # resource id / ARN / AMI formats, which depend on input and output values


def is_fatal(rule: str, severity: str, message: str = "") -> bool:
    if severity != "error" or rule in VALUE_RULES or rule.startswith(VALUE_PREFIXES):
        return False
    if " is not a '" in message:  # a format check (ipv4-network, ...) reported under a structural rule id
        return False
    return rule in FATAL_RULES or rule.startswith(FATAL_PREFIXES)


def lint_rendered(path: str, rendered: str) -> list[str]:
    """Lint one rendered CloudFormation file: BundleError on the first structural error, else warnings."""
    warnings: list[str] = []
    for finding in lint_cloudformation(rendered):
        text = f"{path} (rendered) line {finding.line}: {finding.rule} {finding.message}"
        if is_fatal(finding.rule, finding.severity, finding.message):
            raise BundleError(f"cfn-lint: {text}")
        warnings.append(f"cfn-lint: {text}")
    return warnings
