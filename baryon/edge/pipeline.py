"""The request chain: parse → authenticate → resolve principal → authorize → dispatch → record.

Every request takes exactly these steps in this order, whatever the service. A step that refuses the
request raises a `ServiceError` (or `AuthenticationFailed`); the chain renders it in the protocol's shape,
and the record step runs for every request, refused or not.
"""

from __future__ import annotations

import hmac
import json
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl

from botocore.model import OperationModel

from baryon import ids
from baryon.authz import action_map
from baryon.crypto import fingerprint
from baryon.edge import auth_errors, sigv4
from baryon.edge.context import Call, RequestContext
from baryon.edge.errors import AccessDenied, ServiceError, UnknownOperation
from baryon.edge.operations import is_read_only
from baryon.edge.protocols import cbor_codec, json_codec, query_codec
from baryon.edge.protocols.spec import ServiceSpec, load_service, service_by_target_prefix
from baryon.edge.request import RawRequest, RawResponse
from baryon.policy import Effect
from baryon.runtime import Runtime

log = logging.getLogger("baryon.edge")
XML = "text/xml"


@dataclass
class Parsed:
    spec: ServiceSpec
    operation: OperationModel
    params: dict[str, Any]
    signature: sigv4.Signature | None
    cbor: bool = False
    """The request came in Smithy RPC v2 CBOR (an awsJson service reached through `/service/...`)."""


class NeedsThread(Exception):
    """Raised on the event loop when the request may block on the store: run it again on a worker thread."""


