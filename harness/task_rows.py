"""Task names as table rows that fit a narrow terminal: a long family of tasks (the 38 CRUXEval-X
tasks, one per language and mode) is folded into one header row per family with its members
below, each named by what tells it apart (`cpp`, `rs`), so no table has to cut a name."""

from __future__ import annotations

from dataclasses import dataclass

#: a family is folded when it has at least this many members
FOLD_FROM = 3
MEMBER_INDENT = "  "


@dataclass(frozen=True)
class Row:
    label: str  # what the task column shows
    task: str | None  # the task this row is for; None for a family's header row


def family_of(name: str) -> str:
    return name.rsplit("-", 1)[0] if "-" in name else name


def task_rows(names: list[str]) -> list[Row]:
    """Rows in the names' order; a family's header takes the place of its first member."""
    families: dict[str, list[str]] = {}
    for name in names:
        families.setdefault(family_of(name), []).append(name)
    rows: list[Row] = []
    shown: set[str] = set()
    for name in names:
        fam = family_of(name)
        members = families[fam]
        if len(members) < FOLD_FROM or fam == name:
            rows.append(Row(name, name))
        elif fam not in shown:
            shown.add(fam)
            rows.append(Row(f"{fam}-* ({len(members)})", None))
            rows.extend(Row(MEMBER_INDENT + m[len(fam) + 1:], m) for m in members)
    return rows
