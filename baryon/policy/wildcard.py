"""IAM wildcards (``*`` any run of characters, ``?`` exactly one) translated into regular expressions.

A pattern arrives as *chunks*: ``(text, wild)`` pairs. In a chunk with ``wild`` set, ``*`` and ``?`` are
wildcards; other chunks are literal (policy-variable values and the ``${*}``/``${?}``/``${$}`` escapes).
Regex metacharacters such as ``.`` ``+`` ``(`` ``[`` are always literal.

Two flavours exist:

* **glob** (actions, ``StringLike``): ``*`` spans anything, ``?`` is any one character.
* **ARN** (``Resource``, ``ArnLike``/``ArnEquals``): an ARN is
  ``arn:partition:service:region:account:resource``. In the first five colon-separated segments a wildcard
  stays inside its segment; in the resource part (after the fifth colon, which may itself hold colons and
  slashes) ``*`` spans everything. When a pattern has fewer than six segments and ends in ``*``, that last
  ``*`` runs to the end of the ARN (AWS: a ``*`` ending a segment "can expand to match beyond the colon
  boundaries"), so ``arn:aws:iam::*`` covers every IAM ARN.

Every star except the last one of a glob becomes an atomic lazy group ``(?>.*?B)`` that commits to the
leftmost place where the next literal block ``B`` fits. For plain globs that choice is always safe (a later
star can absorb whatever an earlier one skipped), and it keeps matching polynomial, so a hostile pattern
like ``*a*a*a*a*a*b`` cannot stall the server.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence

Chunk = tuple[str, bool]
_ANY = "."
_IN_SEGMENT = "[^:]"


def _chars(chunks: Sequence[Chunk]) -> list[tuple[str, bool]]:
    return [(char, wild) for text, wild in chunks for char in text]


def _literal(block: Sequence[tuple[str, bool]], one: str) -> str:
    return "".join(one if wild and char == "?" else re.escape(char) for char, wild in block)


def _glob(chars: Sequence[tuple[str, bool]], one: str, trailing_star: str) -> str:
    """Regex source for one glob; ``trailing_star`` is the class used by a star that ends the pattern."""
    blocks: list[list[tuple[str, bool]]] = [[]]
    for char, wild in chars:
        if wild and char == "*":
            if blocks[-1] or len(blocks) == 1:
                blocks.append([])
        else:
            blocks[-1].append((char, wild))
    if len(blocks) == 1:
        return _literal(blocks[0], one)
    source = _literal(blocks[0], one)
    for block in blocks[1:-1]:
        source += f"(?>{one}*?{_literal(block, one)})"
    last = blocks[-1]
    return source + (f"{one}*{_literal(last, one)}" if last else f"{trailing_star}*")


def glob_source(chunks: Sequence[Chunk]) -> str:
    """Regex source for a glob: ``*`` spans anything, ``?`` is one character."""
    return _glob(_chars(chunks), _ANY, _ANY)


def arn_source(chunks: Sequence[Chunk]) -> str:
    """Regex source for an ARN pattern, matched segment by segment (see the module docstring)."""
    segments: list[list[tuple[str, bool]]] = [[]]
    for char, wild in _chars(chunks):
        if char == ":" and len(segments) < 6:
            segments.append([])
        else:
            segments[-1].append((char, wild))
    sources = []
    for index, segment in enumerate(segments):
        if index == 5:
            sources.append(_glob(segment, _ANY, _ANY))
        else:
            last = index == len(segments) - 1
            sources.append(_glob(segment, _IN_SEGMENT, _ANY if last else _IN_SEGMENT))
    return ":".join(sources)


@functools.lru_cache(maxsize=8192)
def compiled(source: str, flags: int = 0) -> re.Pattern[str]:
    """Compile (and remember) a regex source produced by this module."""
    return re.compile(source, flags | re.DOTALL)


def any_of(sources: Iterable[str], flags: int = 0) -> re.Pattern[str] | None:
    """One regex that fully matches when any of ``sources`` does; ``None`` when there are none."""
    unique = list(dict.fromkeys(sources))
    if not unique:
        return None
    return compiled("|".join(f"(?:{source})" for source in unique), flags)