class Pipeline:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.max_skew = timedelta(seconds=runtime.settings.max_clock_skew_seconds)
        self.reads_inline = runtime.store.is_sqlite
        from baryon.edge.proxy import Proxy  # it runs steps of this chain

        self.proxy = Proxy(self)

    # -- the chain -------------------------------------------------------------------------------------------

    def handle(self, raw: RawRequest, refused: ServiceError | None = None, inline: bool = False) -> RawResponse:
        """Run the chain; `refused` is an error the HTTP layer already found (an oversize body).

        With `inline`, the caller is the event loop: any step that would wait on the store (a stateful
        operation, a cache miss) raises `NeedsThread` before anything is recorded or changed."""
        started = time.perf_counter()
        ctx = RequestContext(
            request_id=ids.request_id(),
            received_at=datetime.now(UTC),
            source_ip=raw.client_ip,
            secure_transport=raw.scheme == "https",
        )
        spec: ServiceSpec | None = None
        error: ServiceError | None = None
        response: RawResponse | None = None
        recorded = False
        try:
            if refused is not None:
                raise refused
            route = self.proxy.route(raw, inline)
            if route is not None:  # a service Baryon does not serve natively: the account's cloud answers it
                return self.proxy.handle(route, raw, ctx, started)
            parsed = self.parse(raw, ctx, inline)
            spec = parsed.spec
            self.authenticate(raw, ctx, parsed, cache_only=inline and not self.reads_inline)
            requested = self.authorize(ctx, parsed, inline)
            response, recorded = self.dispatch(ctx, parsed, requested, started)
        except NeedsThread:
            raise
        except sigv4.AuthenticationFailed as failure:
            ctx.decision = "unauthenticated"
            ctx.reason = failure.message
            error = auth_errors.as_service_error(failure, spec.protocol if spec else _guess_protocol(raw))
        except ServiceError as service_error:
            error = service_error
        except Exception:
            log.exception("request %s failed", ctx.request_id)
            error = ServiceError(
                "InternalFailure",
                "The request processing has failed because of an unknown error, exception or failure.",
                status=500,
                sender_fault=False,
            )
        if error is not None:
            response = self.render_error(raw, spec, error, ctx)
        assert response is not None
        response.headers["x-amzn-RequestId"] = ctx.request_id
        if not recorded:
            self.runtime.audit.enqueue(self.audit_event(ctx, response.status, error, started))
        return response

    # -- parse -----------------------------------------------------------------------------------------------

    def parse(self, raw: RawRequest, ctx: RequestContext, inline: bool = False) -> Parsed:
        target = raw.header("x-amz-target")
        signature_error: sigv4.AuthenticationFailed | None = None
        try:
            signature = sigv4.read_signature(raw.header_map, raw.query)
        except sigv4.AuthenticationFailed as failure:
            signature, signature_error = None, failure
        rpc_v2 = _rpc_v2_route(raw)
        if rpc_v2 is not None:
            service_name, name = rpc_v2
            spec = cbor_codec.service_named(service_name)
            if spec is None:
                raise UnknownOperation(f"Unknown service {service_name[:200]}")
            ctx.service = spec.name
            if target is not None or raw.header("x-amzn-target") is not None:
                raise UnknownOperation("An RPC v2 CBOR request must not carry X-Amz-Target.")
            if signature_error:
                raise signature_error
            return self._parse_json(raw, ctx, spec, name, signature, inline, cbor=True)
        if target is not None:
            prefix, _, name = target.rpartition(".")  # prefixes may contain dots (com.amazonaws.codestar...)
            spec = service_by_target_prefix(prefix)
            if spec is None:
                raise UnknownOperation(f"Unknown target {target[:200]}")
            ctx.service = spec.name
            if signature_error:
                raise signature_error
            return self._parse_json(raw, ctx, spec, name, signature, inline)
        if signature_error:
            raise signature_error
        form = self._form(raw)
        service = signature.service if signature else None
        if service is None:
            raise sigv4.AuthenticationFailed(sigv4.Failure.MISSING, "")
        try:
            spec = load_service(service)
        except KeyError:
            raise ServiceError("InvalidAction", f"Baryon does not serve the service '{service[:64]}'.") from None
        ctx.service = spec.name
        if spec.protocol == "json":
            raise UnknownOperation("Missing X-Amz-Target header")
        name = form.get("Action", "")
        return self._parse_query(ctx, spec, name, form, signature, inline)

    def _parse_json(
        self,
        raw: RawRequest,
        ctx: RequestContext,
        spec: ServiceSpec,
        name: str,
        signature: sigv4.Signature | None,
        inline: bool = False,
        cbor: bool = False,
    ) -> Parsed:
        operation = spec.operation(name)
        if operation is None:
            raise UnknownOperation(f"Operation {name[:128]} is not supported by {spec.name}.")
        ctx.operation = operation.name
        self._check_inline(spec, operation.name, inline)
        codec = cbor_codec if cbor else json_codec
        params = codec.decode_request(operation, raw.body)
        return Parsed(spec, operation, params, signature, cbor)

    def _parse_query(
        self,
        ctx: RequestContext,
        spec: ServiceSpec,
        name: str,
        form: dict[str, str],
        signature: sigv4.Signature | None,
        inline: bool = False,
    ) -> Parsed:
        operation = spec.operation(name)
        if operation is None:
            raise ServiceError("InvalidAction", f"Could not find operation {name[:128]} for version {spec.api_version}")
        ctx.operation = operation.name
        self._check_inline(spec, operation.name, inline)
        version = form.get("Version")
        if version is not None and version != spec.api_version:
            raise ServiceError("InvalidAction", f"Could not find operation {name} for version {version[:32]}")
        params = query_codec.decode_request(operation, form)
        return Parsed(spec, operation, params, signature)

    @staticmethod
    def _form(raw: RawRequest) -> dict[str, str]:
        pairs = list(raw.query)
        content_type = (raw.header("content-type") or "").lower()
        if raw.body and (raw.method == "POST" and "json" not in content_type):
            try:
                text = raw.body.decode("utf-8")
                pairs += parse_qsl(text, keep_blank_values=True, strict_parsing=True, max_num_fields=5000)
            except (UnicodeDecodeError, ValueError) as exc:
                raise ServiceError("MalformedQueryString", "The request body is not a valid form.") from exc
        form: dict[str, str] = {}
        for key, value in pairs:
            if key.startswith("X-Amz-"):
                continue
            if key in form:
                raise ServiceError("MalformedQueryString", f"Parameter {key[:100]} appears more than once.")
            form[key] = value
        return form

    # -- authenticate and resolve the principal -------------------------------------------------------------

    def _check_inline(self, spec: ServiceSpec, operation: str, inline: bool) -> None:
        """What may run on the event loop: operations that never touch the store, and, on SQLite, operations
        that only read it (WAL readers never wait for a lock or the disk's fsync). Writes, and every store
        access on PostgreSQL (a network round trip each), go to a worker thread."""
        if not inline:
            return
        table = self.runtime.services.get(spec.name)
        if table is not None and operation in table.stateless:
            return
        if not (self.reads_inline and is_read_only(operation)):
            raise NeedsThread

    def authenticate(self, raw: RawRequest, ctx: RequestContext, parsed: Parsed, cache_only: bool = False) -> None:
        signature = parsed.signature
        if signature is None:
            raise sigv4.AuthenticationFailed(sigv4.Failure.MISSING, "")
        if signature.service != parsed.spec.name:
            raise sigv4.AuthenticationFailed(
                sigv4.Failure.WRONG_SERVICE,
                f"Credential should be scoped to correct service: '{parsed.spec.name}'. ",
            )
        sigv4.check_time(signature, ctx.received_at, self.max_skew)
        if cache_only:
            known, credential = self.runtime.credentials.cached(signature.access_key_id)
            if not known:
                raise NeedsThread
        else:
            credential = self.runtime.credentials.resolve(signature.access_key_id)
        invalid = "The security token included in the request is invalid."
        if credential is None or not credential.active:
            raise sigv4.AuthenticationFailed(sigv4.Failure.UNKNOWN_KEY, invalid)
        if credential.token_fingerprint is not None:
            presented = fingerprint(signature.session_token or "")
            if not hmac.compare_digest(presented, credential.token_fingerprint):
                raise sigv4.AuthenticationFailed(sigv4.Failure.UNKNOWN_KEY, invalid)
            if credential.expires_at is not None and credential.expires_at <= ctx.received_at:
                raise sigv4.AuthenticationFailed(
                    sigv4.Failure.EXPIRED_TOKEN, "The security token included in the request is expired"
                )
        elif signature.session_token:
            raise sigv4.AuthenticationFailed(sigv4.Failure.UNKNOWN_KEY, invalid)
        sigv4.verify(signature, credential.secret, raw.method, raw.raw_path, raw.query, raw.header_values, raw.body)
        ctx.caller = credential.caller
        ctx.region = signature.region

    # -- authorize -------------------------------------------------------------------------------------------

    def authorize(self, ctx: RequestContext, parsed: Parsed, inline: bool = False) -> action_map.RequestedAction:
        caller = ctx.caller
        assert caller is not None and ctx.region is not None
        requested = action_map.describe(
            parsed.spec.name, parsed.operation.name, parsed.params, caller, ctx.region, self.runtime.facts
        )
        ctx.action = requested.action
        ctx.resources = requested.resources
        if not requested.needs_authorization:
            ctx.decision, ctx.reason = "allowed", "no authorization is required for this action"
            return requested
        if inline and not self.reads_inline:
            raise NeedsThread  # the caller's policies may have to be read from the store
        context = request_context(ctx)
        context.update(requested.context)
        ctx.authz_context = context
        outcome = self.runtime.authorizer.check(caller, requested.action, requested.resources, context)
        ctx.decision = outcome.decision.effect.value
        if not outcome.allowed:
            ctx.reason = outcome.message
            raise AccessDenied(outcome.message or "Access denied")
        ctx.reason = "allowed by " + ", ".join(
            sorted({m.policy_id for m in outcome.decision.matched_statements if m.effect is Effect.ALLOW})
        )
        return requested

    # -- dispatch --------------------------------------------------------------------------------------------

    def dispatch(
        self, ctx: RequestContext, parsed: Parsed, requested: action_map.RequestedAction, started: float
    ) -> tuple[RawResponse, bool]:
        spec, operation = parsed.spec, parsed.operation
        handler = (
            self.runtime.services[spec.name].handlers.get(operation.name)
            if spec.name in (self.runtime.services)
            else None
        )
        if handler is None:
            raise ServiceError(
                "InvalidAction" if spec.protocol == "query" else "UnknownOperationException",
                f"Baryon does not serve {spec.name}:{operation.name}.",
            )
        writes = not is_read_only(operation.name)
        call = Call(ctx=ctx, params=parsed.params, runtime=self.runtime)
        try:
            result = handler(call)
            if writes:
                self.runtime.audit.write_now(call.db, self.audit_event(ctx, 200, None, started))
            call.commit()
        except BaseException:
            call.rollback()
            raise
        if parsed.cbor:
            body = cbor_codec.encode_response(operation, result)
            return RawResponse(200, body, cbor_codec.CONTENT_TYPE, dict(cbor_codec.HEADERS)), writes
        if spec.protocol == "json":
            body = json_codec.encode_response(operation, result)
            return RawResponse(200, body, spec.json_content_type), writes
        body = query_codec.encode_response(spec, operation, result, ctx.request_id)
        return RawResponse(200, body, XML), writes

    # -- errors and the record -------------------------------------------------------------------------------

    def render_error(
        self, raw: RawRequest, spec: ServiceSpec | None, error: ServiceError, ctx: RequestContext
    ) -> RawResponse:
        if spec is None and ctx.service is not None:  # parse failed after it identified the service
            spec = load_service(ctx.service)
        protocol = spec.protocol if spec else _guess_protocol(raw)
        if spec is None:
            spec = load_service("proton" if protocol == "json" else "sts")
        if _rpc_v2_route(raw) is not None:
            status, body = cbor_codec.encode_error(spec, error)
            return RawResponse(status, body, cbor_codec.CONTENT_TYPE, dict(cbor_codec.HEADERS))
        if protocol == "json":
            status, body = json_codec.encode_error(spec, error)
            return RawResponse(status, body, spec.json_content_type)
        status, body = query_codec.encode_error(spec, error, ctx.request_id)
        return RawResponse(status, body, XML)

    def audit_event(
        self, ctx: RequestContext, status: int, error: ServiceError | None, started: float
    ) -> dict[str, Any]:
        caller = ctx.caller
        return {
            "at": ctx.received_at,
            "request_id": ctx.request_id,
            "principal_arn": caller.arn if caller else None,
            "account_id": caller.account_id if caller else None,
            "source_ip": ctx.source_ip,
            "service": ctx.service,
            "operation": ctx.operation,
            "action": ctx.action,
            "resources": json.dumps(list(ctx.resources)) if ctx.resources else None,
            "region": ctx.region,
            "decision": ctx.decision,
            "reason": ctx.reason,
            "error_code": error.code if error else None,
            "status": status,
            "latency_ms": round((time.perf_counter() - started) * 1000, 3),
            "context": json.dumps(ctx.authz_context, default=str) if ctx.authz_context else None,
        }


