"""The local cloud's server: moto's, one request at a time, with fixes for the gaps a Proton user meets.

`python -m baryon.cloud.moto_server -H HOST -p PORT [--folder DIR]` serves moto's application with moto's
request handler, not threaded. Every moto response draws from one process-wide random generator (request ids,
resource ids), so a recording replays to the same identifiers only if moto handled the requests in the order
it recorded them; one at a time, it does, whoever the clients are. With `--folder` (the data directory's
`cloud/`), the server exits by itself once that folder is deleted: nothing could find it or keep its recording.

Before it serves, moto is patched in this process (nothing in Baryon's process is patched):

* a change set's execution leaves the stack's outputs as they were before it (none, for a new stack), so
  `aws cloudformation deploy` then `describe-stacks` shows no outputs: the outputs are rebuilt after it runs;
* a CREATE change set for a stack name already in use makes a second stack of that name; as in AWS, it is
  refused ("Stack [name] already exists and cannot be created again with the changeSet [...]");
* `AWS::IAM::Role` ignores `ManagedPolicyArns`: a connection role deployed from Proton's usual template ends
  up with no permissions. The listed policies are attached when the role is created or updated, and detached
  before the stack deletes it;
* moto lists its own package folder on disk for every request it routes; the list is made once;
* moto lists the methods of a service's response class (with `inspect.getmembers`) for every request, to
  check the action is one of them; each class's list is made once;
* moto finds the account of every signed request by scanning each account's IAM in every partition; the
  account of an access key, once found, is remembered (and checked to still hold the key);
* werkzeug's server, after every response, waits up to 10 ms for the client to hang up (it drains what is left
  of the request body); it now drains only what has already arrived and moves on to the next request.

Each patch checks that moto still has the function it wraps and fails loudly otherwise; docs/local-cloud.md
lists these with every other cover.
"""

from __future__ import annotations

import argparse
import inspect
import os
import selectors
import signal
import sys
import threading
import time
import types
from pathlib import Path
from typing import Any

IDLE_SECONDS = 60
"""A client that sends nothing for this long is dropped, so it can't hold the single worker."""
WATCH_SECONDS = 2.0


def _refresh_outputs_after_change_sets() -> None:
    from moto.cloudformation.models import CloudFormationBackend

    original = CloudFormationBackend.execute_change_set

    def execute_change_set(self: Any, change_set_name: str, stack_name: str | None = None) -> None:
        original(self, change_set_name, stack_name)
        for change_set in list(self.change_sets.values()):
            if change_set_name in (change_set.change_set_name, change_set.change_set_id):
                stack = self.stacks[change_set.stack_id]
                stack.template_dict = change_set.template_dict  # the change set's template, now the stack's
                stack.output_map = stack._create_output_map()

    CloudFormationBackend.execute_change_set = execute_change_set  # type: ignore[method-assign]


