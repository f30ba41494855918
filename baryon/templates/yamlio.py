"""YAML loading shared by the schema, manifest and spec readers, and for rendered CloudFormation templates:
safe loading only, errors as BundleError with the file name and position."""

from __future__ import annotations

from typing import Any

import yaml  # type: ignore[import-untyped, unused-ignore]

from baryon.templates.errors import BundleError

_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_TAG = "tag:yaml.org,2002:"
_STR, _SEQ, _MAP = _TAG + "str", _TAG + "seq", _TAG + "map"
_ScalarNode, _SequenceNode, _MappingNode = yaml.ScalarNode, yaml.SequenceNode, yaml.MappingNode
_DEFAULT_TAGS = {_ScalarNode: _STR, _SequenceNode: _SEQ, _MappingNode: _MAP}
_MAX_DEPTH = 64


def _lookup_tables(
    resolvers: dict[str | None, list[tuple[str, Any]]],
) -> tuple[dict[str, tuple[tuple[str, Any], ...]], tuple[tuple[str, Any], ...]]:
    """PyYAML's implicit resolvers as `_Loader.resolve` looks them up: those for a scalar's first character
    followed by those for any character, and those for any character alone."""
    wildcard = tuple(resolvers.get(None, ()))
    return {first: tuple(found) + wildcard for first, found in resolvers.items() if first is not None}, wildcard


class _Indirect(Exception):
    """A node the direct constructor leaves to PyYAML's: other tags, merge keys, aliases, deep nesting."""


class _Loader(_SafeLoader):  # type: ignore[misc, valid-type, unused-ignore]
    """The safe loader (libyaml's parser when available), made cheaper for the plain documents Baryon reads.

    It has no path resolvers, so tags are resolved without PyYAML's per-node bookkeeping for them (same
    implicit resolvers, same order), and documents made only of mappings, lists, strings, numbers, booleans
    and nulls are built directly rather than through PyYAML's generator machinery. Anything else is built by
    PyYAML, so results and errors are the same."""

    _implicit, _wildcard = _lookup_tables(_SafeLoader.yaml_implicit_resolvers)
    _scalars = {_TAG + n: _SafeLoader.yaml_constructors[_TAG + n] for n in ("null", "bool", "int", "float")}

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        """Nothing to track without path resolvers."""

    def ascend_resolver(self) -> None:
        """Nothing to track without path resolvers."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        """A plain scalar's tag is that of the first implicit resolver matching it; otherwise the kind's default."""
        if kind is _ScalarNode and implicit[0]:
            for tag, regexp in self._implicit.get(value[:1], self._wildcard):
                if regexp.match(value):
                    return tag
        return _DEFAULT_TAGS[kind]

    def construct_document(self, node: Any) -> Any:
        try:
            return self._direct(node, set(), 0)
        except _Indirect:
            return super().construct_document(node)

    def _direct(self, node: Any, seen: set[int], depth: int) -> Any:
        """The value of ``node``; ``seen`` holds the ids of the collection nodes built so far (a second visit
        is an alias, which PyYAML turns into a shared or recursive object)."""
        kind, tag = type(node), node.tag
        if kind is _ScalarNode:
            if tag == _STR:
                return node.value
            if tag not in self._scalars:
                raise _Indirect
            return self._scalars[tag](self, node)
        if depth >= _MAX_DEPTH or id(node) in seen:
            raise _Indirect
        seen.add(id(node))
        if kind is _SequenceNode and tag == _SEQ:
            return [self._direct(child, seen, depth + 1) for child in node.value]
        if kind is _MappingNode and tag == _MAP:
            return self._mapping(node, seen, depth + 1)
        raise _Indirect

    def _mapping(self, node: Any, seen: set[int], depth: int) -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _STR and type(key_node) is _ScalarNode:  # nearly every key: no call
                key = key_node.value
            else:
                key = self._direct(key_node, seen, depth)
                if isinstance(key, list | dict):
                    raise _Indirect  # PyYAML's "found unhashable key"
            out[key] = self._direct(value_node, seen, depth)
        return out


def load_yaml(text: str, where: str) -> Any:
    """Parse one YAML document with the safe loader; BundleError naming ``where`` on a syntax error."""
    return _parse(text, where, _Loader)  # a safe loader (CSafeLoader or SafeLoader)


def _parse(text: str, where: str, loader: Any) -> Any:
    try:
        return yaml.load(text, Loader=loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        at = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        raise BundleError(f"{where}: invalid YAML{at}: {exc.problem or exc}") from None
    except yaml.YAMLError as exc:
        raise BundleError(f"{where}: invalid YAML: {exc}") from None


_TIMESTAMP = _TAG + "timestamp"


class _CloudFormationLoader(_Loader):  # type: ignore[misc, valid-type, unused-ignore]
    """The faster safe loader, reading CloudFormation's short-form functions (`!Ref X` is `{"Ref": "X"}`,
    `!GetAtt A.B` is `{"Fn::GetAtt": ["A", "B"]}`, `!Sub ...` is `{"Fn::Sub": ...}`) and leaving timestamps as
    text, as CloudFormation does. Short forms are built directly like the rest; what the direct constructor
    leaves to PyYAML is built by PyYAML with `_short_form`, to the same values."""

    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP]
        for first, resolvers in _SafeLoader.yaml_implicit_resolvers.items()
    }
    _implicit, _wildcard = _lookup_tables(yaml_implicit_resolvers)

    def _direct(self, node: Any, seen: set[int], depth: int) -> Any:
        tag = node.tag
        if not tag.startswith("!"):
            return super()._direct(node, seen, depth)
        kind, suffix = type(node), tag[1:]
        value: Any
        if kind is _ScalarNode:
            value = node.value.split(".", 1) if suffix == "GetAtt" else node.value
        else:
            if depth >= _MAX_DEPTH or id(node) in seen:
                raise _Indirect
            seen.add(id(node))
            if kind is _SequenceNode:
                value = [self._direct(child, seen, depth + 1) for child in node.value]
            else:
                value = self._mapping(node, seen, depth + 1)
        return {_function(suffix): value}


def _function(suffix: str) -> str:
    """The long-form key of the short-form tag `!suffix`."""
    return suffix if suffix in ("Ref", "Condition") else f"Fn::{suffix}"


def _short_form(loader: Any, suffix: str, node: Any) -> dict[str, Any]:
    value: Any
    if isinstance(node, _ScalarNode):
        value = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, _SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {_function(suffix): value}


_CloudFormationLoader.add_multi_constructor("!", _short_form)


def load_cloudformation(text: str, where: str) -> dict[str, Any]:
    """A CloudFormation template (YAML with short-form functions, or JSON) as plain data."""
    data = _parse(text, where, _CloudFormationLoader)
    if not isinstance(data, dict):
        raise BundleError(f"{where}: must be a YAML mapping, not {type_name(data)}")
    return data


def load_mapping(text: str, where: str) -> dict[str, Any]:
    """Parse a YAML document whose top level must be a mapping."""
    data = load_yaml(text, where)
    if not isinstance(data, dict):
        raise BundleError(f"{where}: must be a YAML mapping, not {type_name(data)}")
    return data


def type_name(value: Any) -> str:
    """The YAML/JSON word for a Python value's type, for error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__
