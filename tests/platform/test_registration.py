"""Registration is durable: a version pending when the server stops is registered by the next start, and two
workers never run the same job (leases), while a job whose worker died is taken over."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import nullcontext
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from baryon.config import Settings
from baryon.platform.registration import Outcome, RegistrationWorker
from baryon.platform.tables import ProtonRegistrationJob, ProtonTemplate, ProtonTemplateVersion
from baryon.store.base import utcnow
from baryon.store.db import Store
from tests.conftest import STORES
from tests.platform.conftest import need_store
from tests.platform.helpers import env_bundle, fails, proton, unique, upload, wait_registered
from tests.servers import postgres_database, running_server


@pytest.mark.parametrize("store", STORES)
def test_pending_registration_survives_a_crash(store: str, cloud: str) -> None:
    need_store(store)
    env = {"BARYON_LOCAL_CLOUD_URL": cloud, "BARYON_REGISTRATION_DELAY_SECONDS": "600"}
    with running_server(store, env) as server:
        client = proton(server)
        name = unique("durable")
        client.create_environment_template(name=name)
        source = {"s3": upload(server, env_bundle())}
        created = client.create_environment_template_version(templateName=name, source=source)
        assert created["environmentTemplateVersion"]["status"] == "REGISTRATION_IN_PROGRESS"
        time.sleep(1.5)  # the worker is held back: the version stays pending
        pending = client.get_environment_template_version(templateName=name, majorVersion="1", minorVersion="0")
        assert pending["environmentTemplateVersion"]["status"] == "REGISTRATION_IN_PROGRESS"
        code, message = fails(
            client.delete_environment_template_version, templateName=name, majorVersion="1", minorVersion="0"
        )
        assert code == "ConflictException" and "being registered" in message

        server.stop(kill=True)
        server.extra_env["BARYON_REGISTRATION_DELAY_SECONDS"] = "0"
        server.start()
        version = wait_registered(server, "environment", name, "1", "0")
        assert version["status"] == "DRAFT", version.get("statusMessage")
        assert "EnvInput" in version["schema"]


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    need_store(request.param)
    databases = postgres_database() if request.param == "postgres" else nullcontext(f"sqlite:///{tmp_path}/b.db")
    with databases as url:
        opened = Store(url)
        opened.migrate()
        try:
            yield opened
        finally:
            opened.dispose()


def _pending_version(store: Store) -> int:
    now = utcnow()
    with store.session() as db:
        template = ProtonTemplate(account_id="111111111111", region="us-east-1", kind="ENVIRONMENT", name="t")
        db.add(template)
        db.flush()
        version = ProtonTemplateVersion(
            template_id=template.id, major=1, minor=0, status="REGISTRATION_IN_PROGRESS",
            source_bucket="b", source_key="k", request_digest="d", created_at=now, updated_at=now,
        )  # fmt: skip
        db.add(version)
        db.flush()
        db.add(ProtonRegistrationJob(version_id=version.id, created_at=now, attempts=0))
        return version.id


def test_leases_keep_jobs_to_one_worker_and_expired_ones_are_taken_over(store: Store) -> None:
    version_id = _pending_version(store)
    settings = Settings(local_cloud_url=None)
    first, second = RegistrationWorker(store, settings), RegistrationWorker(store, settings)
    work = first.claim()
    assert work is not None and work.version_id == version_id and work.attempts == 1
    assert second.claim() is None  # leased to the first worker

    with store.session() as db:  # the first worker "crashed": its lease runs out
        db.execute(update(ProtonRegistrationJob).values(lease_until=utcnow() - timedelta(seconds=1)))
    taken = second.claim()
    assert taken is not None and taken.attempts == 2

    first.settle(work, Outcome(True, ""))  # too late: the job is no longer the first worker's
    with store.session() as db:
        assert db.get(ProtonTemplateVersion, version_id).status == "REGISTRATION_IN_PROGRESS"
        assert len(list(db.scalars(select(ProtonRegistrationJob)))) == 1

    second.settle(taken, second.run(taken))  # no cloud configured: fails with a clear message
    with store.session() as db:
        version = db.get(ProtonTemplateVersion, version_id)
        assert version.status == "REGISTRATION_FAILED"
        assert version.status_message == (
            "The bundle s3://b/k could not be read: no account cloud is configured (set BARYON_LOCAL_CLOUD_URL)."
        )
        assert list(db.scalars(select(ProtonRegistrationJob))) == []
    assert first.claim() is None
