"""The template sync loop: every `BARYON_SYNC_INTERVAL_SECONDS` (default 10 s) a `SyncWorker` thread in every
server process

1. takes each repository branch some template sync config follows, under a lease on its
   `RepositorySyncState` (one fetch at a time; a branch whose fetch failed waits out an exponential backoff);
2. resolves the repository through its connection's host (`<ProviderEndpoint>/<owner>/<repo>`) and fetches the
   branch with dulwich into a bare mirror; the outcome is the repository sync status;
3. for each template following the branch and each `<subdirectory>/<template>/v<N>/` at the fetched commit,
   skips a major that already handled this commit, takes the lease on that major's `TemplateSyncState`, and
   when the directory's bundle digest differs from the last synced one registers a new minor of major N
   (`platform.registration.register_bundle`) in the same transaction that records the commit, digest and
   attempt and releases the lease. A restart therefore resumes from the last synced commit and never
   registers a commit twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from baryon.background import BackgroundWorker
from baryon.config import Settings
from baryon.connections.common import AVAILABLE, parse_arn
from baryon.connections.credentials import credential_of
from baryon.connections.tables import CodeConnection, ConnectionHost
from baryon.crypto import SecretBox
from baryon.platform.common import DRAFT
from baryon.platform.tables import ProtonTemplate
from baryon.store.base import utcnow
from baryon.store.db import Store
from baryon.sync import git, status
from baryon.sync.tables import ProtonRepository, RepositorySyncState, TemplateSyncConfig, TemplateSyncState

log = logging.getLogger("baryon.sync")

LEASE_SECONDS = 300.0
MAX_BACKOFF_SECONDS = 300.0


class Unresolvable(Exception):
    """The repository can't be reached through its connection (message for the sync status)."""


@dataclass(frozen=True)
class Branch:
    repository_id: int
    branch: str
    account_id: str
    region: str
    provider: str
    name: str


def repository_url(db: Session, box: SecretBox, repo: ProtonRepository) -> tuple[str, git.Credential | None]:
    """`<host endpoint>/<owner>/<repo>`, through the repository's connection and its host, with the host's
    credential if one is set."""
    parsed = parse_arn(repo.connection_arn)
    linked = db.get(CodeConnection, parsed[3]) if parsed and parsed[2] == "connection" else None
    if linked is None or linked.account_id != repo.account_id:
        raise Unresolvable(f"The connection {repo.connection_arn} does not exist.")
    host = db.get(ConnectionHost, linked.host_id) if linked.host_id else None
    if host is None:
        raise Unresolvable(f"The connection {linked.name} is a {linked.provider_type} connection without a host; "
                           "Baryon can't reach the public provider.")  # fmt: skip
    if host.status != AVAILABLE:
        raise Unresolvable(f"The host {host.name} is {host.status}: {host.status_message or ''}".strip())
    return host.endpoint.rstrip("/") + "/" + repo.name, credential_of(box, host)


