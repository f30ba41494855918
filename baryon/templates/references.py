"""Which spec inputs a Jinja file refers to, found in its syntax tree.

Proton fails the registration of a template version whose IaC refers to an input its schema does not define.
The references recognised are ``environment.inputs.X`` (environment templates), ``service_instance.inputs.X``
and ``service_instances[i].inputs.X`` (service instance inputs; also the loop variable of
``{% for service_instance in service_instances %}`` in pipelines) and ``pipeline.inputs.X``. A reference
guarded by the ``default`` filter or an ``is defined`` test is allowed, as it renders without the input.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from jinja2 import nodes

_GUARDED_TESTS = ("defined", "undefined")


@dataclass(frozen=True)
class InputReference:
    """``namespace`` is ``environment``, ``service_instance`` or ``pipeline``; ``name`` the input."""

    namespace: str
    name: str
    line: int

    @property
    def expression(self) -> str:
        return f"{self.namespace}.inputs.{self.name}"


def _chain(node: nodes.Node) -> tuple[str, list[str | None]] | None:
    """``a.b["c"][0]`` -> ("a", ["b", "c", "[]"]); dynamic subscripts give None entries."""
    parts: list[str | None] = []
    while True:
        if isinstance(node, nodes.Getattr):
            parts.append(node.attr)
            node = node.node
        elif isinstance(node, nodes.Getitem):
            arg = node.arg
            if isinstance(arg, nodes.Const) and isinstance(arg.value, str):
                parts.append(arg.value)
            elif isinstance(arg, nodes.Const) and isinstance(arg.value, int):
                parts.append("[]")
            else:
                parts.append(None)
            node = node.node
        elif isinstance(node, nodes.Name):
            parts.reverse()
            return node.name, parts
        else:
            return None


def _match(root: str, parts: list[str | None]) -> tuple[str, str] | None:
    if root in ("environment", "service_instance", "pipeline") and len(parts) >= 2 and parts[0] == "inputs":
        name = parts[1]
        return (root, name) if name and name != "[]" else None
    if root == "service_instances" and len(parts) >= 3 and parts[0] == "[]" and parts[1] == "inputs":
        name = parts[2]
        return ("service_instance", name) if name and name != "[]" else None
    return None


def input_references(tree: nodes.Template) -> Iterator[InputReference]:
    """Every input reference in ``tree`` that is not guarded by ``default`` or ``is defined``."""
    guarded: set[int] = set()
    for flt in tree.find_all(nodes.Filter):
        if flt.name == "default" and flt.node is not None:
            guarded.add(id(flt.node))
    for test in tree.find_all(nodes.Test):
        if test.name in _GUARDED_TESTS:
            guarded.add(id(test.node))
    seen: set[tuple[str, str, int]] = set()
    for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
        if id(node) in guarded:
            continue
        chain = _chain(node)
        if chain is None:
            continue
        found = _match(*chain)
        if found is None:
            continue
        # The inner `service_instance.inputs.x` of a guarded `service_instance.inputs.x.y` is still a use.
        key = (found[0], found[1], node.lineno)
        if key not in seen:
            seen.add(key)
            yield InputReference(found[0], found[1], node.lineno)
