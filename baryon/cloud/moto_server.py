"""The local cloud's server: moto's, with fixes for the gaps a Proton user meets, applied before it starts.

`python -m baryon.cloud.moto_server -H HOST -p PORT` runs `moto.server.main` after patching moto in its own
process (nothing in Baryon's process is patched):

* a change set's execution leaves the stack's outputs as they were before it (none, for a new stack), so
  `aws cloudformation deploy` then `describe-stacks` shows no outputs: the outputs are rebuilt after it runs;
* `AWS::IAM::Role` ignores `ManagedPolicyArns`: a connection role deployed from Proton's usual template ends
  up with no permissions. The listed policies are attached when the role is created or updated.

Each patch checks that moto still has the function it wraps and fails loudly otherwise; docs/local-cloud.md
lists these with every other cover.
"""

from __future__ import annotations

import sys
from typing import Any


def _refresh_outputs_after_change_sets() -> None:
    from moto.cloudformation.models import CloudFormationBackend

    original = CloudFormationBackend.execute_change_set

    def execute_change_set(self: Any, change_set_name: str, stack_name: str | None = None) -> None:
        original(self, change_set_name, stack_name)
        for change_set in list(self.change_sets.values()):
            if change_set_name in (change_set.change_set_name, change_set.change_set_id):
                stack = self.stacks[change_set.stack_id]
                stack._parse_template()  # the change set's template, now the stack's
                stack.output_map = stack._create_output_map()

    CloudFormationBackend.execute_change_set = execute_change_set  # type: ignore[method-assign]


def _attach_managed_policies_of_roles() -> None:
    from moto.iam.models import Role, get_partition, iam_backends

    created, updated = Role.create_from_cloudformation_json, Role.update_from_cloudformation_json

    def attach(role: Any, properties: dict[str, Any], account_id: str, region_name: str) -> None:
        backend = iam_backends[account_id][get_partition(region_name)]
        for arn in properties.get("ManagedPolicyArns") or []:
            if arn not in role.managed_policies:
                backend.attach_role_policy(arn, role.name)

    def create(cls: Any, resource_name: str, cloudformation_json: dict[str, Any], account_id: str,
               region_name: str, **kwargs: Any) -> Any:  # fmt: skip
        role = created.__func__(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)  # type: ignore[attr-defined]
        attach(role, cloudformation_json.get("Properties") or {}, account_id, region_name)
        return role

    def update(cls: Any, original_resource: Any, new_resource_name: str, cloudformation_json: dict[str, Any],
               account_id: str, region_name: str) -> Any:  # fmt: skip
        role = updated.__func__(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name)  # type: ignore[attr-defined]
        attach(role, cloudformation_json.get("Properties") or {}, account_id, region_name)
        return role

    Role.create_from_cloudformation_json = classmethod(create)  # type: ignore[method-assign,assignment]
    Role.update_from_cloudformation_json = classmethod(update)  # type: ignore[method-assign,assignment]


PATCHES = (_refresh_outputs_after_change_sets, _attach_managed_policies_of_roles)


def main() -> None:
    for patch in PATCHES:
        patch()
    from moto.server import main as moto_main

    moto_main(sys.argv[1:])


if __name__ == "__main__":
    main()
