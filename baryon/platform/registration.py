"""Registering template versions in the background, durably.

CreateXTemplateVersion stores the version (REGISTRATION_IN_PROGRESS) and a `ProtonRegistrationJob` in one
transaction. A `RegistrationWorker` thread runs in every server process:

1. **claim** a job with a compare-and-set on its lease (`lease_until` empty or past → ours for
   `LEASE_SECONDS`), so two replicas never run the same job, and a job whose worker died is claimed again
   once its lease runs out;
2. **run** it outside any transaction: read the bundle from the account cloud, check it with the template
   core (`bundles.py`);
3. **settle** it in one transaction: delete the job *only if we still hold it*, then set the version DRAFT
   (with its schema, warnings and bundle) or REGISTRATION_FAILED with a `statusMessage` saying why. A new
   minor whose schema is not backward compatible with its major's recommended minor fails with the reasons.

Jobs left by a stopped or crashed server are finished by the next one (or by any other replica).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete, func, or_, select, update
from sqlalchemy.orm import Session

from baryon.background import BackgroundWorker
from baryon.config import Settings
from baryon.platform import bundles
from baryon.platform.common import (
    CUSTOMER_MANAGED,
    DRAFT,
    FAILED,
    IN_PROGRESS,
    KINDS,
    SERVICE,
    missing_environment,
    recommended_minor,
)
from baryon.platform.tables import ProtonRegistrationJob, ProtonTemplate, ProtonTemplateVersion
from baryon.store.base import utcnow
from baryon.store.db import Store

log = logging.getLogger("baryon.platform.registration")

LEASE_SECONDS = 120.0
POLL_SECONDS = 1.0
MAX_ATTEMPTS = 5
MAX_MESSAGE = 5000


@dataclass(frozen=True)
class Work:
    """A claimed job and what running it needs, read before any slow step."""

    job_id: int
    version_id: int
    attempts: int
    account_id: str
    region: str
    kind: str
    customer_managed: bool
    bucket: str
    key: str


@dataclass(frozen=True)
class Outcome:
    ok: bool
    message: str
    data: bytes | None = None
    checked: bundles.Checked | None = None


class RegistrationWorker(BackgroundWorker):
    """Claims pending registration jobs (wake it when one was just committed) and runs them."""

    thread_name = "baryon-proton-registration"

    def __init__(self, store: Store, settings: Settings) -> None:
        super().__init__()
        self.store = store
        self.settings = settings

    def _run(self) -> None:
        if self.settings.registration_delay_seconds > 0:
            self._stop.wait(self.settings.registration_delay_seconds)
        while not self._stop.is_set():
            self._wake.clear()
            try:
                worked = self.run_once()
            except Exception:  # a broken database must not end the worker; try again at the next poll
                log.exception("template registration worker failed")
                worked = False
            if not worked:
                self._wake.wait(POLL_SECONDS)

    # -- one job --------------------------------------------------------------------------------------------

    def run_once(self) -> bool:
        """Claim and run one job; False when none is waiting."""
        work = self.claim()
        if work is None:
            return False
        self.settle(work, self.run(work))
        return True

    def claim(self) -> Work | None:
        now = utcnow()
        free = or_(ProtonRegistrationJob.lease_until.is_(None), ProtonRegistrationJob.lease_until < now)
        with self.store.session() as db:
            candidates = list(
                db.scalars(select(ProtonRegistrationJob.id).where(free).order_by(ProtonRegistrationJob.id).limit(5))
            )
        for job_id in candidates:
            with self.store.session() as db:
                claim = (
                    update(ProtonRegistrationJob)
                    .where(ProtonRegistrationJob.id == job_id, free)
                    .values(
                        lease_owner=self.owner,
                        lease_until=now + timedelta(seconds=LEASE_SECONDS),
                        attempts=ProtonRegistrationJob.attempts + 1,
                    )
                    .execution_options(synchronize_session=False)
                )
                taken = cast(CursorResult[Any], db.execute(claim))
                if taken.rowcount != 1:  # another worker was quicker
                    continue
                job = db.get(ProtonRegistrationJob, job_id)
                assert job is not None
                row = db.get(ProtonTemplateVersion, job.version_id)
                parent = db.get(ProtonTemplate, row.template_id) if row is not None else None
                if row is None or parent is None:
                    db.delete(job)
                    continue
                return Work(
                    job_id=job.id,
                    version_id=row.id,
                    attempts=job.attempts,
                    account_id=parent.account_id,
                    region=parent.region,
                    kind=parent.kind,
                    customer_managed=parent.provisioning == CUSTOMER_MANAGED,
                    bucket=row.source_bucket,
                    key=row.source_key,
                )
        return None

    def run(self, work: Work) -> Outcome:
        """Read and check the bundle; no database work here."""
        kind = KINDS[work.kind]
        where = f"s3://{work.bucket}/{work.key}"
        if work.attempts > MAX_ATTEMPTS:
            return Outcome(False, f"Registration of the bundle {where} was attempted {MAX_ATTEMPTS} times without "
                           "finishing.")  # fmt: skip
        try:
            data = bundles.fetch(self.settings.local_cloud_url, work.account_id, work.region, work.bucket, work.key)
        except bundles.BundleUnavailable as error:
            return Outcome(False, str(error))
        try:
            checked = _check(data, work.kind, work.customer_managed)
        except Exception as error:
            message = getattr(error, "message", None)
            if message is None or not isinstance(error, _bundle_error()):
                log.exception("checking the bundle %s failed", where)
                message = f"{type(error).__name__}: {error}"
            return Outcome(False, f"The bundle {where} is not a valid {kind.noun} bundle: {message}")
        return Outcome(True, "", data, checked)

    def settle(self, work: Work, outcome: Outcome) -> None:
        with self.store.session() as db:
            held = cast(
                CursorResult[Any],
                db.execute(
                    delete(ProtonRegistrationJob)
                    .where(ProtonRegistrationJob.id == work.job_id, ProtonRegistrationJob.lease_owner == self.owner)
                    .execution_options(synchronize_session=False)
                ),
            )
            if held.rowcount != 1:  # our lease ran out and another worker took the job over
                log.warning("lost the registration job %s to another worker", work.job_id)
                return
            row = db.get(ProtonTemplateVersion, work.version_id)
            if row is None or row.status != IN_PROGRESS:
                return
            if outcome.ok and outcome.checked is not None and row.minor > 0:
                outcome = _against_major(db, work, row, outcome)
            row.updated_at = utcnow()
            if not outcome.ok:
                row.status, row.status_message = FAILED, outcome.message[:MAX_MESSAGE]
                return
            assert outcome.checked is not None
            row.status = DRAFT
            row.schema = outcome.checked.schema_text
            row.warnings = list(outcome.checked.warnings)
            row.bundle = outcome.data
            row.status_message = _warnings_message(outcome.checked.warnings)


def _bundle_error() -> type[Exception]:
    try:
        return bundles.bundle_error_type()
    except ImportError:
        return ValueError


def _check(data: bytes, kind: str, customer_managed: bool) -> bundles.Checked:
    if kind == SERVICE.name:
        return bundles.check(data, kind, customer_managed=False, pipeline=not customer_managed)
    return bundles.check(data, kind, customer_managed=customer_managed, pipeline=True)


def _warnings_message(warnings: tuple[str, ...]) -> str:
    """A DRAFT version's statusMessage: empty, or the checker's warnings (the version registered anyway)."""
    if not warnings:
        return ""
    noun = "warning" if len(warnings) == 1 else "warnings"
    return f"Registered with {len(warnings)} {noun}: " + "; ".join(warnings)[:MAX_MESSAGE]


def _against_major(db: Session, work: Work, row: ProtonTemplateVersion, outcome: Outcome) -> Outcome:
    """A new minor must keep the schema of its major's recommended minor (published, else latest draft)."""
    assert outcome.checked is not None
    siblings = list(
        db.scalars(
            select(ProtonTemplateVersion).where(
                ProtonTemplateVersion.template_id == row.template_id,
                ProtonTemplateVersion.major == row.major,
                ProtonTemplateVersion.id != row.id,
            )
        )
    )
    base = recommended_minor(siblings, row.major)
    if base is None:
        return outcome
    pipeline = not (work.kind == SERVICE.name and work.customer_managed)
    managed = work.customer_managed and work.kind != SERVICE.name
    try:
        old = bundles.stored_schema(base.schema, base.bundle, work.kind, customer_managed=managed, pipeline=pipeline)
    except Exception:
        log.exception("could not rebuild the schema of version %s.%s", base.major, base.minor)
        return outcome
    if old is None:
        return outcome
    reasons = bundles.incompatibilities(old, outcome.checked.schema)
    if not reasons:
        return outcome
    message = (
        f"The schema of version {row.major}.{row.minor} is not backward compatible with version "
        f"{base.major}.{base.minor}, the recommended minor version of major version {row.major}; create a new "
        "major version instead: " + "; ".join(reasons)
    )
    return Outcome(False, message)