class SyncWorker(BackgroundWorker):
    """Fetches every synced branch each interval (wake it when a sync config changed)."""

    thread_name = "baryon-template-sync"

    def __init__(self, store: Store, settings: Settings, box: SecretBox) -> None:
        super().__init__()
        self.store = store
        self.settings = settings
        self.box = box
        self.interval = settings.sync_interval_seconds

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                self.run_once()
            except Exception:  # a broken database must not end the loop
                log.exception("template sync failed")
            self._wake.wait(self.interval)

    # -- one pass ---------------------------------------------------------------------------------------------

    def run_once(self, force: bool = False) -> list[tuple[Branch, str]]:
        """One pass over every synced branch; what happened to each. `force` ignores the backoff of branches
        whose last fetch failed (`baryon sync now`)."""
        with self.store.session() as db:
            rows = db.execute(
                select(
                    TemplateSyncConfig.repository_id,
                    TemplateSyncConfig.branch,
                    ProtonRepository.account_id,
                    ProtonRepository.region,
                    ProtonRepository.provider,
                    ProtonRepository.name,
                )
                .join(ProtonRepository, ProtonRepository.id == TemplateSyncConfig.repository_id)
                .distinct()
            ).all()
        outcomes = []
        for branch in sorted({Branch(*row) for row in rows}, key=lambda b: (b.repository_id, b.branch)):
            if self._stop.is_set():
                break
            try:
                outcomes.append((branch, self.sync_branch(branch, force)))
            except Exception as error:
                log.exception("syncing %s:%s@%s failed", branch.provider, branch.name, branch.branch)
                outcomes.append((branch, f"failed: {type(error).__name__}"))
        return outcomes

    def _claim(self, db: Session, model: type, row_id: int, *extra: object) -> bool:
        now = utcnow()
        free = or_(model.lease_until.is_(None), model.lease_until < now)  # type: ignore[attr-defined]
        taken = db.execute(
            update(model)
            .where(model.id == row_id, free, *extra)  # type: ignore[attr-defined]
            .values(lease_owner=self.owner, lease_until=now + timedelta(seconds=LEASE_SECONDS))
            .execution_options(synchronize_session=False)
        )
        return taken.rowcount == 1

    def _state(self, model: type, **key: object) -> int:
        """The id of the state row with `key`, created if missing (a concurrent creator wins quietly)."""
        with self.store.session() as db:
            found = db.scalars(select(model.id).filter_by(**key)).first()  # type: ignore[attr-defined]
        if found is not None:
            return int(found)
        try:
            with self.store.session() as db:
                row = model(**key)
                db.add(row)
                db.flush()
                return int(row.id)
        except IntegrityError:
            with self.store.session() as db:
                return int(db.scalars(select(model.id).filter_by(**key)).one())  # type: ignore[attr-defined]

    def sync_branch(self, branch: Branch, force: bool = False) -> str:
        """Fetch one branch and sync its templates, unless another worker holds it or its backoff runs."""
        state_id = self._state(RepositorySyncState, repository_id=branch.repository_id, branch=branch.branch)
        now = utcnow()
        with self.store.session() as db:
            due = or_(RepositorySyncState.next_attempt_at.is_(None), RepositorySyncState.next_attempt_at <= now)
            if not self._claim(db, RepositorySyncState, state_id, *(() if force else (due,))):
                return "skipped: another worker holds it or its retry is not due"
        try:
            return self._sync_claimed_branch(branch, state_id, now)
        finally:
            with self.store.session() as db:
                db.execute(
                    update(RepositorySyncState)
                    .where(RepositorySyncState.id == state_id, RepositorySyncState.lease_owner == self.owner)
                    .values(lease_owner=None, lease_until=None)
                )

    def _sync_claimed_branch(self, branch: Branch, state_id: int, started: datetime) -> str:
        label = f"{branch.provider.lower()}:{branch.name}@{branch.branch}"
        mirror = git.mirror_path(self.settings.data_dir, branch.account_id, branch.region, branch.provider, branch.name)
        try:
            with self.store.session() as db:
                repo = db.get(ProtonRepository, branch.repository_id)
                if repo is None:
                    return "skipped: the repository was deleted"
                url, credential = repository_url(db, self.box, repo)
            sha = git.fetch(url, mirror, branch.branch, credential)
        except (Unresolvable, git.FetchFailed) as error:
            message = f"Fetching {label} failed: {error}"
            self._record_fetch_failure(state_id, started, message)
            return message
        with self.store.session() as db:
            state = db.get(RepositorySyncState, state_id)
            assert state is not None
            events = [status.event("FETCHED", f"Fetched {label}", utcnow(), sha)]
            state.fetched_sha, state.failures, state.next_attempt_at = sha, 0, None
            state.latest = status.repository_attempt("SUCCEEDED", started, events)
            configs = list(
                db.scalars(
                    select(TemplateSyncConfig.id).where(
                        TemplateSyncConfig.repository_id == branch.repository_id,
                        TemplateSyncConfig.branch == branch.branch,
                    )
                )
            )
        for config_id in configs:
            try:
                self.sync_template(config_id, mirror, sha)
            except Exception:
                log.exception("syncing template config %s at %s failed", config_id, sha)
        return f"fetched {sha[:12]}"

    def _record_fetch_failure(self, state_id: int, started: datetime, message: str) -> None:
        log.warning("%s", message)
        with self.store.session() as db:
            state = db.get(RepositorySyncState, state_id)
            assert state is not None
            state.failures = (state.failures or 0) + 1
            delay = min(self.interval * 2 ** (state.failures - 1), MAX_BACKOFF_SECONDS)
            state.next_attempt_at = utcnow() + timedelta(seconds=delay)
            retry = f"; retrying in {delay:g} s (attempt {state.failures})"
            state.latest = status.repository_attempt(
                "FAILED", started, [status.event("FETCH_FAILED", message + retry, utcnow())]
            )

    # -- one template ---------------------------------------------------------------------------------------

    def sync_template(self, config_id: int, mirror: git.Path, sha: str) -> None:
        from baryon.templates.lint import prepare

        prepare()  # cfn-lint's rules, built once per process: on the first pass with a template, not in a sync
        with self.store.session() as db:
            config = db.get(TemplateSyncConfig, config_id)
            if config is None:
                return
            directory = "/".join(p for p in [*(config.subdirectory or "").split("/"), config.template_name] if p)
            states = db.execute(
                select(TemplateSyncState.major, TemplateSyncState.id, TemplateSyncState.synced_sha).where(
                    TemplateSyncState.config_id == config_id
                )
            ).all()
        known = {major: (state_id, synced) for major, state_id, synced in states}
        for major, files in sorted(git.template_majors(mirror, sha, directory).items()):
            state_id, synced = known.get(major, (None, None))
            if synced == sha:
                continue  # handled already (and `_sync_major` checks again under the lease): no lease to take
            claimed = False
            if state_id is None:  # a new major: its state row is created with the lease already ours
                try:
                    with self.store.session() as db:
                        until = utcnow() + timedelta(seconds=LEASE_SECONDS)
                        row = TemplateSyncState(config_id=config_id, major=major, lease_owner=self.owner,
                                                lease_until=until)  # fmt: skip
                        db.add(row)
                        db.flush()
                        state_id, claimed = row.id, True
                except IntegrityError:  # another replica created it meanwhile
                    state_id = self._state(TemplateSyncState, config_id=config_id, major=major)
            if not claimed:
                with self.store.session() as db:
                    if not self._claim(db, TemplateSyncState, state_id):
                        continue
            try:
                # releases the lease in the transaction that records the outcome
                self._sync_major(config_id, state_id, major, f"{directory}/v{major}", files, sha)
            except BaseException:
                with self.store.session() as db:
                    db.execute(
                        update(TemplateSyncState)
                        .where(TemplateSyncState.id == state_id, TemplateSyncState.lease_owner == self.owner)
                        .values(lease_owner=None, lease_until=None)
                    )
                raise

    def _sync_major(
        self, config_id: int, state_id: int, major: int, directory: str, files: dict[str, bytes], sha: str
    ) -> None:
        from baryon.platform.registration import register_bundle
        from baryon.templates import BundleError, bundle_from_files

        started = utcnow()

        def handle(db: Session, state: TemplateSyncState) -> None:
            config = db.get(TemplateSyncConfig, config_id)
            if config is None or state.synced_sha == sha:
                return
            repo = db.get(ProtonRepository, config.repository_id)
            assert repo is not None
            target = f"{config.template_name}:{major}"
            initial = status.revision(repo, config.branch, directory, state.synced_sha or sha)
            wanted = status.revision(repo, config.branch, directory, sha)

            def attempt(ok: bool, events: list) -> None:
                record = status.resource_attempt(
                    "SUCCEEDED" if ok else "FAILED", started, target, initial, wanted, events
                )
                state.latest = record
                if ok:
                    state.latest_success = record

            try:
                bundle = bundle_from_files(files)
            except BundleError as error:
                state.synced_sha = sha
                attempt(False, [status.event("FAILED", f"{directory}: {error.message}", utcnow(), sha)])
                return
            digest = bundle.digest()
            state.synced_sha = sha
            if digest == state.synced_digest:
                return  # unchanged content: nothing to register
            parent = db.scalars(
                select(ProtonTemplate).where(
                    ProtonTemplate.account_id == config.account_id,
                    ProtonTemplate.region == config.region,
                    ProtonTemplate.kind == config.template_type,
                    ProtonTemplate.name == config.template_name,
                )
            ).first()
            if parent is None:
                attempt(False, [status.event("FAILED", f"The template {config.template_name} no longer exists.",
                                             utcnow(), sha)])  # fmt: skip
                return
            description = f"Synced from {repo.provider.lower()}:{repo.name}@{config.branch} {sha[:12]}"
            row = register_bundle(db, parent, major, git.tarball(dict(bundle.files)), description, digest)
            state.synced_digest = digest
            label = f"{parent.name}:{row.major}.{row.minor}"
            if row.status == DRAFT:
                attempt(True, [status.event("REGISTERED", f"Registered {label} from {directory}", utcnow(), sha)])
            else:
                message = f"Registering {label} from {directory} failed: {row.status_message}"
                attempt(False, [status.event("FAILED", message, utcnow(), sha)])

        with self.store.session() as db:
            state = db.get(TemplateSyncState, state_id)
            if state is None or state.lease_owner != self.owner:
                return
            handle(db, state)
            released = db.execute(
                update(TemplateSyncState)
                .where(TemplateSyncState.id == state_id, TemplateSyncState.lease_owner == self.owner)
                .values(lease_owner=None, lease_until=None)
            )
            if released.rowcount != 1:  # our lease ran out and another worker took the major over: undo ours
                raise RuntimeError(f"lost the sync lease of {directory} at {sha} to another worker")
