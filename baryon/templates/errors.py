"""The two words every other module here speaks: what kind of template a bundle is for, and why it is refused."""

from __future__ import annotations

import enum


class TemplateKind(enum.Enum):
    """Proton has two kinds of template: an *environment* template (shared infrastructure such as a VPC and a
    cluster) and a *service* template (the infrastructure of each service instance, plus an optional pipeline)."""

    ENVIRONMENT = "ENVIRONMENT"
    SERVICE = "SERVICE"


class BundleError(Exception):
    """A bundle, a schema, a spec or a rendering was refused. ``message`` says exactly what is wrong (file and
    field); the API shows it as a template version's ``statusMessage`` or in a ``ValidationException``."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message
