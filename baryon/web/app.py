"""The dashboard's routes, served by the same app as the AWS API, under `/dashboard`.

    GET  /dashboard                          the organization page, or sign-in
    GET  /dashboard/sign-in                  POST /dashboard/sign-in (key pair → session)   POST /dashboard/sign-out
    GET  /dashboard/org                      the tree (?node=&ous=&accounts=), the decision (?account=&action=)
    GET  /dashboard/org/children             fragment: one node's children (?parent=)
    GET  /dashboard/org/policy/{policy_id}   one SCP
    GET  /dashboard/audit                    the trail (?principal=&account=&decision=&before=)
    GET  /dashboard/audit/rows               fragment: the newest rows
    GET  /dashboard/audit/explain/{request_id}
    GET  /dashboard/templates                the templates and template sync (?env=&svc=&repos=)
    GET  /dashboard/templates/{kind}/{name}  one template's versions and sync status (?next=)
    GET  /dashboard/fleet                    environments and how far behind (?template=&account=&ou=&status=&next=)
    GET  /dashboard/environments/{name}      one environment (?history=)
    GET  /dashboard/environments/{name}/progress   fragment: its last deployment, refreshed while it runs
    GET  /dashboard/connections              environment account connections (?pending=&decided=&requested=)
    POST /dashboard/connections/{connection_id}/accept   POST .../reject
    GET  /dashboard/static/...               the stylesheet and the script

A page is a function `(View) -> Response` run on a worker thread (it makes API calls through the pipeline
and may read the store); `_page` (GET) and `_action` (POST, CSRF-checked) look the session up first and send
the browser to sign in without one; their responses say how long the server spent (`Server-Timing: app;dur=`,
in milliseconds). A SigV4-signed request never matches these routes: it is an AWS API call (an S3 path-style
request for a bucket named `dashboard`, say) and belongs to the pipeline.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qsl

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Match, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from baryon.edge.pipeline import Pipeline
from baryon.runtime import Runtime
from baryon.web import csrf, render
from baryon.web.calls import AwsCalls, CallFailed, Credentials, SignedOut
from baryon.web.pages import audit, connections, environment, fleet, org, templates
from baryon.web.sessions import COOKIE, LIFETIME, Sessions, SignedIn
from baryon.web.view import View

PREFIX = "/dashboard"
STATIC = Path(__file__).parent / "static"
FORM_LIMIT = 16 * 1024
SIGN_IN_FAILED = "Sign-in failed: that access key pair was not accepted."
CSRF_REFUSED = "This form did not come from this dashboard, or it has expired. Reload the page and try again."

Page = Callable[[View], Response]
Endpoint = Callable[[Request], Awaitable[Response]]


def _signed(scope: Scope) -> bool:
    """Whether a request carries an AWS signature (header or presigned query)."""
    for name, value in scope.get("headers", ()):
        if name == b"authorization" and value.startswith(b"AWS4-"):
            return True
    query = scope.get("query_string", b"")
    return b"X-Amz-Signature=" in query or b"X-Amz-Credential=" in query


class _UnsignedOnly:
    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if _signed(scope):
            return Match.NONE, {}
        return super().matches(scope)  # type: ignore[misc, no-any-return]


class DashboardRoute(_UnsignedOnly, Route):
    """A dashboard route that leaves AWS-signed requests to the API."""


class DashboardMount(_UnsignedOnly, Mount):
    """The dashboard's mount, leaving AWS-signed requests to the API."""


async def _form(request: Request) -> dict[str, str] | None:
    """A small url-encoded form body, or None when it is too large or malformed."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > FORM_LIMIT:
            return None
    try:
        return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=32))
    except (UnicodeDecodeError, ValueError):
        return None


def _cookie(response: Response, secure: bool, name: str, value: str, max_age: int) -> None:
    """An HttpOnly, SameSite=Strict cookie for the dashboard's paths (Secure when served over https)."""
    response.set_cookie(name, value, max_age=max_age, path=PREFIX, secure=secure, httponly=True, samesite="strict")


