"""The proxy: calls to services Baryon does not serve natively go, once authorized, to the caller's account
in the account cloud (the local cloud by default).

The chain is the native one: authenticate the SigV4 signature against Baryon's credentials, resolve the
principal, authorize `<prefix>:<Operation>` with Baryon's authorizer (identity policies ∩ SCPs), then forward
the request unchanged except for who it is for: `x-moto-account-id` names the caller's account, and the
caller's Baryon credentials are replaced by a neutral signature of the same scope (the cloud checks none;
Baryon's keys never leave Baryon). The cloud's status, headers and body come back as they are; the call is
audited like a native one. Refusals are rendered in the foreign service's own protocol (`proxy_errors`).
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import replace
from typing import TYPE_CHECKING
from urllib.parse import unquote

import urllib3

from baryon.edge import foreign, proxy_errors, sigv4
from baryon.edge.context import RequestContext
from baryon.edge.errors import AccessDenied, ServiceError
from baryon.edge.operations import is_read_only
from baryon.edge.pipeline import NeedsThread, Parsed, request_context
from baryon.edge.protocols.spec import served_services
from baryon.edge.request import RawRequest, RawResponse
from baryon.policy import Effect

if TYPE_CHECKING:
    from baryon.edge.pipeline import Pipeline

log = logging.getLogger("baryon.edge.proxy")

HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "trailers",
        "transfer-encoding",
        "upgrade",
    }
)
NOT_FORWARDED = HOP_BY_HOP | {"host", "content-length", "expect", "authorization", "x-amz-security-token"}
"""The cloud sees its own host, the body's real length, and no Baryon credentials."""
NOT_RETURNED = HOP_BY_HOP | {"server", "date", "x-amzn-requestid"}
"""Baryon's HTTP server says these itself; the request id is Baryon's (the audit trail's key)."""
PRESIGNING = frozenset(
    {
        "X-Amz-Algorithm",
        "X-Amz-Credential",
        "X-Amz-Date",
        "X-Amz-Expires",
        "X-Amz-SignedHeaders",
        "X-Amz-Signature",
        "X-Amz-Security-Token",
    }
)
"""A presigned URL's signature parameters, which stay with Baryon like an `Authorization` header."""
_SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")


