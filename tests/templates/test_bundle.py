"""Reading bundles: tarballs and file trees, path rules, links, quotas, unwrapping, digests."""

from __future__ import annotations

import io
import tarfile

import pytest

from baryon.templates import BundleError, bundle_from_files, read_tarball
from tests.templates.fixtures import tarball

SCHEMA = (
    b'schema:\n  format: {openapi: "3.0.0"}\n  environment_input_type: E\n'
    b"  types: {E: {type: object, properties: {}}}\n"
)
FILES = {"schema/schema.yaml": SCHEMA, "infrastructure/manifest.yaml": b"x", "infrastructure/cloudformation.yaml": b"y"}


def _raw_tar(*members: tarfile.TarInfo, data: bytes = b"") -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for member in members:
            archive.addfile(member, io.BytesIO(data) if member.isfile() else None)
    return buffer.getvalue()


def test_tarball_round_trip_and_digest() -> None:
    bundle = read_tarball(tarball(FILES))
    assert dict(bundle.files) == FILES
    assert bundle.digest() == bundle_from_files(FILES).digest()
    assert bundle == bundle_from_files(FILES)
    changed = dict(FILES, **{"infrastructure/cloudformation.yaml": b"z"})
    assert bundle_from_files(changed).digest() != bundle.digest()


@pytest.mark.parametrize("prefix", ["./", "environment/", "service/public-svc/", "v1/"])
def test_wrapping_directories_are_unwrapped(prefix: str) -> None:
    assert set(read_tarball(tarball(FILES, prefix=prefix)).files) == set(FILES)


def test_two_top_level_dirs_are_kept() -> None:
    files = {"a/x": b"1", "b/y": b"2"}
    assert set(bundle_from_files(files).files) == {"a/x", "b/y"}


@pytest.mark.parametrize("name", ["/etc/passwd", "../evil.yaml", "schema/../../evil"])
def test_bad_paths_refused(name: str) -> None:
    info = tarfile.TarInfo(name)
    info.size = 1
    with pytest.raises(BundleError, match=r"absolute|'\.\.'"):
        read_tarball(_raw_tar(info, data=b"x"))
    with pytest.raises(BundleError):
        bundle_from_files({name: b"x"})


@pytest.mark.parametrize("kind", [tarfile.SYMTYPE, tarfile.LNKTYPE])
def test_links_refused(kind: bytes) -> None:
    info = tarfile.TarInfo("schema/schema.yaml")
    info.type = kind
    info.linkname = "/etc/passwd"
    with pytest.raises(BundleError, match="links are not allowed"):
        read_tarball(_raw_tar(info))


def test_devices_refused() -> None:
    info = tarfile.TarInfo("dev")
    info.type = tarfile.CHRTYPE
    with pytest.raises(BundleError, match="only regular files"):
        read_tarball(_raw_tar(info))


def test_not_a_tarball() -> None:
    with pytest.raises(BundleError, match=r"not a valid .tar.gz"):
        read_tarball(b"definitely not a tarball")


def test_quotas() -> None:
    with pytest.raises(BundleError, match="50 KB schema"):
        bundle_from_files({"schema/schema.yaml": b"#" * (50 * 1024 + 1)})
    with pytest.raises(BundleError, match="50 KB manifest"):
        bundle_from_files({"schema/schema.yaml": SCHEMA, "infrastructure/manifest.yaml": b"#" * 60_000})
    with pytest.raises(BundleError, match="200 KB per template file"):
        read_tarball(tarball({"schema/schema.yaml": SCHEMA, "infrastructure/big.yaml": b"#" * 300_000}))
    many = {f"infrastructure/f{i}.yaml": b"#" * 150_000 for i in range(40)}
    with pytest.raises(BundleError, match="5 MB"):
        bundle_from_files(many)
    with pytest.raises(BundleError, match="5 MB"):
        read_tarball(b"\0" * (5 * 1024 * 1024 + 1))


def test_text_errors() -> None:
    bundle = bundle_from_files({"schema/schema.yaml": b"\xff\xfe\x00bad"})
    with pytest.raises(BundleError, match="not UTF-8"):
        bundle.text("schema/schema.yaml")
    with pytest.raises(BundleError, match="file not found"):
        bundle.text("nope")