def _refuse_creating_a_stack_twice() -> None:
    from moto.cloudformation.exceptions import ValidationError
    from moto.cloudformation.models import CloudFormationBackend

    original = CloudFormationBackend.create_change_set

    def create_change_set(self: Any, stack_name: str, change_set_name: str, *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("change_set_type") == "CREATE" and any(s.name == stack_name for s in self.stacks.values()):
            message = f"Stack [{stack_name}] already exists and cannot be created again with the changeSet "
            raise ValidationError(stack_name, message + f"[{change_set_name}].")
        return original(self, stack_name, change_set_name, *args, **kwargs)

    CloudFormationBackend.create_change_set = create_change_set  # type: ignore[method-assign]


def _list_moto_modules_once() -> None:
    from moto import backends

    modules = tuple(backends.list_of_moto_modules())
    backends.list_of_moto_modules = lambda: modules


def _list_response_methods_once() -> None:
    from moto.core import responses

    listed: dict[type, frozenset[str]] = {}
    listing = responses.method_names_from_class

    def method_names_from_class(clazz: type) -> frozenset[str]:
        names = listed.get(clazz)
        if names is None:
            names = listed[clazz] = frozenset(listing(clazz))
        return names

    responses.method_names_from_class = method_names_from_class  # type: ignore[assignment]


def _attach_managed_policies_of_roles() -> None:
    from moto.iam.models import Role, get_partition, iam_backends

    created, updated = Role.create_from_cloudformation_json, Role.update_from_cloudformation_json
    deleted = Role.delete_from_cloudformation_json

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

    def delete(cls: Any, resource_name: str, cloudformation_json: dict[str, Any], account_id: str,
               region_name: str) -> None:  # fmt: skip
        backend = iam_backends[account_id][get_partition(region_name)]
        role = next((r for r in backend.roles.values() if r.name == resource_name), None)
        for arn in list(role.managed_policies) if role is not None else []:
            backend.detach_role_policy(arn, resource_name)  # else deleting the role is a DeleteConflict
        deleted.__func__(cls, resource_name, cloudformation_json, account_id, region_name)  # type: ignore[attr-defined]

    Role.create_from_cloudformation_json = classmethod(create)  # type: ignore[method-assign,assignment]
    Role.update_from_cloudformation_json = classmethod(update)  # type: ignore[method-assign,assignment]
    Role.delete_from_cloudformation_json = classmethod(delete)  # type: ignore[method-assign,assignment]


def _remember_whose_access_keys() -> None:
    from moto.iam import models
    from moto.utilities.utils import PARTITION_NAMES

    scan = models.get_account_id_from
    known: dict[str, tuple[str, str]] = {}

    def holding(account: str, partition: str, access_key: str) -> bool:
        """Whether the account's IAM in that partition holds the key (building no backend to find out)."""
        backends = models.iam_backends.get(account)
        backend = backends.get(partition) if backends is not None else None
        return backend is not None and access_key in backend.access_keys

    def get_account_id_from(access_key: str) -> str:
        found = known.get(access_key)
        if found is not None and holding(*found, access_key):
            return found[0]
        account = scan(access_key)
        partition = next((p for p in PARTITION_NAMES if holding(account, p, access_key)), None)
        if partition is not None:
            known[access_key] = account, partition
        return account

    models.get_account_id_from = get_account_id_from


DRAIN_WAIT = "selector.select(timeout=0.01)"
"""werkzeug's wait for the client after a response (checked to still be there, else the patch fails loudly)."""


def _answer_without_waiting_for_hangup() -> None:
    """After writing a response, werkzeug's handler reads and discards whatever is left of the request, waiting
    up to 10 ms for more data each time; a client that sends nothing more is waited for until it closes its end.
    One request at a time, that wait holds up every other client for as long as the client takes to read its
    answer and hang up (0.5 to 0.9 ms a request in the provisioning bench, a quarter to a third of a small
    request's time in the cloud). moto reads every request's body whole (its recorder and each service's
    handler do), so the drain only needs what has already arrived."""
    from werkzeug import serving

    if DRAIN_WAIT not in inspect.getsource(serving.WSGIRequestHandler.run_wsgi):
        raise RuntimeError(f"werkzeug's request handler no longer drains with {DRAIN_WAIT}: revisit this patch")

    class ReadyNow(selectors.DefaultSelector):
        """A selector that reports what is ready now, never waiting."""

        def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
            return super().select(0)

    serving.selectors = types.SimpleNamespace(DefaultSelector=ReadyNow, EVENT_READ=selectors.EVENT_READ)  # type: ignore[attr-defined,assignment]


PATCHES = (
    _refresh_outputs_after_change_sets,
    _refuse_creating_a_stack_twice,
    _attach_managed_policies_of_roles,
    _list_moto_modules_once,
    _list_response_methods_once,
    _remember_whose_access_keys,
    _answer_without_waiting_for_hangup,
)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="moto's server for Baryon's local cloud, one request at a time")
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, required=True)
    parser.add_argument("--folder", type=Path, help="exit once this folder is deleted")
    args = parser.parse_args(argv)
    for patch in PATCHES:
        patch()
    if args.folder is not None:
        threading.Thread(target=_exit_without, args=(args.folder,), name="folder-watch", daemon=True).start()
    serve(args.host, args.port)


def serve(host: str, port: int) -> None:
    """moto's application and request handler as `moto.server` sets them up, not threaded; SIGTERM ends it."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
    from werkzeug.serving import run_simple

    class Handler(MotoRequestHandler):
        timeout = IDLE_SECONDS

    os.environ.setdefault("MOTO_PORT", str(port))  # moto builds some URLs with it (SQS queue URLs)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    run_simple(host, port, DomainDispatcherApplication(create_backend_app), threaded=False, request_handler=Handler)


def _exit_without(folder: Path) -> None:
    while folder.is_dir():
        time.sleep(WATCH_SECONDS)
    os._exit(0)


if __name__ == "__main__":
    main()
