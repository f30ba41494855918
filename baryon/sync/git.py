"""Git without a git binary (dulwich): fetch a branch into a bare mirror under the data directory, and read a
synced template's `v<N>/` directories at a commit.

A mirror is `<data dir>/sync/<account>/<region>/<provider>/<owner>/<repo>.git`; fetching into it again only
transfers what is new.
"""

from __future__ import annotations

import gzip
import io
import re
import stat
import tarfile
from dataclasses import dataclass, field
from pathlib import Path

from dulwich.client import HTTPUnauthorized, get_transport_and_path
from dulwich.object_store import iter_tree_contents
from dulwich.objects import Tree
from dulwich.repo import Repo

MAJOR_DIR = re.compile(r"^v([1-9][0-9]{0,5})$")


class FetchFailed(Exception):
    """The repository could not be fetched (host unreachable, no such repository or branch)."""


def mirror_path(data_dir: Path, account: str, region: str, provider: str, name: str) -> Path:
    safe = [re.sub(r"[^A-Za-z0-9_.-]", "_", part) for part in (account, region, provider, *name.split("/"))]
    return data_dir.joinpath("sync", *safe[:-1], safe[-1] + ".git")


@dataclass(frozen=True)
class Credential:
    """What Baryon presents to an HTTP(S) Git host: a user name and a token (HTTP basic authentication, as
    GitHub Enterprise Server and GitLab accept personal access tokens)."""

    username: str
    token: str = field(repr=False)


def fetch(url: str, mirror: Path, branch: str, credential: Credential | None = None) -> str:
    """Fetch `branch` of `url` into the bare repository `mirror`; the commit it points at (hex). The
    credential is passed to the HTTP client only, never written into the mirror or an error message."""
    try:
        repo = Repo(str(mirror)) if (mirror / "HEAD").exists() else Repo.init_bare(str(mirror), mkdir=_mkdir(mirror))
    except Exception as error:
        raise FetchFailed(f"could not open the local mirror: {error}") from None
    try:
        login = {"username": credential.username, "password": credential.token} if credential else {}
        client, path = get_transport_and_path(url, **login)
        result = client.fetch(path, repo)
        ref = b"refs/heads/" + branch.encode()
        sha = result.refs.get(ref)
        if sha is None:
            raise FetchFailed(f"the repository at {url} has no branch {branch}")
        repo.refs[ref] = sha
        return sha.decode("ascii")
    except FetchFailed:
        raise
    except HTTPUnauthorized:
        refused = "refused the credentials set for its host" if credential else "asks for credentials"
        raise FetchFailed(f"{url} {refused} (HTTP 401); set them with `baryon host set-token`") from None
    except Exception as error:
        detail = str(error).replace(credential.token, "***") if credential else str(error)
        raise FetchFailed(f"could not fetch {url}: {type(error).__name__}: {detail}") from None
    finally:
        repo.close()


def _mkdir(path: Path) -> bool:
    path.parent.mkdir(parents=True, exist_ok=True)
    return True


def template_majors(mirror: Path, sha: str, directory: str) -> dict[int, dict[str, bytes]]:
    """The files of each `<directory>/v<N>/` at commit `sha`, by N (paths relative to `v<N>/`). Symbolic links
    and submodules are left out."""
    repo = Repo(str(mirror))
    try:
        tree: Tree = repo[repo[sha.encode()].tree]  # type: ignore[attr-defined]
        for part in [p for p in directory.split("/") if p]:
            entry = next((e for e in tree.iteritems() if e.path == part.encode()), None)
            if entry is None or not stat.S_ISDIR(entry.mode):
                return {}
            tree = repo[entry.sha]  # type: ignore[assignment]
        majors: dict[int, dict[str, bytes]] = {}
        for entry in tree.iteritems():
            match = MAJOR_DIR.match(entry.path.decode("utf-8", "replace"))
            if match is None or not stat.S_ISDIR(entry.mode):
                continue
            files = {}
            for item in iter_tree_contents(repo.object_store, entry.sha):
                if stat.S_ISREG(item.mode):
                    files[item.path.decode("utf-8", "replace")] = repo[item.sha].data  # type: ignore[attr-defined]
            majors[int(match[1])] = files
        return majors
    finally:
        repo.close()


def tarball(files: dict[str, bytes]) -> bytes:
    """A deterministic gzipped tarball of a bundle's files (what the version keeps, as if uploaded to S3)."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for path in sorted(files):
            info = tarfile.TarInfo(path)
            info.size, info.mode, info.mtime = len(files[path]), 0o644, 0
            archive.addfile(info, io.BytesIO(files[path]))
    return gzip.compress(raw.getvalue(), mtime=0)
