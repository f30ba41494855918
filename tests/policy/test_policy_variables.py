"""Policy variable templates: parsing, escapes, defaults and resolution."""

from __future__ import annotations

from baryon.policy.variables import Template, Variable, parse_template


class Lookup:
    """A ContextLookup over a plain dict (keys already lower-case)."""

    def __init__(self, values: dict[str, str | tuple[str, ...]]) -> None:
        self._values = values
        self.missing: list[str] = []

    def raw(self, key: str, key_lower: str) -> str | tuple[str, ...] | None:
        return self._values.get(key_lower)

    def values(self, key: str, key_lower: str) -> tuple[str, ...] | None:
        value = self.raw(key, key_lower)
        return (value,) if isinstance(value, str) else value

    def note_missing(self, key: str) -> None:
        self.missing.append(key)


def test_text_without_variables_is_one_wildcard_chunk() -> None:
    assert parse_template("arn:aws:s3:::b/*", variables=True) == Template((("arn:aws:s3:::b/*", True),))


def test_variables_are_plain_text_before_version_2012_10_17() -> None:
    template = parse_template("home/${aws:username}/*", variables=False)
    assert template.static_chunks == (("home/${aws:username}/*", True),)


def test_parts_split_text_variables_and_escapes() -> None:
    template = parse_template("a/${aws:username}/${*}${?}${$}/${ aws:userid , 'anon' }", variables=True)
    assert template.parts == (
        ("a/", True),
        Variable("aws:username", "aws:username", None),
        ("/", True),
        ("*", False),
        ("?", False),
        ("$", False),
        ("/", True),
        Variable("aws:userid", "aws:userid", "anon"),
    )
    assert template.static_chunks is None


def test_a_default_may_contain_doubled_quotes() -> None:
    (part,) = parse_template("${aws:username, 'it''s'}", variables=True).parts
    assert part == Variable("aws:username", "aws:username", "it's")


def test_malformed_placeholders_stay_literal_text() -> None:
    template = parse_template("x${}y${a b}z", variables=True)
    assert template.static_chunks == (("x${}y${a b}z", True),)


def test_resolution_substitutes_literal_values() -> None:
    template = parse_template("home/${AWS:UserName}/*", variables=True)
    lookup = Lookup({"aws:username": "al*ce"})
    assert template.resolve(lookup) == (("home/", True), ("al*ce", False), ("/*", True))
    assert lookup.missing == []


def test_an_absent_key_uses_the_default() -> None:
    template = parse_template("${aws:userid, 'anonymous'}", variables=True)
    assert template.resolve(Lookup({})) == (("anonymous", False),)


def test_an_absent_key_without_default_is_unresolvable_and_reported() -> None:
    lookup = Lookup({})
    assert parse_template("x/${aws:PrincipalTag/team}", variables=True).resolve(lookup) is None
    assert lookup.missing == ["aws:PrincipalTag/team"]


def test_a_multivalued_key_is_unresolvable_even_with_a_default() -> None:
    lookup = Lookup({"aws:tagkeys": ("a",)})
    assert parse_template("${aws:TagKeys, 'd'}", variables=True).resolve(lookup) is None
    assert lookup.missing == []
