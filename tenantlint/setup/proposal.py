"""``tenantlint init``: the evidence shown to the user and the commented config it proposes."""

from __future__ import annotations

import datetime
import json
import textwrap
from dataclasses import dataclass

from tenantlint.config.options import DEFAULT_TENANT_COLUMNS, default_tenant_keys
from tenantlint.setup.candidates import Candidate, Ranking
from tenantlint.setup.hints import CodeHints, Hint

_SHOWN = 5


@dataclass(frozen=True, slots=True)
class Proposal:
    tenant_models: tuple[str, ...]
    tenant_columns: tuple[str, ...]  # beyond the defaults
    tenant_keys: tuple[str, ...]  # beyond the defaults
    global_tables: tuple[str, ...]
    membership_checks: tuple[Hint, ...]
    trusted_sources: tuple[Hint, ...]


def propose(ranking: Ranking, hints: CodeHints) -> Proposal | None:
    best = ranking.best
    if best is None:
        return None
    chosen = (best, *ranking.secondary)
    columns = tuple(dict.fromkeys(c.column for c in chosen if c.column not in DEFAULT_TENANT_COLUMNS))
    keys_known = set(default_tenant_keys(DEFAULT_TENANT_COLUMNS + columns))
    keys = tuple(dict.fromkeys(c.field for c in chosen if c.field not in keys_known))
    return Proposal(
        tenant_models=tuple(c.name for c in chosen),
        tenant_columns=columns,
        tenant_keys=keys,
        global_tables=(best.name,),
        membership_checks=hints.membership_checks,
        trusted_sources=hints.trusted_sources,
    )


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def evidence_line(c: Candidate) -> str:
    return (f"would scope {_plural(c.scopes, 'table')}: {c.direct} by their own {c.column} column,"
            f" {c.via} through a required parent")


def describe(c: Candidate) -> list[str]:
    """Lines of evidence for one candidate."""
    lines = [evidence_line(c)]
    signs = []
    if c.name_match:
        signs.append("named like a tenant")
    if c.user_link:
        signs.append(f"the user model points at it ({c.user_link})")
    if c.memberships:
        shown = ", ".join(c.memberships[:4]) + (", …" if len(c.memberships) > 4 else "")
        signs.append(f"membership tables: {shown}")
    if signs:
        lines.append("; ".join(signs))
    return lines


def render_report(ranking: Ranking, where: str) -> str:
    """What ``tenantlint init`` prints before the proposed config."""
    out = [f"tenantlint init: {_plural(ranking.models, 'table')} read from the models under {where}"
           f" ({_plural(ranking.tables_now, 'tenant table')} with the default config)"]
    if not ranking.candidates:
        out.append("no model is referenced by a foreign key or a <name>_id column: list the tenant"
                   " tables by hand (tenant_tables) or name the tenant column (tenant_columns)")
        return "\n".join(out) + "\n"
    out.append("")
    out.append("Tenant candidates, best first:")
    width = max(len(c.name) for c in ranking.candidates[:_SHOWN])
    for i, c in enumerate(ranking.candidates[:_SHOWN], 1):
        out.append(f"  {i}. {c.name:<{width}}  {c.path}:{c.line}")
        out.extend(f"     {' ' * width}  {line}" for line in describe(c))
    if ranking.secondary:
        names = ", ".join(c.name for c in ranking.secondary)
        out.append(f"  nested tenant{'s' if len(ranking.secondary) > 1 else ''} the user model also "
                   f"belongs to: {names}")
    if ranking.user_models:
        out.append(f"  user model{'s' if len(ranking.user_models) > 1 else ''} (not a tenant): "
                   + ", ".join(ranking.user_models))
    return "\n".join(out) + "\n"


def _toml_list(values: tuple[str, ...]) -> str:
    return "[" + ", ".join(json.dumps(v) for v in values) + "]"


def render_config(ranking: Ranking, proposal: Proposal, version: str, table_header: bool = False,
                  today: datetime.date | None = None) -> str:
    """The commented config; with ``table_header`` the ``[tool.tenantlint]`` table of pyproject.toml."""
    best = ranking.best
    assert best is not None
    date = (today or datetime.date.today()).isoformat()
    lines = [f"# Proposed by `tenantlint init` (tenantlint {version}) on {date}. Review every line:",
             "# the evidence is the model graph and a quick read of the code, not a proof."]
    if table_header:
        lines.append("[tool.tenantlint]")
    lines.append("")
    lines.append(f"# {best.name} ({best.path}:{best.line}) {evidence_line(best)}.")
    for c in ranking.secondary:
        lines.append(f"# {c.name} ({c.path}:{c.line}) is a tenant inside it the user model also "
                     f"belongs to ({c.user_link}); it {evidence_line(c)}.")
    others = [c for c in ranking.candidates[1:_SHOWN] if c not in ranking.secondary]
    if others:
        lines.append("# Other candidates: " + ", ".join(f"{c.name} ({_plural(c.scopes, 'table')})"
                                                         for c in others) + ".")
    lines.append(f"tenant_models = {_toml_list(proposal.tenant_models)}")
    if proposal.tenant_columns:
        lines.append("# The tenant column of the tenant tables (the defaults tenant_id, org_id and "
                     "organization_id stay).")
        lines.append(f"tenant_columns = {_toml_list(proposal.tenant_columns)}")
    if proposal.tenant_keys:
        lines.append("# Request keys (body, query, URL) that carry the tenant: reading one in a "
                     "handler is TNT201.")
        lines.append(f"tenant_keys = {_toml_list(proposal.tenant_keys)}")
    lines.append("# The tenant table itself holds every tenant: it is not scoped by a tenant column.")
    lines.append(f"global_tables = {_toml_list(proposal.global_tables)}")
    lines.extend(_hint_block(
        "membership_checks", proposal.membership_checks,
        "Functions, decorators or permission classes that verify the caller belongs to the tenant "
        "named in the request."))
    lines.extend(_hint_block(
        "trusted_sources", proposal.trusted_sources,
        "Values that hold the caller's own tenant or user (request.user.*, current_user.*, g.* are "
        "trusted already)."))
    lines.append("")
    lines.append("# Also worth a look: exclude (tests and scripts), system_scope (deliberately "
                 "cross-tenant code),")
    lines.append("# scoping_methods (query helpers that add the tenant filter). See "
                 "docs/configuration.md.")
    return "\n".join(_wrap(lines)) + "\n"


def _wrap(lines: list[str], width: int = 100) -> list[str]:
    """Long comment lines folded at ``width`` (TOML values and evidence lines are left whole)."""
    out: list[str] = []
    for line in lines:
        if line.startswith("# ") and not line.startswith("#   ") and len(line) > width:
            out.extend(textwrap.wrap(line[2:], width - 2, initial_indent="# ", subsequent_indent="# ",
                                     break_long_words=False, break_on_hyphens=False))
        else:
            out.append(line)
    return out


def _hint_block(key: str, hints: tuple[Hint, ...], why: str) -> list[str]:
    lines = [f"# {why}"]
    if not hints:
        lines.append(f"# {key} = []   # none found")
        return lines
    lines.extend(f"#   {h.value}: {h.evidence}" for h in hints)
    lines.append(f"{key} = {_toml_list(tuple(h.value for h in hints))}")
    return lines
