"""A *template bundle*: the files of one template version, as Proton takes them from S3 (a gzipped tarball)
or from a template-sync Git directory (``<template>/v<major>/``).

Paths are relative to the bundle root, where ``schema/schema.yaml`` lives. Proton's quotas (ag-limits) apply
to every bundle whatever its source: at most 5 MB in all, 50 KB for ``schema.yaml`` and each ``manifest.yaml``,
200 KB for any other file. (The "10 template files per bundle" quota counts the IaC files the manifests name;
:mod:`baryon.templates.check` enforces it.)
"""

from __future__ import annotations

import hashlib
import io
import posixpath
import tarfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from baryon.templates.errors import BundleError

MAX_BUNDLE_BYTES = 5 * 1024 * 1024
MAX_SCHEMA_BYTES = 50 * 1024
MAX_MANIFEST_BYTES = 50 * 1024
MAX_FILE_BYTES = 200 * 1024
MAX_ARCHIVE_MEMBERS = 2000
"""Not a Proton quota: a ceiling on tar members so a hostile archive of empty files cannot exhaust memory."""

SCHEMA_PATH = "schema/schema.yaml"


@dataclass(frozen=True, eq=False)
class Bundle:
    """The files of one template version: path relative to the bundle root -> bytes. Build it with
    :func:`read_tarball` or :func:`bundle_from_files`, which enforce the quotas and path rules."""

    files: Mapping[str, bytes]
    _digest: list[str] = field(default_factory=list, init=False, repr=False, compare=False)

    def digest(self) -> str:
        """A stable SHA-256 of paths and contents (order-independent). Template sync registers a new minor
        version only when a directory's digest changed. Computed once per bundle."""
        if self._digest:
            return self._digest[0]
        h = hashlib.sha256()
        for path in sorted(self.files):
            data = self.files[path]
            h.update(path.encode())
            h.update(b"\0")
            h.update(str(len(data)).encode())
            h.update(b"\0")
            h.update(data)
        self._digest.append(h.hexdigest())
        return self._digest[0]

    def text(self, path: str) -> str:
        """A file decoded as UTF-8; BundleError naming the file if it is missing or not text."""
        data = self.files.get(path)
        if data is None:
            raise BundleError(f"{path}: file not found in the template bundle")
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise BundleError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None

    def has_dir(self, directory: str) -> bool:
        prefix = directory.rstrip("/") + "/"
        return any(p.startswith(prefix) for p in self.files)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Bundle) and self.digest() == other.digest()

    def __hash__(self) -> int:
        return hash(self.digest())


def _clean_path(raw: str) -> str:
    """Normalise a member path; refuse absolute paths and any ``..`` component."""
    if raw.startswith("/") or raw.startswith("\\") or (len(raw) > 1 and raw[1] == ":"):
        raise BundleError(f"{raw}: absolute paths are not allowed in a template bundle")
    parts = [p for p in raw.replace("\\", "/").split("/") if p not in ("", ".")]
    if ".." in parts:
        raise BundleError(f"{raw}: '..' is not allowed in template bundle paths")
    return posixpath.join(*parts) if parts else ""


def _limit_for(path: str) -> tuple[int, str]:
    if path == SCHEMA_PATH:
        return MAX_SCHEMA_BYTES, "50 KB schema file"
    if posixpath.basename(path) == "manifest.yaml":
        return MAX_MANIFEST_BYTES, "50 KB manifest file"
    return MAX_FILE_BYTES, "200 KB per template file"


def _unwrap(files: dict[str, bytes]) -> dict[str, bytes]:
    """``tar czf env.tar.gz environment/`` wraps the bundle in directories: while the root holds no
    ``schema/`` and everything sits under one directory, strip that directory."""
    while files and not any(p.startswith("schema/") for p in files):
        tops = {p.split("/", 1)[0] for p in files}
        if len(tops) != 1 or any("/" not in p for p in files):
            break
        top = tops.pop() + "/"
        files = {p[len(top) :]: data for p, data in files.items()}
    return files


def bundle_from_files(files: Mapping[str, bytes]) -> Bundle:
    """A bundle from a mapping of paths to contents (a template-sync Git tree, a directory on disk).
    Applies the same path rules and quotas as :func:`read_tarball`."""
    cleaned: dict[str, bytes] = {}
    total = 0
    for raw, data in files.items():
        path = _clean_path(raw)
        if not path:
            raise BundleError(f"{raw!r}: not a file path")
        if path in cleaned:
            raise BundleError(f"{path}: appears twice in the template bundle")
        cleaned[path] = bytes(data)
        total += len(data)
        if total > MAX_BUNDLE_BYTES:
            raise BundleError("template bundle exceeds the 5 MB quota")
    cleaned = _unwrap(cleaned)
    for path, data in cleaned.items():
        limit, label = _limit_for(path)
        if len(data) > limit:
            raise BundleError(f"{path}: {len(data)} bytes exceeds the {label} quota")
    return Bundle(MappingProxyType(dict(sorted(cleaned.items()))))


def _extract(archive: tarfile.TarFile) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    total = 0
    for count, member in enumerate(archive, start=1):
        if count > MAX_ARCHIVE_MEMBERS:
            raise BundleError(f"template bundle has more than {MAX_ARCHIVE_MEMBERS} entries")
        path = _clean_path(member.name)
        if member.issym() or member.islnk():
            raise BundleError(f"{member.name}: links are not allowed in a template bundle")
        if member.isdir():
            continue
        if not member.isfile():
            raise BundleError(f"{member.name}: only regular files are allowed in a template bundle")
        total += member.size
        if total > MAX_BUNDLE_BYTES:
            raise BundleError("template bundle exceeds the 5 MB quota")
        if member.size > MAX_FILE_BYTES:
            _, label = _limit_for(path)
            raise BundleError(f"{path}: {member.size} bytes exceeds the {label} quota")
        extracted = archive.extractfile(member)
        if extracted is None or not path:
            raise BundleError(f"{member.name}: cannot be read from the archive")
        if path in files:
            raise BundleError(f"{path}: appears twice in the template bundle")
        files[path] = extracted.read()
    return files


def read_tarball(data: bytes) -> Bundle:
    """A bundle from a gzipped (or plain) tarball as uploaded to S3. Refuses absolute paths, ``..``, links,
    devices and FIFOs, archives over 5 MB (compressed or expanded) and files over their quota. A bundle
    tarred with its directory (``tar czf env.tar.gz environment/``) is unwrapped."""
    if len(data) > MAX_BUNDLE_BYTES:
        raise BundleError("template bundle exceeds the 5 MB quota")
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as archive:
            files = _extract(archive)
    except (tarfile.TarError, EOFError, OSError, ValueError) as exc:
        raise BundleError(f"template bundle is not a valid .tar.gz archive: {exc}") from None
    return bundle_from_files(files)
