"""How ``depvet check`` and ``depvet install`` show their decisions."""

from __future__ import annotations

import io
import json
from collections.abc import Sequence

from rich.console import Console
from rich.table import Table
from rich.text import Text

from depvet import __version__
from depvet.gate.check import CheckItem
from depvet.policy import Policy
from depvet.policy.decide import advisory_severity

__all__ = ["render_json", "render_table"]


def render_table(items: Sequence[CheckItem], policy: Policy, *, color: bool, width: int) -> str:
    """One row per requirement: the release, the decision and every reason."""
    buffer = io.StringIO()
    console = Console(
        file=buffer, force_terminal=color, no_color=not color, width=width, highlight=False
    )
    table = Table(show_lines=False, header_style="bold")
    table.add_column("requirement")
    table.add_column("release")
    table.add_column("decision")
    table.add_column("why")
    for item in items:
        release = f"{item.project} {item.version}" if item.version else item.project
        if item.file is not None:
            release += f"\n{item.file.filename}"
        if item.error is not None:
            decision, style, why = "not checked", "yellow", item.error
        elif item.decision is not None and item.decision.allowed:
            decision, style = "allowed", "green"
            verdict = item.verdict.verdict.value if item.verdict else "not scanned"
            why = f"scanned {verdict}" if item.verdict else verdict
        else:
            decision, style = "refused", "bold red"
            why = item.decision.summary() if item.decision else ""
        lines = [why, *item.notes, *(item.decision.notes if item.decision else ())]
        if item.advisories:
            known = ", ".join(f"{a.id} ({advisory_severity(a)})" for a in item.advisories)
            lines.append(f"advisories: {known}")
        if item.newest_allowed:
            lines.append(f"newest release the policy allows: {item.newest_allowed}")
        table.add_row(item.requested, release, Text(decision, style=style), "\n".join(lines))
    console.print(table)
    refused = sum(1 for i in items if i.error is None and not i.allowed)
    errors = sum(1 for i in items if i.error is not None)
    console.print(
        f"{len(items)} checked: {len(items) - refused - errors} allowed, {refused} refused, "
        f"{errors} not checked; policy: {policy.source}"
    )
    return buffer.getvalue()


def render_json(items: Sequence[CheckItem], policy: Policy) -> str:
    """The machine-readable report (docs/JSON.md, "check")."""
    document = {
        "tool": {"name": "depvet", "version": __version__},
        "policy": policy.source,
        "items": [item.to_json() for item in items],
    }
    return json.dumps(document, indent=2) + "\n"
