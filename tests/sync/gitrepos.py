"""Git repositories for the sync tests, built with dulwich (no git binary): commits of text files, and an
HTTP Git server that asks for a token (basic authentication), as GitHub Enterprise Server does."""

from __future__ import annotations

import base64
import secrets
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

from dulwich import porcelain
from dulwich.repo import Repo
from dulwich.server import DictBackend
from dulwich.web import make_wsgi_chain

AUTHOR = b"Platform Team <platform@example.com>"


def init(repo_dir: Path) -> Path:
    repo_dir.mkdir(parents=True, exist_ok=True)
    porcelain.init(str(repo_dir)).close()
    return repo_dir


def commit(repo_dir: Path, files: dict[str, str | bytes], message: str, remove: Iterable[str] = ()) -> str:
    """Write `files` (relative paths), remove `remove`, commit everything; the new commit's sha."""
    for path, content in files.items():
        target = repo_dir / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content.encode() if isinstance(content, str) else content)
    gone = [str(repo_dir / p) for p in remove]
    if gone:
        porcelain.remove(str(repo_dir), paths=gone)
    if files:
        porcelain.add(str(repo_dir), paths=[str(repo_dir / p) for p in files])
    sha = porcelain.commit(str(repo_dir), message=message.encode(), author=AUTHOR, committer=AUTHOR)
    return sha.decode()


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def http_git_server(repos: dict[str, Path], username: str, token: str) -> Iterator[str]:
    """Serve `repos` (URL path → repository directory) over smart HTTP on a free loopback port, refusing any
    request without `username`:`token`; yields the base URL."""
    backend = DictBackend({path: Repo(str(directory)) for path, directory in repos.items()})
    git_app = make_wsgi_chain(backend)
    expected = "Basic " + base64.b64encode(f"{username}:{token}".encode()).decode()

    def guarded(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if not secrets.compare_digest(environ.get("HTTP_AUTHORIZATION", ""), expected):
            start_response("401 Unauthorized", [("WWW-Authenticate", 'Basic realm="git"'), ("Content-Length", "0")])
            return [b""]
        return git_app(environ, start_response)

    server = make_server("127.0.0.1", 0, guarded, handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
