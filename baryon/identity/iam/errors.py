"""IAM's errors, in AWS's wording, and the quotas they enforce."""

from __future__ import annotations

from baryon.edge.errors import ServiceError

ACCESS_KEYS_PER_USER = 2
MANAGED_POLICIES_PER_PRINCIPAL = 10
GROUPS_PER_USER = 10
VERSIONS_PER_POLICY = 5
TAGS_PER_RESOURCE = 50

MANAGED_POLICY_SIZE = 6144
TRUST_POLICY_SIZE = 2048
INLINE_POLICY_SIZE = {"user": 2048, "group": 5120, "role": 10240}
"""Aggregate size of all inline policies of one principal, in non-whitespace characters."""


def no_such_entity(message: str) -> ServiceError:
    return ServiceError("NoSuchEntityException", message)


def not_found(kind: str, name: str) -> ServiceError:
    """`The user with name alice cannot be found.` (also for groups and roles)."""
    return no_such_entity(f"The {kind} with name {name} cannot be found.")


def already_exists(kind: str, name: str) -> ServiceError:
    """`User with name alice already exists.`"""
    return ServiceError("EntityAlreadyExistsException", f"{kind.capitalize()} with name {name} already exists.")


def policy_already_exists(name: str) -> ServiceError:
    return ServiceError(
        "EntityAlreadyExistsException",
        f"A policy called {name} already exists. Duplicate names are not allowed.",
    )


def policy_not_found(arn: str) -> ServiceError:
    return no_such_entity(f"Policy {arn} was not found.")


def policy_not_attachable(arn: str) -> ServiceError:
    return no_such_entity(f"Policy {arn} does not exist or is not attachable.")


def boundary_not_found(arn: str) -> ServiceError:
    return no_such_entity(f"Scope ARN: {arn} does not exist or is not attachable.")


def version_not_found(arn: str, version_id: str) -> ServiceError:
    return no_such_entity(f"Policy {arn} version {version_id} does not exist or is not attachable.")


def delete_conflict(message: str) -> ServiceError:
    return ServiceError("DeleteConflictException", message)


def limit_exceeded(message: str) -> ServiceError:
    return ServiceError("LimitExceededException", message)


def quota(name: str, value: int) -> ServiceError:
    """`Cannot exceed quota for AccessKeysPerUser: 2`."""
    return limit_exceeded(f"Cannot exceed quota for {name}: {value}")


def concurrent(message: str) -> ServiceError:
    return ServiceError("ConcurrentModificationException", message)


def invalid_input(message: str) -> ServiceError:
    return ServiceError("InvalidInputException", message)


def malformed(message: str) -> ServiceError:
    return ServiceError("MalformedPolicyDocumentException", message)


def validation(message: str) -> ServiceError:
    """The query protocol's `ValidationError` (400) for input the model cannot express as invalid."""
    return ServiceError("ValidationError", message, status=400)


def aws_managed(operation: str, caller_arn: str, arn: str) -> ServiceError:
    """AWS-managed policies belong to AWS: no account may change or delete them."""
    return ServiceError(
        "AccessDenied",
        f"User: {caller_arn} is not authorized to perform: iam:{operation} on resource: policy {arn}",
        status=403,
    )