def register_bundle(
    db: Session, parent: ProtonTemplate, major: int, data: bytes, description: str, digest: str
) -> ProtonTemplateVersion:
    """Template sync: create the next minor of `major` (`major`.0 for a new major) from a bundle tarball already
    in hand and register it at once, in the caller's transaction: DRAFT, or REGISTRATION_FAILED with the
    reason. The same checks as a CreateXTemplateVersion registration (`_check`, `_against_major`)."""
    top = db.scalar(
        select(func.max(ProtonTemplateVersion.minor)).where(
            ProtonTemplateVersion.template_id == parent.id, ProtonTemplateVersion.major == major
        )
    )
    now = utcnow()
    row = ProtonTemplateVersion(
        template_id=parent.id, major=major, minor=0 if top is None else top + 1, status=IN_PROGRESS,
        description=description[:500], source_bucket="", source_key=f"git:{digest}"[:1024], request_digest=digest,
        compatible_environments=[], component_sources=[], tags=[], created_at=now, updated_at=now,
    )  # fmt: skip
    db.add(row)
    db.flush()
    work = Work(0, row.id, 1, parent.account_id, parent.region, parent.kind,
                parent.provisioning == CUSTOMER_MANAGED, "", row.source_key)  # fmt: skip
    try:
        checked = _check(data, parent.kind, work.customer_managed)
        outcome = Outcome(True, "", data, checked)
    except Exception as error:
        outcome = Outcome(False, f"The bundle is not a valid {KINDS[parent.kind].noun} bundle: "
                          f"{getattr(error, 'message', None) or error}")  # fmt: skip
    if outcome.ok and row.minor > 0:
        outcome = _against_major(db, work, row, outcome)
    if outcome.ok and outcome.checked is not None and parent.kind == SERVICE.name:
        missing = _missing_environments(db, parent, outcome.checked.compatible_environments)
        if missing:
            outcome = Outcome(False, missing)
    if not outcome.ok or outcome.checked is None:
        row.status, row.status_message = FAILED, outcome.message[:MAX_MESSAGE]
        return row
    row.status, row.schema, row.bundle = DRAFT, outcome.checked.schema_text, data
    row.warnings = list(outcome.checked.warnings)
    row.status_message = _warnings_message(outcome.checked.warnings)
    if parent.kind == SERVICE.name:
        pairs = outcome.checked.compatible_environments
        row.compatible_environments = [{"templateName": str(n), "majorVersion": str(m)} for n, m in pairs]
        row.component_sources = list(outcome.checked.supported_component_sources)
    return row


def _missing_environments(db: Session, parent: ProtonTemplate, pairs: tuple[tuple[str, str], ...]) -> str:
    """Why a synced service bundle's compatible environments don't hold ('' when they do): its
    `.template-registration.yaml` must name at least one, and each must exist with that major."""
    if not pairs:
        return ("A synced service template version needs `compatible_environments` in its "
                ".template-registration.yaml (or .compatible-envs).")  # fmt: skip
    for name, major in pairs:
        problem = missing_environment(db, parent.account_id, parent.region, str(name), str(major))
        if problem:
            return problem
    return ""
