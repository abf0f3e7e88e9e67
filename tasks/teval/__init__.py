"""T-Eval (Chen et al. 2023, open-compass/T-Eval): tool use split into INSTRUCT, PLAN, REASON,
RETRIEVE, UNDERSTAND and REVIEW, scored with the reference evaluators. One task per data file
(`teval-plan-json`, `teval-review`, ...; `-v2` for the v2 files); group `teval` runs every v1
file that is present, `teval-v2` every v2 file. `tasks.teval.summary.summarize` turns the
per-file results into the six ability scores and the overall score."""

from __future__ import annotations

import logging

from harness.registry import register, register_cli, register_group
from tasks.teval import files
from tasks.teval.task import TEvalTask

log = logging.getLogger(__name__)

for _name, _spec in files.SPECS.items():
    register(_name, lambda s=_spec: TEvalTask(s))


def _members(version: str):
    def members() -> list[str]:
        everything = [s.task for s in files.SPECS.values() if s.version == version]
        found = files.present(version)
        if not found:
            return everything  # nothing present: each task then says which file is missing
        absent = [t for t in everything if t not in found]
        if absent:
            log.warning("T-Eval %s: skipping %s (data files absent; see tasks/teval/README.md)", version, ", ".join(absent))
        return found
    return members


register_group("teval", _members("v1"))
register_group("teval-v2", _members("v2"))


def _add_commands(subparsers) -> None:
    from tasks.teval.cli import register_cli as add  # `harness teval summary RUN_DIR`

    add(subparsers)


register_cli(_add_commands)
