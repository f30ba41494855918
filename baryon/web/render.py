"""HTML rendering: Jinja2 templates from `baryon/web/templates/`, autoescaped everywhere.

Names, tags, specs and messages come from API answers, and any of them may carry HTML; autoescaping (never
`|safe` on such values) shows them as text. The Content-Security-Policy header allows only the dashboard's
own script and stylesheet, so even a missed escape could not run inline script.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from starlette.responses import HTMLResponse, Response

_ENV = Environment(
    loader=PackageLoader("baryon.web", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def _when(moment: datetime | None) -> str:
    """A timestamp from an API answer, in UTC to the second."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S") if moment else "—"


FILTERS = {"when": _when}
"""The dashboard's own filters, beside Jinja's."""
_ENV.filters.update(FILTERS)

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def html(template: str, status: int = 200, **context: Any) -> HTMLResponse:
    return HTMLResponse(_ENV.get_template(template).render(**context), status_code=status)


def secured(response: Response) -> Response:
    """Every dashboard response carries the security headers (pages, fragments and redirects alike)."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response
