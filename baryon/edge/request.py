"""The HTTP request and response as the pipeline sees them, independent of the ASGI server."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import parse_qsl


@dataclass(frozen=True)
class RawRequest:
    method: str
    raw_path: str
    query_string: str
    headers: tuple[tuple[str, str], ...]
    """Header names lower-cased, in arrival order, repeated names kept."""
    body: bytes
    client_ip: str
    scheme: str = "http"

    def header(self, name: str) -> str | None:
        return self.header_map.get(name)

    def header_values(self, name: str) -> list[str]:
        return [value for key, value in self.headers if key == name]

    @cached_property
    def header_map(self) -> dict[str, str]:
        merged: dict[str, str] = {}
        for key, value in self.headers:
            merged[key] = f"{merged[key]},{value}" if key in merged else value
        return merged

    @cached_property
    def query(self) -> list[tuple[str, str]]:
        return parse_qsl(self.query_string, keep_blank_values=True)


@dataclass
class RawResponse:
    status: int
    body: bytes
    content_type: str
    headers: dict[str, str] = field(default_factory=dict)
