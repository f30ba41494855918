"""The position-aware JSON reader."""

from __future__ import annotations

import json

import pytest

from baryon.policy import PolicyError
from baryon.policy.jsontext import JsonObject, LineIndex, read_json


def test_values_match_the_standard_library() -> None:
    text = '{"a": [1, 2.5, -3e2, true, false, null, "x\\u00e9\\n\\"q\\""], "b": {}, "c": []}'
    assert read_json(text) == json.loads(text)


def test_integers_stay_integers_and_decimals_become_floats() -> None:
    value = read_json("[10, 10.0, 1e3]")
    assert value == [10, 10.0, 1000.0]
    assert isinstance(value, list)
    assert [type(item) for item in value] == [int, float, float]


def test_objects_remember_the_offsets_of_their_braces() -> None:
    text = '{\n  "s": {"k": 1},\n  "e": {}\n}'
    value = read_json(text)
    assert isinstance(value, JsonObject)
    inner, empty = value["s"], value["e"]
    assert isinstance(inner, JsonObject) and isinstance(empty, JsonObject)
    assert (text[inner.start], text[inner.end]) == ("{", "}")
    assert text[inner.start : inner.end + 1] == '{"k": 1}'
    assert text[empty.start : empty.end + 1] == "{}"
    assert (value.start, value.end) == (0, len(text) - 1)


def test_line_index_maps_offsets_to_lines() -> None:
    lines = LineIndex("ab\ncd\n\nef")
    assert lines.line_and_offset(0) == (1, 0)
    assert lines.line_and_offset(3) == (2, 3)
    assert lines.line_and_offset(6) == (3, 6)
    assert lines.line_and_offset(8) == (4, 7)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"a": 1,}', "Syntax errors in policy: expected a quoted object key at line 1, column 9."),
        ('{"a" 1}', "Syntax errors in policy: expected ':' after an object key at line 1, column 6."),
        ("[1 2]", "Syntax errors in policy: expected ',' or ']' in an array at line 1, column 4."),
        (
            '{"a": 1\n "b": 2}',
            "Syntax errors in policy: expected ',' or '}' in an object at line 2, column 2.",
        ),
        (
            '{"a": "unterminated}',
            "Syntax errors in policy: unterminated or invalid string at line 1, column 7.",
        ),
        ('{"a": "\ttab"}', "Syntax errors in policy: unterminated or invalid string at line 1, column 7."),
        ("", "Syntax errors in policy: unexpected end of the document at line 1, column 1."),
        ('{"a": tru}', "Syntax errors in policy: expected a JSON value at line 1, column 7."),
        ("01", "Syntax errors in policy: unexpected text after the JSON document at line 1, column 2."),
        ('{"k": 1, "k": 2}', 'Syntax errors in policy: duplicate key "k" at line 1, column 10.'),
    ],
)
def test_syntax_errors_name_the_problem_and_its_position(text: str, message: str) -> None:
    with pytest.raises(PolicyError) as raised:
        read_json(text)
    assert raised.value.message == message


def test_nesting_is_bounded() -> None:
    assert read_json("[" * 60 + "]" * 60) is not None
    with pytest.raises(PolicyError, match="nested too deeply"):
        read_json("[" * 200 + "]" * 200)