def _rpc_v2_route(raw: RawRequest) -> tuple[str, str] | None:
    return cbor_codec.route(raw.method, raw.raw_path, raw.header("smithy-protocol"))


def _guess_protocol(raw: RawRequest) -> str:
    """The protocol whose error names a request gets before its service is known (RPC v2 CBOR uses awsJson's)."""
    if raw.header("x-amz-target") or _rpc_v2_route(raw) or "json" in (raw.header("content-type") or ""):
        return "json"
    return "query"


def request_context(ctx: RequestContext) -> dict[str, Any]:
    """The global condition keys AWS puts in every request context."""
    caller = ctx.caller
    assert caller is not None
    principal_type = {"user": "User", "assumed-role": "AssumedRole", "root": "Account"}[caller.kind]
    context: dict[str, Any] = {
        "aws:PrincipalArn": caller.principal_arn,
        "aws:PrincipalAccount": caller.account_id,
        "aws:PrincipalType": principal_type,
        "aws:userid": caller.user_id,
        "aws:RequestedRegion": ctx.region,
        "aws:CurrentTime": ctx.received_at.isoformat(timespec="seconds").replace("+00:00", "Z"),
        "aws:EpochTime": str(int(ctx.received_at.timestamp())),
        "aws:SecureTransport": "true" if ctx.secure_transport else "false",
        "aws:SourceIp": ctx.source_ip,
    }
    if caller.kind == "user":
        context["aws:username"] = caller.name
    for key, value in caller.tags:
        context[f"aws:PrincipalTag/{key}"] = value
    return context
