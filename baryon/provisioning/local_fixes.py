"""Template fixes for the local cloud: intrinsic functions moto's CloudFormation gets wrong, resolved by
Baryon before the template reaches it (real CloudFormation gets the template as rendered).

moto answers HTTP 500 on `Fn::Cidr`, returns a garbled string for `Fn::GetAZs: {Ref: AWS::Region}` and the
us-east-1 zones for `Fn::GetAZs: ""` in any region. Where their arguments are literal (after resolving
`Fn::FindInMap` on literal keys and `Ref: AWS::Region`), these functions are replaced by their values; a
`Fn::Select` over a resolved list is replaced by the element. Anything that depends on a resource or a
parameter is left for the engine. Pure: no I/O.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Any

Template = dict[str, Any]


class Unresolved(Exception):
    """The expression depends on something only the engine knows."""


def zones_of(region: str) -> list[str]:
    """The availability zones Baryon assumes for `region` in the local cloud (a, b, c)."""
    return [f"{region}{letter}" for letter in "abc"]


def fix_template(template: Mapping[str, Any], region: str) -> Template:
    """A copy of `template` with the literal `Fn::Cidr`, `Fn::GetAZs` and selections over them resolved."""
    mappings = template.get("Mappings") or {}
    resolver = _Resolver(mappings if isinstance(mappings, Mapping) else {}, region)
    fixed = dict(template)
    for section in ("Resources", "Outputs", "Conditions"):
        if isinstance(template.get(section), Mapping):
            fixed[section] = resolver.walk(template[section])
    return fixed


class _Resolver:
    def __init__(self, mappings: Mapping[str, Any], region: str) -> None:
        self.mappings = mappings
        self.region = region

    def walk(self, node: Any) -> Any:
        if isinstance(node, list):
            return [self.walk(item) for item in node]
        if not isinstance(node, Mapping):
            return node
        if len(node) == 1:
            ((name, argument),) = node.items()
            if name in ("Fn::Cidr", "Fn::GetAZs", "Fn::Select"):
                try:
                    return self.value(node)
                except Unresolved:
                    return {name: self.walk(argument)}
        return {key: self.walk(value) for key, value in node.items()}

    def value(self, node: Any) -> Any:
        """The literal value of `node`, or Unresolved."""
        if isinstance(node, (str, int, float, bool)):
            return node
        if isinstance(node, list):
            return [self.value(item) for item in node]
        if not isinstance(node, Mapping) or len(node) != 1:
            raise Unresolved
        ((name, argument),) = node.items()
        if name == "Ref" and argument == "AWS::Region":
            return self.region
        if name == "Fn::FindInMap" and isinstance(argument, list) and len(argument) == 3:
            mapping, first, second = (self.value(part) for part in argument)
            try:
                return self.value(self.mappings[mapping][first][second])
            except (KeyError, TypeError):
                raise Unresolved from None
        if name == "Fn::GetAZs":
            region = self.value(argument)
            return zones_of(str(region) or self.region)
        if name == "Fn::Cidr" and isinstance(argument, list) and len(argument) == 3:
            block, count, bits = (self.value(part) for part in argument)
            return cidr(str(block), int(count), int(bits))
        if name == "Fn::Select" and isinstance(argument, list) and len(argument) == 2:
            index, items = self.value(argument[0]), self.value(argument[1])
            if isinstance(items, list) and 0 <= int(index) < len(items):
                return items[int(index)]
        raise Unresolved


def cidr(block: str, count: int, host_bits: int) -> list[str]:
    """`Fn::Cidr`: the first `count` subnets of `block` with `host_bits` bits for hosts (CloudFormation's
    `cidrBits`), as CloudFormation computes them."""
    try:
        network = ipaddress.ip_network(block, strict=False)
    except ValueError:
        raise Unresolved from None
    prefix = network.max_prefixlen - host_bits
    if not network.prefixlen <= prefix <= network.max_prefixlen or not 1 <= count <= 256:
        raise Unresolved
    subnets = network.subnets(new_prefix=prefix)
    found = []
    for subnet in subnets:
        found.append(str(subnet))
        if len(found) == count:
            return found
    raise Unresolved
