"""The ASGI application: every AWS request goes through the pipeline; `/_baryon/health` answers probes;
`/dashboard` serves the dashboard (whose pages call the same pipeline in-process)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from baryon.edge.errors import ServiceError
from baryon.edge.pipeline import NeedsThread, Pipeline
from baryon.edge.request import RawRequest
from baryon.runtime import Runtime
from baryon.web.app import routes as dashboard_routes


async def _read_body(request: Request, limit: int) -> bytes | None:
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def build_app(runtime: Runtime) -> Starlette:
    pipeline = Pipeline(runtime)
    limit = runtime.settings.max_body_bytes

    async def aws(request: Request) -> Response:
        body = await _read_body(request, limit)
        raw = RawRequest(
            method=request.method,
            raw_path=request.scope.get("raw_path", b"/").decode("latin-1") or "/",
            query_string=request.scope.get("query_string", b"").decode("latin-1"),
            headers=tuple((k.decode("latin-1"), v.decode("latin-1")) for k, v in request.scope["headers"]),
            body=body or b"",
            client_ip=request.client.host if request.client else "0.0.0.0",
            scheme=request.url.scheme,
        )
        refused = (
            None
            if body is not None
            else ServiceError("SerializationException", "The request body is larger than Baryon accepts.", status=413)
        )
        try:  # most calls touch the store and hop to a worker thread; the rest never leave the event loop
            result = pipeline.handle(raw, refused, inline=True)
        except NeedsThread:
            result = await run_in_threadpool(pipeline.handle, raw, refused)
        return Response(result.body, status_code=result.status, media_type=result.content_type, headers=result.headers)

    async def health(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        runtime.audit.start()
        runtime.registrations.start()  # Proton template versions pending registration
        runtime.syncs.start()  # template sync: commits of synced repositories become template versions
        if runtime.settings.provisioning_workers > 0:
            runtime.provisioning.start()  # deployments: render, assume the role, apply the stack
        try:
            yield
        finally:
            runtime.provisioning.stop()
            runtime.syncs.stop()
            runtime.registrations.stop()
            runtime.audit.stop()

    routes = [
        Route("/_baryon/health", health, methods=["GET"]),
        *dashboard_routes(runtime, pipeline),  # before the catch-all; AWS-signed requests never match them
        Route("/{path:path}", aws, methods=["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"]),
    ]
    return Starlette(routes=routes, lifespan=lifespan)
