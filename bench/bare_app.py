"""The baseline for bench_front_door: a bare Starlette endpoint returning a fixed body on the same stack."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

BODY = (
    b'<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>'
    b"<Arn>arn:aws:iam::123456789012:user/baryon-admin</Arn><UserId>AIDAEXAMPLE</UserId>"
    b"<Account>123456789012</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>"
    b"00000000-0000-0000-0000-000000000000</RequestId></ResponseMetadata></GetCallerIdentityResponse>"
)


async def fixed(request: Request) -> Response:
    await request.body()
    return Response(BODY, media_type="text/xml")


app = Starlette(routes=[Route("/{path:path}", fixed, methods=["GET", "POST"])])
