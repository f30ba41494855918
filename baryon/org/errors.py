"""The Organizations errors providers raise, with AWS's messages.

`ConstraintViolationException` and `InvalidInputException` carry a `Reason`; their messages are AWS's (the
live message where it is known, otherwise the reason's documented text).
"""

from __future__ import annotations

from baryon.edge.errors import ServiceError

CONSTRAINT_MESSAGES = {
    "MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED": "You have attached the maximum number of policies to the "
    "specified target.",
    "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED": "You attempted to detach a policy from an entity that would "
    "cause the entity to have fewer than the minimum number of policies of a certain type required.",
    "POLICY_CONTENT_LIMIT_EXCEEDED": "You attempted to create a policy that is larger than the maximum size.",
    "POLICY_NUMBER_LIMIT_EXCEEDED": "You attempted to exceed the number of policies that you can have in an "
    "organization.",
    "OU_DEPTH_LIMIT_EXCEEDED": "You attempted to create an OU tree that is too many levels deep.",
    "OU_NUMBER_LIMIT_EXCEEDED": "You attempted to exceed the number of OUs that you can have in an organization.",
    "ACCOUNT_NUMBER_LIMIT_EXCEEDED": "You attempted to exceed the limit on the number of accounts in an organization.",
    "MAX_TAG_LIMIT_EXCEEDED": "You have exceeded the number of tags allowed on this resource.",
    "CANNOT_CLOSE_MANAGEMENT_ACCOUNT": "You attempted to close the management account. To close the "
    "management account for the organization, you must first either remove or close all member accounts "
    "in the organization.",
    "ACCOUNT_CANNOT_LEAVE_WITHOUT_PHONE_VERIFICATION": "You attempted to remove an account from the "
    "organization that doesn't yet have enough information to exist as a standalone account. Accounts "
    "created in Baryon cannot complete standalone sign-up; ask the management account to call "
    "RemoveAccountFromOrganization.",
}

INPUT_MESSAGES = {
    "IMMUTABLE_POLICY": "You specified a policy that is managed by AWS and can't be modified.",
    "NON_DETACHABLE_POLICY": "You can't detach this AWS Managed Policy.",
    "DUPLICATE_TAG_KEY": "Tag keys must be unique among the tags attached to the same entity.",
    "INVALID_SYSTEM_TAGS_PARAMETER": "You specified a tag key that is a system tag. You can't add, edit, or "
    "delete system tag keys because they're reserved for AWS use.",
    "INVALID_ROLE_NAME": "You provided a role name that isn't valid. A role name can't begin with the "
    "reserved prefix 'AWSServiceRoleFor'.",
    "INVALID_NEXT_TOKEN": "You specified an invalid value for nextToken. You must get the value from the "
    "response to a previous call to the API.",
    "UNRECOGNIZED_SERVICE_PRINCIPAL": "You specified a service principal that isn't recognized.",
    "TARGET_NOT_SUPPORTED": "You can't perform the specified operation on that target entity.",
}


def constraint(reason: str) -> ServiceError:
    return ServiceError("ConstraintViolationException", CONSTRAINT_MESSAGES[reason], fields={"Reason": reason})


def invalid_input(reason: str, message: str | None = None) -> ServiceError:
    return ServiceError("InvalidInputException", message or INPUT_MESSAGES[reason], fields={"Reason": reason})


def error(code: str, message: str) -> ServiceError:
    return ServiceError(code, message)


def not_in_use() -> ServiceError:
    return error("AWSOrganizationsNotInUseException", "Your account is not a member of an organization.")


def access_denied() -> ServiceError:
    return error("AccessDeniedException", "You don't have permissions to access this resource.")


def account_not_found() -> ServiceError:
    return error("AccountNotFoundException", "You specified an account that doesn't exist.")


def ou_not_found() -> ServiceError:
    return error(
        "OrganizationalUnitNotFoundException",
        "We can't find an OU with the OrganizationalUnitId that you specified.",
    )


def parent_not_found() -> ServiceError:
    return error("ParentNotFoundException", "We can't find a root or OU with the ParentId that you specified.")


def child_not_found() -> ServiceError:
    return error(
        "ChildNotFoundException",
        "We can't find an organizational unit (OU) or AWS account with the ChildId that you specified.",
    )


def target_not_found() -> ServiceError:
    return error(
        "TargetNotFoundException",
        "We can't find a root, OU, account, or policy with the TargetId that you specified.",
    )


def policy_not_found() -> ServiceError:
    return error("PolicyNotFoundException", "We can't find a policy with the PolicyId that you specified.")


def root_not_found() -> ServiceError:
    return error("RootNotFoundException", "We can't find a root with the RootId that you specified.")


def policy_type_not_enabled() -> ServiceError:
    return error(
        "PolicyTypeNotEnabledException",
        "The specified policy type isn't currently enabled in this root. You can't attach policies of "
        "the specified type to entities in a root until you enable that type in the root.",
    )


def policy_type_not_available() -> ServiceError:
    return error(
        "PolicyTypeNotAvailableForOrganizationException",
        "You can't use the specified policy type with the feature set currently enabled for this organization.",
    )


def malformed_policy(message: str) -> ServiceError:
    return error("MalformedPolicyDocumentException", message)


def unsupported() -> ServiceError:
    return error("UnsupportedAPIEndpointException", "This action isn't available in the current AWS Region.")
