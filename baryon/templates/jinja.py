"""The one Jinja environment Baryon renders Proton templates with, and the per-bundle template cache.

Proton renders with Jinja2 and strict undefined handling: a reference to a parameter that does not exist
fails the rendering (except under the built-in ``default`` filter). Whitespace is kept as written (no
``trim_blocks``) and a trailing newline is dropped, as AWS's own renderer does.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

import jinja2
from jinja2 import nodes

from baryon.templates.bundle import Bundle
from baryon.templates.errors import BundleError
from baryon.templates.filters import FILTERS, indent_marked

_DICT_ATTRIBUTES = frozenset(dir(dict))


class _Environment(jinja2.Environment):
    """Jinja's environment with a faster ``a.b`` on plain dicts (every namespace Baryon passes in)."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        """Jinja's lookup (the attribute, else the item) without raising AttributeError for a plain dict's
        keys: a dict instance has exactly the attributes of its type, so the result is the same."""
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)


ENV = _Environment(undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=False)
ENV.filters.update(FILTERS)

_CACHE_SIZE = 512
_cache: OrderedDict[tuple[str, str], jinja2.Template] = OrderedDict()
_lock = threading.Lock()


def parse(source: str, path: str) -> nodes.Template:
    """The Jinja syntax tree of a file; BundleError with the file and line on a syntax error."""
    try:
        return ENV.parse(source, name=path, filename=path)
    except jinja2.TemplateSyntaxError as exc:
        raise BundleError(f"{path} line {exc.lineno}: Jinja syntax error: {exc.message}") from None


def _cached(key: tuple[str, str]) -> jinja2.Template | None:
    with _lock:
        template = _cache.get(key)
        if template is not None:
            _cache.move_to_end(key)
        return template


def compiled(digest: str, path: str, source: str) -> jinja2.Template:
    """The compiled template for ``path`` of the bundle with ``digest``; compiled once and cached."""
    key = (digest, path)
    template = _cached(key)
    if template is not None:
        return template
    try:
        code = ENV.compile(source, name=path, filename=path)
    except jinja2.TemplateSyntaxError as exc:
        raise BundleError(f"{path} line {exc.lineno}: Jinja syntax error: {exc.message}") from None
    # A plain dict rather than make_globals' ChainMap (ENV.globals never changes): every render copies
    # the globals into its context, and copying a dict is much cheaper.
    template = ENV.template_class.from_code(ENV, code, dict(ENV.globals))
    with _lock:
        _cache[key] = template
        if len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return template


def _line_of(exc: BaseException, path: str) -> str:
    tb = exc.__traceback__
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == path:
            line = tb.tb_lineno
        tb = tb.tb_next
    return f"{path} line {line}" if line else path


def render_text(digest: str, path: str, source: str, context: Mapping[str, Any]) -> str:
    """Render one file; every failure becomes a BundleError naming the file and line."""
    return _render(compiled(digest, path, source), path, context)


def render_file(bundle: Bundle, path: str, context: Mapping[str, Any]) -> str:
    """:func:`render_text` for a file of ``bundle``, decoded only when it is not compiled yet."""
    template = _cached((bundle.digest(), path))
    if template is None:
        template = compiled(bundle.digest(), path, bundle.text(path))
    return _render(template, path, context)


def _render(template: jinja2.Template, path: str, context: Mapping[str, Any]) -> str:
    try:
        text = template.render(context)
    except BundleError as exc:
        raise BundleError(f"{_line_of(exc, path)}: {exc.message}") from None
    except jinja2.UndefinedError as exc:
        raise BundleError(f"{_line_of(exc, path)}: {exc.message}") from None
    except jinja2.TemplateError as exc:
        raise BundleError(f"{_line_of(exc, path)}: {exc}") from None
    except (TypeError, ValueError, KeyError, IndexError, AttributeError, ZeroDivisionError) as exc:
        raise BundleError(f"{_line_of(exc, path)}: rendering failed: {exc}") from None
    return indent_marked(text)
