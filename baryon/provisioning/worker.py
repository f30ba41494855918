"""Provisioning workers: threads that claim unfinished deployments under a lease and carry them out.

A deployment is held while `lease_until` is in the future; the holder renews the lease while it waits on the
cloud. When a worker dies (`kill -9`, a lost machine) its lease runs out and any other worker, in any process
on any replica, takes the deployment over and runs it from its recorded step. A worker starting on a machine
also frees the leases of dead processes of that same machine (their pid is gone) at start and every few
seconds, so a restarted `baryon up` or a sibling `baryon worker` resumes a dead worker's deployments without
waiting for its leases to expire.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import and_, bindparam, case, or_, select, update

from baryon.background import BackgroundWorker
from baryon.config import Settings
from baryon.provisioning.clouds import LOCAL, Cloud
from baryon.provisioning.guardrails import StackGuardrails
from baryon.provisioning.stacks import StackResult
from baryon.provisioning.tables import Deployment
from baryon.provisioning.workflow import APPLYING, CLAIMED, DELETING, DEPLOYMENTS, Claimed, LeaseLost, Runner
from baryon.store.base import utcnow
from baryon.store.db import Store

log = logging.getLogger("baryon.provisioning")

LEASE_SECONDS = 30.0
RENEW_EVERY_SECONDS = 5.0
POLL_SECONDS = 1.0
MAX_ATTEMPTS = 5
DEAD_CHECK_SECONDS = 2.0
"""How often an idle worker looks for leases held by dead processes of its own machine."""

_d = DEPLOYMENTS.c
_FREE = or_(_d.lease_until.is_(None), _d.lease_until < bindparam("now"))
_OLDEST_FREE = (
    select(_d.id).where(_d.finished.is_(False), _FREE).order_by(_d.created_at)
    .limit(1).with_for_update(skip_locked=True).scalar_subquery()
)  # fmt: skip
_CLAIM = (
    update(DEPLOYMENTS)
    .where(_d.id == _OLDEST_FREE, _d.finished.is_(False), _FREE)
    .values(
        lease_owner=bindparam("claimer"),
        lease_until=bindparam("until"),
        attempts=_d.attempts + 1,
        step=case((_d.operation == "DELETE", DELETING), else_=APPLYING),
        updated_at=bindparam("now"),
    )
    .returning(*CLAIMED)
)
"""Leases the oldest deployment nobody holds, in one statement (PostgreSQL skips rows other claimers hold)."""


class ProvisioningWorker(BackgroundWorker):
    """`threads` threads, each claiming and running one deployment at a time. `wake` (a deployment was queued)
    rouses one idle thread, not all of them; threads of one process claim one at a time, so they never race
    each other for the same row (other processes may: the claim's conditional update settles that)."""

    thread_name = "baryon-provisioning"

    def __init__(self, store: Store, settings: Settings, threads: int = 4) -> None:
        super().__init__()
        self.store = store
        self.settings = settings
        self.runner = Runner(store, settings, StackGuardrails(store))
        self.threads = max(1, threads)
        self._pool: list[threading.Thread] = []
        self._dead_checked = 0.0
        self._queued = threading.Condition()
        self._pending = 0
        """Wake-ups not yet taken by an idle thread (at most one per thread: busy threads claim again anyway)."""
        self._claiming = threading.Lock()

    def start(self) -> None:
        if self._pool:
            return
        self._stop.clear()
        self.free_dead_leases()
        if self.settings.local_cloud_url:
            local = Cloud(LOCAL, self.settings.local_cloud_url, self.settings.region)
            threading.Thread(target=local.prepare, name=f"{self.thread_name}-prepare", daemon=True).start()
        for index in range(self.threads):
            thread = threading.Thread(target=self._run, name=f"{self.thread_name}-{index}", daemon=True)
            thread.start()
            self._pool.append(thread)

    def wake(self) -> None:
        with self._queued:
            self._pending = min(self._pending + 1, self.threads)
            self._queued.notify()

    def _idle(self) -> None:
        """Wait for a wake-up, or POLL_SECONDS (deployments queued by other processes are found by polling)."""
        with self._queued:
            if self._pending == 0:
                self._queued.wait(POLL_SECONDS)
            self._pending = max(0, self._pending - 1)

    def stop(self) -> None:
        self._stop.set()
        with self._queued:
            self._queued.notify_all()
        for thread in self._pool:
            thread.join(timeout=30)
        self._pool = []

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                worked = self.run_once()
            except Exception:  # a broken database must not end the worker
                log.exception("provisioning worker failed")
                worked = False
            if not worked:
                self._idle()

    def run_once(self) -> bool:
        """Claim and carry out one deployment; False when none is waiting."""
        claimed = self.claim()
        if claimed is None:
            return False
        deployment_id = claimed.id
        try:
            self.runner.run(claimed, self.owner, self._renewer(deployment_id))
        except LeaseLost:
            log.warning("lost deployment %s to another worker", deployment_id)
        except Exception as error:
            log.exception("deployment %s failed unexpectedly", deployment_id)
            self._give_up_if_exhausted(deployment_id, error)
        return True

    def claim(self) -> Claimed | None:
        """Take the oldest deployment nobody holds: lease it and mark its step (a later taker then knows a stack
        operation may have begun). Returns its `CLAIMED` columns."""
        with self._claiming:
            return self._claim()

    def _claim(self) -> Claimed | None:
        if time.monotonic() - self._dead_checked > DEAD_CHECK_SECONDS:
            self._dead_checked = time.monotonic()
            self.free_dead_leases()
        now = utcnow()
        with self.store.connection() as db:  # one statement: PostgreSQL skips rows other claimers hold
            claimed: Claimed | None = db.execute(
                _CLAIM, {"now": now, "claimer": self.owner, "until": now + timedelta(seconds=LEASE_SECONDS)}
            ).first()
        return claimed

    def _renewer(self, deployment_id: str) -> Callable[[], None]:
        last = [time.monotonic()]

        def renew() -> None:
            if time.monotonic() - last[0] < RENEW_EVERY_SECONDS:
                return
            with self.store.session() as db:
                kept = db.execute(
                    update(Deployment)
                    .where(Deployment.id == deployment_id, Deployment.lease_owner == self.owner)
                    .values(lease_until=utcnow() + timedelta(seconds=LEASE_SECONDS))
                    .execution_options(synchronize_session=False)
                )
            if kept.rowcount != 1:  # type: ignore[attr-defined]
                raise LeaseLost(deployment_id)
            last[0] = time.monotonic()

        return renew

    def _give_up_if_exhausted(self, deployment_id: str, error: Exception) -> None:
        with self.store.session() as db:
            deployment = db.get(Deployment, deployment_id)
            if deployment is None or deployment.attempts < MAX_ATTEMPTS:
                return
        message = f"The deployment failed {MAX_ATTEMPTS} times: {type(error).__name__}: {error}"
        with contextlib.suppress(LeaseLost):
            self.runner.settle(deployment_id, self.owner, StackResult(False, message))

    def free_dead_leases(self) -> None:
        """Free the leases held by processes of this machine that no longer run."""
        host = socket.gethostname()[:30]
        with self.store.session() as db:
            held = db.execute(
                select(Deployment.id, Deployment.lease_owner).where(
                    and_(Deployment.finished.is_(False), Deployment.lease_owner.like(f"{host}:%"))
                )
            ).all()
            for deployment_id, owner in held:
                pid = int(owner.split(":")[1])
                if pid != os.getpid() and not _alive(pid):
                    db.execute(
                        update(Deployment)
                        .where(Deployment.id == deployment_id, Deployment.lease_owner == owner)
                        .values(lease_owner=None, lease_until=None)
                    )


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
