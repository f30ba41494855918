"""`baryon policy`: explain a decision, preview a guardrail's impact."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from baryon.cli_options import DatabaseUrl, DataDir
from baryon.config import DEFAULT_DATA_DIR, Settings

if TYPE_CHECKING:
    from baryon.runtime import Runtime

policy_app = typer.Typer(help="Explain authorization decisions and preview guardrails.", no_args_is_help=True)
console = Console(soft_wrap=True)

_SINCE = re.compile(r"^(\d+)([dhm])$")


def _runtime(data_dir: Path, database_url: str | None) -> Runtime:
    from baryon.runtime import Runtime

    return Runtime.build(Settings.from_env(data_dir=data_dir, database_url=database_url))


def _since(text: str) -> datetime:
    match = _SINCE.match(text)
    if not match:
        raise typer.BadParameter("use a number of days, hours or minutes: 7d, 12h, 30m")
    unit = {"d": "days", "h": "hours", "m": "minutes"}[match.group(2)]
    return datetime.now(UTC) - timedelta(**{unit: int(match.group(1))})


@policy_app.command()
def explain(
    request_id: Annotated[str | None, typer.Argument(help="A request id from `baryon audit`.")] = None,
    principal: Annotated[str | None, typer.Option(help="Principal ARN of a hypothetical request.")] = None,
    action: Annotated[str | None, typer.Option(help="IAM action, e.g. proton:CreateEnvironment.")] = None,
    resource: Annotated[list[str] | None, typer.Option(help="Resource ARN (repeatable); default *.")] = None,
    context: Annotated[list[str] | None, typer.Option(help="Condition key=value (repeatable).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the decision as JSON.")] = False,
    data_dir: DataDir = DEFAULT_DATA_DIR,
    database_url: DatabaseUrl = None,
) -> None:
    """Decide a request with today's policies and show the path through every policy type and level."""
    from baryon.audit.query import by_request_id
    from baryon.authz.explain import UnknownPrincipal, caller_for, recorded_context, recorded_resources

    runtime = _runtime(data_dir, database_url)
    try:
        with runtime.store.session() as db:
            recorded = None
            if request_id:
                event = by_request_id(db, request_id)
                if event is None or event.principal_arn is None or event.action is None:
                    raise typer.BadParameter(f"no authorized call with request id {request_id} in the audit trail")
                principal, action = event.principal_arn, event.action
                resources, values = recorded_resources(event), recorded_context(event)
                recorded = event.decision
            else:
                if not principal or not action:
                    raise typer.BadParameter("give a request id, or --principal and --action")
                resources = tuple(resource or ["*"])
                values = dict(item.split("=", 1) for item in context or [])
            try:
                caller = caller_for(db, principal)
            except UnknownPrincipal:
                raise typer.BadParameter(f"unknown principal {principal}") from None
        outcome = runtime.authorizer.check(caller, action, resources, values)
    finally:
        runtime.close()
    decision = outcome.decision
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "principal": principal,
                    "action": action,
                    "resources": list(resources),
                    "decision": decision.effect.value,
                    "recordedDecision": recorded,
                    "message": outcome.message,
                    "steps": [
                        {
                            "policyType": s.policy_type.value,
                            "target": s.target_id,
                            "decision": s.decision.value,
                            "statements": [m.policy_id + (f"#{m.sid}" if m.sid else "") for m in s.matched_statements],
                        }
                        for s in decision.steps
                    ],
                }
            )
        )
        return
    console.print(f"[bold]{principal}[/bold] → [bold]{action}[/bold] on {', '.join(resources)}")
    colour = "green" if outcome.allowed else "red"
    console.print(
        f"decision: [{colour}]{decision.effect.value}[/{colour}]"
        + (f" (recorded then: {recorded})" if recorded else "")
    )
    if outcome.message:
        console.print(outcome.message)
    table = Table("policy type", "level", "decision", "matched statements", box=None)
    for step in decision.steps:
        table.add_row(
            step.policy_type.value,
            step.target_id or "",
            step.decision.value,
            "\n".join(
                f"{m.policy_id} {m.sid or ''} ({m.effect.value}, line {m.start.line})" for m in step.matched_statements
            ),
        )
    console.print(table)


@policy_app.command()
def impact(
    policy: Annotated[Path, typer.Option("--policy", help="The candidate SCP (a JSON file).", exists=True)],
    target: Annotated[str, typer.Option("--target", help="Root, OU or account id to attach it to.")],
    since: Annotated[str, typer.Option(help="How far back to replay: 7d, 12h, 30m.")] = "7d",
    data_dir: DataDir = DEFAULT_DATA_DIR,
    database_url: DatabaseUrl = None,
) -> None:
    """Replay recent calls under TARGET against a candidate SCP and list those it would have denied."""
    from baryon.authz.explain import impact as replay
    from baryon.policy import PolicyError

    runtime = _runtime(data_dir, database_url)
    try:
        with runtime.store.session() as db:
            rows, replayed = replay(db, runtime.authorizer, policy.read_text(), target, _since(since))
    except PolicyError as exc:
        raise typer.BadParameter(f"the candidate is not a valid SCP: {exc.message}") from None
    finally:
        runtime.close()
    denied = sum(row.count for row in rows)
    console.print(f"replayed {replayed} calls under {target} since {since}: {denied} would be denied")
    if rows:
        table = Table("principal", "action", "calls", "example resource", box=None)
        for row in rows:
            table.add_row(row.principal, row.action, str(row.count), row.example_resource)
        console.print(table)
        console.print("for example: " + rows[0].example_message)