class Proxy:
    def __init__(self, pipeline: Pipeline) -> None:
        self.pipeline = pipeline
        self.runtime = pipeline.runtime
        url = self.runtime.settings.local_cloud_url
        self.url = url.rstrip("/") if url else None
        self.native = frozenset(served_services())
        self._pool = urllib3.PoolManager(
            num_pools=4, maxsize=32, retries=False, timeout=urllib3.Timeout(connect=5, read=300)
        )

    def route(self, raw: RawRequest, inline: bool) -> foreign.Route | None:
        """The foreign route of a request signed for a service Baryon does not serve, if its operation is
        known; None sends the request down the native chain. Identifying may load a model: never inline."""
        if self.url is None:
            return None
        service = foreign.scope_service(raw)
        if service is None or service in self.native:
            return None
        if inline:
            raise NeedsThread
        return foreign.identify(raw, service)

    def handle(self, route: foreign.Route, raw: RawRequest, ctx: RequestContext, started: float) -> RawResponse:
        """Authenticate, authorize, forward, record: the whole chain for one foreign call."""
        ctx.service, ctx.operation = route.prefix, route.operation.name
        ctx.action, ctx.resources = route.action, route.resources
        error: ServiceError | None = None
        response: RawResponse | None = None
        try:
            self._authenticate(route, raw, ctx)
            self._authorize(route, ctx)
            response = self._forward(route, raw, ctx)
        except sigv4.AuthenticationFailed as failure:
            ctx.decision, ctx.reason = "unauthenticated", failure.message
            error = proxy_errors.authentication(failure, route.spec)
        except ServiceError as refused:
            error = refused
        except Exception:
            log.exception("request %s failed", ctx.request_id)
            error = ServiceError(
                "InternalFailure",
                "The request processing has failed because of an unknown error, exception or failure.",
                status=500,
                sender_fault=False,
            )
        if error is not None:
            response = proxy_errors.render(route.spec, error, ctx.request_id)
        assert response is not None
        response.headers["x-amzn-RequestId"] = ctx.request_id
        self._record(route, ctx, response.status, error, started)
        return response

    # -- the steps ---------------------------------------------------------------------------------------------

    def _authenticate(self, route: foreign.Route, raw: RawRequest, ctx: RequestContext) -> None:
        signature = sigv4.read_signature(raw.header_map, raw.query)
        if signature is None:
            raise sigv4.AuthenticationFailed(sigv4.Failure.MISSING, "")
        signed = _as_s3_signs(raw, signature) if route.prefix == "s3" else raw
        self.pipeline.authenticate(signed, ctx, Parsed(route.spec, route.operation, {}, signature))
        claimed = raw.header("x-amz-content-sha256") or ""
        if _SHA256_HEX.match(claimed) and hashlib.sha256(raw.body).hexdigest() != claimed:
            raise ServiceError(
                "XAmzContentSHA256Mismatch",
                "The provided 'x-amz-content-sha256' header does not match what was computed.",
            )

    def _authorize(self, route: foreign.Route, ctx: RequestContext) -> None:
        caller = ctx.caller
        assert caller is not None
        context = request_context(ctx)
        ctx.authz_context = context
        outcome = self.runtime.authorizer.check(caller, route.action, route.resources, context)
        ctx.decision = outcome.decision.effect.value
        if not outcome.allowed:
            message = outcome.message or "Access denied"
            if route.prefix == "s3":  # S3 quotes the resource
                message = message.replace(f" on resource: {outcome.resource} ", f' on resource: "{outcome.resource}" ')
            ctx.reason = message
            raise AccessDenied(message)
        matched = outcome.decision.matched_statements
        ctx.reason = "allowed by " + ", ".join(sorted({m.policy_id for m in matched if m.effect is Effect.ALLOW}))

    def _forward(self, route: foreign.Route, raw: RawRequest, ctx: RequestContext) -> RawResponse:
        caller = ctx.caller
        assert caller is not None and self.url is not None
        headers = urllib3.HTTPHeaderDict()
        for name, value in raw.headers:
            if name not in NOT_FORWARDED and not name.startswith("x-moto-"):
                headers.add(name, value)
        headers["authorization"] = (
            f"{sigv4.ALGORITHM} Credential=baryon/{ctx.received_at:%Y%m%d}/{ctx.region}/{route.spec.name}/"
            "aws4_request, SignedHeaders=host, Signature=0"
        )
        headers["x-moto-account-id"] = caller.account_id
        query = "&".join(p for p in raw.query_string.split("&") if p and p.partition("=")[0] not in PRESIGNING)
        path = raw.raw_path.split("?", 1)[0] + (f"?{query}" if query else "")
        try:
            answer = self._pool.request(
                raw.method,
                self.url + path,
                body=raw.body or None,
                headers=headers,
                redirect=False,
                decode_content=False,
            )
        except urllib3.exceptions.HTTPError as exc:
            log.warning("the account cloud at %s did not answer: %s", self.url, exc)
            raise ServiceError(
                "ServiceUnavailable",
                f"The account cloud at {self.url} is not reachable; start it with `baryon up`.",
                status=503,
                sender_fault=False,
            ) from None
        returned = {k: answer.headers[k] for k in answer.headers if k.lower() not in NOT_RETURNED}
        return RawResponse(answer.status, answer.data, answer.headers.get("content-type", ""), returned)

    def _record(
        self, route: foreign.Route, ctx: RequestContext, status: int, error: ServiceError | None, started: float
    ) -> None:
        """Audit like a native call: a write the cloud accepted is recorded before the response leaves."""
        event = self.pipeline.audit_event(ctx, status, error, started)
        name = route.operation.name
        if error is not None or status >= 300 or is_read_only(name) or name.startswith("Head"):
            self.runtime.audit.enqueue(event)
            return
        try:
            with self.runtime.store.session() as db:
                self.runtime.audit.write_now(db, event)
        except Exception:
            log.exception("request %s: audit record queued instead", ctx.request_id)
            self.runtime.audit.enqueue(event)


def _as_s3_signs(raw: RawRequest, signature: sigv4.Signature) -> RawRequest:
    """The request as S3's signer saw it: S3 signs the path as sent (no normalisation, no second encoding),
    and presigned URLs sign `UNSIGNED-PAYLOAD`."""
    headers = raw.headers
    if signature.presigned and raw.header("x-amz-content-sha256") is None:
        headers = (*headers, ("x-amz-content-sha256", "UNSIGNED-PAYLOAD"))
    return replace(raw, raw_path=unquote(raw.raw_path.split("?", 1)[0]), headers=headers)
