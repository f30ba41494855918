"""The long-lived parts of one Baryon process, built once and shared by every request."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from baryon.audit.recorder import AuditRecorder
from baryon.authz.authorizer import Authorizer
from baryon.authz.facts import Facts
from baryon.config import Settings
from baryon.crypto import SecretBox
from baryon.edge.operations import Operations
from baryon.identity.credentials import CredentialResolver
from baryon.org.guardrails import OrgGuardrails
from baryon.store.db import Store
from baryon.store.generation import GenerationWatch

if TYPE_CHECKING:
    from baryon.platform.registration import RegistrationWorker
    from baryon.provisioning.worker import ProvisioningWorker
    from baryon.sync.worker import SyncWorker


@dataclass
class Runtime:
    settings: Settings
    store: Store
    secrets: SecretBox
    watch: GenerationWatch
    credentials: CredentialResolver
    authorizer: Authorizer
    audit: AuditRecorder
    services: dict[str, Operations]
    facts: Facts
    registrations: RegistrationWorker
    """Registers Proton template versions in the background (started and stopped with the app)."""
    syncs: SyncWorker
    """Turns commits of synced repositories into template versions (started and stopped with the app)."""
    provisioning: ProvisioningWorker
    """Carries out deployments (started with the app when `provisioning_workers` > 0)."""

    @classmethod
    def build(cls, settings: Settings) -> Runtime:
        from baryon.platform.registration import RegistrationWorker
        from baryon.providers import operation_tables
        from baryon.provisioning.worker import ProvisioningWorker
        from baryon.sync.worker import SyncWorker

        settings.data_dir.mkdir(parents=True, exist_ok=True)
        store = Store(settings.resolved_database_url)
        store.migrate()
        secrets = SecretBox.from_settings(settings.data_dir, settings.secret_key)
        watch = GenerationWatch(store)
        return cls(
            settings=settings,
            store=store,
            secrets=secrets,
            watch=watch,
            credentials=CredentialResolver(store, secrets, watch),
            authorizer=Authorizer(store, watch, org_chain=OrgGuardrails(store, watch).chain),
            audit=AuditRecorder(store),
            services=operation_tables(),
            facts=Facts.of(store, watch),
            registrations=RegistrationWorker(store, settings),
            syncs=SyncWorker(store, settings, secrets),
            provisioning=ProvisioningWorker(store, settings, settings.provisioning_workers),
        )

    def close(self) -> None:
        self.provisioning.stop()
        self.syncs.stop()
        self.registrations.stop()
        self.audit.stop()
        self.store.dispose()
