"""cfn-lint, the CloudFormation linter, behind a narrow typed wrapper (cfn-lint has no type hints).

Building cfn-lint's rule collection takes ~0.3 s, so it is built once per process and reused: a lint then
costs a few to a few tens of milliseconds per template.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

_rules: Any = None
_lock = threading.Lock()


@dataclass(frozen=True)
class LintFinding:
    """One cfn-lint match: rule id (``E3002``), severity (``error``, ``warning``, ``informational``)."""

    rule: str
    severity: str
    line: int
    message: str


def _collection() -> Any:
    global _rules
    with _lock:
        if _rules is None:
            from cfnlint.core import get_rules  # type: ignore[import-untyped, unused-ignore]

            _rules = get_rules([], [], [])
        return _rules


def lint_cloudformation(text: str, region: str = "us-east-1") -> list[LintFinding]:
    """Lint one CloudFormation template (YAML or JSON text)."""
    from cfnlint.api import lint  # type: ignore[import-untyped, unused-ignore]

    matches = lint(text, rules=_collection(), regions=[region])
    findings = []
    for match in matches:
        rule = getattr(match, "rule", None)
        rule_id = str(getattr(rule, "id", "E0000"))
        severity = str(getattr(rule, "severity", "error")).lower()
        findings.append(LintFinding(rule_id, severity, int(getattr(match, "linenumber", 0) or 0), str(match.message)))
    return findings