def _forget(response: Response, secure: bool, name: str) -> None:
    response.delete_cookie(name, path=PREFIX, secure=secure, httponly=True, samesite="strict")


def _https(request: Request) -> bool:
    return request.url.scheme == "https"


def _client_ip(request: Request) -> str:
    return request.client.host if request.client else "0.0.0.0"


def _timed(response: Response, started: float) -> Response:
    response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
    return response


def _redirect(to: str) -> Response:
    return render.secured(RedirectResponse(PREFIX + to, status_code=303))


class Dashboard:
    def __init__(self, runtime: Runtime, pipeline: Pipeline) -> None:
        self.runtime = runtime
        self.pipeline = pipeline
        self.sessions = Sessions(runtime.store, runtime.secrets)

    def routes(self) -> list[BaseRoute]:
        page = self._page
        return [
            DashboardRoute(PREFIX, self.home, methods=["GET"]),
            DashboardMount(
                PREFIX,
                routes=[
                    Route("/sign-in", self.sign_in_form, methods=["GET"]),
                    Route("/sign-in", self.sign_in, methods=["POST"]),
                    Route("/sign-out", self._action(self.sign_out), methods=["POST"]),
                    Route("/org", page(org.org_page), methods=["GET"]),
                    Route("/org/children", page(org.children_fragment), methods=["GET"]),
                    Route("/org/policy/{policy_id}", page(org.policy_page), methods=["GET"]),
                    Route("/audit", page(audit.audit_page), methods=["GET"]),
                    Route("/audit/rows", page(audit.audit_rows), methods=["GET"]),
                    Route("/audit/explain/{request_id}", page(audit.explain_page), methods=["GET"]),
                    Route("/templates", page(templates.templates_page), methods=["GET"]),
                    Route("/templates/{kind}/{name}", page(templates.template_page), methods=["GET"]),
                    Route("/fleet", page(fleet.fleet_page), methods=["GET"]),
                    Route("/environments/{name}", page(environment.environment_page), methods=["GET"]),
                    Route("/environments/{name}/progress", page(environment.progress_fragment), methods=["GET"]),
                    Route("/connections", page(connections.connections_page), methods=["GET"]),
                    Route("/connections/{connection_id}/accept", self._action(connections.accept), methods=["POST"]),
                    Route("/connections/{connection_id}/reject", self._action(connections.reject), methods=["POST"]),
                    Mount("/static", app=StaticFiles(directory=STATIC), name="static"),
                ],
            ),
        ]

    # -- sessions ----------------------------------------------------------------------------------------------

    def _session(self, request: Request) -> SignedIn | None:
        session_id = request.cookies.get(COOKIE)
        return self.sessions.find(session_id, datetime.now(UTC)) if session_id else None

    def _calls(self, request: Request, credentials: Credentials) -> AwsCalls:
        return AwsCalls(
            self.pipeline,
            credentials,
            self.runtime.settings.region,
            _client_ip(request),
            f"{request.url.scheme}://{request.url.netloc}",
        )

    def _page(self, handler: Page) -> Endpoint:
        """A GET endpoint for a signed-in principal."""

        async def endpoint(request: Request) -> Response:
            started = time.perf_counter()
            return _timed(render.secured(await run_in_threadpool(self._serve, request, handler, None)), started)

        return endpoint

    def _action(self, handler: Page) -> Endpoint:
        """A POST endpoint for a signed-in principal: the session's CSRF token must come with it, in the form
        (`csrf_token`) or, for `fetch()`, in the `X-CSRF-Token` header. The form's fields join the view's
        parameters."""

        async def endpoint(request: Request) -> Response:
            started = time.perf_counter()
            form = await _form(request)
            if form is None:
                return self._message(400, "The form could not be read.")
            return _timed(render.secured(await run_in_threadpool(self._serve, request, handler, form)), started)

        return endpoint

    def _serve(self, request: Request, handler: Page, form: dict[str, str] | None) -> Response:
        session = self._session(request)
        if session is None:
            return _redirect("/sign-in")
        if form is not None:
            presented = request.headers.get(csrf.HEADER) or form.get(csrf.FIELD)
            if not csrf.valid(self.runtime.secrets, session.session_id, presented):
                return self._message(403, CSRF_REFUSED)
        view = View(
            params={**request.query_params, **request.path_params, **(form or {})},
            session=session,
            calls=self._calls(request, session.credentials),
            csrf_token=csrf.token(self.runtime.secrets, session.session_id),
            runtime=self.runtime,
            pipeline=self.pipeline,
            client_ip=_client_ip(request),
            secure=_https(request),
        )
        try:
            return handler(view)
        except SignedOut:  # the key was deleted or deactivated, or the session token expired
            self.sessions.end(session.session_id)
            return _redirect("/sign-in")

    # -- endpoints ---------------------------------------------------------------------------------------------

    async def home(self, request: Request) -> Response:
        session = await run_in_threadpool(self._session, request)
        return _redirect("/org" if session else "/sign-in")

    async def sign_in_form(self, request: Request) -> Response:
        if await run_in_threadpool(self._session, request):
            return _redirect("/org")
        return self._sign_in_page(request, 200)

    def _sign_in_page(self, request: Request, status: int, error: str | None = None) -> Response:
        """The form, bound to a pre-session cookie so that a forged sign-in is refused like any forged POST.
        Nothing typed is ever echoed back (a secret pasted into the wrong field would be)."""
        binding = request.cookies.get(csrf.PRE_SESSION_COOKIE) or secrets.token_urlsafe(32)
        token = csrf.token(self.runtime.secrets, binding)
        response = render.html("sign_in.html", status, session=None, csrf_token=token, error=error)
        _cookie(response, _https(request), csrf.PRE_SESSION_COOKIE, binding, int(LIFETIME.total_seconds()))
        return render.secured(response)

    async def sign_in(self, request: Request) -> Response:
        form = await _form(request)
        if form is None:
            return self._message(400, "The form could not be read.")
        binding = request.cookies.get(csrf.PRE_SESSION_COOKIE)
        if not csrf.valid(self.runtime.secrets, binding, form.get(csrf.FIELD)):
            return self._message(403, CSRF_REFUSED)
        credentials = Credentials(
            form.get("access_key_id", "").strip(),
            form.get("secret_access_key", "").strip(),
            form.get("session_token", "").strip() or None,
        )
        session = await run_in_threadpool(self._start, request, credentials)
        if session is None:
            return self._sign_in_page(request, 401, SIGN_IN_FAILED)
        response = _redirect("/org")
        _cookie(response, _https(request), COOKIE, session.session_id, int(LIFETIME.total_seconds()))
        _forget(response, _https(request), csrf.PRE_SESSION_COOKIE)
        return response

    def _start(self, request: Request, credentials: Credentials) -> SignedIn | None:
        """Prove the key pair with `sts:GetCallerIdentity` through the pipeline; a session if it holds."""
        if not credentials.access_key_id or not credentials.secret_access_key:
            return None
        try:
            identity = self._calls(request, credentials)("sts", "GetCallerIdentity")
        except (CallFailed, SignedOut):
            return None
        return self.sessions.create(credentials, identity["Arn"], identity["Account"], datetime.now(UTC))

    def sign_out(self, view: View) -> Response:
        self.sessions.end(view.session.session_id)
        response = _redirect("/sign-in")
        _forget(response, view.secure, COOKIE)
        return response

    def _message(self, status: int, message: str) -> Response:
        return render.secured(render.html("message.html", status, session=None, csrf_token="", message=message))


def routes(runtime: Runtime, pipeline: Pipeline) -> list[BaseRoute]:
    """The dashboard's routes; mount them before the API's catch-all route."""
    return Dashboard(runtime, pipeline).routes()
