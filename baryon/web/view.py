"""What a page handler works with: the request's parameters, the signed-in principal and its API client.

Page handlers are plain functions `(View) -> Response`, run on a worker thread; everything they show comes
from `view.calls(...)` (the principal's own API calls) unless the page is an admin view that authorizes
itself first (see `pages/audit.py`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from starlette.responses import HTMLResponse

from baryon.edge.pipeline import Pipeline
from baryon.runtime import Runtime
from baryon.web import render
from baryon.web.calls import AwsCalls
from baryon.web.sessions import SignedIn


@dataclass(frozen=True)
class View:
    params: Mapping[str, str]
    """Query and path parameters."""
    session: SignedIn
    calls: AwsCalls
    csrf_token: str
    runtime: Runtime
    pipeline: Pipeline
    client_ip: str
    secure: bool
    """The browser reached the dashboard over https (`aws:SecureTransport`)."""

    def param(self, name: str) -> str:
        """A parameter, stripped; empty when absent."""
        return (self.params.get(name) or "").strip()

    def page(self, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        """Render a template with what every page shows: who is signed in, and the CSRF token for forms."""
        return render.html(template, status, session=self.session, csrf_token=self.csrf_token, **context)
