"""Wildcard translation: globs for actions and StringLike, segment-wise matching for ARNs."""

from __future__ import annotations

import re

import pytest

from baryon.policy.wildcard import any_of, arn_source, compiled, glob_source


def glob(pattern: str, text: str) -> bool:
    return compiled(glob_source(((pattern, True),))).fullmatch(text) is not None


def arn(pattern: str, text: str) -> bool:
    return compiled(arn_source(((pattern, True),))).fullmatch(text) is not None


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        ("*", "", True),
        ("*", "anything/at:all", True),
        ("a*", "a", True),
        ("*a", "ba", True),
        ("a*b*c", "aXXbYYc", True),
        ("a*b*c", "aXXbYY", False),
        ("*ab*b", "ab", False),
        ("*ab*b", "abb", True),
        ("a?c", "abc", True),
        ("a?c", "ac", False),
        ("a?c", "abbc", False),
        ("a**b", "ab", True),
        ("a.b", "aXb", False),
        ("a+b(c)[d]{e}^$|\\", "a+b(c)[d]{e}^$|\\", True),
        ("line*", "line1\nline2", True),
    ],
)
def test_glob(pattern: str, text: str, expected: bool) -> None:
    assert glob(pattern, text) is expected


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        ("arn:aws:s3:::b/*", "arn:aws:s3:::b/x/y:z", True),
        ("arn:aws:logs:*:*:log-group:*", "arn:aws:logs:us-east-1:1:log-group:a:log-stream:b", True),
        ("arn:aws:proton:us-*-1:*:x", "arn:aws:proton:us-east-1:1:x", True),
        ("arn:aws:proton:u*1:*:x", "arn:aws:proton:us:east-1:1:x", False),
        ("arn:aws:proton:us-east-?:*:x", "arn:aws:proton:us-east-1:1:x", True),
        ("arn:aws:proton:??:*:x", "arn:aws:proton:a::1:x", False),
        ("arn:aws:proton:*", "arn:aws:proton:us-east-1:111122223333:environment/web", True),
        ("arn:aws:iam::1111*", "arn:aws:iam::111122223333:role/Dev", True),
        ("arn:aws:proton", "arn:aws:proton:us-east-1:1:x", False),
        ("arn:aws:s3:::b", "arn:aws:s3:::b:extra", False),
        ("arn:aws:*:*:*:*", "arn:aws-cn:s3:::b", False),
        ("*", "*", True),
        ("arn:aws:s3:::b/*", "*", False),
    ],
)
def test_arn(pattern: str, text: str, expected: bool) -> None:
    assert arn(pattern, text) is expected


def test_literal_chunks_keep_wildcards_literal() -> None:
    chunks = (("arn:aws:s3:::b/", True), ("*?", False), ("*", True))
    pattern = compiled(arn_source(chunks))
    assert pattern.fullmatch("arn:aws:s3:::b/*?tail")
    assert not pattern.fullmatch("arn:aws:s3:::b/xytail")


def test_hostile_patterns_finish_and_answer_correctly() -> None:
    hostile = "*a" * 12 + "*b"
    assert glob(hostile, "a" * 3000) is False
    assert glob(hostile, "a" * 3000 + "b") is True
    assert arn("arn:aws:s3:::" + hostile, "arn:aws:s3:::" + "a" * 3000) is False


def test_any_of_combines_and_deduplicates() -> None:
    pattern = any_of(
        [glob_source((("s3:get*", True),)), glob_source((("ec2:*", True),)), glob_source((("ec2:*", True),))]
    )
    assert pattern is not None
    assert pattern.pattern.count("(?:") == 2
    assert pattern.fullmatch("s3:getobject") and pattern.fullmatch("ec2:runinstances")
    assert not pattern.fullmatch("iam:getuser")
    assert any_of([]) is None


def test_compiled_patterns_are_remembered() -> None:
    source = glob_source((("proton:*", True),))
    assert compiled(source) is compiled(source)
    assert compiled(source).flags & re.DOTALL
