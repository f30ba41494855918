"""YAML loading: Baryon's faster loader gives what PyYAML's safe loader gives, values and errors alike."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from baryon.templates import yamlio
from baryon.templates.errors import BundleError
from tests.templates.fixtures import ReferenceCloudFormationLoader

EDGE_CASES = [
    "",
    "a",
    "- 1\n- 2.5\n- true\n- ~\n- '3'\n",
    "a: &x {b: 1}\nc: *x\n",
    "&a [*a]\n",
    "<<: {a: 1}\nb: 2\n",
    "a: {<<: [{x: 1}, {y: 2}], z: 3}\n",
    "= : 1\n",
    "? [1]\n: 2\n",
    "? {a: 1}\n: 2\n",
    "a: 2020-01-01\nb: 2020-01-01 10:00:00\n",
    "a: !!binary aGVsbG8=\n",
    "a: !!set {x, y}\nb: !!omap [c: 1]\nc: !!pairs [d: 1]\n",
    "a: !!str 1\nb: !!int '7'\nc: !!float '1'\nd: !!str [1]\n",
    "a: !!int abc\n",
    "a: !custom 1\n",
    "a: !!python/object:os.system x\n",
    "a: .nan\nb: -.inf\nc: 0x1F\nd: 0o17\ne: 1_000\nf: 1:30\ng: +1\nh: 012\ni: 1e3\n",
    "a: yes\nb: on\nc: NO\nd: Null\ne: ''\nf: '~'\n",
    "1: a\n1.5: b\ntrue: c\n~: d\n",
    "a: 1\na: 2\n",
    "[" * 100 + "]" * 100,
    "a: b\n---\nc: d\n",
    "a: [1, 2\n",
    "a:\n\tb\n",
    "a: 'x\n",
]

_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12)
_keys = st.text(max_size=8) | st.integers() | st.booleans()
_documents = st.recursive(
    _scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_keys, inner, max_size=4), max_leaves=20
)


def _outcome(text: str) -> tuple[str, str]:
    try:
        return "value", repr(yamlio.load_yaml(text, "spec"))
    except BundleError as exc:
        return "BundleError", exc.message
    except Exception as exc:  # what PyYAML raises outside YAMLError (an !!int that is no number)
        return type(exc).__name__, str(exc)


def _both(text: str, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    fast = _outcome(text)
    with monkeypatch.context() as patched:
        patched.setattr(yamlio, "_Loader", yamlio._SafeLoader)
        return fast, _outcome(text)


@pytest.mark.parametrize("text", EDGE_CASES)
def test_same_as_pyyaml_safe_loader(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    fast, reference = _both(text, monkeypatch)
    assert fast == reference


@settings(max_examples=200, deadline=None)
@given(_documents, st.sampled_from([{}, {"default_flow_style": True}, {"default_style": '"'}]))
def test_same_as_pyyaml_on_dumped_documents(document: Any, style: dict[str, Any]) -> None:
    text = yaml.safe_dump(document, **style)
    with pytest.MonkeyPatch.context() as monkeypatch:
        fast, reference = _both(text, monkeypatch)
    assert fast == reference


def test_aliases_stay_shared() -> None:
    doc = yamlio.load_yaml("a: &x {b: 1}\nc: *x\n", "spec")
    assert doc["a"] is doc["c"]
    loop = yamlio.load_yaml("&a [*a]\n", "spec")
    assert loop[0] is loop


# -- CloudFormation templates: short-form functions, timestamps left as text ------------------------------------

CLOUDFORMATION_CASES = [
    "A: !Ref X\nB: !GetAtt A.B.C\nC: !GetAtt [A, B]\n",
    "A: !Sub [x, {a: !Ref Y}]\nB: !Select [0, !GetAZs '']\nC: !Condition Flag\n",
    "A: !If [c, !Ref X, !Ref 'AWS::NoValue']\nB: !Join ['', [a, !Ref B]]\n",
    "A: !Base64 {Fn::Sub: x}\nB: !Cidr [!GetAtt V.CidrBlock, 2, 8]\n",
    "A: !Ref\nB: !Sub ''\nC: ! x\n",
    "A: 2020-01-01\nB: 2020-01-01 10:00:00\nC: !Ref 2020-01-01\n",
    "A: &x !Ref X\nB: *x\n",
    "A: &x {B: !Ref X}\nC: *x\n",
    "A: !Ref {Fn::GetAtt: [a, b]}\n" + "B: " + "!Sub [" * 70 + "]" * 70 + "\n",
    "? !Ref A\n: 1\n",
    "A: !Ref [\n",
    "A:\n- !Ref X\n- !!str 1\n- !!int '2'\n- yes\n",
]


def _cloudformation_outcome(text: str, reference: bool) -> tuple[str, str]:
    try:
        if reference:
            return "value", repr(yaml.load(text, Loader=ReferenceCloudFormationLoader))
        return "value", repr(yamlio.load_cloudformation(text, "template"))
    except BundleError as exc:
        return "BundleError", exc.message
    except yaml.YAMLError as exc:
        return "BundleError", str(exc)  # the reference reports PyYAML's error; compared on the kind below
    except Exception as exc:
        return type(exc).__name__, str(exc)


@pytest.mark.parametrize("text", CLOUDFORMATION_CASES)
def test_cloudformation_templates_load_as_pyyaml_builds_them(text: str) -> None:
    fast, reference = _cloudformation_outcome(text, False), _cloudformation_outcome(text, True)
    assert fast[0] == reference[0]
    if fast[0] == "value":
        assert fast[1] == reference[1]


_STR, _MAP = "tag:yaml.org,2002:str", "tag:yaml.org,2002:map"
_FUNCTIONS = st.sampled_from(["!Ref", "!GetAtt", "!Sub", "!Join", "!Select", "!If", "!Condition", "!GetAZs"])
_scalar_nodes = st.builds(
    lambda tag, value: yaml.ScalarNode(tag, value),
    st.sampled_from([_STR]) | _FUNCTIONS,
    st.text(max_size=10),
) | st.builds(lambda value: yaml.ScalarNode("tag:yaml.org,2002:int", str(value)), st.integers())
_nodes = st.recursive(
    _scalar_nodes,
    lambda inner: (
        st.builds(
            lambda tag, items: yaml.SequenceNode(tag, items),
            st.sampled_from(["tag:yaml.org,2002:seq"]) | _FUNCTIONS,
            st.lists(inner, max_size=4),
        )
        | st.builds(
            lambda tag, pairs: yaml.MappingNode(tag, [(yaml.ScalarNode(_STR, k), v) for k, v in pairs]),
            st.sampled_from([_MAP]) | _FUNCTIONS,
            st.lists(st.tuples(st.text(max_size=6), inner), max_size=4, unique_by=lambda pair: pair[0]),
        )
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(_nodes)
def test_cloudformation_short_forms_anywhere_load_as_pyyaml_builds_them(node: Any) -> None:
    text = yaml.serialize(yaml.MappingNode(_MAP, [(yaml.ScalarNode(_STR, "A"), node)]))
    assert yamlio.load_cloudformation(text, "template") == yaml.load(text, Loader=ReferenceCloudFormationLoader)
