"""YAML loading: Baryon's faster loader gives what PyYAML's safe loader gives, values and errors alike."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from baryon.templates import yamlio
from baryon.templates.errors import BundleError

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
